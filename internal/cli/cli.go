// Package cli implements the reelpulse command and its subcommands.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/reelpulse/reelpulse/internal/analyze"
	"github.com/reelpulse/reelpulse/internal/config"
)

// Version is the program version, set at build time with
// -ldflags "-X github.com/reelpulse/reelpulse/internal/cli.Version=…".
var Version = "dev"

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env *environment, args []string) error
}

// environment carries the standard streams to a subcommand.
type environment struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

func commands() []command {
	return []command{
		{"serve", "Run the dashboard, the API and the job workers (--role all|web|worker)", runServe},
		{"worker", "Run only the job workers (serve --role worker; PostgreSQL)", runWorker},
		{"jobs", "List background jobs with their state, attempts and errors", runJobs},
		{"demo", "Run serve on offline example data (Nosferatu, 1922) from an embedded replay server", runDemo},
		{"track", "Add, remove, unpark or list tracked movies", runTrack},
		{"search", "Find IMDb titles by name and print their ids", runSearch},
		{"sync", "Scrape and analyze movies now, showing progress", runSync},
		{"analyze", "Analyze stored reviews that have no result yet", runAnalyze},
		{"import", "Import the Python tracker's tables or JSONL review exports", runImport},
		{"export", "Write movies and reviews with aspect scores as CSV, JSONL or Parquet", runExport},
		{"eval", "Measure an analyzer against labelled reviews", runEval},
		{"usage", "Print language model requests, tokens and cost per day and movie", runUsage},
		{"users", "Add, list, disable, enable or remove users and set their passwords", runUsers},
		{"tokens", "Create, list or revoke a user's API tokens", runTokens},
		{"backup", "Back the database up to S3 or a directory now, or list the backups", runBackup},
		{"restore", "Replace the database's content with a backup, after checking it", runRestore},
		{"migrate", "Apply database migrations", runMigrate},
		{"replay", "Serve saved or generated IMDb pages on a local address", runReplay},
		{"config", "Print the effective configuration with secrets masked", runConfig},
		{"version", "Print the version", runVersion},
	}
}

// errUsage marks an error that is already explained by printed usage.
var errUsage = errors.New("invalid usage")

// usageError is an invalid argument or flag value. Run prints it and exits
// with status 2, as for a flag that does not parse: the command line must
// change before the command can succeed. Other errors exit with status 1.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// usageErrorf returns a *usageError with the formatted message, which names
// the bad value and what to give instead.
func usageErrorf(format string, args ...any) error {
	return &usageError{err: fmt.Errorf(format, args...)}
}

// Run executes the command line and returns the process exit code.
func Run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	env := &environment{stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}

	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, env, args[1:])
		var invalid *usageError
		switch {
		case err == nil:
			return 0
		case errors.As(err, &invalid):
			fmt.Fprintf(stderr, "reelpulse %s: %v\n", c.name, err)
			return 2
		case errors.Is(err, flag.ErrHelp):
			return 0
		case errors.Is(err, errUsage):
			return 2
		default:
			fmt.Fprintf(stderr, "reelpulse %s: %v\n", c.name, err)
			return 1
		}
	}
	fmt.Fprintf(stderr, "reelpulse: unknown command %q\n\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: reelpulse COMMAND [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Settings come from environment variables and a .env file in the working directory;")
	fmt.Fprintln(w, "`reelpulse config` lists them. Run `reelpulse COMMAND -h` for a command's flags.")
}

// newFlagSet returns a flag set whose usage names the command and its
// arguments.
func newFlagSet(env *environment, name, arguments, description string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	fs.Usage = func() {
		fmt.Fprintf(env.stderr, "Usage: reelpulse %s", name)
		if arguments != "" {
			fmt.Fprintf(env.stderr, " %s", arguments)
		}
		fmt.Fprintf(env.stderr, "\n\n%s\n", description)
		hasFlags := false
		fs.VisitAll(func(*flag.Flag) { hasFlags = true })
		if hasFlags {
			fmt.Fprintln(env.stderr, "\nFlags:")
			fs.PrintDefaults()
		}
	}
	return fs
}

// parseFlags parses args and maps a parse failure to errUsage.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	return nil
}

// noArguments rejects the arguments left after the flags of a command that
// takes none.
func noArguments(fs *flag.FlagSet) error {
	if fs.NArg() > 0 {
		return usageErrorf("unexpected arguments %q: reelpulse %s takes no arguments; run `reelpulse %s -h` for its flags", fs.Args(), fs.Name(), fs.Name())
	}
	return nil
}

func runVersion(_ context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "version", "", "Print the version of this build.")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArguments(fs); err != nil {
		return err
	}
	fmt.Fprintln(env.stdout, "reelpulse "+Version)
	return nil
}

func runConfig(_ context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "config", "", "Print every setting as NAME=value, with passwords masked, and check the values.")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArguments(fs); err != nil {
		return err
	}
	lookup, names, err := config.EnvLookupWithNames(".env")
	if err != nil {
		return err
	}
	for _, line := range config.Dump(lookup) {
		fmt.Fprintln(env.stdout, line)
	}
	for _, name := range config.UnknownVariables(names) {
		fmt.Fprintf(env.stderr, "warning: unknown setting %s is ignored\n", name)
	}
	cfg, err := loadConfig(lookup)
	if err != nil {
		return err
	}
	if left := cfg.DefaultIMDbURLsLeft(); len(left) > 0 {
		fmt.Fprintf(env.stderr, "warning: some IMDb URLs were changed but %s still point at IMDb, so their requests go there; set them too when IMDb is replaced\n",
			strings.Join(left, ", "))
	}
	// serve reads the aspects file when it starts, so check it the same way.
	if _, err := analyze.LoadAspects(cfg.AspectsFile); err != nil {
		return err
	}
	return nil
}

// plural returns n followed by the singular or the plural noun, as in
// "1 movie" and "2 movies".
func plural(n int, singular, pluralNoun string) string {
	return plural64(int64(n), singular, pluralNoun)
}

// plural64 returns plural for an int64 count.
func plural64(n int64, singular, pluralNoun string) string {
	if n == 1 {
		return "1 " + singular
	}
	return fmt.Sprintf("%d %s", n, pluralNoun)
}
