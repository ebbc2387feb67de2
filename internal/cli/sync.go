package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/reelpulse/reelpulse/internal/analyze"
	"github.com/reelpulse/reelpulse/internal/imdb"
	"github.com/reelpulse/reelpulse/internal/store"
	"github.com/reelpulse/reelpulse/internal/sync"
)

func runSync(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "sync", "[ID...]", "Check, scrape and analyze the given movies now (all tracked movies when none are given),\nprinting progress after each page. Works without a running server.")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := checkIDs(fs.Args()); err != nil {
		return err
	}

	a, err := loadApp(ctx, env, nil)
	if err != nil {
		return err
	}
	defer a.close()

	ids := fs.Args()
	if len(ids) == 0 {
		movies, err := a.store.ListMovies(ctx, true)
		if err != nil {
			return err
		}
		for _, m := range movies {
			ids = append(ids, m.ID)
		}
	}
	if len(ids) == 0 {
		return errors.New("no movies tracked; add one with `reelpulse track add tt0013442` or pass ids")
	}

	var failed []error
	for _, id := range ids {
		if err := a.syncOne(ctx, env, id); err != nil {
			failed = append(failed, err)
		}
	}
	return errors.Join(failed...)
}

func (a *app) syncOne(ctx context.Context, env *environment, input string) error {
	id, err := imdb.ParseID(input)
	if err != nil {
		return err
	}
	if _, err := a.store.GetMovie(ctx, id); err != nil {
		return fmt.Errorf("%s is not tracked; run `reelpulse track add %s` first: %w", id, id, err)
	}
	check, err := a.syncer.Check(ctx, id, a.cfg.FullSyncInterval)
	if err != nil {
		fmt.Fprintf(env.stdout, "%s: check failed (reading the reviews anyway): %v\n", id, err)
	} else if err := a.posters.Refresh(ctx, id, check.Metadata.PosterURL); err != nil {
		fmt.Fprintf(env.stdout, "%s: poster not stored: %v\n", id, err)
	}

	result, err := a.syncer.Sync(ctx, id, func(p sync.Progress) {
		declared := "?"
		if p.Declared > 0 {
			declared = fmt.Sprint(p.Declared)
		}
		noun := "reviews"
		if p.Declared == 1 {
			noun = "review"
		}
		fmt.Fprintf(env.stdout, "%s: page %d, %d of %s %s\n", id, p.Pages, p.Reviews, declared, noun)
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "%s: %s fetched: %d new, %d edited, %d deleted, %d unchanged\n",
		id, plural(result.Fetched, "review", "reviews"), result.New, result.Edited, result.Deleted, result.Unchanged)
	if result.Warning != "" {
		fmt.Fprintf(env.stdout, "%s: warning: %s\n", id, result.Warning)
	}
	if result.LeftOut > 0 {
		fmt.Fprintf(env.stdout, "%s: warning: %s left out, as their ids belong to another movie (the log names them)\n",
			id, plural(result.LeftOut, "review", "reviews"))
	}

	_, err = a.analyzeMovie(ctx, env, a.analyzer, analyze.Run{MovieID: id})
	if errors.Is(err, analyze.ErrBusy) {
		// The process that holds the lease analyzes the new reviews too.
		fmt.Fprintf(env.stdout, "%s: analysis left to the process that is analyzing the movie now\n", id)
		err = nil
	}
	if err != nil {
		return err
	}

	// The stored reviews are usable, but the run did not see all of them,
	// which a script calling `reelpulse sync` must be able to tell.
	if result.State == store.RunIncomplete {
		return fmt.Errorf("%s: incomplete: %d of %d declared reviews scraped (%d missing)", id, result.Fetched, result.Declared, result.Shortfall)
	}
	return nil
}

func runAnalyze(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "analyze", "[--movie ID] [--analyzer NAME] [--reanalyze] [ID...]",
		"Analyze the stored reviews of the given movies (all movies when none are given)\n"+
			"whose current text has no result or failure from the analyzer yet. Results of\n"+
			"different analyzers are kept side by side; the dashboard shows REELPULSE_ANALYZER's.\n"+
			"An interrupted run resumes where it stopped.")
	var movies multiFlag
	fs.Var(&movies, "movie", "movie to analyze, by IMDb `ID` or URL; may be repeated")
	analyzerName := fs.String("analyzer", "", "analyzer to run, by `NAME`, instead of REELPULSE_ANALYZER; one of: "+strings.Join(analyzerNames, ", "))
	reanalyze := fs.Bool("reanalyze", false, "score every review again, including those with a result or a failure")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := checkAnalyzerName(*analyzerName); *analyzerName != "" && err != nil {
		return err
	}
	ids := append([]string(movies), fs.Args()...)
	if err := checkIDs(ids); err != nil {
		return err
	}

	a, err := loadApp(ctx, env, nil)
	if err != nil {
		return err
	}
	defer a.close()

	analyzer := a.analyzer
	if *analyzerName != "" {
		analyzer, err = buildAnalyzer(*analyzerName, a.cfg, a.aspects, a.usage(), a.logger)
		if err != nil {
			return err
		}
	}
	return a.analyzeMovies(ctx, env, analyzer, ids, *reanalyze)
}

// multiFlag collects the values of a flag given several times.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// analyzeMovies analyzes the pending reviews of the movies named by ids or
// IMDb URLs, or of every stored movie when there are none. A reanalysis
// uses one start time for every movie.
func (a *app) analyzeMovies(ctx context.Context, env *environment, analyzer analyze.Analyzer, inputs []string, reanalyze bool) error {
	if err := checkIDs(inputs); err != nil {
		return err
	}
	var ids []string
	for _, input := range inputs {
		id, _ := imdb.ParseID(input)
		if _, err := a.store.GetMovie(ctx, id); errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("movie %s is not stored; run `reelpulse track add %s` and `reelpulse sync %s` first", id, id, id)
		} else if err != nil {
			return err
		}
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		movies, err := a.store.ListMovies(ctx, false)
		if err != nil {
			return err
		}
		for _, m := range movies {
			ids = append(ids, m.ID)
		}
	}
	since := time.Now()
	var busy []string
	// Reviews that failed leave the analysis incomplete, which a script
	// calling `reelpulse analyze` must be able to tell, as with an
	// incomplete pass of `reelpulse sync`.
	var failed []error
	for _, id := range ids {
		progress, err := a.analyzeMovie(ctx, env, analyzer, analyze.Run{MovieID: id, Reanalyze: reanalyze, Since: since})
		if errors.Is(err, analyze.ErrBusy) {
			fmt.Fprintf(env.stdout, "%s: skipped, because another process is analyzing it with %s, or a run that stopped without finishing holds its lease for up to %s\n",
				id, analyzer.Name(), analyze.LeaseDuration)
			busy = append(busy, id)
			continue
		}
		if err != nil {
			return err
		}
		if progress.Failed > 0 {
			failed = append(failed, fmt.Errorf("%s: incomplete: %d of %d reviews failed with %s; see the log for the causes, then run `reelpulse analyze --reanalyze %s`",
				id, progress.Failed, progress.Analyzed+progress.Failed, analyzer.Name(), id))
		}
	}
	if len(busy) > 0 {
		them := "them"
		if len(busy) == 1 {
			them = "it"
		}
		failed = append(failed, fmt.Errorf("%s skipped because another process is analyzing %s with %s (%s); run the command again when it is done",
			plural(len(busy), "movie", "movies"), them, analyzer.Name(), strings.Join(busy, ", ")))
	}
	return errors.Join(failed...)
}

// analyzeMovie runs one movie's analysis, printing progress as results are
// stored, and returns the counts of the run.
func (a *app) analyzeMovie(ctx context.Context, env *environment, analyzer analyze.Analyzer, run analyze.Run) (analyze.Progress, error) {
	label := analyzer.Name() + " " + analyzer.Version()
	run.Report = func(p analyze.Progress) {
		fmt.Fprintf(env.stdout, "%s: %s analyzed, %d failed so far\n", run.MovieID, plural(p.Analyzed, "review", "reviews"), p.Failed)
	}
	progress, err := analyze.RunPending(ctx, a.store, analyzer, run)
	if errors.Is(err, analyze.ErrBudgetReached) {
		fmt.Fprintf(env.stdout, "%s: %s analyzed with %s before the daily budget was reached\n", run.MovieID, plural(progress.Analyzed, "review", "reviews"), label)
		return progress, err
	}
	if err != nil {
		return progress, err
	}
	fmt.Fprintf(env.stdout, "%s: %s analyzed with %s", run.MovieID, plural(progress.Analyzed, "review", "reviews"), label)
	if progress.Failed > 0 {
		fmt.Fprintf(env.stdout, "; %d failed and will not be retried until --reanalyze", progress.Failed)
	}
	fmt.Fprintln(env.stdout)
	return progress, nil
}

// checkIDs returns a *usageError for the first input that is not an IMDb
// id or title URL, so that a typo exits with status 2 before any database
// is opened.
func checkIDs(inputs []string) error {
	for _, input := range inputs {
		if _, err := imdb.ParseID(input); err != nil {
			return usageErrorf("%w; to find a title's id, run `reelpulse search %s`", err, input)
		}
	}
	return nil
}
