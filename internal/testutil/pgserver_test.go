package testutil

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func TestPostgresServerRestart(t *testing.T) {
	s := StartPostgresServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	query := func() error {
		conn, err := pgx.Connect(ctx, s.URL)
		if err != nil {
			return err
		}
		defer conn.Close(ctx)
		var one int
		return conn.QueryRow(ctx, "SELECT 1").Scan(&one)
	}
	if err := query(); err != nil {
		t.Fatalf("query the new server: %v", err)
	}

	s.Stop()
	if err := query(); err == nil {
		t.Fatal("a stopped server answered")
	}

	s.Start()
	if err := query(); err != nil {
		t.Fatalf("query the restarted server: %v", err)
	}
}
