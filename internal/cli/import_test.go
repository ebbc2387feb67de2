package cli

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reelpulse/reelpulse/internal/store/sqlite"
)

func TestImportCommand(t *testing.T) {
	fixtures, err := filepath.Abs(filepath.Join("..", "importer", "testdata", "python-tracker"))
	if err != nil {
		t.Fatal(err)
	}
	files := func(format string) []string {
		return []string{filepath.Join(fixtures, "reviews_sentiments."+format), filepath.Join(fixtures, "movies."+format),
			filepath.Join(fixtures, "reviews_raw."+format)}
	}
	database := filepath.Join(t.TempDir(), "reelpulse.db")
	isolate(t, map[string]string{"DATABASE_URL": database})

	const firstImport = "movies: 3 created, 0 updated, 0 unchanged\n" +
		"reviews: 6 new, 0 updated, 0 unchanged (0 with new vote counts)\n" +
		"analyses: 5 stored, 0 unchanged (analyzer imported)\n" +
		"skipped rows: 15 (duplicate id: 3, invalid date: 1, invalid movie id: 1, invalid rating: 2, invalid review count: 1, " +
		"invalid review id: 1, invalid score: 1, invalid vote count: 1, unknown movie: 2, unknown review: 2)\n"
	const hint = "The dashboard and the API show lexicon scores, so these imported scores appear there only after an import with --analyzer lexicon. " +
		"Export them with: reelpulse export --analyzer imported\n"
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout string // the whole output
		wantStderr string // a line of it
		wantMovies int    // stored after the command
	}{
		{"no files", []string{"import"}, 2, "", "give at least one file", 0},
		{"unknown format", append([]string{"import", "--format", "xlsx"}, files("csv")...), 2, "", `unknown format "xlsx"`, 0},
		{"invalid movie id", []string{"import", "--movie", "nosferatu", filepath.Join(fixtures, "movies.csv")}, 2, "", `--movie: invalid IMDb id "nosferatu"`, 0},
		{"missing file", []string{"import", filepath.Join(fixtures, "movie.csv")}, 1, "", "no such file", 0},
		{"dry run", append([]string{"import", "--dry-run"}, files("csv")...), 0,
			"nothing was written; the counts are what the import would do\n" + firstImport,
			"reviews_raw.csv:9: movie tt9100099 of review rw8000007 is neither in a movies file", 0},
		{"strict", append([]string{"import", "--strict"}, files("parquet")...), 1,
			"nothing was written; the counts are what the import would do\n" + firstImport,
			"reelpulse import: rows failed validation: 15 rows would be skipped, so nothing was written", 0},
		{"import", append([]string{"import"}, files("csv")...), 0, firstImport + hint,
			"reviews_raw.csv:11: rating \"11.0\" is not a whole number from 1 to 10", 3},
		{"again as Parquet", append([]string{"import"}, files("parquet")...), 0,
			"movies: 0 created, 0 updated, 3 unchanged\n" +
				"reviews: 0 new, 0 updated, 6 unchanged (0 with new vote counts)\n" +
				"analyses: 0 stored, 5 unchanged (analyzer imported)\n" +
				"skipped rows: 15 (duplicate id: 3, invalid date: 1, invalid movie id: 1, invalid rating: 2, invalid review count: 1, " +
				"invalid review id: 1, invalid score: 1, invalid vote count: 1, unknown movie: 2, unknown review: 2)\n" + hint,
			"reviews_raw.parquet:9: rating \"11\" is not a whole number from 1 to 10", 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := Run(tt.args, nil, &stdout, &stderr)
			if code != tt.wantCode {
				t.Errorf("exit status %d, want %d; stderr:\n%s", code, tt.wantCode, stderr.String())
			}
			if stdout.String() != tt.wantStdout {
				t.Errorf("stdout:\n%s\nwant:\n%s", stdout.String(), tt.wantStdout)
			}
			if !strings.Contains(stderr.String(), tt.wantStderr) {
				t.Errorf("stderr does not contain %q:\n%s", tt.wantStderr, stderr.String())
			}
			if got := storedMovies(t, database); got != tt.wantMovies {
				t.Errorf("%d movies stored, want %d", got, tt.wantMovies)
			}
		})
	}
}

// storedMovies counts the movies in the SQLite database at path, which
// may not exist yet.
func storedMovies(t *testing.T, path string) int {
	t.Helper()
	st, err := sqlite.Open(context.Background(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	movies, err := st.ListMovies(context.Background(), false)
	if err != nil {
		t.Fatal(err)
	}
	return len(movies)
}
