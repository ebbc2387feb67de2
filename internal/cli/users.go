package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/reelpulse/reelpulse/internal/auth"
	"github.com/reelpulse/reelpulse/internal/authn"
	"github.com/reelpulse/reelpulse/internal/store"
)

const usersDescription = "Manage the accounts that sign in to the dashboard and the API.\n\n" +
	"  add NAME --role admin|analyst --password-stdin\n" +
	"                        create a user; the password is the first line of standard input\n" +
	"  list                  list users with their role, creation time and state\n" +
	"  set-password NAME --password-stdin\n" +
	"                        replace a user's password and sign them out everywhere\n" +
	"  disable NAME          stop a user from signing in and sign them out everywhere\n" +
	"  enable NAME           let a disabled user sign in again\n" +
	"  remove NAME [--yes]   delete a user with their sessions, API tokens and tracked list;\n" +
	"                        asks first unless --yes is given\n\n" +
	"Run `reelpulse users ACTION -h` for an action's flags."

func runUsers(ctx context.Context, env *environment, args []string) error {
	if len(args) == 0 || isHelpFlag(args[0]) {
		fs := newFlagSet(env, "users", "add|list|set-password|disable|enable|remove [NAME] [flags]", usersDescription)
		fs.Usage()
		if len(args) == 0 {
			return errUsage
		}
		return flag.ErrHelp
	}

	switch args[0] {
	case "add":
		return usersAdd(ctx, env, args[1:])
	case "list":
		return usersList(ctx, env, args[1:])
	case "set-password":
		return usersSetPassword(ctx, env, args[1:])
	case "disable", "enable":
		return usersSetDisabled(ctx, env, args[0], args[1:])
	case "remove":
		return usersRemove(ctx, env, args[1:])
	}
	fmt.Fprintf(env.stderr, "reelpulse users: unknown action %q; use add, list, set-password, disable, enable or remove\n", args[0])
	return errUsage
}

// parseArgs parses flags given before, between or after the positional
// arguments, and checks that exactly want positional arguments remain.
// missing names the argument, with an example, for when none is given.
func parseArgs(env *environment, fs *flag.FlagSet, args []string, want int, missing string) ([]string, error) {
	var positional []string
	for {
		if err := parseFlags(fs, args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
	if len(positional) == 0 && want > 0 && missing != "" {
		fmt.Fprintf(env.stderr, "reelpulse %s: give %s\n", fs.Name(), missing)
		return nil, errUsage
	}
	if len(positional) != want {
		fmt.Fprintf(env.stderr, "reelpulse %s: want %s, got %d: %q\n", fs.Name(), plural(want, "argument", "arguments"), len(positional), positional)
		fs.Usage()
		return nil, errUsage
	}
	return positional, nil
}

// errNoTerminalPrompt explains why a password must come from standard
// input: reading it from the terminal without echo needs golang.org/x/term,
// which reelpulse does not depend on.
func errNoTerminalPrompt(command string) error {
	return usageErrorf("missing --password-stdin: prompting for a password without echo is not supported yet, so "+
		"pass it as the first line of standard input, e.g. "+
		"`reelpulse users %s --password-stdin < password.txt`", command)
}

// readPassword reads the password from the first line of r, without its
// line ending, and checks its length.
func readPassword(r io.Reader) (string, error) {
	if r == nil {
		return "", errors.New("no password on standard input")
	}
	limited := io.LimitReader(r, 4*auth.MaxPasswordLength+2)
	line, err := bufio.NewReader(limited).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read the password from standard input: %w", err)
	}
	password := strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
	if password == "" {
		return "", errors.New("no password on standard input: --password-stdin reads it from the first line")
	}
	if err := auth.CheckPassword(password); err != nil {
		return "", err
	}
	return password, nil
}

// accounts returns the app's store as store.Accounts.
func (a *app) accounts() (store.Accounts, error) {
	accounts, ok := a.store.(store.Accounts)
	if !ok {
		return nil, fmt.Errorf("the %T store does not keep accounts", a.store)
	}
	return accounts, nil
}

// openAccounts loads the app and returns it with its accounts store. The
// caller closes the app.
func openAccounts(ctx context.Context, env *environment) (*app, store.Accounts, error) {
	a, err := loadApp(ctx, env, nil)
	if err != nil {
		return nil, nil, err
	}
	accounts, err := a.accounts()
	if err != nil {
		a.close()
		return nil, nil, err
	}
	return a, accounts, nil
}

// findUser returns the named user, or an error that suggests
// `reelpulse users list`.
func findUser(ctx context.Context, accounts store.Accounts, name string) (store.User, error) {
	u, err := store.FindUserByName(ctx, accounts, name)
	if errors.Is(err, store.ErrNotFound) {
		return store.User{}, fmt.Errorf("no user is named %q; `reelpulse users list` lists them", name)
	}
	return u, err
}

// audit records an action of the command line in the audit log.
func audit(ctx context.Context, accounts store.Accounts, action, target, detail string) error {
	_, err := accounts.RecordAudit(ctx, store.AuditEvent{
		At: time.Now(), ActorName: auth.CLIActor, Action: action, Target: target, Detail: detail,
	})
	return err
}

func usersAdd(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "users add", "NAME --role admin|analyst --password-stdin",
		"Create a user. The password is read from the first line of standard input and\n"+
			"must have at least 12 characters; it is stored only as an argon2id hash.")
	role := fs.String("role", "", "admin (manages users, sees every list) or analyst (own list only)")
	fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	positional, err := parseArgs(env, fs, args, 1, "the user name, e.g. reelpulse users add ada --role admin --password-stdin")
	if err != nil {
		return err
	}
	name := positional[0]
	if err := auth.CheckUserName(name); err != nil {
		return &usageError{err: err}
	}
	if !store.ValidRole(*role) {
		return usageErrorf("invalid --role %q: use admin or analyst", *role)
	}
	if !*fromStdin {
		return errNoTerminalPrompt("add " + name + " --role " + *role)
	}
	password, err := readPassword(env.stdin)
	if err != nil {
		return err
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}

	a, accounts, err := openAccounts(ctx, env)
	if err != nil {
		return err
	}
	defer a.close()

	existing, err := accounts.CountUsers(ctx)
	if err != nil {
		return fmt.Errorf("count users: %w", err)
	}
	now := time.Now()
	u, err := accounts.CreateUser(ctx, store.User{
		Name: name, Role: *role, PasswordHash: hash, CreatedAt: now, PasswordChangedAt: now,
	})
	if errors.Is(err, store.ErrExists) {
		existing := name
		if conflict := (*store.NameTakenError)(nil); errors.As(err, &conflict) && conflict.Existing != "" {
			existing = conflict.Existing
		}
		if existing != name {
			return fmt.Errorf("a user named %q already exists, and user names are compared without case; choose another name, "+
				"or change their password with `reelpulse users set-password %s --password-stdin`", existing, existing)
		}
		return fmt.Errorf("a user named %q already exists; change their password with `reelpulse users set-password %s --password-stdin`", name, name)
	}
	if err != nil {
		return err
	}
	if err := audit(ctx, accounts, store.AuditUserCreate, name, "role "+*role); err != nil {
		return err
	}
	a.logger.Info("User created", "user", name, "user_id", u.ID, "role", *role)
	fmt.Fprintf(env.stdout, "created user %s (%s)\n", name, *role)

	// The first admin gets the movies tracked so far, as at /setup.
	if existing == 0 && *role == store.RoleAdmin {
		n, err := authn.ListTrackedMovies(ctx, a.store, accounts, u.ID, now)
		if err != nil {
			return fmt.Errorf("user %s is created, but the tracked movies could not be put on their list (admins still see them with Show all): %w", name, err)
		}
		if n > 0 {
			fmt.Fprintf(env.stdout, "put %s on the list of %s\n", plural(n, "tracked movie", "tracked movies"), name)
		}
	}
	return nil
}

func usersList(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "users list", "", "List users with their role, creation time, last password change and state.")
	if _, err := parseArgs(env, fs, args, 0, ""); err != nil {
		return err
	}
	a, accounts, err := openAccounts(ctx, env)
	if err != nil {
		return err
	}
	defer a.close()

	users, err := accounts.ListUsers(ctx)
	if err != nil {
		return err
	}
	if len(users) == 0 {
		fmt.Fprintln(env.stdout, "no users; add one with `reelpulse users add NAME --role admin --password-stdin`")
		return nil
	}
	w := tabwriter.NewWriter(env.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(w, "NAME\tROLE\tCREATED (%[1]s)\tPASSWORD CHANGED (%[1]s)\tSTATE\n", zoneName())
	for _, u := range users {
		state := "active"
		if u.DisabledAt != nil {
			state = "disabled since " + timeString(u.DisabledAt)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", u.Name, u.Role, timeString(&u.CreatedAt), timeString(&u.PasswordChangedAt), state)
	}
	return w.Flush()
}

func usersSetPassword(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "users set-password", "NAME --password-stdin",
		"Replace a user's password, read from the first line of standard input, and sign\n"+
			"the user out of every session.")
	fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	positional, err := parseArgs(env, fs, args, 1, "the user name, e.g. reelpulse users set-password ada --password-stdin")
	if err != nil {
		return err
	}
	name := positional[0]
	if !*fromStdin {
		return errNoTerminalPrompt("set-password " + name)
	}
	password, err := readPassword(env.stdin)
	if err != nil {
		return err
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}

	a, accounts, err := openAccounts(ctx, env)
	if err != nil {
		return err
	}
	defer a.close()

	u, err := findUser(ctx, accounts, name)
	if err != nil {
		return err
	}
	if err := accounts.SetPassword(ctx, u.ID, hash, time.Now()); err != nil {
		return err
	}
	signedOut, err := accounts.DeleteUserSessions(ctx, u.ID)
	if err != nil {
		return err
	}
	if err := audit(ctx, accounts, store.AuditUserPassword, name, "signed out of "+plural(signedOut, "session", "sessions")); err != nil {
		return err
	}
	a.logger.Info("Password changed", "user", name, "user_id", u.ID, "sessions_ended", signedOut)
	fmt.Fprintf(env.stdout, "changed the password of %s and signed them out of %s\n", name, plural(signedOut, "session", "sessions"))
	return nil
}

func usersSetDisabled(ctx context.Context, env *environment, action string, args []string) error {
	description := "Let a disabled user sign in again."
	if action == "disable" {
		description = "Stop a user from signing in and sign them out of every session. Their API\n" +
			"tokens stop working while they are disabled; their data is kept. The last\n" +
			"enabled admin cannot be disabled."
	}
	fs := newFlagSet(env, "users "+action, "NAME", description)
	positional, err := parseArgs(env, fs, args, 1, "the user name, e.g. reelpulse users "+action+" ada")
	if err != nil {
		return err
	}
	name := positional[0]

	a, accounts, err := openAccounts(ctx, env)
	if err != nil {
		return err
	}
	defer a.close()

	u, err := findUser(ctx, accounts, name)
	if err != nil {
		return err
	}
	disable := action == "disable"
	if disable == (u.DisabledAt != nil) {
		fmt.Fprintf(env.stdout, "%s is already %sd; nothing changed\n", name, action)
		return nil
	}
	auditAction, detail := store.AuditUserEnable, ""
	if disable {
		auditAction = store.AuditUserDisable
		err = accounts.DisableUserKeepingAdmin(ctx, u.ID, time.Now())
	} else {
		err = accounts.SetUserDisabled(ctx, u.ID, nil)
	}
	if errors.Is(err, store.ErrLastAdmin) {
		return lastAdminError(u.Name, "disabled")
	}
	if err != nil {
		return err
	}
	signedOut := 0
	if disable {
		if signedOut, err = accounts.DeleteUserSessions(ctx, u.ID); err != nil {
			return err
		}
		detail = "signed out of " + plural(signedOut, "session", "sessions")
	}
	if err := audit(ctx, accounts, auditAction, name, detail); err != nil {
		return err
	}
	a.logger.Info("User "+action+"d", "user", name, "user_id", u.ID, "sessions_ended", signedOut)
	if disable {
		fmt.Fprintf(env.stdout, "disabled %s and signed them out of %s\n", name, plural(signedOut, "session", "sessions"))
		return nil
	}
	fmt.Fprintf(env.stdout, "enabled %s\n", name)
	return nil
}

func usersRemove(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "users remove", "NAME [--yes]",
		"Delete a user with their sessions, API tokens and tracked list. Movies that no\n"+
			"other user tracks stop being checked; their reviews and analyses are kept.\n"+
			"The audit log keeps the user's name. The last enabled admin cannot be removed.")
	yes := fs.Bool("yes", false, "do not ask for confirmation")
	positional, err := parseArgs(env, fs, args, 1, "the user name, e.g. reelpulse users remove ada")
	if err != nil {
		return err
	}
	name := positional[0]

	a, accounts, err := openAccounts(ctx, env)
	if err != nil {
		return err
	}
	defer a.close()

	u, err := findUser(ctx, accounts, name)
	if err != nil {
		return err
	}
	// Checked before the confirmation too, so that no one confirms a
	// removal that DeleteUserKeepingAdmin then rejects.
	if err := checkOtherAdmin(ctx, accounts, u, "removed"); err != nil {
		return err
	}
	movies, err := accounts.UserMovieIDs(ctx, u.ID)
	if err != nil {
		return err
	}
	if !*yes {
		fmt.Fprintf(env.stderr, "Remove user %s (%s) with their sessions, API tokens and list of %s? [y/N] ", name, u.Role, plural(len(movies), "movie", "movies"))
		if !confirmed(env.stdin) {
			fmt.Fprintln(env.stderr)
			return fmt.Errorf("user %s was not removed: confirm with y, or pass --yes", name)
		}
	}

	err = accounts.DeleteUserKeepingAdmin(ctx, u.ID)
	if errors.Is(err, store.ErrLastAdmin) {
		return lastAdminError(u.Name, "removed")
	}
	if err != nil {
		return err
	}
	detail := fmt.Sprintf("role %s, %s", u.Role, plural(len(movies), "tracked movie", "tracked movies"))
	if err := audit(ctx, accounts, store.AuditUserRemove, name, detail); err != nil {
		return err
	}
	a.logger.Info("User removed", "user", name, "user_id", u.ID, "tracked_movies", len(movies))
	fmt.Fprintf(env.stdout, "removed user %s\n", name)
	return nil
}

// checkOtherAdmin returns an error when u is the last enabled admin. Without
// an admin, no user can manage users, and the first-admin setup stays closed
// while any user exists.
func checkOtherAdmin(ctx context.Context, accounts store.Accounts, u store.User, action string) error {
	if u.Role != store.RoleAdmin || u.DisabledAt != nil {
		return nil
	}
	users, err := accounts.ListUsers(ctx)
	if err != nil {
		return err
	}
	for _, other := range users {
		if other.ID != u.ID && other.Role == store.RoleAdmin && other.DisabledAt == nil {
			return nil
		}
	}
	return lastAdminError(u.Name, action)
}

// lastAdminError explains why the last enabled admin named name cannot be
// disabled or removed (action), and what to do first.
func lastAdminError(name, action string) error {
	return fmt.Errorf("%s is the last enabled admin and cannot be %s, because no admin would be left to manage users; "+
		"first create another admin with `reelpulse users add NAME --role admin --password-stdin` "+
		"or enable a disabled one with `reelpulse users enable NAME`", name, action)
}

// confirmed reads one line from r and reports whether it is y or yes.
func confirmed(r io.Reader) bool {
	if r == nil {
		return false
	}
	line, _ := bufio.NewReader(r).ReadString('\n')
	answer := strings.ToLower(strings.TrimSpace(line))
	return answer == "y" || answer == "yes"
}
