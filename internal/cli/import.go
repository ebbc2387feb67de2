package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/reelpulse/reelpulse/internal/imdb"
	"github.com/reelpulse/reelpulse/internal/importer"
)

func runImport(ctx context.Context, env *environment, args []string) error {
	const description = "Import movies, reviews and scores from files, adding what differs from the database.\n\n" +
		"Reads the original Python tracker's tables (movies, reviews_raw and reviews_sentiments,\n" +
		"as CSV or Parquet, told apart by file name) and reelpulse's JSONL review export\n" +
		"(<movie id>-reviews.jsonl). The files may come in any order. Every row is checked\n" +
		"before anything is written: invalid rows are listed on stderr as FILE:LINE: reason and\n" +
		"skipped, and the summary counts them. The exit status is 0 even when rows were skipped,\n" +
		"unless --strict is given. See docs/import.md for the columns and the rules."
	fs := newFlagSet(env, "import", "[flags] FILE...", description)
	formatName := fs.String("format", "", "read every file as `FORMAT`: csv, parquet or jsonl (default: by file extension)")
	analyzer := fs.String("analyzer", importer.DefaultAnalyzer, "store imported aspect scores under the analyzer `NAME`")
	movie := fs.String("movie", "", "movie `ID` of JSONL exports whose file name does not start with it")
	dryRun := fs.Bool("dry-run", false, "check the files and print the summary without writing")
	strict := fs.Bool("strict", false, "write nothing and exit with status 1 when any row is invalid")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(env.stderr, "reelpulse import: give at least one file, e.g. movies.csv reviews_raw.csv reviews_sentiments.csv")
		return errUsage
	}

	opts := importer.Options{Analyzer: strings.TrimSpace(*analyzer), DryRun: *dryRun, Strict: *strict}
	var err error
	if opts.Format, err = importer.ParseFormat(*formatName); err != nil {
		return &usageError{err: err}
	}
	if opts.Analyzer == "" {
		return usageErrorf("--analyzer is empty; give a name such as %s", importer.DefaultAnalyzer)
	}
	if *movie != "" {
		if opts.MovieID, err = imdb.ParseID(*movie); err != nil {
			return usageErrorf("--movie: %w", err)
		}
	}
	// Check that the files exist before opening the database, so that a
	// typo creates no database file.
	for _, path := range fs.Args() {
		if _, err := os.Stat(path); err != nil {
			return err
		}
	}

	a, err := loadApp(ctx, env, nil)
	if err != nil {
		return err
	}
	defer a.close()

	st, ok := a.store.(importer.Store)
	if !ok {
		return fmt.Errorf("the %T store cannot import", a.store)
	}
	summary, err := importer.Import(ctx, st, fs.Args(), opts)
	if err != nil && !errors.Is(err, importer.ErrRowsSkipped) {
		return err
	}
	for _, p := range summary.Problems {
		fmt.Fprintln(env.stderr, p)
	}
	if writeErr := summary.Write(env.stdout); writeErr != nil {
		return writeErr
	}
	scored := summary.AnalysesStored + summary.AnalysesUnchanged
	if configured := a.analyzer.Name(); scored > 0 && !summary.DryRun && summary.Analyzer != configured {
		fmt.Fprintf(env.stdout, "The dashboard and the API show %s scores, so these %s scores appear there only after an import with --analyzer %s. Export them with: reelpulse export --analyzer %s\n",
			configured, summary.Analyzer, configured, summary.Analyzer)
	}
	return err
}
