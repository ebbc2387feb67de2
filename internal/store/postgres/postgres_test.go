package postgres

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/reelpulse/reelpulse/internal/store"
	"github.com/reelpulse/reelpulse/internal/store/storetest"
	"github.com/reelpulse/reelpulse/internal/testutil"
)

func open(t *testing.T) *Store {
	t.Helper()
	s, err := Open(t.Context(), testutil.PostgresURL(t), nil)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// historyStore adds the vote-history count that the conformance suite
// checks.
type historyStore struct {
	*Store
}

func (s historyStore) VoteRows(ctx context.Context, reviewID string) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM review_votes WHERE review_id = $1`, reviewID).Scan(&n)
	return n, err
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return historyStore{open(t)} })
}

func TestAccountsConformance(t *testing.T) {
	storetest.RunAccounts(t, func(t *testing.T) storetest.AccountsStore { return open(t) })
}

func TestDumpConformance(t *testing.T) {
	storetest.RunDump(t, func(t *testing.T) storetest.DumpStore { return open(t) })
}

func TestImportConformance(t *testing.T) {
	storetest.RunImport(t, func(t *testing.T) storetest.ImportStore { return open(t) })
}

func TestMigrateTwiceRecordsOnce(t *testing.T) {
	ctx := t.Context()
	s := open(t)
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	first := migrationRows(t, s)

	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("second migrate: %v", err)
	}
	if second := migrationRows(t, s); second != first {
		t.Errorf("schema_migrations changed from %q to %q", first, second)
	}
}

func migrationRows(t *testing.T, s *Store) string {
	t.Helper()
	var rows string
	err := s.pool.QueryRow(t.Context(),
		`SELECT string_agg(version || ' ' || applied_at, ';' ORDER BY version) FROM schema_migrations`).Scan(&rows)
	if err != nil {
		t.Fatalf("read schema_migrations: %v", err)
	}
	return rows
}

func TestConcurrentMigrate(t *testing.T) {
	url := testutil.PostgresURL(t)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		s, err := Open(t.Context(), url, nil)
		if err != nil {
			t.Fatalf("open: %v", err)
		}
		t.Cleanup(func() { s.Close() })
		wg.Go(func() { errs[i] = s.Migrate(t.Context()) })
	}
	wg.Wait()

	for i, err := range errs {
		if err != nil {
			t.Errorf("migrate %d: %v", i, err)
		}
	}
}

func TestPlanCacheMode(t *testing.T) {
	url := testutil.PostgresURL(t)
	separator := "?"
	if strings.Contains(url, "?") {
		separator = "&"
	}
	tests := []struct {
		name, url, want string
	}{
		{"default", url, "force_custom_plan"},
		{"set in the url", url + separator + "plan_cache_mode=auto", "auto"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Open(t.Context(), tt.url, nil)
			if err != nil {
				t.Fatalf("open: %v", err)
			}
			defer s.Close()
			var mode string
			if err := s.pool.QueryRow(t.Context(), `SHOW plan_cache_mode`).Scan(&mode); err != nil {
				t.Fatalf("show plan_cache_mode: %v", err)
			}
			if mode != tt.want {
				t.Errorf("plan_cache_mode = %q, want %q", mode, tt.want)
			}
		})
	}
}
