package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/reelpulse/reelpulse/internal/store"
	"github.com/reelpulse/reelpulse/internal/store/migrate"
	"github.com/reelpulse/reelpulse/internal/store/storetest"
)

func open(t *testing.T) *Store {
	t.Helper()
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "reelpulse.db"), nil)
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
	err := s.reader.QueryRowContext(ctx, `SELECT count(*) FROM review_votes WHERE review_id = ?`, reviewID).Scan(&n)
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
	err := s.reader.QueryRowContext(t.Context(),
		`SELECT group_concat(version || ' ' || applied_at, ';') FROM schema_migrations`).Scan(&rows)
	if err != nil {
		t.Fatalf("read schema_migrations: %v", err)
	}
	return rows
}

func TestPragmas(t *testing.T) {
	s := open(t)
	tests := []struct {
		db     *sql.DB
		pragma string
		want   string
	}{
		{s.writer, "journal_mode", "wal"},
		{s.writer, "foreign_keys", "1"},
		{s.writer, "synchronous", "1"},
		{s.writer, "busy_timeout", "10000"},
		{s.reader, "query_only", "1"},
		{s.reader, "foreign_keys", "1"},
		{s.reader, "busy_timeout", "10000"},
	}
	for _, tt := range tests {
		var got string
		if err := tt.db.QueryRowContext(t.Context(), "PRAGMA "+tt.pragma).Scan(&got); err != nil {
			t.Fatalf("pragma %s: %v", tt.pragma, err)
		}
		if got != tt.want {
			t.Errorf("pragma %s = %s, want %s", tt.pragma, got, tt.want)
		}
	}
}

func TestReaderRefusesWrites(t *testing.T) {
	s := open(t)
	if _, err := s.reader.ExecContext(t.Context(), `CREATE TABLE forbidden (x INTEGER)`); err == nil {
		t.Errorf("read pool created a table")
	}
}

// TestConcurrentReadersAndWriter runs syncs, analyses and readers at once.
// Run it with -race.
func TestConcurrentReadersAndWriter(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	s := open(t)
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	if _, err := s.TrackMovie(ctx, "tt0000001", time.Now()); err != nil {
		t.Fatalf("track: %v", err)
	}

	const passes = 40
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	done := make(chan struct{})
	for range 2 {
		wg.Go(func() {
			defer func() { errs <- nil }()
			for pass := range passes {
				if err := syncPass(ctx, s, pass); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	for range 6 {
		wg.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				if err := readAll(ctx, s); err != nil {
					errs <- err
					return
				}
			}
		})
	}

	finished := 0
	for finished < 2 {
		if err := <-errs; err != nil {
			t.Error(err)
			break
		}
		finished++
	}
	close(done)
	wg.Wait()

	reviews, err := s.ListReviews(ctx, store.ReviewQuery{MovieID: "tt0000001"})
	if err != nil || len(reviews) != passes {
		t.Errorf("stored %d reviews, error %v; want %d", len(reviews), err, passes)
	}
}

func syncPass(ctx context.Context, s *Store, pass int) error {
	id := fmt.Sprintf("rw%04d", pass)
	rating := pass%10 + 1
	_, err := s.ApplySync(ctx, store.SyncResult{
		MovieID: "tt0000001",
		Upserts: []store.Review{{
			ID: id, MovieID: "tt0000001", Text: "text", Rating: &rating,
			SubmittedAt: time.Date(2025, time.Month(pass%12+1), 1, 0, 0, 0, 0, time.UTC),
			ContentHash: id,
		}},
		Seen: []store.ReviewVotes{{ReviewID: id, HelpfulUp: pass}},
		At:   time.Now(),
	})
	if err != nil {
		return err
	}

	return s.SaveAnalyses(ctx, []store.Analysis{{
		ReviewID: id, Analyzer: "lexicon", AnalyzerVersion: "v1", ContentHash: id,
		AnalyzedAt: time.Now(), Aspects: []store.AspectScore{{Aspect: store.Overall, Score: new(int)}},
	}})
}

func readAll(ctx context.Context, s *Store) error {
	if _, err := s.Stats(ctx, "tt0000001", "lexicon"); err != nil {
		return err
	}
	if _, err := s.ListReviews(ctx, store.ReviewQuery{MovieID: "tt0000001", Limit: 10}); err != nil {
		return err
	}
	if _, err := s.PendingAnalysis(ctx, store.PendingQuery{MovieID: "tt0000001", Analyzer: "lexicon", AnalyzerVersion: "v1", Limit: 10}); err != nil {
		return err
	}
	_, err := s.GetMovie(ctx, "tt0000001")
	return err
}

// TestMigrateSeedsVoteHistory applies the first migration, stores a review
// the way that schema did, and checks that the later migrations give it
// one vote-history row and the new columns' defaults.
func TestMigrateSeedsVoteHistory(t *testing.T) {
	ctx := t.Context()
	s := open(t)
	files, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	migrations, err := migrate.Load(files)
	if err != nil {
		t.Fatalf("load migrations: %v", err)
	}
	if err := migrate.Run(ctx, migrationTarget{db: s.writer}, migrations[:1], s.logger); err != nil {
		t.Fatalf("apply the first migration: %v", err)
	}

	_, err = s.writer.ExecContext(ctx, `INSERT INTO movies (id, added_at) VALUES ('tt0000001', '2026-01-01T00:00:00.000000Z');
		INSERT INTO reviews (id, movie_id, submitted_at, helpful_up, helpful_down, content_hash, first_seen_at, last_seen_at)
		VALUES ('rw1', 'tt0000001', '2025-01-01', 7, 2, 'hash', '2026-01-01T00:00:00.000000Z', '2026-01-02T00:00:00.000000Z')`)
	if err != nil {
		t.Fatalf("store a review in the first schema: %v", err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}

	var rows, up, down int
	var observedAt string
	err = s.reader.QueryRowContext(ctx, `SELECT count(*), max(helpful_up), max(helpful_down), max(observed_at)
		FROM review_votes WHERE review_id = 'rw1'`).Scan(&rows, &up, &down, &observedAt)
	if err != nil {
		t.Fatalf("read vote history: %v", err)
	}
	if rows != 1 || up != 7 || down != 2 || observedAt != "2026-01-02T00:00:00.000000Z" {
		t.Errorf("vote history = %d rows, %d up, %d down at %s; want 1 row of 7 up, 2 down at the last-seen time", rows, up, down, observedAt)
	}

	list, err := s.ListReviews(ctx, store.ReviewQuery{MovieID: "tt0000001"})
	if err != nil || len(list) != 1 {
		t.Fatalf("list reviews: %d, error %v", len(list), err)
	}
	if list[0].TextHTML != "" || list[0].VotesInexact || list[0].DeletedAt != nil {
		t.Errorf("migrated review = %+v, want empty HTML, exact votes and not deleted", list[0])
	}
}
