package cli

import (
	"context"
	"errors"
	"fmt"

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
		fmt.Fprintf(env.stdout, "%s: page %d, %d of %s reviews\n", id, p.Pages, p.Reviews, declared)
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "%s: %d reviews fetched: %d new, %d edited, %d deleted, %d unchanged\n",
		id, result.Fetched, result.New, result.Edited, result.Deleted, result.Unchanged)
	if result.Warning != "" {
		fmt.Fprintf(env.stdout, "%s: warning: %s\n", id, result.Warning)
	}

	n, err := analyze.RunPending(ctx, a.store, a.analyzer, id, analyze.DefaultBatchSize, nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "%s: %d reviews analyzed with %s %s\n", id, n, a.analyzer.Name(), a.analyzer.Version())

	// The stored reviews are usable, but the run did not see all of them,
	// which a script calling `reelpulse sync` must be able to tell.
	if result.State == store.RunIncomplete {
		return fmt.Errorf("%s: incomplete: %d of %d declared reviews scraped (%d missing)", id, result.Fetched, result.Declared, result.Shortfall)
	}
	return nil
}

func runAnalyze(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "analyze", "[ID...]", "Analyze the stored reviews of the given movies (all movies when none are given)\nwhose current text has no result from the configured analyzer yet.")
	if err := parseFlags(fs, args); err != nil {
		return err
	}

	a, err := loadApp(ctx, env, nil)
	if err != nil {
		return err
	}
	defer a.close()

	return a.analyzeMovies(ctx, env, fs.Args())
}

// analyzeMovies analyzes the pending reviews of the movies named by ids or
// IMDb URLs, or of every stored movie when there are none.
func (a *app) analyzeMovies(ctx context.Context, env *environment, ids []string) error {
	if len(ids) == 0 {
		movies, err := a.store.ListMovies(ctx, false)
		if err != nil {
			return err
		}
		for _, m := range movies {
			ids = append(ids, m.ID)
		}
	}
	for _, input := range ids {
		id, err := imdb.ParseID(input)
		if err != nil {
			return err
		}
		n, err := analyze.RunPending(ctx, a.store, a.analyzer, id, analyze.DefaultBatchSize, nil)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "%s: %d reviews analyzed with %s %s\n", id, n, a.analyzer.Name(), a.analyzer.Version())
	}
	return nil
}
