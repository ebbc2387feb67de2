package storetest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/reelpulse/reelpulse/internal/store"
)

// DumpStore is a store that also dumps and loads its tables.
type DumpStore interface {
	store.Store
	store.Accounts
	store.Dumper
}

// NotDumped lists the tables that store.DumpTables leaves out on purpose:
// the migration record, which every database keeps for itself,
// store.RebuiltTables, and SQLite's full-text index of the reviews. That
// index is reviews_fts with the shadow tables of FTS5 (reviews_fts_data,
// _idx, _docsize and _config). Triggers on reviews keep it current, so a
// load, which deletes and inserts the reviews, refills it. Tables whose
// name starts with "river_" belong to the job queue and are left out as
// well.
var NotDumped = append([]string{"schema_migrations",
	"reviews_fts", "reviews_fts_data", "reviews_fts_idx", "reviews_fts_docsize", "reviews_fts_config"},
	store.RebuiltTables...)

// RunDump runs the dump conformance tests. open must return a new, empty
// store for each call and close it when the test ends. RunDump migrates
// the stores itself.
func RunDump(t *testing.T, open func(t *testing.T) DumpStore) {
	tests := []struct {
		name string
		test func(t *testing.T, open func(t *testing.T) DumpStore)
	}{
		{"DumpTablesCoverSchema", testDumpTablesCoverSchema},
		{"DumpLoadRoundTrip", testDumpLoadRoundTrip},
		{"LoadKeepsIDGeneratorAhead", testLoadKeepsIDGeneratorAhead},
		{"LoadFailureChangesNothing", testLoadFailureChangesNothing},
		{"LoadRejectsWrongType", testLoadRejectsWrongType},
		{"LoadOlderDump", testLoadOlderDump},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.test(t, func(t *testing.T) DumpStore {
				s := open(t)
				if err := s.Migrate(t.Context()); err != nil {
					t.Fatalf("migrate: %v", err)
				}
				return s
			})
		})
	}
}

// DumpAll reads every table of s into memory, keyed by table name, and
// checks that every value has the Go type of its column.
func DumpAll(t *testing.T, s store.Dumper) map[string][][]any {
	t.Helper()
	tables := map[string][][]any{}
	err := s.Dump(t.Context(), func(table store.Table, rows func(yield func(row []any) error) error) error {
		tables[table.Name] = [][]any{}
		return rows(func(row []any) error {
			for i, c := range table.Columns {
				if err := store.CheckValue(c.Type, row[i]); err != nil {
					return fmt.Errorf("column %s: %w", c.Name, err)
				}
			}
			tables[table.Name] = append(tables[table.Name], row)
			return nil
		})
	})
	if err != nil {
		t.Fatalf("dump: %v", err)
	}
	return tables
}

// memorySource serves rows from memory, failing at row failAt (counted
// from 1) when it is positive.
type memorySource struct {
	rows   [][]any
	next   int
	failAt int
}

var errSourceFailed = errors.New("source failed")

func (m *memorySource) Next() ([]any, error) {
	if m.failAt > 0 && m.next+1 == m.failAt {
		return nil, errSourceFailed
	}
	if m.next == len(m.rows) {
		return nil, io.EOF
	}
	m.next++
	return m.rows[m.next-1], nil
}

// loadAll loads tables into s.
func loadAll(ctx context.Context, s store.Dumper, tables map[string][][]any) error {
	return s.Load(ctx, func(t store.Table) (store.RowSource, error) {
		return &memorySource{rows: tables[t.Name]}, nil
	})
}

// SeedDump fills every table of store.DumpTables of s through its public
// methods: two movies (one on a list, one pinned and parked), two reviews, an analysis, a failure, a
// language model call, a snapshot, two runs, a poster, two users (one on a
// list, one disabled) with a token, a session and audit events.
func SeedDump(t *testing.T, s interface {
	store.Store
	store.Accounts
}) {
	t.Helper()
	ctx := t.Context()
	track(t, s, "tt0000001")
	if _, err := s.PinMovie(ctx, "tt0000002", at(0)); err != nil {
		t.Fatalf("pin: %v", err)
	}

	released := day(1922, 3, 4)
	meta := store.MovieMetadata{Title: "Nosferatu", OriginalTitle: "Nosferatu, eine Symphonie", Year: 1922,
		ReleaseDate: &released, PosterURL: "https://m.media-amazon.com/images/p.jpg",
		AggregateRating: ptr(7.8), RatingCount: ptr(int64(112345)), DeclaredReviewCount: ptr(3)}
	if err := s.RecordCheck(ctx, "tt0000001", meta, at(1)); err != nil {
		t.Fatalf("record check: %v", err)
	}
	if err := s.ParkMovie(ctx, "tt0000002", "blocked five times", at(2)); err != nil {
		t.Fatalf("park: %v", err)
	}

	first := review("rw0000001", ptr(9), day(2024, 1, 5))
	second := review("rw0000002", nil, day(2024, 2, 1))
	second.Spoiler = true
	second.Text = "Unicode: Ellen’s sacrifice — “Orlok” 🦇"
	applySync(t, s, store.SyncResult{
		Upserts: []store.Review{first, second},
		Seen: []store.ReviewVotes{
			{ReviewID: "rw0000001", HelpfulUp: 1200, HelpfulDown: 3, VotesInexact: true},
			{ReviewID: "rw0000002", HelpfulUp: 4, HelpfulDown: 0},
		},
		Complete:   true,
		ApplyEdits: true,
		At:         at(3),
		Run:        store.SyncRun{StartedAt: at(2), FinishedAt: at(3), State: store.RunComplete, Pages: 1, Fetched: 2, Declared: 2},
	})

	analysis := store.Analysis{
		ReviewID: "rw0000001", Analyzer: "lexicon", AnalyzerVersion: "0.4.0", ContentHash: first.ContentHash,
		AnalyzedAt: at(4), Trimmed: true,
		Aspects: []store.AspectScore{
			{Aspect: "acting", Score: ptr(2), Evidence: "Schreck is unforgettable."},
			{Aspect: "sound", Score: nil},
			{Aspect: store.Overall, Score: ptr(-1), Evidence: "Text of rw0000001"},
		},
	}
	if err := s.SaveAnalyses(ctx, []store.Analysis{analysis}); err != nil {
		t.Fatalf("save analyses: %v", err)
	}
	failure := store.AnalysisFailure{ReviewID: "rw0000002", Analyzer: "openai", AnalyzerVersion: "gpt-4o-mini",
		ContentHash: second.ContentHash, Reason: "evidence not in the text", FailedAt: at(5)}
	if err := s.SaveAnalysisFailures(ctx, []store.AnalysisFailure{failure}); err != nil {
		t.Fatalf("save failures: %v", err)
	}
	call := store.LLMCall{At: at(5), Analyzer: "openai", Model: "gpt-4o-mini", MovieID: "tt0000001",
		Reviews: 2, PromptTokens: 1500, CompletionTokens: 300, CostUSD: 0.000405, Outcome: "ok"}
	if err := s.RecordLLMCall(ctx, call); err != nil {
		t.Fatalf("record call: %v", err)
	}
	snapshot := store.Snapshot{MovieID: "tt0000001", TakenAt: at(6), DeclaredReviewCount: ptr(3),
		ScrapedReviewCount: 2, AverageRating: ptr(9.0), AspectAverages: map[string]float64{"acting": 2, store.Overall: -1}}
	if err := s.AddSnapshot(ctx, snapshot); err != nil {
		t.Fatalf("add snapshot: %v", err)
	}
	if _, err := s.RecordRun(ctx, store.SyncRun{MovieID: "tt0000002", StartedAt: at(6), FinishedAt: at(7),
		State: store.RunBlocked, Error: "HTTP 403"}); err != nil {
		t.Fatalf("record run: %v", err)
	}
	poster := store.Poster{MovieID: "tt0000001", SourceURL: "https://m.media-amazon.com/images/p.jpg",
		ContentType: "image/jpeg", Data: []byte{0xff, 0xd8, 0x00, 0xff, 0xd9}, FetchedAt: at(8)}
	if err := s.SavePoster(ctx, poster); err != nil {
		t.Fatalf("save poster: %v", err)
	}

	ada, err := s.CreateUser(ctx, store.User{Name: "ada", Role: store.RoleAdmin,
		PasswordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
		CreatedAt:    at(9), PasswordChangedAt: at(9)})
	if err != nil {
		t.Fatalf("create user: %v", err)
	}
	bob, err := s.CreateUser(ctx, store.User{Name: "bob", Role: store.RoleAnalyst, PasswordHash: "x", CreatedAt: at(9), PasswordChangedAt: at(9)})
	if err != nil {
		t.Fatalf("create user: %v", err)
	}
	if err := s.SetUserDisabled(ctx, bob.ID, ptr(at(10))); err != nil {
		t.Fatalf("disable user: %v", err)
	}
	if _, err := s.TrackMovieForUser(ctx, ada.ID, "tt0000001", at(10)); err != nil {
		t.Fatalf("track for user: %v", err)
	}
	if _, err := s.CreateToken(ctx, store.APIToken{UserID: ada.ID, Name: "ci", Hash: "h-token", Prefix: "rp_abc",
		CreatedAt: at(10), ExpiresAt: ptr(at(1000))}); err != nil {
		t.Fatalf("create token: %v", err)
	}
	if err := s.CreateOIDCIdentity(ctx, store.OIDCIdentity{Issuer: "https://id.example.org/realms/studio", Subject: "f1c2",
		UserID: ada.ID, CreatedAt: at(10), LastUsedAt: at(12)}); err != nil {
		t.Fatalf("link a provider account: %v", err)
	}
	if err := s.CreateSession(ctx, store.Session{Hash: "h-session", UserID: ada.ID, CreatedAt: at(10),
		LastSeenAt: at(10), ExpiresAt: at(200)}); err != nil {
		t.Fatalf("create session: %v", err)
	}
	for _, e := range []store.AuditEvent{
		{At: at(10), ActorID: &ada.ID, ActorName: "ada", Action: store.AuditSignIn, Address: "127.0.0.1"},
		{At: at(11), ActorName: "cli", Action: store.AuditUserDisable, Target: "bob"},
	} {
		if _, err := s.RecordAudit(ctx, e); err != nil {
			t.Fatalf("record audit event: %v", err)
		}
	}
}

func testDumpTablesCoverSchema(t *testing.T, open func(t *testing.T) DumpStore) {
	s := open(t)
	columns, err := s.TableColumns(t.Context())
	if err != nil {
		t.Fatal(err)
	}

	dumped := map[string]store.Table{}
	for _, table := range store.DumpTables {
		dumped[table.Name] = table
	}
	for _, name := range slices.Sorted(maps.Keys(columns)) {
		table, ok := dumped[name]
		switch {
		case ok:
			if got := table.ColumnNames(); !sameSet(got, columns[name]) {
				t.Errorf("table %s has columns %v, but store.DumpTables lists %v: add the new columns to the dump", name, columns[name], got)
			}
		case slices.Contains(NotDumped, name) || len(name) > 6 && name[:6] == "river_":
		default:
			t.Errorf("table %s is neither in store.DumpTables nor in storetest.NotDumped: a backup would lose it", name)
		}
	}
	for name := range dumped {
		if _, ok := columns[name]; !ok {
			t.Errorf("store.DumpTables lists table %s, which the database does not have", name)
		}
	}
}

func sameSet(a, b []string) bool {
	return reflect.DeepEqual(slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(b)))
}

func testDumpLoadRoundTrip(t *testing.T, open func(t *testing.T) DumpStore) {
	source := open(t)
	SeedDump(t, source)
	want := DumpAll(t, source)
	for _, table := range store.DumpTables {
		if len(want[table.Name]) == 0 {
			t.Errorf("the seed left table %s empty, so its round trip is not tested", table.Name)
		}
	}

	target := open(t)
	if err := loadAll(t.Context(), target, want); err != nil {
		t.Fatalf("load: %v", err)
	}
	got := DumpAll(t, target)
	for _, table := range store.DumpTables {
		if !reflect.DeepEqual(got[table.Name], want[table.Name]) {
			t.Errorf("table %s after the round trip:\n got %v\nwant %v", table.Name, got[table.Name], want[table.Name])
		}
	}

	// Sessions are not restored, so every user signs in again.
	if _, _, err := target.SessionUser(t.Context(), "h-session"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("session after the round trip: %v, want ErrNotFound", err)
	}

	// The public reads agree as well.
	for _, id := range []string{"tt0000001", "tt0000002"} {
		if g, w := getMovie(t, target, id), getMovie(t, source, id); !reflect.DeepEqual(g, w) {
			t.Errorf("movie %s after the round trip:\n got %+v\nwant %+v", id, g, w)
		}
	}
	gotStats, err := target.Stats(t.Context(), "tt0000001", "lexicon")
	if err != nil {
		t.Fatal(err)
	}
	wantStats, err := source.Stats(t.Context(), "tt0000001", "lexicon")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(gotStats, wantStats) {
		t.Errorf("stats after the round trip:\n got %+v\nwant %+v", gotStats, wantStats)
	}
}

func testLoadKeepsIDGeneratorAhead(t *testing.T, open func(t *testing.T) DumpStore) {
	source := open(t)
	SeedDump(t, source)
	tables := DumpAll(t, source)

	target := open(t)
	if err := loadAll(t.Context(), target, tables); err != nil {
		t.Fatalf("load: %v", err)
	}
	// A row added after the restore gets an id above the restored ones
	// instead of failing on a duplicate key.
	run := store.SyncRun{MovieID: "tt0000001", StartedAt: at(9), FinishedAt: at(10), State: store.RunFailed, Error: "timeout"}
	id, err := target.RecordRun(t.Context(), run)
	if err != nil {
		t.Fatalf("record a run after the load: %v", err)
	}
	for _, row := range tables["sync_runs"] {
		if restored := row[0].(int64); id <= restored {
			t.Errorf("new run id %d is not above restored id %d", id, restored)
		}
	}
}

func testLoadFailureChangesNothing(t *testing.T, open func(t *testing.T) DumpStore) {
	source := open(t)
	SeedDump(t, source)
	tables := DumpAll(t, source)

	target := open(t)
	track(t, target, "tt0000009")
	applySync(t, target, store.SyncResult{MovieID: "tt0000009", Upserts: []store.Review{
		{ID: "rw0000009", MovieID: "tt0000009", SubmittedAt: day(2025, 1, 1), ContentHash: "h9"},
	}, At: at(1), ApplyEdits: true, Run: store.SyncRun{StartedAt: at(0), FinishedAt: at(1), State: store.RunIncomplete}})
	before := DumpAll(t, target)

	// The source fails on the first row of the fourth table, after three
	// tables were emptied and loaded.
	err := target.Load(t.Context(), func(table store.Table) (store.RowSource, error) {
		source := &memorySource{rows: tables[table.Name]}
		if table.Name == store.DumpTables[3].Name {
			source.failAt = 1
		}
		return source, nil
	})
	if !errors.Is(err, errSourceFailed) {
		t.Fatalf("load with a failing source returned %v, want %v", err, errSourceFailed)
	}
	if after := DumpAll(t, target); !reflect.DeepEqual(after, before) {
		t.Errorf("a failed load changed the database:\n got %v\nwant %v", after, before)
	}
}

func testLoadRejectsWrongType(t *testing.T, open func(t *testing.T) DumpStore) {
	source := open(t)
	SeedDump(t, source)
	tables := DumpAll(t, source)

	// The year of the first movie as an int instead of an int64.
	movies := tables["movies"]
	row := slices.Clone(movies[0])
	row[3] = 1922
	tables["movies"] = append([][]any{row}, movies[1:]...)

	target := open(t)
	err := loadAll(t.Context(), target, tables)
	if err == nil {
		t.Fatal("load of an int where an int64 belongs succeeded")
	}
	for _, want := range []string{"movies", "year"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %q", err, want)
		}
	}
	if got := DumpAll(t, target); len(got["movies"]) != 0 {
		t.Errorf("a rejected load left %d movies", len(got["movies"]))
	}
}

// olderSource is a memorySource of a dump that lacks some columns.
type olderSource struct {
	memorySource
	missing []string
}

func (o *olderSource) MissingColumns() []string { return o.missing }

// withPinned returns a copy of tables whose movie rows have pinned set to
// value.
func withPinned(t *testing.T, tables map[string][][]any, value bool) map[string][][]any {
	t.Helper()
	column := -1
	for i, c := range store.DumpTables[0].Columns {
		if c.Name == "pinned" {
			column = i
		}
	}
	if store.DumpTables[0].Name != "movies" || column < 0 {
		t.Fatalf("store.DumpTables does not start with movies and their pinned column")
	}
	copied := maps.Clone(tables)
	copied["movies"] = nil
	for _, row := range tables["movies"] {
		row = slices.Clone(row)
		row[column] = value
		copied["movies"] = append(copied["movies"], row)
	}
	return copied
}

func testLoadOlderDump(t *testing.T, open func(t *testing.T) DumpStore) {
	source := open(t)
	SeedDump(t, source)
	tables := DumpAll(t, source)

	// A dump from before the pinned column holds its default, false, and
	// the load pins the tracked movies that no list holds, as migration
	// 0009 did: tt0000002, not tt0000001, which is on ada's list.
	older := withPinned(t, tables, false)
	target := open(t)
	err := target.Load(t.Context(), func(table store.Table) (store.RowSource, error) {
		if table.Name == "movies" {
			return &olderSource{memorySource: memorySource{rows: older[table.Name]}, missing: []string{"pinned"}}, nil
		}
		return &memorySource{rows: older[table.Name]}, nil
	})
	if err != nil {
		t.Fatalf("load of an older dump: %v", err)
	}
	for id, want := range map[string]bool{"tt0000001": false, "tt0000002": true} {
		if m := getMovie(t, target, id); m.Pinned != want {
			t.Errorf("movie %s after loading an older dump: pinned %v, want %v", id, m.Pinned, want)
		}
	}

	// A current dump keeps the pins as dumped: the backfill does not run.
	target = open(t)
	if err := loadAll(t.Context(), target, withPinned(t, tables, false)); err != nil {
		t.Fatalf("load: %v", err)
	}
	if m := getMovie(t, target, "tt0000002"); m.Pinned {
		t.Errorf("movie tt0000002 pinned after loading a current dump where it is not")
	}
}
