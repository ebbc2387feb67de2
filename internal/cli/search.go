package cli

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/reelpulse/reelpulse/internal/metrics"
)

func runSearch(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "search", "TITLE...", "Find IMDb titles by name through IMDb's suggestion endpoint and print their ids,\nfor `reelpulse track add`.")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	query := strings.TrimSpace(strings.Join(fs.Args(), " "))
	if query == "" {
		fmt.Fprintln(env.stderr, "reelpulse search: give a title, e.g. reelpulse search nosferatu")
		return errUsage
	}

	// A search needs no database, so none is opened or created.
	cfg, logger, err := loadSettings(env, nil)
	if err != nil {
		return err
	}
	a := &app{cfg: cfg, logger: logger, metrics: metrics.New()}
	if err := a.openIMDb(); err != nil {
		return err
	}
	defer a.close()

	found, err := a.imdb.Search(ctx, query)
	if err != nil {
		return fmt.Errorf("search %q: %w", query, err)
	}
	if len(found) == 0 {
		fmt.Fprintf(env.stdout, "no title matches %q\n", query)
		return nil
	}

	w := tabwriter.NewWriter(env.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tTITLE\tYEAR\tKIND\tSTARS")
	for _, s := range found {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", s.ID, s.Title, yearString(s.Year), orDash(s.Kind), orDash(s.Stars))
	}
	return w.Flush()
}
