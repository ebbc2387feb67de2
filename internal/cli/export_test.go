package cli

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/reelpulse/reelpulse/internal/importer"
	"github.com/reelpulse/reelpulse/internal/store/sqlite"
	"github.com/reelpulse/reelpulse/internal/store/storetest"
)

// TestExportCommand exports a seeded database in every format and reads
// each file back; the JSONL reviews file imports into an empty database.
func TestExportCommand(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "source.db")
	st, err := sqlite.Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	storetest.SeedDump(t, st)
	_ = st.Close()
	t.Setenv("DATABASE_URL", path)

	export := func(args ...string) (string, error) {
		var stdout bytes.Buffer
		err := runExport(ctx, &environment{stdout: &stdout, stderr: io.Discard}, args)
		return stdout.String(), err
	}

	for _, format := range []string{"csv", "jsonl", "parquet"} {
		t.Run(format, func(t *testing.T) {
			out := filepath.Join(dir, format)
			// --all: the seed parks and keeps both movies tracked.
			printed, err := export("--format", format, "--out", out, "--all", "--analyzer", "lexicon")
			if err != nil {
				t.Fatalf("export: %v", err)
			}
			if !strings.Contains(printed, "Exported 2 movies with lexicon scores") {
				t.Errorf("export printed %q", printed)
			}
			movies, reviews := readExport(t, format, filepath.Join(out, "movies."+format)), readExport(t, format, filepath.Join(out, "reviews."+format))
			if movies != 2 || reviews != 2 {
				t.Errorf("%s export holds %d movies and %d reviews, want 2 and 2", format, movies, reviews)
			}
		})
	}

	t.Run("jsonl imports", func(t *testing.T) {
		target, err := sqlite.Open(ctx, filepath.Join(dir, "target.db"), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer target.Close()
		if err := target.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		// The import adds reviews to movies that the database already has.
		if _, err := target.TrackMovie(ctx, "tt0000001", time.Now()); err != nil {
			t.Fatal(err)
		}
		summary, err := importer.Import(ctx, target, []string{filepath.Join(dir, "jsonl", "reviews.jsonl")}, importer.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if summary.ReviewsNew != 2 || len(summary.Problems) != 0 {
			t.Errorf("import of the export = %+v, want 2 new reviews", summary)
		}
		if summary.AnalysesStored != 1 {
			t.Errorf("import stored %d analyses, want the 1 exported", summary.AnalysesStored)
		}
	})

	// One movie is counted in the singular.
	printed, err := export("--format", "csv", "--out", filepath.Join(dir, "one"), "--movie", "tt0000001", "--analyzer", "lexicon")
	if err != nil || !strings.Contains(printed, "Exported 1 movie with lexicon scores") {
		t.Errorf("export of one movie printed %q, %v; want Exported 1 movie", printed, err)
	}

	for _, args := range [][]string{{"--format", "xml"}, {"--movie", "nosferatu"}, {"--movie", "tt9999999"}, {"extra"}} {
		if _, err := export(args...); err == nil {
			t.Errorf("export %v succeeded", args)
		}
	}

	// offline, the setting's name of the offline analyzer, exports its
	// scores. An analyzer without scores or with an unknown name is an
	// error that names the ones to use.
	printed, err = export("--out", filepath.Join(dir, "offline"), "--all", "--analyzer", "offline")
	if err != nil || !strings.Contains(printed, "with lexicon scores") {
		t.Errorf("export --analyzer offline printed %q, %v; want lexicon scores", printed, err)
	}
	analyzerErrors := map[string]string{
		"nonsense": `unknown --analyzer "nonsense"; use one of: offline, lexicon`,
		"openai":   "analyzed by openai; pass --analyzer with one that has scores: lexicon",
	}
	for name, want := range analyzerErrors {
		_, err := export("--out", filepath.Join(dir, name), "--all", "--analyzer", name)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("export --analyzer %s: error %v, want it to contain %q", name, err, want)
		}
	}
}

// readExport returns the number of records of an exported file.
func readExport(t *testing.T, format, path string) int {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	switch format {
	case "csv":
		records, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		return len(records) - 1
	case "parquet":
		f, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		return int(f.NumRows())
	}
	return strings.Count(string(data), "\n")
}
