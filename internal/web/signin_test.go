package web_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reelpulse/reelpulse/internal/auth"
	"github.com/reelpulse/reelpulse/internal/authn"
	"github.com/reelpulse/reelpulse/internal/store"
	"github.com/reelpulse/reelpulse/internal/store/postgres"
	"github.com/reelpulse/reelpulse/internal/testutil"
	"github.com/reelpulse/reelpulse/internal/web"
	"github.com/reelpulse/reelpulse/internal/web/webtest"
)

// lockedBuffer collects log output from concurrent handlers.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// authFixture is a dashboard with real accounts and no signed-in default:
// each request carries what the test gives it.
type authFixture struct {
	store    *webtest.Store
	tracker  *webtest.Tracker
	accounts *webtest.Accounts
	handler  http.Handler
	log      *lockedBuffer
}

func newAuthFixture(t *testing.T, cfg authn.Config) *authFixture {
	t.Helper()
	st := webtest.NewStore()
	if _, err := webtest.Seed(context.Background(), st, time.Now().UTC()); err != nil {
		t.Fatalf("seed store: %v", err)
	}
	log := &lockedBuffer{}
	logger := slog.New(slog.NewTextHandler(log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	cfg.Logger = logger
	accounts := webtest.NewAccountsWith(t, cfg)
	tracker := &webtest.Tracker{Store: st}
	handler, err := web.New(web.Config{Store: st, Tracker: tracker, Analyzer: webtest.Analyzer, Logger: logger,
		Accounts: accounts.Store, Auth: accounts.Auth, Jobs: &fakeJobs{}})
	if err != nil {
		t.Fatalf("web.New: %v", err)
	}
	return &authFixture{store: st, tracker: tracker, accounts: accounts, handler: handler, log: log}
}

// request is one request of a test; the zero value is an anonymous GET.
type request struct {
	method  string
	target  string
	form    url.Values
	cookie  string // session id
	csrf    string // X-CSRF-Token header
	remote  string // RemoteAddr; "192.0.2.1:1234" when empty
	headers map[string]string
	cookies []*http.Cookie // besides the session
}

func (f *authFixture) do(t *testing.T, req request) (*http.Response, string) {
	t.Helper()
	method := req.method
	if method == "" {
		method = http.MethodGet
	}
	var body io.Reader
	if req.form != nil {
		body = strings.NewReader(req.form.Encode())
	}
	r := httptest.NewRequest(method, req.target, body)
	if req.form != nil {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if req.cookie != "" {
		r.AddCookie(&http.Cookie{Name: authn.CookieName, Value: req.cookie})
	}
	for _, c := range req.cookies {
		r.AddCookie(c)
	}
	if req.csrf != "" {
		r.Header.Set(authn.CSRFHeader, req.csrf)
	}
	if req.remote != "" {
		r.RemoteAddr = req.remote
	}
	for name, value := range req.headers {
		r.Header.Set(name, value)
	}
	recorder := httptest.NewRecorder()
	f.handler.ServeHTTP(recorder, r)
	response := recorder.Result()
	data, err := io.ReadAll(response.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return response, string(data)
}

func sessionCookie(response *http.Response) *http.Cookie {
	for _, c := range response.Cookies() {
		if c.Name == authn.CookieName {
			return c
		}
	}
	return nil
}

func TestAnonymousRequestsRejected(t *testing.T) {
	f := newAuthFixture(t, authn.Config{})
	for _, target := range []string{"/", "/movies/" + webtest.MovieID, "/movies/" + webtest.MovieID + "/reviews/export",
		"/compare?id=" + webtest.MovieID, "/jobs", "/account", "/admin/users", "/admin/audit", "/admin/usage", "/admin/scrape",
		"/suggestions?q=nosferatu", "/posters/" + webtest.MovieID, "/nothing/here"} {
		response, body := f.do(t, request{target: target})
		if response.StatusCode != http.StatusSeeOther {
			t.Errorf("GET %s: status %d, want 303 to the sign-in", target, response.StatusCode)
			continue
		}
		location, _ := url.Parse(response.Header.Get("Location"))
		if location.Path != "/signin" || (target != "/" && location.Query().Get("next") != target) {
			t.Errorf("GET %s: Location %q, want /signin?next=%s", target, location, target)
		}
		if strings.Contains(body, "Nosferatu") {
			t.Errorf("GET %s: an anonymous response shows movie data", target)
		}
	}
	for _, target := range []string{"/movies", "/movies/" + webtest.MovieID + "/remove", "/jobs/1/retry", "/admin/users", "/account/tokens"} {
		response, _ := f.do(t, request{method: http.MethodPost, target: target, form: url.Values{"movie": {"tt0000009"}, "name": {"x"}}})
		if response.StatusCode != http.StatusSeeOther || !strings.HasPrefix(response.Header.Get("Location"), "/signin") {
			t.Errorf("POST %s: status %d to %q, want 303 to the sign-in", target, response.StatusCode, response.Header.Get("Location"))
		}
	}
	if len(f.tracker.Tracked()) != 0 {
		t.Errorf("anonymous POSTs tracked %v", f.tracker.Tracked())
	}
	for _, target := range []string{"/signin", "/healthz", "/static/style.css"} {
		if response, _ := f.do(t, request{target: target}); response.StatusCode != http.StatusOK {
			t.Errorf("GET %s: status %d, want 200 without a sign-in", target, response.StatusCode)
		}
	}
	// A made-up cookie is no session.
	if response, _ := f.do(t, request{target: "/", cookie: auth.NewSessionID()}); response.StatusCode != http.StatusSeeOther {
		t.Errorf("GET / with an unknown session: status %d, want 303", response.StatusCode)
	}
}

func TestAnalystKeptOutOfAdminPages(t *testing.T) {
	f := newAuthFixture(t, authn.Config{})
	analyst, admin := f.accounts.Analyst, f.accounts.Admin
	for _, target := range []string{"/jobs", "/admin", "/admin/users", "/admin/audit", "/admin/usage", "/admin/scrape"} {
		response, body := f.do(t, request{target: target, cookie: analyst.Session})
		if response.StatusCode != http.StatusForbidden || !strings.Contains(body, "Admins only") {
			t.Errorf("analyst GET %s: status %d, want 403 with a message", target, response.StatusCode)
		}
		response, _ = f.do(t, request{target: target, cookie: admin.Session})
		if response.StatusCode != http.StatusOK && response.StatusCode != http.StatusSeeOther {
			t.Errorf("admin GET %s: status %d, want 200", target, response.StatusCode)
		}
	}
	posts := []struct {
		target string
		form   url.Values
	}{
		{"/admin/users", url.Values{"name": {"mallory"}, "role": {"admin"}, "password": {"mallory's password!"}}},
		{"/admin/users/" + itoa(admin.User.ID) + "/disable", nil},
		{"/admin/users/" + itoa(admin.User.ID) + "/password", url.Values{"password": {"taken over password"}}},
		{"/admin/movies/" + webtest.FailingMovieID + "/unpark", nil},
		{"/jobs/1/cancel", nil},
	}
	for _, p := range posts {
		response, _ := f.do(t, request{method: http.MethodPost, target: p.target, form: p.form, cookie: analyst.Session, csrf: analyst.CSRF()})
		if response.StatusCode != http.StatusForbidden {
			t.Errorf("analyst POST %s: status %d, want 403", p.target, response.StatusCode)
		}
	}
	if _, err := f.accounts.Store.GetUserByName(context.Background(), "mallory"); err == nil {
		t.Error("an analyst created a user")
	}
	user, _ := f.accounts.Store.GetUser(context.Background(), admin.User.ID)
	if user.DisabledAt != nil || user.PasswordHash != admin.User.PasswordHash {
		t.Error("an analyst changed the admin's account")
	}
	if _, body := f.do(t, request{target: "/", cookie: analyst.Session}); strings.Contains(body, `href="/admin/users"`) {
		t.Error("the analyst's navigation links to the admin console")
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]*)"`)

func TestCSRFProtection(t *testing.T) {
	f := newAuthFixture(t, authn.Config{})
	admin := f.accounts.Admin
	_, page := f.do(t, request{target: "/", cookie: admin.Session})
	match := csrfField.FindStringSubmatch(page)
	if match == nil || match[1] != admin.CSRF() {
		t.Fatalf("the movie list's form token = %v, want the session's %q", match, admin.CSRF())
	}
	if strings.Contains(page, "csrf-") {
		t.Error("the page still holds the token's placeholder")
	}
	other := f.accounts.Analyst.CSRF()

	tests := []struct {
		name    string
		form    url.Values
		csrf    string
		headers map[string]string
		status  int
	}{
		{"no token", url.Values{"movie": {"tt0000009"}}, "", nil, http.StatusForbidden},
		{"another session's token", url.Values{"movie": {"tt0000009"}}, other, nil, http.StatusForbidden},
		{"token in the form of another session", url.Values{"movie": {"tt0000009"}, "csrf_token": {other}}, "", nil, http.StatusForbidden},
		{"cross-site browser request with the token", url.Values{"movie": {"tt0000009"}, "csrf_token": {admin.CSRF()}}, "",
			map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}, http.StatusForbidden},
		{"foreign origin without Sec-Fetch-Site", url.Values{"movie": {"tt0000009"}, "csrf_token": {admin.CSRF()}}, "",
			map[string]string{"Origin": "https://evil.example"}, http.StatusForbidden},
		{"token in the form", url.Values{"movie": {"tt0000009"}, "csrf_token": {admin.CSRF()}}, "", map[string]string{"Sec-Fetch-Site": "same-origin"}, http.StatusSeeOther},
		{"token in the header", url.Values{"movie": {"tt0000010"}}, admin.CSRF(), nil, http.StatusSeeOther},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(f.tracker.Tracked())
			response, _ := f.do(t, request{method: http.MethodPost, target: "/movies", form: tt.form, cookie: admin.Session, csrf: tt.csrf, headers: tt.headers})
			if response.StatusCode != tt.status {
				t.Errorf("status %d, want %d", response.StatusCode, tt.status)
			}
			if tracked := len(f.tracker.Tracked()) > before; tracked != (tt.status == http.StatusSeeOther) {
				t.Errorf("movie tracked = %v, want %v", tracked, tt.status == http.StatusSeeOther)
			}
		})
	}
}

// signIn posts the sign-in form and returns the response.
func (f *authFixture) signIn(t *testing.T, name, password, cookie, remote string) (*http.Response, string) {
	t.Helper()
	return f.do(t, request{method: http.MethodPost, target: "/signin", cookie: cookie, remote: remote,
		form: url.Values{"name": {name}, "password": {password}, "next": {"/movies/" + webtest.MovieID}}})
}

func TestSignIn(t *testing.T) {
	f := newAuthFixture(t, authn.Config{})
	response, _ := f.signIn(t, "alan", webtest.AnalystPassword, "", "")
	if response.StatusCode != http.StatusSeeOther || response.Header.Get("Location") != "/movies/"+webtest.MovieID {
		t.Fatalf("sign-in: status %d to %q, want 303 to the next page", response.StatusCode, response.Header.Get("Location"))
	}
	cookie := sessionCookie(response)
	if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode || cookie.Secure || cookie.Path != "/" {
		t.Fatalf("session cookie = %+v, want HttpOnly, SameSite=Lax, not Secure over plain HTTP", cookie)
	}
	if response, body := f.do(t, request{target: "/", cookie: cookie.Value}); response.StatusCode != http.StatusOK || !strings.Contains(body, `data-testid="viewer">alan<`) {
		t.Errorf("GET / with the new session: status %d, want the list for alan", response.StatusCode)
	}
	events, _ := f.accounts.Store.ListAudit(context.Background(), 10, 0)
	if len(events) == 0 || events[0].Action != store.AuditSignIn || events[0].Target != "alan" {
		t.Errorf("latest audit event = %+v, want sign_in of alan", events)
	}

	for _, next := range []string{"//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"} {
		response, _ := f.do(t, request{method: http.MethodPost, target: "/signin",
			form: url.Values{"name": {"alan"}, "password": {webtest.AnalystPassword}, "next": {next}}})
		if got := response.Header.Get("Location"); got != "/" {
			t.Errorf("sign-in with next=%q goes to %q, want /", next, got)
		}
	}

	response, body := f.signIn(t, "alan", "wrong password!", "", "")
	if response.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "The user name or the password is wrong") || sessionCookie(response) != nil {
		t.Errorf("wrong password: status %d, want 401 with a message and no cookie", response.StatusCode)
	}
	response, body = f.signIn(t, "nobody", "some password", "", "")
	if response.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "The user name or the password is wrong") {
		t.Errorf("unknown user: status %d, want the same 401 as a wrong password", response.StatusCode)
	}
}

func TestLoginRedirectsToSignIn(t *testing.T) {
	f := newAuthFixture(t, authn.Config{})
	signedIn, _ := f.signIn(t, "alan", webtest.AnalystPassword, "", "")
	session := sessionCookie(signedIn).Value
	tests := []struct {
		name, target, cookie, want string
	}{
		{"anonymous", "/login", "", "/signin"},
		{"anonymous keeps next", "/login?next=%2Fcompare%3Fid%3Dtt1", "", "/signin?next=%2Fcompare%3Fid%3Dtt1"},
		{"signed in", "/login", session, "/signin"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			response, _ := f.do(t, request{target: tt.target, cookie: tt.cookie})
			if response.StatusCode != http.StatusSeeOther || response.Header.Get("Location") != tt.want {
				t.Errorf("GET %s: status %d to %q, want 303 to %q", tt.target, response.StatusCode, response.Header.Get("Location"), tt.want)
			}
		})
	}
	// After signing in, /signin?next=/login must land on a page, not a 404.
	response, _ := f.do(t, request{target: "/signin?next=%2Flogin", cookie: session})
	for hops := 0; response.StatusCode == http.StatusSeeOther && hops < 5; hops++ {
		response, _ = f.do(t, request{target: response.Header.Get("Location"), cookie: session})
	}
	if response.StatusCode != http.StatusOK {
		t.Errorf("signed in, /signin?next=/login ends with status %d, want 200", response.StatusCode)
	}
}

func TestSecureCookieBehindHTTPS(t *testing.T) {
	f := newAuthFixture(t, authn.Config{BaseURL: "https://reelpulse.example.org"})
	response, _ := f.signIn(t, "alan", webtest.AnalystPassword, "", "")
	if cookie := sessionCookie(response); cookie == nil || !cookie.Secure {
		t.Errorf("session cookie = %+v, want Secure when REELPULSE_BASE_URL is https", cookie)
	}
}

// TestSessionFixation plants session ids in the browser before the sign-in
// and checks that none of them is kept or still works after it.
func TestSessionFixation(t *testing.T) {
	f := newAuthFixture(t, authn.Config{})
	planted := map[string]string{
		"made-up id":               auth.NewSessionID(),
		"valid session of analyst": f.accounts.NewSession(t, f.accounts.Analyst.User),
	}
	for name, id := range planted {
		t.Run(name, func(t *testing.T) {
			response, _ := f.signIn(t, "ada", webtest.AdminPassword, id, "")
			cookie := sessionCookie(response)
			if response.StatusCode != http.StatusSeeOther || cookie == nil {
				t.Fatalf("sign-in: status %d, cookie %v", response.StatusCode, cookie)
			}
			if cookie.Value == id {
				t.Fatal("the session id set before the sign-in is kept after it")
			}
			if response, _ := f.do(t, request{target: "/account", cookie: id}); response.StatusCode != http.StatusSeeOther {
				t.Errorf("the planted id still opens a session: status %d", response.StatusCode)
			}
			if response, body := f.do(t, request{target: "/account", cookie: cookie.Value}); response.StatusCode != http.StatusOK || !strings.Contains(body, "ada") {
				t.Errorf("the new session does not work: status %d", response.StatusCode)
			}
		})
	}
}

func TestSignInThrottle(t *testing.T) {
	t.Run("per account", func(t *testing.T) {
		f := newAuthFixture(t, authn.Config{})
		for i := 1; i <= 10; i++ {
			// Each attempt from another address: only the account's count applies.
			remote := "198.51.100." + itoa(int64(i)) + ":4000"
			if response, _ := f.signIn(t, "alan", "wrong password "+itoa(int64(i)), "", remote); response.StatusCode != http.StatusUnauthorized {
				t.Fatalf("attempt %d: status %d, want 401", i, response.StatusCode)
			}
		}
		response, body := f.signIn(t, "alan", webtest.AnalystPassword, "", "198.51.100.99:4000")
		if response.StatusCode != http.StatusTooManyRequests || sessionCookie(response) != nil {
			t.Fatalf("11th attempt, right password: status %d, want 429 without a session", response.StatusCode)
		}
		if !strings.Contains(body, "Too many failed sign-ins for this account in the last minute") || response.Header.Get("Retry-After") == "" {
			t.Errorf("11th attempt: the page does not explain the throttle:\n%s", body)
		}
		n, _ := f.accounts.Store.CountAudit(context.Background(), store.AuditCount{Action: store.AuditSignInThrottled, Target: "alan"})
		if n != 1 {
			t.Errorf("%d sign_in_throttled events, want 1", n)
		}
		// Another account signs in still.
		if response, _ := f.signIn(t, "ada", webtest.AdminPassword, "", "198.51.100.99:4000"); response.StatusCode != http.StatusSeeOther {
			t.Errorf("another account: status %d, want 303", response.StatusCode)
		}
	})
	t.Run("per address", func(t *testing.T) {
		f := newAuthFixture(t, authn.Config{})
		for i := 1; i <= 10; i++ {
			if response, _ := f.signIn(t, "user"+itoa(int64(i)), "wrong password", "", "203.0.113.7:5000"); response.StatusCode != http.StatusUnauthorized {
				t.Fatalf("attempt %d: status %d, want 401", i, response.StatusCode)
			}
		}
		response, body := f.signIn(t, "ada", webtest.AdminPassword, "", "203.0.113.7:6000")
		if response.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "for this address") {
			t.Errorf("11th attempt from the address: status %d, want 429 naming the address", response.StatusCode)
		}
	})
}

func TestSignOut(t *testing.T) {
	f := newAuthFixture(t, authn.Config{})
	admin := f.accounts.Admin
	response, _ := f.do(t, request{method: http.MethodPost, target: "/signout", cookie: admin.Session})
	if response.StatusCode != http.StatusForbidden {
		t.Errorf("sign-out without the CSRF token: status %d, want 403", response.StatusCode)
	}
	response, _ = f.do(t, request{method: http.MethodPost, target: "/signout", cookie: admin.Session, csrf: admin.CSRF()})
	if cookie := sessionCookie(response); response.StatusCode != http.StatusSeeOther || cookie == nil || cookie.MaxAge >= 0 {
		t.Errorf("sign-out: status %d, cookie %+v, want 303 clearing the cookie", response.StatusCode, cookie)
	}
	if response, _ := f.do(t, request{target: "/", cookie: admin.Session}); response.StatusCode != http.StatusSeeOther {
		t.Errorf("the session works after the sign-out: status %d", response.StatusCode)
	}

	// Sign out everywhere ends the other sessions of the user only.
	second := f.accounts.NewSession(t, f.accounts.Analyst.User)
	analyst := f.accounts.Analyst
	response, _ = f.do(t, request{method: http.MethodPost, target: "/account/signout-everywhere", cookie: analyst.Session, csrf: analyst.CSRF()})
	if response.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign out everywhere: status %d", response.StatusCode)
	}
	for _, id := range []string{analyst.Session, second} {
		if response, _ := f.do(t, request{target: "/", cookie: id}); response.StatusCode != http.StatusSeeOther {
			t.Errorf("a session of the analyst works after signing out everywhere: status %d", response.StatusCode)
		}
	}
}

func TestFirstAdminSetup(t *testing.T) {
	const setupToken = "setup-token-for-tests"
	f := newAuthFixture(t, authn.Config{SetupToken: setupToken})
	ctx := context.Background()
	for _, u := range []store.User{f.accounts.Admin.User, f.accounts.Analyst.User} {
		if err := f.accounts.Store.DeleteUser(ctx, u.ID); err != nil {
			t.Fatal(err)
		}
	}
	if response, _ := f.do(t, request{target: "/"}); response.Header.Get("Location") != "/setup" {
		t.Errorf("GET / without users goes to %q, want /setup", response.Header.Get("Location"))
	}
	tests := []struct {
		name    string
		target  string
		remote  string
		headers map[string]string
		status  int
	}{
		{"remote address", "/setup", "192.0.2.1:1234", nil, http.StatusForbidden},
		{"remote address, wrong token", "/setup?token=guess", "192.0.2.1:1234", nil, http.StatusForbidden},
		{"remote address, setup token", "/setup?token=" + setupToken, "192.0.2.1:1234", nil, http.StatusOK},
		{"loopback", "/setup", "127.0.0.1:50000", nil, http.StatusOK},
		{"loopback IPv6", "/setup", "[::1]:50000", nil, http.StatusOK},
		{"loopback through a proxy", "/setup", "127.0.0.1:50000", map[string]string{"X-Forwarded-For": "192.0.2.1"}, http.StatusForbidden},
	}
	for _, tt := range tests {
		if response, _ := f.do(t, request{target: tt.target, remote: tt.remote, headers: tt.headers}); response.StatusCode != tt.status {
			t.Errorf("%s: status %d, want %d", tt.name, response.StatusCode, tt.status)
		}
	}

	form := url.Values{"name": {"grace"}, "password": {"first admin password"}, "confirm": {"first admin password"}}
	if response, _ := f.do(t, request{method: http.MethodPost, target: "/setup", form: form}); response.StatusCode != http.StatusForbidden {
		t.Errorf("POST /setup from a remote address without the token: status %d, want 403", response.StatusCode)
	}
	mismatch := url.Values{"name": {"grace"}, "password": {"first admin password"}, "confirm": {"other password!!"}}
	if response, body := f.do(t, request{method: http.MethodPost, target: "/setup", form: mismatch, remote: "127.0.0.1:1"}); response.StatusCode != http.StatusBadRequest || !strings.Contains(body, "differ") {
		t.Errorf("POST /setup with differing passwords: status %d", response.StatusCode)
	}
	form.Set("token", setupToken)
	response, _ := f.do(t, request{method: http.MethodPost, target: "/setup", form: form})
	cookie := sessionCookie(response)
	if response.StatusCode != http.StatusSeeOther || cookie == nil {
		t.Fatalf("POST /setup with the token: status %d, cookie %v; want 303 signed in", response.StatusCode, cookie)
	}
	user, err := f.accounts.Store.GetUserByName(ctx, "grace")
	if err != nil || user.Role != store.RoleAdmin {
		t.Fatalf("first admin = %+v, %v; want grace as admin", user, err)
	}
	if response, _ := f.do(t, request{target: "/admin/users", cookie: cookie.Value}); response.StatusCode != http.StatusOK {
		t.Errorf("the first admin reaches the admin console: status %d", response.StatusCode)
	}
	// The setup page promises the admin every tracked movie, so the movies
	// tracked before setup are on their list.
	tracked, err := f.store.ListMovies(ctx, true)
	if err != nil || len(tracked) == 0 {
		t.Fatalf("tracked movies = %v, %v; want the seeded ones", tracked, err)
	}
	listed, err := f.accounts.Store.UserMovieIDs(ctx, user.ID)
	if err != nil {
		t.Fatal(err)
	}
	_, overview := f.do(t, request{target: "/", cookie: cookie.Value})
	for _, m := range tracked {
		if !slices.Contains(listed, m.ID) {
			t.Errorf("the first admin's list = %v, want tracked movie %s on it", listed, m.ID)
		}
		if !strings.Contains(overview, `data-testid="movie-`+m.ID+`"`) {
			t.Errorf("the first admin's overview lacks tracked movie %s", m.ID)
		}
	}
	if strings.Contains(overview, "Your list is empty") {
		t.Error("the first admin's overview says their list is empty")
	}
	form.Set("name", "eve")
	if response, _ := f.do(t, request{method: http.MethodPost, target: "/setup", form: form, remote: "127.0.0.1:1"}); response.StatusCode != http.StatusNotFound {
		t.Errorf("a second setup: status %d, want 404", response.StatusCode)
	}
	if n, _ := f.accounts.Store.CountUsers(ctx); n != 1 {
		t.Errorf("%d users after a second setup, want 1", n)
	}
}

// TestSetupRejectionNamesTheWaysIn checks that the setup page's rejection
// offers the server's own machine only when loopback setup is on, which
// REELPULSE_BASE_URL turns off.
func TestSetupRejectionNamesTheWaysIn(t *testing.T) {
	const local = "or open this page on the server"
	cases := []struct {
		name      string
		cfg       authn.Config
		wantLocal bool
	}{
		{"direct", authn.Config{SetupToken: "token"}, true},
		{"behind a proxy", authn.Config{SetupToken: "token", BaseURL: "https://reelpulse.example"}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newAuthFixture(t, c.cfg)
			for _, u := range []store.User{f.accounts.Admin.User, f.accounts.Analyst.User} {
				if err := f.accounts.Store.DeleteUser(context.Background(), u.ID); err != nil {
					t.Fatal(err)
				}
			}
			response, body := f.do(t, request{target: "/setup"})
			if response.StatusCode != http.StatusForbidden || !strings.Contains(body, "?token=") {
				t.Fatalf("GET /setup without the token: status %d, want 403 naming the setup address:\n%s", response.StatusCode, body)
			}
			if got := strings.Contains(body, local); got != c.wantLocal {
				t.Errorf("rejection offers %q: %v, want %v", local, got, c.wantLocal)
			}
			// The text matches what the server allows.
			response, _ = f.do(t, request{target: "/setup", remote: "127.0.0.1:50000"})
			if got := response.StatusCode == http.StatusOK; got != c.wantLocal {
				t.Errorf("GET /setup from loopback: status %d, want it allowed: %v", response.StatusCode, c.wantLocal)
			}
		})
	}
}

// TestSecretsNeitherLoggedNorStoredInClear signs in, fails a sign-in,
// changes a password and creates a token, then scans the log output and
// the SQLite files for the password, the session id and the token.
func TestSecretsNeitherLoggedNorStoredInClear(t *testing.T) {
	f := newAuthFixture(t, authn.Config{})
	response, _ := f.signIn(t, "alan", webtest.AnalystPassword, "", "")
	session := sessionCookie(response).Value
	f.signIn(t, "alan", "a wrong password typed", "", "")
	csrf := (&authn.Identity{SessionID: session}).CSRFToken()

	const newPassword = "brand new analyst password"
	response, _ = f.do(t, request{method: http.MethodPost, target: "/account/password", cookie: session, csrf: csrf,
		form: url.Values{"current": {webtest.AnalystPassword}, "password": {newPassword}, "confirm": {newPassword}}})
	if response.StatusCode != http.StatusOK {
		t.Fatalf("change password: status %d", response.StatusCode)
	}
	session = sessionCookie(response).Value
	csrf = (&authn.Identity{SessionID: session}).CSRFToken()
	_, body, _ := f.createToken(t, session, csrf, url.Values{"name": {"notebook"}, "expires": {"30d"}})
	token := newTokenField.FindStringSubmatch(body)
	if token == nil {
		t.Fatalf("the account page shows no new token:\n%s", body)
	}
	if _, body := f.do(t, request{target: "/account", cookie: session}); strings.Contains(body, token[1]) {
		t.Error("the account page shows the token a second time")
	}

	secrets := map[string]string{
		"password": webtest.AnalystPassword, "new password": newPassword, "wrong password": "a wrong password typed",
		"session id": session, "API token": token[1], "CSRF token": csrf,
	}
	logs := f.log.String()
	if !strings.Contains(logs, "User signed in") {
		t.Fatalf("the log does not record the sign-in, so the scan proves nothing:\n%s", logs)
	}
	files, _ := filepath.Glob(f.accounts.Path + "*")
	var stored []byte
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		stored = append(stored, data...)
	}
	if !bytes.Contains(stored, []byte(auth.HashSecret(session))) {
		t.Fatal("the SQLite files lack the session's hash, so the scan proves nothing")
	}
	for name, secret := range secrets {
		if strings.Contains(logs, secret) {
			t.Errorf("the log contains the %s", name)
		}
		if bytes.Contains(stored, []byte(secret)) {
			t.Errorf("the SQLite files contain the %s in clear", name)
		}
	}
}

// TestSignInRejectsNonText posts user names and passwords that are not
// valid UTF-8 or hold a NUL, on SQLite and on PostgreSQL, which refuses
// such text with SQLSTATE 22021. Each gets the sign-in page's 400 and
// records no failed sign-in.
func TestSignInRejectsNonText(t *testing.T) {
	stores := map[string]func(t *testing.T) store.Accounts{
		"sqlite": func(t *testing.T) store.Accounts { return webtest.NewAccounts(t, nil).Store },
		"postgres": func(t *testing.T) store.Accounts {
			st, err := postgres.Open(t.Context(), testutil.PostgresURL(t), nil)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			if err := st.Migrate(t.Context()); err != nil {
				t.Fatal(err)
			}
			hash, err := auth.HashPassword(webtest.AnalystPassword)
			if err != nil {
				t.Fatal(err)
			}
			now := time.Now()
			if _, err := st.CreateUser(t.Context(), store.User{Name: "alan", Role: store.RoleAnalyst, PasswordHash: hash, CreatedAt: now, PasswordChangedAt: now}); err != nil {
				t.Fatal(err)
			}
			return st
		},
	}
	bodies := map[string]string{
		"name not UTF-8":     "name=%ff%fe&password=" + url.QueryEscape(webtest.AnalystPassword),
		"name with NUL":      "name=al%00an&password=" + url.QueryEscape(webtest.AnalystPassword),
		"password not UTF-8": "name=alan&password=%ff%fe%fd%fc%fb%fa%f9%f8%f7%f6%f5%f4",
		"password with NUL":  "name=alan&password=" + url.QueryEscape(webtest.AnalystPassword) + "%00",
	}
	for storeName, open := range stores {
		t.Run(storeName, func(t *testing.T) {
			accounts := open(t)
			authenticator, err := authn.New(authn.Config{Accounts: accounts, Logger: slog.New(slog.DiscardHandler)})
			if err != nil {
				t.Fatal(err)
			}
			st := webtest.NewStore()
			handler, err := web.New(web.Config{Store: st, Tracker: &webtest.Tracker{Store: st}, Analyzer: webtest.Analyzer,
				Logger: slog.New(slog.DiscardHandler), Accounts: accounts, Auth: authenticator})
			if err != nil {
				t.Fatal(err)
			}
			post := func(body string) *httptest.ResponseRecorder {
				r := httptest.NewRequest(http.MethodPost, "/signin", strings.NewReader(body))
				r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				w := httptest.NewRecorder()
				handler.ServeHTTP(w, r)
				return w
			}
			for name, body := range bodies {
				w := post(body)
				if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "not valid UTF-8 text") {
					t.Errorf("%s: status %d, want 400 with the sign-in page:\n%s", name, w.Code, w.Body.String())
				}
			}
			if n, err := accounts.CountAudit(t.Context(), store.AuditCount{Action: store.AuditSignInFailed, Address: "192.0.2.1"}); err != nil || n != 0 {
				t.Errorf("%d sign_in_failed events, %v; want none", n, err)
			}
			// The right name and password still sign in.
			if w := post("name=alan&password=" + url.QueryEscape(webtest.AnalystPassword)); w.Code != http.StatusSeeOther {
				t.Errorf("valid sign-in: status %d, want 303", w.Code)
			}
		})
	}
}
