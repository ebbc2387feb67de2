package web_test

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/reelpulse/reelpulse/internal/auth"
	"github.com/reelpulse/reelpulse/internal/authn"
	"github.com/reelpulse/reelpulse/internal/store"
	"github.com/reelpulse/reelpulse/internal/web"
	"github.com/reelpulse/reelpulse/internal/web/webtest"
)

// ssoFixture is a dashboard served on 127.0.0.1 with single sign-on
// through a loopback provider, and the accounts of webtest.NewAccounts.
type ssoFixture struct {
	app      *httptest.Server
	provider *webtest.OIDCProvider
	accounts *webtest.Accounts
	log      *lockedBuffer
}

// newSSOFixture starts the provider and the dashboard. cfg sets the
// options of the sign-in; the provider's address and the client are
// filled in, unless cfg names another issuer.
func newSSOFixture(t *testing.T, cfg authn.OIDCConfig) *ssoFixture {
	t.Helper()
	return newSSOFixtureAt(t, cfg, nil, nil)
}

// newSSOFixtureAt is newSSOFixture with the authenticator's clock (nil
// for time.Now) and a function that prepares the provider before the
// dashboard starts (nil for none).
func newSSOFixtureAt(t *testing.T, cfg authn.OIDCConfig, now func() time.Time, prepare func(p *webtest.OIDCProvider)) *ssoFixture {
	t.Helper()
	f := &ssoFixture{provider: webtest.NewOIDCProvider(t), log: &lockedBuffer{}}
	if prepare != nil {
		prepare(f.provider)
	}
	var handler http.Handler
	f.app = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	t.Cleanup(f.app.Close)

	logger := slog.New(slog.NewTextHandler(f.log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	f.accounts = webtest.NewAccountsWith(t, authn.Config{Logger: logger, BaseURL: f.app.URL, Now: now})
	if cfg.IssuerURL == "" {
		cfg.IssuerURL = f.provider.URL
	}
	cfg.ClientID, cfg.ClientSecret, cfg.BaseURL = webtest.OIDCClientID, webtest.OIDCClientSecret, f.app.URL
	sso, err := f.accounts.Auth.NewOIDC(t.Context(), cfg)
	if err != nil {
		t.Fatalf("NewOIDC: %v", err)
	}
	st := webtest.NewStore()
	handler, err = web.New(web.Config{Store: st, Tracker: &webtest.Tracker{Store: st}, Analyzer: webtest.Analyzer, Logger: logger,
		Accounts: f.accounts.Store, Auth: f.accounts.Auth, OIDC: sso})
	if err != nil {
		t.Fatalf("web.New: %v", err)
	}
	return f
}

// browser returns a client with its own cookie jar, as one browser.
func (f *ssoFixture) browser(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, Timeout: 10 * time.Second}
}

// signIn presses "Sign in with …" in browser, as the provider's account
// login, and follows the redirects to the end. It returns the last
// response's status, path and body.
func (f *ssoFixture) signIn(t *testing.T, browser *http.Client, login webtest.OIDCLogin) (int, string, string) {
	t.Helper()
	f.provider.SetLogin(login)
	resp, err := browser.Get(f.app.URL + authn.OIDCStartPath + "?next=%2Faccount")
	if err != nil {
		t.Fatalf("single sign-on: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Request.URL.Path, string(body)
}

// sessionUser returns the user of browser's session cookie, or nil when
// it has none.
func (f *ssoFixture) sessionUser(t *testing.T, browser *http.Client) *store.User {
	t.Helper()
	u, _ := url.Parse(f.app.URL)
	for _, c := range browser.Jar.Cookies(u) {
		if c.Name != authn.CookieName {
			continue
		}
		_, user, err := f.accounts.Store.SessionUser(t.Context(), auth.HashSecret(c.Value))
		if err != nil {
			t.Fatalf("session of the cookie: %v", err)
		}
		return &user
	}
	return nil
}

// lastAudit returns the newest audit event.
func (f *ssoFixture) lastAudit(t *testing.T) store.AuditEvent {
	t.Helper()
	events, err := f.accounts.Store.ListAudit(t.Context(), 1, 0)
	if err != nil || len(events) == 0 {
		t.Fatalf("list audit events: %v, %v", events, err)
	}
	return events[0]
}

func (f *ssoFixture) createUser(t *testing.T, name, role string, disabled bool) store.User {
	t.Helper()
	now := time.Now()
	u := store.User{Name: name, Role: role, PasswordHash: "$argon2id$unused", CreatedAt: now, PasswordChangedAt: now}
	if disabled {
		u.DisabledAt = &now
	}
	user, err := f.accounts.Store.CreateUser(t.Context(), u)
	if err != nil {
		t.Fatalf("create user %s: %v", name, err)
	}
	return user
}

func verified(subject, email string, groups ...string) webtest.OIDCLogin {
	return webtest.OIDCLogin{Subject: subject, Email: email, EmailVerified: true, Groups: groups}
}

func TestOIDCSignIn(t *testing.T) {
	studio := authn.OIDCConfig{CreateUsers: true, AllowedDomains: []string{"studio.example"},
		AdminClaim: "groups", AdminValues: []string{"reelpulse-admins"}}
	closed := studio
	closed.CreateUsers = false
	spoilt := func(change func(l *webtest.OIDCLogin)) webtest.OIDCLogin {
		login := verified("sub-carol", "carol@studio.example")
		change(&login)
		return login
	}

	tests := []struct {
		name  string
		cfg   authn.OIDCConfig
		users map[string]bool // created before, by name: whether disabled
		login webtest.OIDCLogin
		// wantUser and wantRole describe the signed-in user; empty when
		// the sign-in must be rejected with wantStatus and wantReason in
		// the audit log.
		wantUser   string
		wantRole   string
		wantStatus int
		wantReason string
		wantText   string // on the rejection page, when set
	}{
		{name: "new user", cfg: studio, login: verified("sub-carol", "carol@studio.example"),
			wantUser: "carol@studio.example", wantRole: store.RoleAnalyst},
		{name: "new admin from the groups claim", cfg: studio, login: verified("sub-carol", "Carol@Studio.example", "staff", "reelpulse-admins"),
			wantUser: "carol@studio.example", wantRole: store.RoleAdmin},
		{name: "existing user linked by email", cfg: closed, users: map[string]bool{"dana@studio.example": false},
			login: verified("sub-dana", "dana@studio.example"), wantUser: "dana@studio.example", wantRole: store.RoleAnalyst},
		{name: "any domain without a list", cfg: authn.OIDCConfig{CreateUsers: true}, login: verified("sub-erin", "erin@mail.example"),
			wantUser: "erin@mail.example", wantRole: store.RoleAnalyst},

		{name: "wrong state", cfg: studio, login: spoilt(func(l *webtest.OIDCLogin) { l.State = "forged" }),
			wantStatus: http.StatusBadRequest, wantReason: "state does not match"},
		{name: "missing nonce", cfg: studio, login: spoilt(func(l *webtest.OIDCLogin) { l.NoNonce = true }),
			wantStatus: http.StatusForbidden, wantReason: "nonce"},
		{name: "wrong nonce", cfg: studio, login: spoilt(func(l *webtest.OIDCLogin) { l.Nonce = "replayed" }),
			wantStatus: http.StatusForbidden, wantReason: "nonce"},
		{name: "expired token", cfg: studio, login: spoilt(func(l *webtest.OIDCLogin) { l.Expired = true }),
			wantStatus: http.StatusForbidden, wantReason: "expired"},
		{name: "wrong audience", cfg: studio, login: spoilt(func(l *webtest.OIDCLogin) { l.Audience = "another-client" }),
			wantStatus: http.StatusForbidden, wantReason: "audience"},
		{name: "signed by another key", cfg: studio, login: spoilt(func(l *webtest.OIDCLogin) { l.OtherKey = true }),
			wantStatus: http.StatusForbidden, wantReason: "signature"},
		{name: "token endpoint fault", cfg: studio, login: spoilt(func(l *webtest.OIDCLogin) { l.TokenFault = true }),
			wantStatus: http.StatusForbidden, wantReason: "could not be exchanged"},
		{name: "provider denied", cfg: studio, login: spoilt(func(l *webtest.OIDCLogin) { l.Denied = true }),
			wantStatus: http.StatusForbidden, wantReason: "access_denied"},
		{name: "unverified email", cfg: studio, login: spoilt(func(l *webtest.OIDCLogin) { l.EmailVerified = false }),
			wantStatus: http.StatusForbidden, wantReason: "email not verified"},
		{name: "unverified email of an existing user", cfg: closed, users: map[string]bool{"carol@studio.example": false},
			login: spoilt(func(l *webtest.OIDCLogin) { l.EmailVerified = false }), wantStatus: http.StatusForbidden, wantReason: "email not verified"},
		{name: "no email", cfg: studio, login: spoilt(func(l *webtest.OIDCLogin) { l.Email = "" }),
			wantStatus: http.StatusForbidden, wantReason: "no email"},
		{name: "domain not allowed", cfg: studio, login: verified("sub-mal", "mal@mail.example"),
			wantStatus: http.StatusForbidden, wantReason: "domain mail.example not allowed", wantText: "Ask an admin"},
		{name: "domain not allowed for an existing user", cfg: studio, users: map[string]bool{"mal@mail.example": false},
			login: verified("sub-mal", "mal@mail.example"), wantStatus: http.StatusForbidden, wantReason: "domain mail.example not allowed"},
		{name: "creation off", cfg: closed, login: verified("sub-carol", "carol@studio.example"),
			wantStatus: http.StatusForbidden, wantReason: "account creation is off", wantText: "Ask an admin to create a user"},
		{name: "disabled user", cfg: closed, users: map[string]bool{"carol@studio.example": true},
			login: verified("sub-carol", "carol@studio.example"), wantStatus: http.StatusForbidden, wantReason: "disabled", wantText: "Ask an admin to enable it"},
		{name: "email that names no valid user", cfg: studio, login: verified("sub-plus", "carol+films@studio.example"),
			wantStatus: http.StatusForbidden, wantReason: "is not a plain ASCII address"},
		{name: "Kelvin sign that folds into another user's name", cfg: studio, users: map[string]bool{"kate@studio.example": false},
			login: verified("sub-kelvin", "\u212aate@studio.example"), wantStatus: http.StatusForbidden, wantReason: "is not a plain ASCII address"},
		// The fixture's admin is named ada.
		{name: "email claim without a domain", cfg: authn.OIDCConfig{CreateUsers: true},
			login: verified("sub-ada", "ada"), wantStatus: http.StatusForbidden, wantReason: "is not a plain ASCII address"},
		{name: "domain with a trailing dot", cfg: authn.OIDCConfig{CreateUsers: true}, users: map[string]bool{"kate@studio.example": false},
			login: verified("sub-dot", "kate@studio.example."), wantStatus: http.StatusForbidden, wantReason: "is not a plain ASCII address"},
		{name: "user whose name differs in case", cfg: studio, users: map[string]bool{"Carol@Studio.example": false},
			login: verified("sub-carol", "carol@studio.example"), wantStatus: http.StatusForbidden,
			wantReason: "differs only in case from user Carol@Studio.example", wantText: "A reelpulse account named Carol@Studio.example exists"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newSSOFixture(t, tt.cfg)
			for name, disabled := range tt.users {
				f.createUser(t, name, store.RoleAnalyst, disabled)
			}
			browser := f.browser(t)
			status, path, body := f.signIn(t, browser, tt.login)
			user := f.sessionUser(t, browser)

			if tt.wantUser == "" {
				if user != nil {
					t.Errorf("rejected sign-in left a session of %s", user.Name)
				}
				if status != tt.wantStatus || path != authn.OIDCCallbackPath {
					t.Errorf("rejection answered %d at %s, want %d at %s", status, path, tt.wantStatus, authn.OIDCCallbackPath)
				}
				if !strings.Contains(body, "Not signed in") {
					t.Errorf("rejection page lacks its heading:\n%s", body)
				}
				event := f.lastAudit(t)
				if event.Action != store.AuditOIDCRejected || !strings.Contains(event.Detail, tt.wantReason) {
					t.Errorf("last audit event %s %q, want %s with %q", event.Action, event.Detail, store.AuditOIDCRejected, tt.wantReason)
				}
				if !strings.Contains(body, tt.wantText) {
					t.Errorf("rejection page lacks %q:\n%s", tt.wantText, body)
				}
				if strings.Contains(f.log.String(), webtest.OIDCClientSecret) {
					t.Errorf("log shows the client secret:\n%s", f.log)
				}
				return
			}

			if status != http.StatusOK || path != "/account" {
				t.Fatalf("sign-in ended with %d at %s, want 200 at /account:\n%s", status, path, body)
			}
			if user == nil || user.Name != tt.wantUser || user.Role != tt.wantRole {
				t.Fatalf("session user = %+v, want %s with role %s", user, tt.wantUser, tt.wantRole)
			}
			link, linked, err := f.accounts.Store.OIDCIdentityUser(t.Context(), f.provider.URL, tt.login.Subject)
			if err != nil || linked.ID != user.ID || link.Issuer != f.provider.URL {
				t.Errorf("link of %s = %+v to %+v, %v; want a link to %s", tt.login.Subject, link, linked, err, user.Name)
			}
			event := f.lastAudit(t)
			if event.Action != store.AuditOIDCSignIn || event.Target != user.Name {
				t.Errorf("last audit event %s of %q, want %s of %q", event.Action, event.Target, store.AuditOIDCSignIn, user.Name)
			}
			if tt.users == nil {
				events, _ := f.accounts.Store.ListAudit(t.Context(), 5, 0)
				if !hasAudit(events, store.AuditUserCreate, user.Name) {
					t.Errorf("no %s event for the new user in %+v", store.AuditUserCreate, events)
				}
			}
			// The new session is a dashboard session like a password's.
			resp, err := browser.Get(f.app.URL + "/account")
			if err != nil || resp.StatusCode != http.StatusOK {
				t.Errorf("account page with the new session: %v, %v", resp, err)
			}
			if resp != nil {
				resp.Body.Close()
			}
			if strings.Contains(f.log.String(), webtest.OIDCClientSecret) {
				t.Errorf("log shows the client secret:\n%s", f.log)
			}
		})
	}
}

func hasAudit(events []store.AuditEvent, action, target string) bool {
	for _, e := range events {
		if e.Action == action && e.Target == target {
			return true
		}
	}
	return false
}

// The admin claim is read at every sign-in: it promotes and demotes, but
// the last enabled admin stays admin.
func TestOIDCAdminClaimPromotesAndDemotes(t *testing.T) {
	f := newSSOFixture(t, authn.OIDCConfig{CreateUsers: true, AdminClaim: "groups", AdminValues: []string{"reelpulse-admins"}})
	ctx := t.Context()
	// ada, the fixture's admin, is linked to a provider account; alan
	// would be the last admin once ada is disabled.
	ada := f.accounts.Admin.User
	if err := f.accounts.Store.CreateOIDCIdentity(ctx, store.OIDCIdentity{Issuer: f.provider.URL, Subject: "sub-ada",
		UserID: ada.ID, CreatedAt: time.Now(), LastUsedAt: time.Now()}); err != nil {
		t.Fatalf("link ada: %v", err)
	}

	steps := []struct {
		name     string
		login    webtest.OIDCLogin
		wantUser string
		wantRole string
	}{
		{"last admin keeps the role", verified("sub-ada", "ada@studio.example"), "ada", store.RoleAdmin},
		{"new admin", verified("sub-erin", "erin@studio.example", "reelpulse-admins"), "erin@studio.example", store.RoleAdmin},
		{"admin demoted", verified("sub-ada", "ada@studio.example", "staff"), "ada", store.RoleAnalyst},
		{"analyst promoted", verified("sub-ada", "ada@studio.example", "reelpulse-admins"), "ada", store.RoleAdmin},
		{"renamed email keeps the link", verified("sub-erin", "erin.new@studio.example"), "erin@studio.example", store.RoleAnalyst},
	}
	for _, step := range steps {
		browser := f.browser(t)
		if status, path, body := f.signIn(t, browser, step.login); status != http.StatusOK || path != "/account" {
			t.Fatalf("%s: sign-in ended with %d at %s:\n%s", step.name, status, path, body)
		}
		user := f.sessionUser(t, browser)
		if user == nil || user.Name != step.wantUser || user.Role != step.wantRole {
			t.Errorf("%s: session user %+v, want %s with role %s", step.name, user, step.wantUser, step.wantRole)
		}
	}
	if !strings.Contains(f.log.String(), "last enabled admin") {
		t.Errorf("log does not tell that the last admin kept the role:\n%s", f.log)
	}
	events, _ := f.accounts.Store.ListAudit(ctx, 50, 0)
	if !hasAudit(events, store.AuditUserRole, "ada") {
		t.Errorf("no %s event for ada in %+v", store.AuditUserRole, events)
	}
}

// TestOIDCCallbackWithoutFlow sends a callback without the flow cookie, as
// a link planted by another site would. It starts no session and exchanges
// no code.
func TestOIDCCallbackWithoutFlow(t *testing.T) {
	f := newSSOFixture(t, authn.OIDCConfig{CreateUsers: true})
	browser := f.browser(t)
	resp, err := browser.Get(f.app.URL + authn.OIDCCallbackPath + "?code=stolen&state=forged")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "start again") {
		t.Errorf("callback without flow = %d:\n%s", resp.StatusCode, body)
	}
	if f.sessionUser(t, browser) != nil || f.provider.Exchanges() != 0 {
		t.Errorf("callback without flow left a session or exchanged %d codes", f.provider.Exchanges())
	}
	// Anyone can send it, so it must not fill the audit log.
	events, err := f.accounts.Store.ListAudit(t.Context(), 10, 0)
	if err != nil {
		t.Fatal(err)
	}
	if hasAudit(events, store.AuditOIDCRejected, "") {
		t.Errorf("callback without flow was audited: %+v", events)
	}
}

// TestOIDCSecondSubjectNotLinked signs in with a second provider account of
// the same email. The user stays linked to the first one only.
func TestOIDCSecondSubjectNotLinked(t *testing.T) {
	f := newSSOFixture(t, authn.OIDCConfig{CreateUsers: true})
	if status, path, body := f.signIn(t, f.browser(t), verified("sub-1", "alice@studio.example")); status != http.StatusOK || path != "/account" {
		t.Fatalf("first sign-in ended with %d at %s:\n%s", status, path, body)
	}

	browser := f.browser(t)
	status, _, body := f.signIn(t, browser, verified("sub-2", "alice@studio.example"))
	if status != http.StatusForbidden || !strings.Contains(body, "is linked to another sign-in of your provider") {
		t.Errorf("second provider account = %d:\n%s", status, body)
	}
	if user := f.sessionUser(t, browser); user != nil {
		t.Errorf("the second provider account signed in as %s", user.Name)
	}
	links, err := f.accounts.Store.ListOIDCIdentities(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(links) != 1 || links[0].Subject != "sub-1" {
		t.Errorf("links = %+v, want only sub-1", links)
	}
}

// TestOIDCConcurrentFirstSignIn signs one new provider account in from
// several browsers at once, as a double click does. Every sign-in ends as
// the one user it creates.
func TestOIDCConcurrentFirstSignIn(t *testing.T) {
	f := newSSOFixture(t, authn.OIDCConfig{CreateUsers: true})
	f.provider.SetLogin(verified("sub-neo", "neo@studio.example"))

	statuses := make([]int, 6)
	var wg sync.WaitGroup
	for i := range statuses {
		browser := f.browser(t)
		wg.Go(func() {
			resp, err := browser.Get(f.app.URL + authn.OIDCStartPath + "?next=%2Faccount")
			if err != nil {
				t.Errorf("sign-in %d: %v", i, err)
				return
			}
			resp.Body.Close()
			statuses[i] = resp.StatusCode
		})
	}
	wg.Wait()

	for i, status := range statuses {
		if status != http.StatusOK {
			t.Errorf("sign-in %d ended with %d, want 200", i, status)
		}
	}

	users, err := f.accounts.Store.ListUsers(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	named := 0
	for _, u := range users {
		if u.Name == "neo@studio.example" {
			named++
		}
	}
	if named != 1 {
		t.Errorf("%d users named neo@studio.example, want 1", named)
	}
}

// The sign-in page shows the button, and the admin users page which users
// have a provider account.
func TestOIDCPages(t *testing.T) {
	f := newSSOFixture(t, authn.OIDCConfig{CreateUsers: true, DisplayName: "Studio ID"})
	if status, _, body := f.signIn(t, f.browser(t), verified("sub-carol", "carol@studio.example")); status != http.StatusOK {
		t.Fatalf("sign-in = %d:\n%s", status, body)
	}
	resp, err := http.Get(f.app.URL + "/signin")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(page), `href="/signin/oidc?next=%2f"`) || !strings.Contains(string(page), "Sign in with Studio ID") {
		t.Errorf("sign-in page lacks the single sign-on button:\n%s", page)
	}
	if !strings.Contains(string(page), `data-testid="signin-form"`) {
		t.Errorf("sign-in page lost the password form:\n%s", page)
	}

	req, _ := http.NewRequest(http.MethodGet, f.app.URL+"/admin/users", nil)
	webtest.SignIn(req, f.accounts.Admin)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	admin, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`data-testid="oidc-carol@studio.example"><span class="badge badge-ok" title="` + f.provider.URL + `">linked`,
		`data-testid="oidc-ada"><span class="muted">none`} {
		if !strings.Contains(string(admin), want) {
			t.Errorf("admin users page lacks %q:\n%s", want, admin)
		}
	}
}

// TestOIDCProviderDown checks that while the provider cannot be reached,
// the button leads to a page that reports it and passwords keep working.
// The provider is tried again later.
func TestOIDCProviderDown(t *testing.T) {
	down := httptest.NewServer(http.NotFoundHandler())
	issuer := down.URL
	down.Close()
	f := newSSOFixture(t, authn.OIDCConfig{IssuerURL: issuer})
	if !strings.Contains(f.log.String(), "discovery document") {
		t.Errorf("log does not report the failed discovery:\n%s", f.log)
	}
	status, _, body := f.signIn(t, f.browser(t), verified("sub-carol", "carol@studio.example"))
	if status != http.StatusBadGateway || !strings.Contains(body, "sign in with your password") {
		t.Errorf("sign-in while the provider is down = %d:\n%s", status, body)
	}
	resp, err := f.browser(t).PostForm(f.app.URL+"/signin", url.Values{"name": {"ada"}, "password": {webtest.AdminPassword}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/" {
		t.Errorf("password sign-in while the provider is down ended with %d at %s", resp.StatusCode, resp.Request.URL.Path)
	}
}

// A provider that is down at the start is read again at a sign-in once 10
// seconds have passed since the last failure.
func TestOIDCDiscoveryRetried(t *testing.T) {
	var offset atomic.Int64 // nanoseconds added to the clock
	now := func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	f := newSSOFixtureAt(t, authn.OIDCConfig{CreateUsers: true}, now, func(p *webtest.OIDCProvider) { p.SetDown(true) })
	login := verified("sub-carol", "carol@studio.example")

	if status, _, _ := f.signIn(t, f.browser(t), login); status != http.StatusBadGateway {
		t.Errorf("sign-in while the provider is down = %d, want 502", status)
	}
	f.provider.SetDown(false)
	if status, _, _ := f.signIn(t, f.browser(t), login); status != http.StatusBadGateway {
		t.Errorf("sign-in within 10 seconds of the failure = %d, want 502 without a new discovery", status)
	}
	offset.Store(int64(11 * time.Second))
	browser := f.browser(t)
	if status, path, body := f.signIn(t, browser, login); status != http.StatusOK || path != "/account" {
		t.Fatalf("sign-in after the provider came back ended with %d at %s:\n%s", status, path, body)
	}
	if user := f.sessionUser(t, browser); user == nil || user.Name != "carol@studio.example" {
		t.Errorf("session user = %+v, want carol@studio.example", user)
	}
}

// A single sign-on in a browser that has a session ends that session and
// starts a new one with a new id, as a password sign-in does.
func TestOIDCSignInReplacesSession(t *testing.T) {
	f := newSSOFixture(t, authn.OIDCConfig{CreateUsers: true})
	browser := f.browser(t)
	appURL, _ := url.Parse(f.app.URL)
	old := f.accounts.Analyst.Session
	browser.Jar.SetCookies(appURL, []*http.Cookie{{Name: authn.CookieName, Value: old, Path: "/"}})

	if status, path, body := f.signIn(t, browser, verified("sub-carol", "carol@studio.example")); status != http.StatusOK || path != "/account" {
		t.Fatalf("sign-in ended with %d at %s:\n%s", status, path, body)
	}
	if user := f.sessionUser(t, browser); user == nil || user.Name != "carol@studio.example" {
		t.Errorf("session user = %+v, want carol@studio.example", user)
	}
	for _, c := range browser.Jar.Cookies(appURL) {
		if c.Name == authn.CookieName && c.Value == old {
			t.Error("the browser kept its old session id")
		}
	}
	if _, _, err := f.accounts.Store.SessionUser(t.Context(), auth.HashSecret(old)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("old session after the sign-in: %v, want it deleted", err)
	}
}
