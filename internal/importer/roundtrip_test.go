package importer

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/reelpulse/reelpulse/internal/reviewquery"
	"github.com/reelpulse/reelpulse/internal/store"
	"github.com/reelpulse/reelpulse/internal/sync"
)

// roundTripAspects are the aspects of the seeded analyses, as the
// configured analyzer names them.
var roundTripAspects = []string{"acting", "sound", "storytelling", "themes", "visuals", store.Overall}

// seedExportStore stores two movies with metadata and reviews at the edges
// of the formats. They include no rating, a spoiler, an author id, a text
// with a quote, a comma and a line break, non-ASCII text, a neutral score,
// an aspect that is not mentioned and a review without scores.
func seedExportStore(t *testing.T, st Store) {
	t.Helper()
	at := time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC)
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	score := func(n int) *int { return &n }
	review := func(id, movieID, title, text string, rating *int, spoiler bool, submitted time.Time, up, down int) store.Review {
		return store.Review{ID: id, MovieID: movieID, AuthorName: "author of " + id, Title: title, Text: text, Rating: rating,
			Spoiler: spoiler, SubmittedAt: submitted, HelpfulUp: up, HelpfulDown: down,
			ContentHash: sync.ContentHash(title, text, rating, spoiler)}
	}
	metropolis := []store.Review{
		review("rw0000101", "tt0017136", "Still towering", "The \"machine\" scenes, all of them,\nstill astonish.", score(9), false, day(2019, 3, 2), 40, 3),
		review("rw0000102", "tt0017136", "Überlänge", "Zu lang, aber die Bilder — großartig. 映画", nil, true, day(2021, 11, 30), 0, 0),
		review("rw0000103", "tt0017136", "Unscored", "Nobody analyzed this one yet.", score(5), false, day(2024, 1, 5), 1, 7),
	}
	metropolis[0].AuthorID = "ur0000101"
	nosferatu := []store.Review{
		review("rw0000201", "tt0013442", "Shadows", "The shadow on the stairs is the film.", score(8), false, day(2015, 10, 31), 12, 1),
	}
	analysis := func(reviewID, hash string, aspects ...store.AspectScore) store.Analysis {
		return store.Analysis{ReviewID: reviewID, Analyzer: "lexicon", AnalyzerVersion: "0.4.0", ContentHash: hash, AnalyzedAt: at, Aspects: aspects}
	}
	movies := []store.MovieImport{
		{
			MovieID: "tt0013442", Track: true, TrackAt: at, CheckAt: at,
			Check: &store.MovieMetadata{Title: "Nosferatu", OriginalTitle: "Nosferatu, eine Symphonie des Grauens", Year: 1922,
				ReleaseDate: new(day(1922, 3, 4)), AggregateRating: new(7.8), RatingCount: new(int64(112345)), DeclaredReviewCount: new(1)},
			Sync: &store.SyncResult{MovieID: "tt0013442", Upserts: nosferatu, At: at, ApplyEdits: true,
				Run: store.SyncRun{MovieID: "tt0013442", StartedAt: at, FinishedAt: at, State: store.RunIncomplete, Fetched: 1, New: 1}},
			Analyses: []store.Analysis{analysis("rw0000201", nosferatu[0].ContentHash,
				store.AspectScore{Aspect: "visuals", Score: new(2), Evidence: "The shadow on the stairs is the film."},
				store.AspectScore{Aspect: store.Overall, Score: new(1)})},
		},
		{
			MovieID: "tt0017136", Track: true, TrackAt: at, CheckAt: at,
			Check: &store.MovieMetadata{Title: "Metropolis", Year: 1927},
			Sync: &store.SyncResult{MovieID: "tt0017136", Upserts: metropolis, At: at, ApplyEdits: true,
				Run: store.SyncRun{MovieID: "tt0017136", StartedAt: at, FinishedAt: at, State: store.RunIncomplete, Fetched: 3, New: 3}},
			Analyses: []store.Analysis{
				analysis("rw0000101", metropolis[0].ContentHash,
					store.AspectScore{Aspect: "visuals", Score: new(2), Evidence: "The \"machine\" scenes, all of them,\nstill astonish."},
					store.AspectScore{Aspect: "acting", Score: new(0), Evidence: "all of them"},
					store.AspectScore{Aspect: "sound"}),
				analysis("rw0000102", metropolis[1].ContentHash,
					store.AspectScore{Aspect: "storytelling", Score: new(-2), Evidence: "Zu lang"},
					store.AspectScore{Aspect: store.Overall, Score: new(-1)}),
			},
		},
	}
	if err := st.ImportMovies(t.Context(), movies); err != nil {
		t.Fatal(err)
	}
}

// exportFiles writes movies.FORMAT and reviews.FORMAT of every tracked
// movie to dir, as reelpulse export does, and returns their paths.
func exportFiles(t *testing.T, st Store, format reviewquery.Format, analyzer, dir string) []string {
	t.Helper()
	ctx := t.Context()
	movies, err := st.ListMovies(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, fill func(f *os.File) error) string {
		path := filepath.Join(dir, name+"."+format.Name)
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := fill(f); err != nil {
			t.Fatalf("export %s: %v", path, err)
		}
		return path
	}
	moviesPath := write("movies", func(f *os.File) error {
		w := reviewquery.NewMovieWriter(format, f, roundTripAspects)
		for _, m := range movies {
			stats, err := st.Stats(ctx, m.ID, analyzer)
			if err != nil {
				return err
			}
			if err := w.Write(m, stats); err != nil {
				return err
			}
		}
		return w.Close()
	})
	reviewsPath := write("reviews", func(f *os.File) error {
		w := reviewquery.NewWriter(format, f, roundTripAspects)
		for _, m := range movies {
			filter := store.ReviewFilter{MovieID: m.ID, Analyzer: analyzer, Sort: store.SortOldest}
			if err := w.WriteMovie(ctx, st, analyzer, filter); err != nil {
				return err
			}
		}
		return w.Close()
	})
	return []string{reviewsPath, moviesPath} // reviews first: the order of the files does not matter
}

// exportedContent describes the movies, reviews and analyses of a store
// that an export carries over, one line each.
func exportedContent(ctx context.Context, t *testing.T, st Store, analyzer string) string {
	t.Helper()
	var b strings.Builder
	movies, err := st.ListMovies(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range movies {
		fmt.Fprintf(&b, "%s tracked=%v %q %q %d %v %v %v %v\n", m.ID, m.Tracked, m.Title, m.OriginalTitle, m.Year,
			m.ReleaseDate, derefAny(m.AggregateRating), derefAny(m.RatingCount), derefAny(m.DeclaredReviewCount))
		reviews, err := st.ListReviews(ctx, store.ReviewQuery{MovieID: m.ID, IncludeDeleted: true})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, r := range reviews {
			fmt.Fprintf(&b, "  %s %q %q %q %q rating=%v spoiler=%v %s %d/%d hash=%s deleted=%v\n", r.ID, r.AuthorName, r.AuthorID,
				r.Title, r.Text, derefAny(r.Rating), r.Spoiler, r.SubmittedAt.UTC().Format(time.DateOnly), r.HelpfulUp, r.HelpfulDown,
				r.ContentHash, r.DeletedAt != nil)
			ids = append(ids, r.ID)
		}
		analyses, err := st.ReviewAnalyses(ctx, analyzer, ids)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range ids {
			a, ok := analyses[id]
			if !ok {
				continue
			}
			fmt.Fprintf(&b, "  %s analysis of %s:", id, a.ContentHash)
			// The export lists every aspect, with null for one that is
			// not mentioned, so only mentioned aspects are compared.
			for _, s := range sortedAspects(a.Aspects) {
				if s.Score != nil {
					fmt.Fprintf(&b, " %s=%d %q", s.Aspect, *s.Score, s.Evidence)
				}
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}

func derefAny[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

// TestExportImportRoundTrip exports a seeded SQLite store in each format,
// as reelpulse export does, and imports the two files into an empty store
// of each kind:
// the movies, reviews and scores must come back as they were.
func TestExportImportRoundTrip(t *testing.T) {
	ctx := t.Context()
	source := backends[0].open(t)
	seedExportStore(t, source)
	want := exportedContent(ctx, t, source, "lexicon")
	for _, id := range []string{"rw0000101", "rw0000102", "rw0000201", "tt0013442", "Nosferatu, eine", "112345"} {
		if !strings.Contains(want, id) {
			t.Fatalf("the seeded store lacks %s:\n%s", id, want)
		}
	}

	for _, backend := range backends {
		for _, format := range reviewquery.Formats {
			t.Run(backend.name+"/"+format.Name, func(t *testing.T) {
				paths := exportFiles(t, source, format, "lexicon", t.TempDir())
				target := backend.open(t)
				summary, err := Import(ctx, target, paths, Options{Analyzer: "lexicon"})
				if err != nil {
					t.Fatal(err)
				}
				if len(summary.Problems) > 0 || summary.MoviesCreated != 2 || summary.ReviewsNew != 4 || summary.AnalysesStored != 3 {
					t.Fatalf("import of the export:\n%s", summaryText(t, summary))
				}
				if got := exportedContent(ctx, t, target, "lexicon"); got != want {
					t.Errorf("the imported store differs from the exported one:\n--- exported\n%s--- imported\n%s", want, got)
				}

				// Importing the same files again changes nothing.
				again, err := Import(ctx, target, paths, Options{Analyzer: "lexicon"})
				if err != nil {
					t.Fatal(err)
				}
				if again.MoviesUnchanged != 2 || again.ReviewsUnchanged != 4 || again.AnalysesUnchanged != 3 ||
					again.MoviesCreated+again.MoviesUpdated+again.ReviewsNew+again.ReviewsUpdated+again.AnalysesStored != 0 {
					t.Errorf("second import of the export:\n%s", summaryText(t, again))
				}
			})
		}
	}

	// The reviews file alone names what is missing.
	paths := exportFiles(t, source, reviewquery.Formats[1], "lexicon", t.TempDir())
	alone, err := Import(ctx, backends[0].open(t), paths[:1], Options{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(alone.Problems) != 4 || !strings.Contains(alone.Problems[0].Message, "import the export's movies file with it") {
		t.Errorf("reviews.jsonl without movies.jsonl:\n%s", summaryText(t, alone))
	}
}
