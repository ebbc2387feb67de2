package cli

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/reelpulse/reelpulse/internal/analyze"
	"github.com/reelpulse/reelpulse/internal/imdb"
	"github.com/reelpulse/reelpulse/internal/importer"
	"github.com/reelpulse/reelpulse/internal/reviewquery"
	"github.com/reelpulse/reelpulse/internal/store"
)

// movieList collects repeated --movie flags.
type movieList []string

func (m *movieList) String() string { return fmt.Sprint(*m) }

func (m *movieList) Set(value string) error {
	id, err := imdb.ParseID(value)
	if err != nil {
		return err
	}
	*m = append(*m, id)
	return nil
}

func runExport(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "export", "[--format csv|jsonl|parquet] [--out DIR] [--movie ID]... [--all] [--analyzer NAME]",
		"Write the tracked movies and their reviews with aspect scores to two files\n"+
			"in DIR: movies.FORMAT (metadata, review counts, average rating and each\n"+
			"aspect's average) and reviews.FORMAT (one row per review that is not\n"+
			"deleted, with each aspect's score and evidence). The JSONL reviews file\n"+
			"is what reelpulse import reads back.")
	formatName := fs.String("format", "csv", "file format: csv, jsonl or parquet")
	out := fs.String("out", ".", "directory to write movies.FORMAT and reviews.FORMAT to; created when missing")
	var movies movieList
	fs.Var(&movies, "movie", "export only this movie (an IMDb id or title URL); repeat for several")
	all := fs.Bool("all", false, "also export movies that are no longer tracked")
	analyzerFlag := fs.String("analyzer", "", "analyzer whose scores to export; default the configured one")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf("unexpected argument %q: pass movies with --movie", fs.Arg(0))
	}
	format, err := reviewquery.ParseFormat(url.Values{"format": {*formatName}})
	if err != nil {
		return usageErrorf("invalid --format %q: use csv, jsonl or parquet", *formatName)
	}
	if *analyzerFlag != "" {
		if _, err := storedAnalyzerName(*analyzerFlag); err != nil {
			return &usageError{err: err}
		}
	}

	a, err := loadApp(ctx, env, nil)
	if err != nil {
		return err
	}
	defer a.close()
	analyzer := *analyzerFlag
	if analyzer == "" {
		analyzer = a.analyzer.Name()
	}
	analyzer, err = storedAnalyzerName(analyzer)
	if err != nil {
		return err
	}

	selected, err := exportedMovies(ctx, a.store, movies, *all)
	if err != nil {
		return err
	}
	if err := checkScored(ctx, a.store, selected, analyzer); err != nil {
		return err
	}
	if err := os.MkdirAll(*out, 0o750); err != nil {
		return fmt.Errorf("create --out directory: %w", err)
	}
	aspects := analyze.Names(a.aspects)

	moviesPath := filepath.Join(*out, "movies."+format.Name)
	err = writeFile(moviesPath, func(f *os.File) error {
		w := reviewquery.NewMovieWriter(format, f, aspects)
		for _, m := range selected {
			stats, err := a.store.Stats(ctx, m.ID, analyzer)
			if err != nil {
				return fmt.Errorf("load statistics of movie %s: %w", m.ID, err)
			}
			if err := w.Write(m, stats); err != nil {
				return fmt.Errorf("write movie %s: %w", m.ID, err)
			}
		}
		return w.Close()
	})
	if err != nil {
		return err
	}

	reviewsPath := filepath.Join(*out, "reviews."+format.Name)
	err = writeFile(reviewsPath, func(f *os.File) error {
		w := reviewquery.NewWriter(format, f, aspects)
		for _, m := range selected {
			filter := store.ReviewFilter{MovieID: m.ID, Analyzer: analyzer, Sort: store.SortOldest}
			if err := w.WriteMovie(ctx, a.store, analyzer, filter); err != nil {
				return fmt.Errorf("write the reviews of movie %s: %w", m.ID, err)
			}
		}
		return w.Close()
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "Exported %s with %s scores to %s and %s\n", plural(len(selected), "movie", "movies"), analyzer, moviesPath, reviewsPath)
	return nil
}

// storedAnalyzers lists the names under which analyses are stored:
// lexicon is the offline analyzer, and imported holds scores that
// `reelpulse import` read from another tracker.
var storedAnalyzers = append(slices.DeleteFunc(slices.Clone(analyzerNames), func(name string) bool { return name == "offline" }),
	importer.DefaultAnalyzer)

// storedAnalyzerName returns the name under which the analyzer called name
// stores its analyses.
func storedAnalyzerName(name string) (string, error) {
	if name == "offline" {
		return "lexicon", nil
	}
	if !slices.Contains(storedAnalyzers, name) {
		return "", fmt.Errorf("unknown --analyzer %q; use one of: offline, %s", name, strings.Join(storedAnalyzers, ", "))
	}
	return name, nil
}

// checkScored returns an error naming the analyzers that have scores when
// movies have reviews but none is analyzed by analyzer, so that an export
// does not write files without scores by mistake.
func checkScored(ctx context.Context, st store.Store, movies []store.Movie, analyzer string) error {
	scored := func(name string) (reviews, analyzed int, err error) {
		for _, m := range movies {
			stats, err := st.Stats(ctx, m.ID, name)
			if err != nil {
				return 0, 0, fmt.Errorf("load statistics of movie %s: %w", m.ID, err)
			}
			reviews += stats.ScrapedReviewCount
			movieAnalyzed := 0
			for _, aspect := range stats.Aspects {
				movieAnalyzed = max(movieAnalyzed, aspect.Analyzed)
			}
			analyzed += movieAnalyzed
		}
		return reviews, analyzed, nil
	}

	reviews, analyzed, err := scored(analyzer)
	if err != nil || reviews == 0 || analyzed > 0 {
		return err
	}
	var others []string
	for _, name := range storedAnalyzers {
		if _, n, err := scored(name); err != nil {
			return err
		} else if n > 0 {
			others = append(others, name)
		}
	}
	if len(others) == 0 {
		return fmt.Errorf("no review of the exported movies is analyzed yet; run reelpulse analyze first, or wait for the worker")
	}
	return fmt.Errorf("no review of the exported movies is analyzed by %s; pass --analyzer with one that has scores: %s", analyzer, strings.Join(others, ", "))
}

// exportedMovies returns the listed movies, or every tracked movie (every
// stored one with all) when none is listed.
func exportedMovies(ctx context.Context, st store.Store, ids []string, all bool) ([]store.Movie, error) {
	if len(ids) == 0 {
		movies, err := st.ListMovies(ctx, !all)
		if err != nil {
			return nil, fmt.Errorf("list movies: %w", err)
		}
		return movies, nil
	}
	movies := make([]store.Movie, 0, len(ids))
	for _, id := range ids {
		m, err := st.GetMovie(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("movie %s is not in the database: see reelpulse track list", id)
		}
		if err != nil {
			return nil, err
		}
		movies = append(movies, m)
	}
	return movies, nil
}

// writeFile writes path through a temporary file in the same directory and
// renames it, so that a failed export leaves no truncated file behind.
func writeFile(path string, write func(f *os.File) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
