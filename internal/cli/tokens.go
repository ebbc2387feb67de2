package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/reelpulse/reelpulse/internal/auth"
	"github.com/reelpulse/reelpulse/internal/store"
)

const tokensDescription = "Manage the API tokens that authenticate requests to /api/v1 with\n" +
	"`Authorization: Bearer TOKEN`.\n\n" +
	"  create --user NAME [--name LABEL] [--expires 30d]\n" +
	"                        create a token and print it alone on the last line; it is\n" +
	"                        shown only this once\n" +
	"  list --user NAME      list a user's tokens by id, label and first characters\n" +
	"  revoke --user NAME ID revoke one of the user's tokens\n\n" +
	"Run `reelpulse tokens ACTION -h` for an action's flags."

func runTokens(ctx context.Context, env *environment, args []string) error {
	if len(args) == 0 || isHelpFlag(args[0]) {
		fs := newFlagSet(env, "tokens", "create|list|revoke --user NAME [flags]", tokensDescription)
		fs.Usage()
		if len(args) == 0 {
			return errUsage
		}
		return flag.ErrHelp
	}

	switch args[0] {
	case "create":
		return tokensCreate(ctx, env, args[1:])
	case "list":
		return tokensList(ctx, env, args[1:])
	case "revoke":
		return tokensRevoke(ctx, env, args[1:])
	}
	fmt.Fprintf(env.stderr, "reelpulse tokens: unknown action %q; use create, list or revoke\n", args[0])
	return errUsage
}

// requireUser checks that --user was given.
func requireUser(env *environment, fs *flag.FlagSet, user string) error {
	if user == "" {
		fmt.Fprintf(env.stderr, "reelpulse %s: --user NAME is required\n", fs.Name())
		fs.Usage()
		return errUsage
	}
	return nil
}

func tokensCreate(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "tokens create", "--user NAME [--name LABEL] [--expires 30d]",
		"Create an API token for a user. The token is printed alone on the last line of\n"+
			"the output and shown only this once: the database keeps its SHA-256 hash.")
	user := fs.String("user", "", "name of the user the token acts as (required)")
	label := fs.String("name", "", "label that tells the token apart in lists, e.g. ci")
	expiresText := fs.String("expires", "0", "lifetime in days, such as 30d, or as a Go duration, such as 720h; 0 means the token does not expire")
	if _, err := parseArgs(env, fs, args, 0, ""); err != nil {
		return err
	}
	if err := requireUser(env, fs, *user); err != nil {
		return err
	}
	expires, err := parseLifetime(*expiresText)
	if err != nil {
		return &usageError{err: err}
	}
	if len(*label) > 100 {
		return usageErrorf("--name has %d characters; use at most 100", len(*label))
	}

	a, accounts, err := openAccounts(ctx, env)
	if err != nil {
		return err
	}
	defer a.close()

	u, err := findUser(ctx, accounts, *user)
	if err != nil {
		return err
	}
	if u.DisabledAt != nil {
		return fmt.Errorf("user %s is disabled; enable them first with `reelpulse users enable %s`", u.Name, u.Name)
	}

	now := time.Now()
	secret := auth.NewAPIToken()
	t := store.APIToken{
		UserID: u.ID, Name: *label, Hash: auth.HashSecret(secret), Prefix: auth.TokenDisplayPrefix(secret), CreatedAt: now,
	}
	if expires > 0 {
		at := now.Add(expires)
		t.ExpiresAt = &at
	}
	t, err = accounts.CreateToken(ctx, t)
	if err != nil {
		return err
	}
	// The audit log reads the same from every machine, so it is in UTC.
	expiry := "never"
	if t.ExpiresAt != nil {
		expiry = t.ExpiresAt.UTC().Format("2006-01-02 15:04 UTC")
	}
	detail := fmt.Sprintf("token %d %s, expires %s", t.ID, t.Prefix, expiry)
	if err := audit(ctx, accounts, store.AuditTokenCreate, u.Name, detail); err != nil {
		return err
	}
	a.logger.Info("API token created", "user", u.Name, "token_id", t.ID, "token_prefix", t.Prefix)

	fmt.Fprintf(env.stdout, "created token %d (%s…) for %s, expires %s\n", t.ID, t.Prefix, u.Name, expiryString(t.ExpiresAt))
	fmt.Fprintln(env.stdout, "Copy it now: it is not shown again. Send it as `Authorization: Bearer TOKEN`.")
	fmt.Fprintln(env.stdout, secret)
	return nil
}

// maxLifetimeDays is the longest --expires, well within the range of a
// time.Duration (about 292 years).
const maxLifetimeDays = 36_500

// parseLifetime parses --expires: days with a d suffix (30d, as on the
// Account page) or a Go duration (720h). 0 means no expiry.
func parseLifetime(text string) (time.Duration, error) {
	text = strings.TrimSpace(text)
	if text == "0" || text == "" {
		return 0, nil
	}
	if days, ok := strings.CutSuffix(text, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 1 || n > maxLifetimeDays {
			return 0, fmt.Errorf("invalid --expires %q: give a whole number of days from 1 to %d followed by d, such as 30d, a Go duration such as 720h, or 0 for no expiry", text, maxLifetimeDays)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(text)
	if err != nil || d <= 0 || d > maxLifetimeDays*24*time.Hour {
		return 0, fmt.Errorf("invalid --expires %q: give a number of days such as 30d, a positive Go duration such as 720h (at most %d days), or 0 for no expiry", text, maxLifetimeDays)
	}
	return d, nil
}

func expiryString(t *time.Time) string {
	if t == nil {
		return "never"
	}
	return t.Local().Format("2006-01-02 15:04")
}

func tokensList(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "tokens list", "--user NAME", "List a user's API tokens, newest first, revoked and expired ones included.")
	user := fs.String("user", "", "name of the user (required)")
	if _, err := parseArgs(env, fs, args, 0, ""); err != nil {
		return err
	}
	if err := requireUser(env, fs, *user); err != nil {
		return err
	}

	a, accounts, err := openAccounts(ctx, env)
	if err != nil {
		return err
	}
	defer a.close()

	u, err := findUser(ctx, accounts, *user)
	if err != nil {
		return err
	}
	tokens, err := accounts.ListTokens(ctx, u.ID)
	if err != nil {
		return err
	}
	if len(tokens) == 0 {
		fmt.Fprintf(env.stdout, "%s has no API tokens; create one with `reelpulse tokens create --user %s`\n", u.Name, u.Name)
		return nil
	}

	now := time.Now()
	w := tabwriter.NewWriter(env.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(w, "ID\tNAME\tSTARTS WITH\tCREATED (%[1]s)\tEXPIRES (%[1]s)\tLAST USED (%[1]s)\tSTATE\n", zoneName())
	for _, t := range tokens {
		state := "active"
		switch {
		case t.RevokedAt != nil:
			state = "revoked " + timeString(t.RevokedAt)
		case !t.Usable(now):
			state = "expired"
		}
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, orDash(t.Name), t.Prefix, timeString(&t.CreatedAt),
			expiryString(t.ExpiresAt), timeString(t.LastUsedAt), state)
	}
	return w.Flush()
}

func tokensRevoke(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "tokens revoke", "--user NAME ID", "Revoke one of a user's API tokens, by the id that `reelpulse tokens list` shows.")
	user := fs.String("user", "", "name of the user who owns the token (required)")
	positional, err := parseArgs(env, fs, args, 1, "the token id, e.g. reelpulse tokens revoke --user ada 3")
	if err != nil {
		return err
	}
	if err := requireUser(env, fs, *user); err != nil {
		return err
	}
	id, err := strconv.ParseInt(positional[0], 10, 64)
	if err != nil || id <= 0 {
		return usageErrorf("invalid token id %q: give the number in the ID column of `reelpulse tokens list --user %s`", positional[0], *user)
	}

	a, accounts, err := openAccounts(ctx, env)
	if err != nil {
		return err
	}
	defer a.close()

	u, err := findUser(ctx, accounts, *user)
	if err != nil {
		return err
	}
	notFound := fmt.Errorf("%s has no token %d; `reelpulse tokens list --user %s` lists their tokens", u.Name, id, u.Name)
	tokens, err := accounts.ListTokens(ctx, u.ID)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(tokens, func(t store.APIToken) bool { return t.ID == id })
	if i < 0 {
		return notFound
	}
	if revokedAt := tokens[i].RevokedAt; revokedAt != nil {
		fmt.Fprintf(env.stdout, "token %d of %s was already revoked on %s; nothing changed\n", id, u.Name, timeString(revokedAt))
		return nil
	}
	err = accounts.RevokeToken(ctx, u.ID, id, time.Now())
	if errors.Is(err, store.ErrNotFound) {
		return notFound
	}
	if err != nil {
		return err
	}
	if err := audit(ctx, accounts, store.AuditTokenRevoke, u.Name, fmt.Sprintf("token %d", id)); err != nil {
		return err
	}
	a.logger.Info("API token revoked", "user", u.Name, "token_id", id)
	fmt.Fprintf(env.stdout, "revoked token %d of %s\n", id, u.Name)
	return nil
}
