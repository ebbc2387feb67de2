package cli

import (
	"context"
	"flag"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/reelpulse/reelpulse/internal/imdb"
	"github.com/reelpulse/reelpulse/internal/jobs"
	"github.com/reelpulse/reelpulse/internal/store"
)

func runTrack(ctx context.Context, env *environment, args []string) error {
	const description = "Manage tracked movies.\n\n" +
		"  add ID|URL...   follow movies by IMDb id (tt0013442) or IMDb title URL for the\n" +
		"                  whole deployment: they stay tracked when users take them off\n" +
		"                  their lists; a running server checks and scrapes them right away\n" +
		"  remove ID...    stop following movies for everyone; their reviews and analyses\n" +
		"                  are kept\n" +
		"  unpark ID...    put movies parked after repeated failures back on the schedule\n" +
		"                  and queue their check\n" +
		"  list            list tracked movies with review counts, last scrape time and\n" +
		"                  who tracks them: everyone (track add) or users' lists\n\n" +
		"Flags may come before or after the action."
	fs := newFlagSet(env, "track", "add|remove|unpark|list [ID...]", description)
	all := fs.Bool("all", false, "list: include untracked movies")
	positional, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(positional) == 0 {
		fs.Usage()
		return errUsage
	}

	sub, ids := positional[0], positional[1:]
	takesIDs := sub == "add" || sub == "remove" || sub == "unpark"
	if takesIDs && len(ids) == 0 {
		fmt.Fprintf(env.stderr, "reelpulse track %s: give at least one IMDb id, e.g. tt0013442\n", sub)
		return errUsage
	}
	if !takesIDs && sub != "list" {
		fmt.Fprintf(env.stderr, "reelpulse track: unknown action %q; use add, remove, unpark or list\n", sub)
		return errUsage
	}
	if sub == "list" && len(ids) > 0 {
		fmt.Fprintf(env.stderr, "reelpulse track list: unexpected arguments %q: list takes no ids; add --all to include untracked movies\n", ids)
		return errUsage
	}
	// Check every id before opening the database, so that a typo creates
	// no database file and tracks nothing.
	if takesIDs {
		if err := checkIDs(ids); err != nil {
			return err
		}
	}

	a, err := loadApp(ctx, env, nil)
	if err != nil {
		return err
	}
	defer a.close()

	switch sub {
	case "add":
		return a.trackAdd(ctx, env, ids)
	case "unpark":
		return a.trackUnpark(ctx, env, ids)
	case "remove":
		tracker := jobs.NewTracker(a.store, nil, a.logger, time.Now)
		for _, input := range ids {
			id, err := imdb.ParseID(input)
			if err != nil {
				return err
			}
			if err := tracker.Untrack(ctx, id); err != nil {
				return err
			}
			fmt.Fprintf(env.stdout, "untracked %s (its data is kept)\n", id)
		}
		return nil
	default:
		return listMovies(ctx, env, a.store, !*all)
	}
}

func (a *app) trackAdd(ctx context.Context, env *environment, inputs []string) error {
	queue, err := a.queue(ctx, jobs.InsertOnly)
	if err != nil {
		return err
	}
	tracker := jobs.NewTracker(a.store, queue, a.logger, time.Now)
	for _, input := range inputs {
		id, _ := imdb.ParseID(input)
		before, err := a.store.GetMovie(ctx, id)
		wasTracked := err == nil && before.Tracked
		if _, err := tracker.TrackForDeployment(ctx, input); err != nil {
			return err
		}
		switch {
		case wasTracked && before.Pinned:
			fmt.Fprintf(env.stdout, "%s is already tracked; its check is queued again\n", id)
			continue
		case wasTracked:
			fmt.Fprintf(env.stdout, "%s was tracked on users' lists; it is now tracked for everyone, and its check is queued again\n", id)
			continue
		}
		fmt.Fprintf(env.stdout, "tracking %s; a running `reelpulse serve` checks it now, or run `reelpulse sync %s`\n", id, id)
	}
	return nil
}

func (a *app) trackUnpark(ctx context.Context, env *environment, inputs []string) error {
	queue, err := a.queue(ctx, jobs.InsertOnly)
	if err != nil {
		return err
	}
	tracker := jobs.NewTracker(a.store, queue, a.logger, time.Now)
	for _, input := range inputs {
		id, _ := imdb.ParseID(input)
		before, err := a.store.GetMovie(ctx, id)
		if err != nil {
			return err
		}
		if err := tracker.Unpark(ctx, id); err != nil {
			return err
		}
		if before.ParkedAt == nil {
			fmt.Fprintf(env.stdout, "%s was not parked; its count of failed passes starts again and its check is queued\n", id)
			continue
		}
		fmt.Fprintf(env.stdout, "unparked %s; a running worker checks it now\n", id)
	}
	return nil
}

func isHelpFlag(arg string) bool {
	return arg == "-h" || arg == "-help" || arg == "--help"
}

// parseInterspersed parses the flags of fs wherever they stand in args, so
// that `track list --all` works as `track --all list` does, and returns the
// other arguments in order. Arguments after "--" are never flags.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := parseFlags(fs, args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(positional, rest...), nil
		}
		if len(rest) == 0 {
			return positional, nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

func listMovies(ctx context.Context, env *environment, st store.Store, trackedOnly bool) error {
	movies, err := st.ListMovies(ctx, trackedOnly)
	if err != nil {
		return err
	}
	if len(movies) == 0 {
		fmt.Fprintln(env.stdout, "no movies tracked; add one with `reelpulse track add tt0013442`")
		return nil
	}

	w := tabwriter.NewWriter(env.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(w, "ID\tTITLE\tYEAR\tREVIEWS\tDECLARED\tLAST SCRAPE (%s)\tTRACKED BY\tSTATE\n", zoneName())
	for _, m := range movies {
		stats, err := st.Stats(ctx, m.ID, "")
		if err != nil {
			return err
		}
		trackedBy, err := trackedBy(ctx, st, m)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\n", m.ID, orDash(m.Title), yearString(m.Year),
			stats.ScrapedReviewCount, intPtrString(m.DeclaredReviewCount), timeString(m.ScrapedAt), trackedBy, movieState(m))
	}
	return w.Flush()
}

// trackedBy returns who keeps a movie tracked: "everyone" for a movie that
// the deployment tracks (track add, the demo, an import), else the number
// of users whose list holds it.
func trackedBy(ctx context.Context, st store.Store, m store.Movie) (string, error) {
	accounts, ok := st.(store.Accounts)
	switch {
	case !m.Tracked:
		return "-", nil
	case m.Pinned:
		return "everyone", nil
	case !ok:
		return "users", nil
	}
	n, err := accounts.MovieTrackers(ctx, m.ID)
	if err != nil {
		return "", err
	}
	if n == 1 {
		return "1 user", nil
	}
	return fmt.Sprintf("%d users", n), nil
}

func movieState(m store.Movie) string {
	switch {
	case !m.Tracked:
		return "untracked"
	case m.ParkedAt != nil:
		return "parked: " + m.ParkedReason
	case m.LastError != "":
		return "error: " + m.LastError
	case m.ScrapeWarning != "":
		return m.ScrapeWarning
	case m.ScrapedAt == nil:
		return "waiting for first scrape"
	}
	return "ok"
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func yearString(y int) string {
	if y == 0 {
		return "-"
	}
	return fmt.Sprint(y)
}

func intPtrString(n *int) string {
	if n == nil {
		return "-"
	}
	return fmt.Sprint(*n)
}

// zoneName returns the abbreviation of the local time zone, such as UTC or
// CET, in which the tables print times.
func zoneName() string {
	return time.Now().Format("MST")
}

func timeString(t *time.Time) string {
	if t == nil {
		return "never"
	}
	return t.Local().Format("2006-01-02 15:04")
}
