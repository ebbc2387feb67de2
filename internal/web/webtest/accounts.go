package webtest

import (
	"context"
	"log/slog"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/reelpulse/reelpulse/internal/auth"
	"github.com/reelpulse/reelpulse/internal/authn"
	"github.com/reelpulse/reelpulse/internal/store"
	"github.com/reelpulse/reelpulse/internal/store/sqlite"
)

// Passwords of the users that NewAccounts creates.
const (
	AdminPassword   = "admin password for tests"
	AnalystPassword = "analyst password for tests"
)

// Member is a user that NewAccounts created, signed in with a session and
// holding an API token.
type Member struct {
	User     store.User
	Password string
	// Session is the session id that the cookie carries.
	Session string
	// Token is an API token of the user that does not expire.
	Token string
}

// Cookie returns the member's session cookie.
func (m Member) Cookie() *http.Cookie {
	return &http.Cookie{Name: authn.CookieName, Value: m.Session}
}

// CSRF returns the CSRF token of the member's session.
func (m Member) CSRF() string {
	return (&authn.Identity{SessionID: m.Session}).CSRFToken()
}

// Accounts is a real SQLite account store in a temporary file with an
// admin "ada" and an analyst "alan", both signed in, and the Authenticator
// over it.
type Accounts struct {
	Store *sqlite.Store
	// Path is the SQLite file of Store, for tests that scan its bytes.
	Path    string
	Auth    *authn.Authenticator
	Admin   Member
	Analyst Member
}

// passwordHashes are computed once per test binary: argon2id takes tens of
// milliseconds, and many fixtures need the same users.
var passwordHashes = sync.OnceValues(func() (string, string) {
	admin, err := auth.HashPassword(AdminPassword)
	if err != nil {
		panic(err)
	}
	analyst, err := auth.HashPassword(AnalystPassword)
	if err != nil {
		panic(err)
	}
	return admin, analyst
})

// NewAccounts opens the account store and creates the users, their
// sessions and tokens. now is the clock of the Authenticator and of the
// sessions; nil means time.Now.
func NewAccounts(t testing.TB, now func() time.Time) *Accounts {
	t.Helper()
	return NewAccountsWith(t, authn.Config{Now: now})
}

// NewAccountsWith is NewAccounts with the Authenticator's settings; its
// Accounts field is ignored, and a nil Logger discards the log.
func NewAccountsWith(t testing.TB, cfg authn.Config) *Accounts {
	t.Helper()
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "accounts.db")
	st, err := sqlite.Open(ctx, path, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("open the accounts store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatalf("migrate the accounts store: %v", err)
	}
	cfg.Accounts, cfg.Now = st, now
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	authenticator, err := authn.New(cfg)
	if err != nil {
		t.Fatalf("authn.New: %v", err)
	}
	a := &Accounts{Store: st, Path: path, Auth: authenticator}
	adminHash, analystHash := passwordHashes()
	a.Admin = a.member(t, "ada", store.RoleAdmin, AdminPassword, adminHash, now())
	a.Analyst = a.member(t, "alan", store.RoleAnalyst, AnalystPassword, analystHash, now())
	return a
}

func (a *Accounts) member(t testing.TB, name, role, password, hash string, now time.Time) Member {
	t.Helper()
	ctx := context.Background()
	user, err := a.Store.CreateUser(ctx, store.User{Name: name, Role: role, PasswordHash: hash, CreatedAt: now, PasswordChangedAt: now})
	if err != nil {
		t.Fatalf("create user %s: %v", name, err)
	}
	m := Member{User: user, Password: password}
	m.Session = a.NewSession(t, user)
	m.Token = auth.NewAPIToken()
	_, err = a.Store.CreateToken(ctx, store.APIToken{UserID: user.ID, Name: "tests", Hash: auth.HashSecret(m.Token),
		Prefix: auth.TokenDisplayPrefix(m.Token), CreatedAt: now})
	if err != nil {
		t.Fatalf("create a token for %s: %v", name, err)
	}
	return m
}

// NewSession stores a new session of user, valid for a week from now, and
// returns its id.
func (a *Accounts) NewSession(t testing.TB, user store.User) string {
	t.Helper()
	id := auth.NewSessionID()
	now := user.CreatedAt
	err := a.Store.CreateSession(context.Background(), store.Session{Hash: auth.HashSecret(id), UserID: user.ID,
		CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(authn.DefaultMaxAge)})
	if err != nil {
		t.Fatalf("create a session for %s: %v", user.Name, err)
	}
	return id
}

// SignIn adds the member's session cookie and CSRF header to r.
func SignIn(r *http.Request, m Member) {
	r.AddCookie(m.Cookie())
	r.Header.Set(authn.CSRFHeader, m.CSRF())
}

// Bearer adds the member's API token to r.
func Bearer(r *http.Request, m Member) {
	r.Header.Set("Authorization", "Bearer "+m.Token)
}

// AsMember returns h with every request signed in as m: it adds m's
// session cookie and CSRF header to requests that carry neither a session
// cookie nor an Authorization header. Tests of pages that are not about
// sign-in use it to stay as they were.
func AsMember(h http.Handler, m Member) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := r.Cookie(authn.CookieName); err != nil && r.Header.Get("Authorization") == "" {
			r = r.Clone(r.Context())
			SignIn(r, m)
		}
		h.ServeHTTP(w, r)
	})
}

// TrackAll puts every movie that st tracks on the admin's list, for tests
// of list pages that are not about the lists themselves.
func (a *Accounts) TrackAll(t testing.TB, st store.Store) {
	t.Helper()
	ctx := context.Background()
	movies, err := st.ListMovies(ctx, true)
	if err != nil {
		t.Fatalf("list tracked movies: %v", err)
	}
	for _, m := range movies {
		if _, err := a.Store.TrackMovieForUser(ctx, a.Admin.User.ID, m.ID, time.Now()); err != nil {
			t.Fatalf("add movie %s to the admin's list: %v", m.ID, err)
		}
	}
}
