package importer

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/reelpulse/reelpulse/internal/store"
	"github.com/reelpulse/reelpulse/internal/store/postgres"
	"github.com/reelpulse/reelpulse/internal/store/sqlite"
	"github.com/reelpulse/reelpulse/internal/sync"
	"github.com/reelpulse/reelpulse/internal/testutil"
)

var importNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// backends open an empty, migrated store of each kind.
var backends = []struct {
	name string
	open func(t *testing.T) Store
}{
	{"sqlite", func(t *testing.T) Store {
		st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "import.db"), nil)
		return migrated(t, st, err)
	}},
	{"postgres", func(t *testing.T) Store {
		st, err := postgres.Open(t.Context(), testutil.PostgresURL(t), nil)
		return migrated(t, st, err)
	}},
}

func migrated(t *testing.T, st Store, err error) Store {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return st
}

// trackerFiles lists the fixtures of one format, sentiments first to show
// that the order of the files does not matter.
func trackerFiles(format string) []string {
	var paths []string
	for _, table := range []string{"reviews_sentiments", "reviews_raw", "movies"} {
		paths = append(paths, filepath.Join(fixtureDir, table+"."+format))
	}
	return paths
}

func summaryText(t *testing.T, s Summary) string {
	t.Helper()
	var b bytes.Buffer
	if err := s.Write(&b); err != nil {
		t.Fatal(err)
	}
	for _, p := range s.Problems {
		fmt.Fprintln(&b, p)
	}
	return b.String()
}

// checkGolden compares got with testdata/golden/name, which -update
// rewrites.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v; run the test with -update to write it", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (run with -update to accept):\n--- got\n%s--- want\n%s", path, got, want)
	}
}

func TestImportTracker(t *testing.T) {
	for _, backend := range backends {
		for _, format := range []string{"csv", "parquet"} {
			t.Run(backend.name+"/"+format, func(t *testing.T) {
				ctx := t.Context()
				st := backend.open(t)
				opts := Options{Now: func() time.Time { return importNow }}

				summary, err := Import(ctx, st, trackerFiles(format), opts)
				if err != nil {
					t.Fatal(err)
				}
				checkGolden(t, "tracker-"+format+".txt", summaryText(t, summary))
				checkTrackerStore(t, st)
				before := storeDump(t, st)

				// A second import of the same files writes nothing.
				again, err := Import(ctx, st, trackerFiles(format), Options{Now: func() time.Time { return importNow.Add(time.Hour) }})
				if err != nil {
					t.Fatal(err)
				}
				want := Summary{Analyzer: DefaultAnalyzer, MoviesUnchanged: 3, ReviewsUnchanged: 6, AnalysesUnchanged: 5}
				again.Problems = nil
				if fmt.Sprint(again) != fmt.Sprint(want) {
					t.Errorf("second import = %+v, want %+v", again, want)
				}
				if after := storeDump(t, st); after != before {
					t.Errorf("the second import changed the store:\n--- before\n%s--- after\n%s", before, after)
				}
			})
		}
	}
}

// checkTrackerStore checks the fixtures as stored.
func checkTrackerStore(t *testing.T, st store.Store) {
	t.Helper()
	ctx := t.Context()
	movies, err := st.ListMovies(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, m := range movies {
		ids = append(ids, m.ID)
	}
	if want := []string{"tt9100003", "tt9100002", "tt9100001"}; !slices.Equal(ids, want) { // by title
		t.Errorf("movies = %v, want %v", ids, want)
	}

	salt, err := st.GetMovie(ctx, "tt9100002")
	if err != nil {
		t.Fatal(err)
	}
	if salt.Title != "Salt and Iron" || salt.Year != 2019 || salt.ReleaseDate == nil ||
		!salt.ReleaseDate.Equal(time.Date(2019, 10, 2, 0, 0, 0, 0, time.UTC)) ||
		salt.DeclaredReviewCount == nil || *salt.DeclaredReviewCount != 2 || !salt.Tracked {
		t.Errorf("tt9100002 = %+v", salt)
	}
	if salt.CheckedAt == nil || !salt.CheckedAt.Equal(time.Date(2024, 1, 10, 8, 16, 30, 250_000_000, time.UTC)) {
		t.Errorf("tt9100002 checked at %v, want its scrapping_timestamp", salt.CheckedAt)
	}
	if salt.FullScrapeAt != nil {
		t.Errorf("an import set FullScrapeAt %v; it is no complete pass", salt.FullScrapeAt)
	}

	reviews, err := st.ListReviews(ctx, store.ReviewQuery{MovieID: "tt9100001", IncludeDeleted: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(reviews) != 3 {
		t.Fatalf("tt9100001 has %d reviews, want 3: %+v", len(reviews), reviews)
	}
	byID := map[string]store.Review{}
	for _, r := range reviews {
		byID[r.ID] = r
		if r.ContentHash != sync.ContentHash(r.Title, r.Text, r.Rating, r.Spoiler) {
			t.Errorf("%s: content hash %s is not the one a scrape computes", r.ID, r.ContentHash)
		}
	}
	first := byID["rw8000001"]
	if !strings.HasPrefix(first.Text, "The keeper's routine") || !strings.Contains(first.Text, "\nThe last twenty minutes") ||
		first.Rating == nil || *first.Rating != 9 || first.HelpfulUp != 12 || first.HelpfulDown != 3 ||
		!first.SubmittedAt.Equal(time.Date(2024, 1, 5, 0, 0, 0, 0, time.UTC)) || first.AuthorName != "marguerite_v" {
		t.Errorf("rw8000001 = %+v", first)
	}
	if r := byID["rw8000003"]; r.Rating != nil || !r.SubmittedAt.Equal(time.Date(2024, 1, 6, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("rw8000003 = %+v, want no rating and 6 January 2024", r)
	}

	runs, err := st.ListRuns(ctx, "tt9100001", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 1 || runs[0].State != store.RunIncomplete || runs[0].New != 3 || runs[0].Pages != 0 || runs[0].Deleted != 0 {
		t.Errorf("runs = %+v, want one incomplete run without pages and with 3 new reviews", runs)
	}

	analyses, err := st.ReviewAnalyses(ctx, DefaultAnalyzer, []string{"rw8000001", "rw8000003", "rw8000005"})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := analyses["rw8000005"]; ok {
		t.Errorf("rw8000005 has an analysis; its sentiment row has an invalid score")
	}
	want := map[string]map[string]string{
		"rw8000001": {"acting": "1", "overall": "2", "sound": "-", "storytelling": "1", "themes": "1", "visuals": "2"},
		"rw8000003": {"acting": "-2", "overall": "-1", "sound": "-", "storytelling": "-1", "themes": "-", "visuals": "2"},
	}
	for id, scores := range want {
		a, ok := analyses[id]
		if !ok {
			t.Errorf("%s has no %s analysis", id, DefaultAnalyzer)
			continue
		}
		if a.ContentHash != byID[id].ContentHash || a.AnalyzerVersion != versionTracker {
			t.Errorf("%s analysis: hash %s version %s, want the review's hash and %s", id, a.ContentHash, a.AnalyzerVersion, versionTracker)
		}
		got := map[string]string{}
		for _, s := range a.Aspects {
			got[s.Aspect] = "-"
			if s.Score != nil {
				got[s.Aspect] = fmt.Sprint(*s.Score)
			}
			if s.Evidence != "" {
				t.Errorf("%s %s has evidence %q", id, s.Aspect, s.Evidence)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(scores) {
			t.Errorf("%s scores = %v, want %v", id, got, scores)
		}
	}
}

// storeDump prints what an import writes, apart from the times of the
// writes, to compare two states of the store.
func storeDump(t *testing.T, st store.Store) string {
	t.Helper()
	ctx := t.Context()
	var b strings.Builder
	movies, err := st.ListMovies(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range movies {
		fmt.Fprintf(&b, "%s %q %d %v %v %v\n", m.ID, m.Title, m.Year, m.ReleaseDate, deref(m.DeclaredReviewCount), m.CheckedAt)
		runs, err := st.ListRuns(ctx, m.ID, 100)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "  runs: %d\n", len(runs))
		reviews, err := st.ListReviews(ctx, store.ReviewQuery{MovieID: m.ID, IncludeDeleted: true})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, r := range reviews {
			fmt.Fprintf(&b, "  %s %s %d/%d edited=%v deleted=%v\n", r.ID, r.ContentHash[:12], r.HelpfulUp, r.HelpfulDown, r.EditedAt, r.DeletedAt)
			ids = append(ids, r.ID)
		}
		analyses, err := st.ReviewAnalyses(ctx, DefaultAnalyzer, ids)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range ids {
			if a, ok := analyses[id]; ok {
				fmt.Fprintf(&b, "  %s analyzed at %v, %d aspects\n", id, a.AnalyzedAt.UTC(), len(a.Aspects))
			}
		}
	}
	return b.String()
}

func deref(n *int) any {
	if n == nil {
		return nil
	}
	return *n
}

// TestImportFatalWritesNothing checks that a missing column in the last
// file stops the import before any write, on both back ends.
func TestImportFatalWritesNothing(t *testing.T) {
	dir := t.TempDir()
	sentiments, err := os.ReadFile(filepath.Join(fixtureDir, "reviews_sentiments.csv"))
	if err != nil {
		t.Fatal(err)
	}
	broken := strings.Replace(string(sentiments), ",values", ",value", 1)
	brokenPath := filepath.Join(dir, "reviews_sentiments.csv")
	if err := os.WriteFile(brokenPath, []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	paths := []string{filepath.Join(fixtureDir, "movies.csv"), filepath.Join(fixtureDir, "reviews_raw.csv"), brokenPath}

	for _, backend := range backends {
		t.Run(backend.name, func(t *testing.T) {
			st := backend.open(t)
			_, err := Import(t.Context(), st, paths, Options{})
			if err == nil || !strings.Contains(err.Error(), brokenPath) || !strings.Contains(err.Error(), `missing column "values"`) {
				t.Fatalf("error = %v, want one naming %s and the column values", err, brokenPath)
			}
			movies, err := st.ListMovies(t.Context(), false)
			if err != nil {
				t.Fatal(err)
			}
			if len(movies) != 0 {
				t.Errorf("a failed import stored %d movies", len(movies))
			}
		})
	}
}

// TestImportDatabaseFailureWritesNothing makes the database refuse the
// last write of an import, a score, and checks that the movies and
// reviews written before it in the same import are not stored either.
func TestImportDatabaseFailureWritesNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "import.db")
	st, err := sqlite.Open(t.Context(), path, nil)
	st2 := migrated(t, st, err)

	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(t.Context(), `CREATE TRIGGER injected_failure BEFORE INSERT ON analysis_aspects
		BEGIN SELECT RAISE(ABORT, 'injected failure'); END`); err != nil {
		t.Fatal(err)
	}

	_, err = Import(t.Context(), st2, trackerFiles("csv"), Options{})
	if err == nil || !strings.Contains(err.Error(), "injected failure") || !strings.Contains(err.Error(), "nothing was imported") {
		t.Fatalf("import into a failing database returned %v, want the injected failure and nothing imported", err)
	}
	movies, err := st2.ListMovies(t.Context(), false)
	if err != nil {
		t.Fatal(err)
	}
	if len(movies) != 0 {
		t.Errorf("an import that failed at its last write stored %d movies", len(movies))
	}
}

func TestImportFatalErrors(t *testing.T) {
	st := backends[0].open(t)
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	tests := []struct {
		name    string
		paths   []string
		opts    Options
		wantErr string
	}{
		{"no files", nil, Options{}, "no files to import"},
		{"missing file", []string{filepath.Join(dir, "movies.csv")}, Options{}, "no such file"},
		{"unknown extension", []string{write("movies.txt", "movie_id\n")}, Options{}, "cannot tell the format"},
		{"unknown table", []string{write("dump.csv", "a,b\n1,2\n")}, Options{}, "unknown table"},
		{"empty CSV", []string{write("movies-empty.csv", "")}, Options{}, "the file is empty"},
		{"CSV as Parquet", []string{write("movies.parquet", "movie_id\n")}, Options{}, "not a readable Parquet file"},
		{"broken quotes", []string{write("movies-quotes.csv", "movie_id,title,release_date,nb_reviews,scrapping_timestamp\ntt9100001,\"The \"Lantern\",,,\n")},
			Options{}, "movies-quotes.csv"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Import(t.Context(), st, tt.paths, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
	movies, err := st.ListMovies(t.Context(), false)
	if err != nil || len(movies) != 0 {
		t.Errorf("failed imports stored movies %v (%v)", movies, err)
	}
}

func TestImportStrictAndDryRun(t *testing.T) {
	st := backends[0].open(t)
	dry, err := Import(t.Context(), st, trackerFiles("csv"), Options{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if dry.MoviesCreated != 3 || dry.ReviewsNew != 6 || dry.AnalysesStored != 5 || len(dry.Problems) != 15 {
		t.Errorf("dry run = %+v", dry)
	}
	_, err = Import(t.Context(), st, trackerFiles("csv"), Options{Strict: true})
	if !errors.Is(err, ErrRowsSkipped) {
		t.Errorf("strict import: error = %v, want ErrRowsSkipped", err)
	}
	if movies, err := st.ListMovies(t.Context(), false); err != nil || len(movies) != 0 {
		t.Errorf("a dry run or strict import stored movies %v (%v)", movies, err)
	}
}

// TestImportUpdates imports changed rows over the fixtures: an edited text,
// new votes, new metadata and new scores.
func TestImportUpdates(t *testing.T) {
	ctx := t.Context()
	st := backends[0].open(t)
	if _, err := Import(ctx, st, trackerFiles("csv"), Options{}); err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	copyEdited := func(name string, replacements ...string) string {
		data, err := os.ReadFile(filepath.Join(fixtureDir, name))
		if err != nil {
			t.Fatal(err)
		}
		edited := strings.NewReplacer(replacements...).Replace(string(data))
		if edited == string(data) {
			t.Fatalf("the replacements %q change nothing in %s", replacements, name)
		}
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(edited), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	paths := []string{
		copyEdited("movies.csv", "The Lantern Keeper,tt9100001,6,2021-03-12,2024-01-10 08:15:00",
			"The Lantern Keeper,tt9100001,9,2021-03-12,2024-02-10 08:15:00",
			"Quiet Harbour,tt9100003,,,2024-01-11 09:00:00", "Quiet Harbour,tt9100003,4,,2023-12-01 09:00:00"),
		copyEdited("reviews_raw.csv", "the two leads carry it.,7.0", "the two leads carry it all.,7.0",
			"rw8000004,tt9100002,hvidsten,Sea stories,A fine adaptation with a score that stays with you.,8.0,2023-11-20T18:42:10,30,0",
			"rw8000004,tt9100002,hvidsten,Sea stories,A fine adaptation with a score that stays with you.,8.0,2023-11-20T18:42:10,31,0"),
		copyEdited("reviews_sentiments.csv", "rw8000004,0,,,,,", "rw8000004,1,,,,,"),
	}
	summary, err := Import(ctx, st, paths, Options{Analyzer: "tracker"})
	if err != nil {
		t.Fatal(err)
	}
	// tt9100003's new count is older than its stored check, so it is kept.
	if summary.MoviesUpdated != 1 || summary.MoviesUnchanged != 2 || summary.ReviewsUpdated != 1 ||
		summary.VotesUpdated != 1 || summary.ReviewsUnchanged != 5 || summary.AnalysesStored != 5 {
		t.Errorf("summary = %+v", summary)
	}

	lantern, err := st.GetMovie(ctx, "tt9100001")
	if err != nil {
		t.Fatal(err)
	}
	if lantern.DeclaredReviewCount == nil || *lantern.DeclaredReviewCount != 9 {
		t.Errorf("tt9100001 declares %v reviews, want 9", lantern.DeclaredReviewCount)
	}
	if quiet, err := st.GetMovie(ctx, "tt9100003"); err != nil || quiet.DeclaredReviewCount != nil {
		t.Errorf("tt9100003 declares %v reviews, want none: the row is older than the stored check (%v)", quiet.DeclaredReviewCount, err)
	}
	reviews, err := st.ListReviews(ctx, store.ReviewQuery{MovieID: "tt9100001"})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range reviews {
		if edited := r.EditedAt != nil; edited != (r.ID == "rw8000002") {
			t.Errorf("%s edited at %v", r.ID, r.EditedAt)
		}
	}
	analyses, err := st.ReviewAnalyses(ctx, "tracker", []string{"rw8000002", "rw8000004"})
	if err != nil {
		t.Fatal(err)
	}
	if len(analyses) != 2 {
		t.Errorf("analyses under --analyzer tracker = %+v", analyses)
	}
}

func TestImportExport(t *testing.T) {
	ctx := t.Context()
	st := backends[0].open(t)
	if _, err := Import(ctx, st, trackerFiles("csv"), Options{}); err != nil {
		t.Fatal(err)
	}

	lines := []string{
		// rw8000001 as the tracker imported it, now with its spoiler flag.
		`{"id":"rw8000002","author_name":"okonkwo77","author_id":null,"title":"Slow but rewarding","text":"The pace asks a lot but the two leads carry it.","rating":7,"spoiler":false,"submitted_at":"2024-01-05","helpful_up":4,"helpful_down":1,"edited_at":null,"aspects":null,"evidence":null}`,
		`{"id":"rw8000030","author_name":"new_voice","author_id":"ur0000030","title":"Late to it","text":"The acting holds up.","rating":8,"spoiler":true,"submitted_at":"2024-05-01","helpful_up":0,"helpful_down":0,"edited_at":null,"aspects":{"acting":2,"overall":1,"sound":null},"evidence":{"acting":"The acting holds up."}}`,
		``,
		`{"id":"rw8000031","submitted_at":"May 2024"}`,
	}
	path := filepath.Join(t.TempDir(), "tt9100001-reviews.jsonl")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	summary, err := Import(ctx, st, []string{path}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if summary.ReviewsNew != 1 || summary.ReviewsUnchanged != 1 || summary.AnalysesStored != 1 || len(summary.Problems) != 1 ||
		summary.Problems[0].String() != path+`:4: submitted_at "May 2024" is not a date such as 2024-01-05` {
		t.Errorf("summary = %+v", summary)
	}
	analyses, err := st.ReviewAnalyses(ctx, DefaultAnalyzer, []string{"rw8000030"})
	if err != nil {
		t.Fatal(err)
	}
	a := analyses["rw8000030"]
	if a.AnalyzerVersion != versionExport || len(a.Aspects) != 3 || a.Aspects[0].Evidence != "The acting holds up." {
		t.Errorf("rw8000030 analysis = %+v", a)
	}

	// The same file under another name needs --movie.
	renamed := filepath.Join(t.TempDir(), "export.jsonl")
	if err := os.Rename(path, renamed); err != nil {
		t.Fatal(err)
	}
	again, err := Import(ctx, st, []string{renamed}, Options{MovieID: "tt9100001"})
	if err != nil {
		t.Fatal(err)
	}
	if again.ReviewsUnchanged != 2 || again.AnalysesUnchanged != 1 || again.ReviewsNew != 0 {
		t.Errorf("second import = %+v", again)
	}

	// Lines that name their movie need neither; a line without one is
	// skipped with a message that names what to do.
	named := filepath.Join(t.TempDir(), "export.jsonl")
	content := `{"movie_id":"tt9100001","id":"rw8000040","author_name":"a","title":"t","text":"x","rating":6,"spoiler":false,"submitted_at":"2024-06-01","helpful_up":0,"helpful_down":0}` + "\n" +
		`{"id":"rw8000041","author_name":"b","title":"t","text":"y","rating":6,"spoiler":false,"submitted_at":"2024-06-02","helpful_up":0,"helpful_down":0}` + "\n"
	if err := os.WriteFile(named, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	third, err := Import(ctx, st, []string{named}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if third.ReviewsNew != 1 || len(third.Problems) != 1 || !strings.Contains(third.Problems[0].String(), "--movie") {
		t.Errorf("import of lines with and without movie_id = %+v", third)
	}
}
