package cli

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/reelpulse/reelpulse/internal/auth"
	"github.com/reelpulse/reelpulse/internal/store"
	"github.com/reelpulse/reelpulse/internal/store/sqlite"
)

// accountsTest runs account commands against one SQLite file, collecting
// everything they write to standard error, where the log goes.
type accountsTest struct {
	t    *testing.T
	path string
	logs bytes.Buffer
}

func newAccountsTest(t *testing.T) *accountsTest {
	t.Helper()
	path := filepath.Join(t.TempDir(), "reelpulse.db")
	isolate(t, map[string]string{"DATABASE_URL": path, "REELPULSE_LOG_LEVEL": "debug"})
	return &accountsTest{t: t, path: path}
}

// run runs a command with stdin and returns its standard output.
func (at *accountsTest) run(stdin string, run func(context.Context, *environment, []string) error, args ...string) (string, error) {
	at.t.Helper()
	var stdout bytes.Buffer
	env := &environment{stdin: strings.NewReader(stdin), stdout: &stdout, stderr: &at.logs}
	err := run(context.Background(), env, args)
	return stdout.String(), err
}

// mustRun runs a command that must succeed and returns its output.
func (at *accountsTest) mustRun(stdin string, run func(context.Context, *environment, []string) error, args ...string) string {
	at.t.Helper()
	out, err := at.run(stdin, run, args...)
	if err != nil {
		at.t.Fatalf("%q: %v\nlog:\n%s", args, err, at.logs.String())
	}
	return out
}

// open opens the database the commands use, closed when the test ends.
func (at *accountsTest) open() *sqlite.Store {
	at.t.Helper()
	s, err := sqlite.Open(context.Background(), at.path, nil)
	if err != nil {
		at.t.Fatal(err)
	}
	at.t.Cleanup(func() { s.Close() })
	return s
}

// databaseBytes returns the database file and its WAL and shared memory
// files, wherever the secrets might have been written.
func (at *accountsTest) databaseBytes() []byte {
	at.t.Helper()
	matches, err := filepath.Glob(at.path + "*")
	if err != nil || len(matches) == 0 {
		at.t.Fatalf("no database files at %s: %v", at.path, err)
	}
	var all []byte
	for _, m := range matches {
		b, err := os.ReadFile(m)
		if err != nil {
			at.t.Fatal(err)
		}
		all = append(all, b...)
	}
	return all
}

func TestUsersCommands(t *testing.T) {
	at := newAccountsTest(t)
	const adaPassword, bobPassword, newPassword = "ada's first password", "bob-password-123", "ada's second password"

	if out := at.mustRun("", runUsers, "list"); !strings.Contains(out, "no users") {
		t.Errorf("list of no users = %q", out)
	}
	at.mustRun(adaPassword+"\n", runUsers, "add", "ada", "--role", "admin", "--password-stdin")
	at.mustRun(bobPassword+"\r\n", runUsers, "add", "--password-stdin", "bob", "--role=analyst")

	s := at.open()
	ctx := context.Background()
	ada, err := s.GetUserByName(ctx, "ada")
	if err != nil {
		t.Fatal(err)
	}
	bob, err := s.GetUserByName(ctx, "bob")
	if err != nil {
		t.Fatal(err)
	}
	if ada.Role != store.RoleAdmin || bob.Role != store.RoleAnalyst {
		t.Errorf("roles %s and %s, want admin and analyst", ada.Role, bob.Role)
	}
	for _, c := range []struct {
		hash, password string
	}{{ada.PasswordHash, adaPassword}, {bob.PasswordHash, bobPassword}} {
		if ok, err := auth.VerifyPassword(c.hash, c.password); !ok || err != nil {
			t.Errorf("stored hash %q does not verify the password given on stdin: %v", c.hash, err)
		}
	}

	out := at.mustRun("", runUsers, "list")
	for _, want := range []string{"NAME", "ada", "admin", "bob", "analyst", "active"} {
		if !strings.Contains(out, want) {
			t.Errorf("list does not show %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "argon2") {
		t.Errorf("list shows password hashes:\n%s", out)
	}

	if err := s.CreateSession(ctx, store.Session{Hash: "session", UserID: ada.ID, CreatedAt: ada.CreatedAt, LastSeenAt: ada.CreatedAt, ExpiresAt: ada.CreatedAt.Add(1e12)}); err != nil {
		t.Fatal(err)
	}
	out = at.mustRun(newPassword+"\n", runUsers, "set-password", "ada", "--password-stdin")
	if !strings.Contains(out, "signed them out of 1 session") {
		t.Errorf("set-password output %q does not count the ended session", out)
	}
	if _, _, err := s.SessionUser(ctx, "session"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("ada's session after set-password: %v, want it removed", err)
	}
	ada, _ = s.GetUserByName(ctx, "ada")
	if ok, _ := auth.VerifyPassword(ada.PasswordHash, newPassword); !ok {
		t.Errorf("the new password does not verify")
	}

	at.mustRun("", runUsers, "disable", "bob")
	if out := at.mustRun("", runUsers, "disable", "bob"); !strings.Contains(out, "already disabled") {
		t.Errorf("second disable = %q", out)
	}
	if bob, _ = s.GetUserByName(ctx, "bob"); bob.DisabledAt == nil {
		t.Errorf("bob not disabled")
	}
	if out := at.mustRun("", runUsers, "list"); !strings.Contains(out, "disabled since") {
		t.Errorf("list does not show bob disabled:\n%s", out)
	}
	at.mustRun("", runUsers, "enable", "bob")
	if bob, _ = s.GetUserByName(ctx, "bob"); bob.DisabledAt != nil {
		t.Errorf("bob still disabled")
	}

	if _, err := s.TrackMovieForUser(ctx, bob.ID, "tt0013442", bob.CreatedAt); err != nil {
		t.Fatal(err)
	}
	if _, err := at.run("n\n", runUsers, "remove", "bob"); err == nil || !strings.Contains(err.Error(), "--yes") {
		t.Errorf("remove answered no: error %v, want one that mentions --yes", err)
	}
	if _, err := s.GetUserByName(ctx, "bob"); err != nil {
		t.Errorf("bob removed without confirmation: %v", err)
	}
	at.mustRun("y\n", runUsers, "remove", "bob")
	if _, err := s.GetUserByName(ctx, "bob"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("bob after confirmed remove: %v, want not found", err)
	}
	if m, _ := s.GetMovie(ctx, "tt0013442"); m.Tracked {
		t.Errorf("bob's movie is still tracked after bob was removed")
	}

	events, err := s.ListAudit(ctx, 100, 0)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range events {
		if e.ActorName != auth.CLIActor || e.ActorID != nil {
			t.Errorf("audit event %+v is not the command line's", e)
		}
		actions = append(actions, e.Action+" "+e.Target)
	}
	want := []string{"user_remove bob", "user_enable bob", "user_disable bob", "user_set_password ada", "user_create bob", "user_create ada"}
	if strings.Join(actions, ", ") != strings.Join(want, ", ") {
		t.Errorf("audit log, newest first:\n%q\nwant\n%q", actions, want)
	}

	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	db := at.databaseBytes()
	for _, secret := range []string{adaPassword, bobPassword, newPassword} {
		if bytes.Contains(db, []byte(secret)) {
			t.Errorf("the database files contain the password %q in clear", secret)
		}
		if strings.Contains(at.logs.String(), secret) {
			t.Errorf("the log contains the password %q", secret)
		}
	}
	if !strings.Contains(at.logs.String(), "User created") {
		t.Errorf("the log has no entries to check:\n%s", at.logs.String())
	}
}

func TestUsersBadInput(t *testing.T) {
	at := newAccountsTest(t)
	at.mustRun("an existing password\n", runUsers, "add", "ada", "--role", "admin", "--password-stdin")

	tests := []struct {
		name    string
		stdin   string
		args    []string
		wantErr string // "" for errUsage
	}{
		{"no action", "", nil, ""},
		{"unknown action", "", []string{"rename", "ada"}, ""},
		{"add without name", "x\n", []string{"add", "--role", "admin", "--password-stdin"}, ""},
		{"add with two names", "x\n", []string{"add", "ada", "bob", "--role", "admin", "--password-stdin"}, ""},
		{"unknown flag", "", []string{"add", "ada", "--admin"}, ""},
		{"invalid name", "a long enough password\n", []string{"add", "ada lovelace", "--role", "admin", "--password-stdin"}, "invalid user name"},
		{"reserved name", "a long enough password\n", []string{"add", "cli", "--role", "admin", "--password-stdin"}, "reserved"},
		{"no role", "a long enough password\n", []string{"add", "bob", "--password-stdin"}, `invalid --role ""`},
		{"unknown role", "a long enough password\n", []string{"add", "bob", "--role", "root", "--password-stdin"}, `invalid --role "root": use admin or analyst`},
		{"no --password-stdin", "", []string{"add", "bob", "--role", "analyst"}, "--password-stdin"},
		{"empty stdin", "", []string{"add", "bob", "--role", "analyst", "--password-stdin"}, "no password on standard input"},
		{"short password", "short\n", []string{"add", "bob", "--role", "analyst", "--password-stdin"}, "password has 5 characters; use at least 12"},
		{"taken name", "a long enough password\n", []string{"add", "ada", "--role", "analyst", "--password-stdin"}, "already exists"},
		{"taken name in capitals", "a long enough password\n", []string{"add", "ADA", "--role", "analyst", "--password-stdin"},
			`a user named "ada" already exists, and user names are compared without case`},
		{"taken name in mixed case", "a long enough password\n", []string{"add", "Ada", "--role", "admin", "--password-stdin"}, `"ada" already exists`},
		{"unknown user", "a long enough password\n", []string{"set-password", "bob", "--password-stdin"}, `no user is named "bob"`},
		{"set-password without stdin", "", []string{"set-password", "ada"}, "--password-stdin"},
		{"disable unknown user", "", []string{"disable", "bob"}, `no user is named "bob"`},
		{"remove the last admin", "y\n", []string{"remove", "ada"}, "ada is the last enabled admin"},
		{"disable the last admin", "", []string{"disable", "ada"}, "ada is the last enabled admin"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := at.run(tt.stdin, runUsers, tt.args...)
			if tt.wantErr == "" {
				if !errors.Is(err, errUsage) {
					t.Errorf("error %v, want errUsage", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %v, want one containing %q", err, tt.wantErr)
			}
		})
	}

	s := at.open()
	users, err := s.ListUsers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(users) != 1 || users[0].Name != "ada" || users[0].DisabledAt != nil {
		t.Errorf("users after bad input = %+v, want ada alone, enabled", users)
	}
}

// The last enabled admin can be neither disabled nor removed. Once another
// admin is enabled, both work.
func TestUsersKeepAnAdmin(t *testing.T) {
	at := newAccountsTest(t)
	at.mustRun("ada's long password\n", runUsers, "add", "ada", "--role", "admin", "--password-stdin")
	at.mustRun("bob's long password\n", runUsers, "add", "bob", "--role", "analyst", "--password-stdin")
	at.mustRun("cy's long password!\n", runUsers, "add", "cy", "--role", "admin", "--password-stdin")
	at.mustRun("", runUsers, "disable", "cy")

	rejected := []struct {
		name string
		args []string
	}{
		{"disable", []string{"disable", "ada"}},
		{"remove", []string{"remove", "ada", "--yes"}},
		{"remove asked", []string{"remove", "ada"}},
	}
	for _, tt := range rejected {
		t.Run(tt.name, func(t *testing.T) {
			_, err := at.run("y\n", runUsers, tt.args...)
			if err == nil {
				t.Fatal("the last enabled admin was taken away")
			}
			for _, want := range []string{"ada is the last enabled admin", "users add NAME --role admin", "users enable NAME"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
		})
	}
	s := at.open()
	ctx := context.Background()
	if ada, err := s.GetUserByName(ctx, "ada"); err != nil || ada.DisabledAt != nil {
		t.Fatalf("ada after the rejected commands = %+v, %v; want her enabled", ada, err)
	}

	// An analyst and a disabled admin can be disabled and removed.
	at.mustRun("", runUsers, "disable", "bob")
	at.mustRun("", runUsers, "remove", "cy", "--yes")

	at.mustRun("cy's long password!\n", runUsers, "add", "cy", "--role", "admin", "--password-stdin")
	at.mustRun("", runUsers, "disable", "ada")
	if _, err := at.run("", runUsers, "remove", "cy", "--yes"); err == nil || !strings.Contains(err.Error(), "cy is the last enabled admin") {
		t.Errorf("remove of cy with ada disabled: %v, want an error", err)
	}
	at.mustRun("", runUsers, "enable", "ada")
	at.mustRun("", runUsers, "remove", "ada", "--yes")
	if _, err := s.GetUserByName(ctx, "ada"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("ada after remove with cy enabled: %v, want not found", err)
	}
}

// TestUsersAddFirstAdminGetsTracked checks that the first admin created on
// the command line gets the tracked movies on their list, as at /setup,
// and that later users start with an empty list.
func TestUsersAddFirstAdminGetsTracked(t *testing.T) {
	at := newAccountsTest(t)
	ctx := context.Background()
	s := at.open()
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"tt0013442", "tt0029583"} {
		if _, err := s.TrackMovie(ctx, id, time.Now()); err != nil {
			t.Fatal(err)
		}
	}

	out := at.mustRun("first admin password\n", runUsers, "add", "ada", "--role", "admin", "--password-stdin")
	if !strings.Contains(out, "put 2 tracked movies on the list of ada") {
		t.Errorf("users add printed %q, want the movies put on the list", out)
	}
	at.mustRun("second admin password\n", runUsers, "add", "cy", "--role", "admin", "--password-stdin")

	for name, want := range map[string]int{"ada": 2, "cy": 0} {
		u, err := s.GetUserByName(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		ids, err := s.UserMovieIDs(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(ids) != want {
			t.Errorf("%s's list holds %v, want %d movies", name, ids, want)
		}
	}
}
