package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/reelpulse/reelpulse/internal/jobs"
)

func runJobs(ctx context.Context, env *environment, args []string) error {
	description := "List background jobs, newest first: id, kind, movie, state, attempt and\n" +
		"maximum attempts, last error, creation and finish times, and duration of the\n" +
		"latest attempt.\n\n" +
		"States: " + strings.Join(jobs.FilterStates(), ", ") + " (failed means retryable or discarded).\n" +
		"Kinds: " + strings.Join(jobs.Kinds(), ", ") + "."
	fs := newFlagSet(env, "jobs", "", description)
	state := fs.String("state", "", "only jobs in this state")
	kind := fs.String("kind", "", "only jobs of this kind")
	limit := fs.Int("limit", jobs.DefaultListLimit, fmt.Sprintf("maximum number of jobs to list, 1 to %d", jobs.MaxListLimit))
	asJSON := fs.Bool("json", false, "print a JSON array instead of a table")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(env.stderr, "reelpulse jobs: unexpected arguments %q; use --state, --kind and --limit to filter\n", fs.Args())
		return errUsage
	}
	if *limit < 1 || *limit > jobs.MaxListLimit {
		fmt.Fprintf(env.stderr, "reelpulse jobs: invalid --limit %d; expected 1 to %d\n", *limit, jobs.MaxListLimit)
		return errUsage
	}
	filter := jobs.JobFilter{State: *state, Kind: *kind, Limit: *limit}
	if err := filter.Validate(); err != nil {
		fmt.Fprintf(env.stderr, "reelpulse jobs: %v\n", err)
		return errUsage
	}

	a, err := loadApp(ctx, env, nil)
	if err != nil {
		return err
	}
	defer a.close()
	queue, err := a.queue(ctx, jobs.InsertOnly)
	if err != nil {
		return err
	}
	list, err := queue.List(ctx, filter)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(env.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(list)
	}
	return printJobs(env, list)
}

// printJobs writes the jobs as a table with one line per job, each error
// shortened to one line.
func printJobs(env *environment, list []jobs.JobInfo) error {
	if len(list) == 0 {
		fmt.Fprintln(env.stdout, "no jobs match")
		return nil
	}
	w := tabwriter.NewWriter(env.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(w, "ID\tKIND\tMOVIE\tSTATE\tATTEMPT\tCREATED (%[1]s)\tFINISHED (%[1]s)\tDURATION\tLAST ERROR\n", zoneName())
	for _, j := range list {
		finished := "-"
		if j.FinalizedAt != nil {
			finished = j.FinalizedAt.Local().Format(time.DateTime)
		}
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%d/%d\t%s\t%s\t%s\t%s\n", j.ID, j.Kind, orDash(j.MovieID), j.State,
			j.Attempt, j.MaxAttempts, j.CreatedAt.Local().Format(time.DateTime), finished,
			durationString(j.Duration), orDash(oneLine(j.LastError, 100)))
	}
	return w.Flush()
}

func durationString(d time.Duration) string {
	switch {
	case d <= 0:
		return "-"
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	}
	return d.Round(100 * time.Millisecond).String()
}

// oneLine joins the lines of text and cuts it to at most n runes.
func oneLine(text string, n int) string {
	text = strings.Join(strings.Fields(text), " ")
	runes := []rune(text)
	if len(runes) <= n {
		return text
	}
	return string(runes[:n-1]) + "…"
}
