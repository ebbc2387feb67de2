package cli

import (
	"context"
	"fmt"

	"github.com/reelpulse/reelpulse/internal/jobs"
)

func runMigrate(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "migrate", "", "Apply pending database migrations (reelpulse's and the job queue's) and exit.\nserve and the other commands also apply them at start.")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArguments(fs); err != nil {
		return err
	}

	a, err := loadApp(ctx, env, nil)
	if err != nil {
		return err
	}
	defer a.close()
	if _, err := a.queue(ctx, jobs.InsertOnly); err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "database %s is up to date\n", databaseKind(a))
	return nil
}
