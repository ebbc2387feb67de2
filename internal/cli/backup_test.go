package cli

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/reelpulse/reelpulse/internal/store/sqlite"
	"github.com/reelpulse/reelpulse/internal/store/storetest"
)

// TestBackupAndRestoreCommands backs a SQLite database up to a directory,
// lists the backup and restores it into another database file.
func TestBackupAndRestoreCommands(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	target := "file://" + filepath.Join(dir, "backups")

	source := filepath.Join(dir, "source.db")
	st, err := sqlite.Open(ctx, source, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	storetest.SeedDump(t, st)
	want := storetest.DumpAll(t, st)
	_ = st.Close()

	run := func(database string, command func(context.Context, *environment, []string) error, args ...string) (string, error) {
		t.Helper()
		t.Setenv("DATABASE_URL", database)
		var stdout bytes.Buffer
		err := command(ctx, &environment{stdout: &stdout, stderr: io.Discard}, args)
		return stdout.String(), err
	}

	out, err := run(source, runBackup, "--to", target)
	if err != nil {
		t.Fatalf("backup: %v", err)
	}
	if !strings.HasPrefix(out, "Backup 20") || !strings.Contains(out, " rows in ") {
		t.Errorf("backup printed %q", out)
	}

	out, err = run(source, runBackup, "list", "--from", target)
	if err != nil || strings.Count(out, "\n") != 2 || !strings.Contains(out, "sqlite") {
		t.Errorf("backup list printed %q, %v; want a header and one backup", out, err)
	}

	restored := filepath.Join(dir, "restored.db")
	if out, err = run(restored, runRestore, "--from", target, "--at", time.Now().Add(time.Minute).UTC().Format(time.RFC3339)); err != nil {
		t.Fatalf("restore: %v", err)
	}
	if !strings.HasPrefix(out, "Restored backup 20") {
		t.Errorf("restore printed %q", out)
	}
	st, err = sqlite.Open(ctx, restored, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	got := storetest.DumpAll(t, st)
	for name, rows := range want {
		if len(got[name]) != len(rows) {
			t.Errorf("table %s: %d rows restored, want %d", name, len(got[name]), len(rows))
		}
	}

	// A second restore over the data needs --force.
	if _, err := run(restored, runRestore, "--from", target); err == nil || !strings.Contains(err.Error(), "--force") {
		t.Errorf("restore over data returned %v, want an error that mentions --force", err)
	}
	for _, args := range [][]string{
		{"--from", target, "--at", "yesterday"},
		{"--from", target, "--id", "x", "--at", "2026-12-05"},
		{"--from", "ftp://example/backups"},
	} {
		if _, err := run(restored, runRestore, args...); err == nil {
			t.Errorf("restore %v succeeded", args)
		}
	}
}
