package cli

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/reelpulse/reelpulse/internal/auth"
	"github.com/reelpulse/reelpulse/internal/jobs"
	"github.com/reelpulse/reelpulse/internal/store"
	"github.com/reelpulse/reelpulse/internal/web/webtest"
)

// testAdmin creates an admin in a's store with a session and an API token,
// for tests that drive the dashboard and the API.
func testAdmin(t *testing.T, a *app) webtest.Member {
	t.Helper()
	ctx := context.Background()
	accounts, err := a.accounts()
	if err != nil {
		t.Fatal(err)
	}
	hash, err := auth.HashPassword(webtest.AdminPassword)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	user, err := accounts.CreateUser(ctx, store.User{Name: "test-admin", Role: store.RoleAdmin, PasswordHash: hash, CreatedAt: now, PasswordChangedAt: now})
	if err != nil {
		t.Fatalf("create the test admin: %v", err)
	}
	m := webtest.Member{User: user, Password: webtest.AdminPassword, Session: auth.NewSessionID(), Token: auth.NewAPIToken()}
	err = accounts.CreateSession(ctx, store.Session{Hash: auth.HashSecret(m.Session), UserID: user.ID,
		CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(24 * time.Hour)})
	if err != nil {
		t.Fatalf("create a session of the test admin: %v", err)
	}
	_, err = accounts.CreateToken(ctx, store.APIToken{UserID: user.ID, Hash: auth.HashSecret(m.Token), Prefix: auth.TokenDisplayPrefix(m.Token), CreatedAt: now})
	if err != nil {
		t.Fatalf("create a token of the test admin: %v", err)
	}
	return m
}

// signedInHandler returns a.handler with every request signed in as a new
// admin.
func signedInHandler(t *testing.T, a *app, tracker *jobs.Tracker, queue *jobs.Queue) http.Handler {
	t.Helper()
	handler, err := a.handler(tracker, queue, "")
	if err != nil {
		t.Fatal(err)
	}
	return webtest.AsMember(handler, testAdmin(t, a))
}

// signedInTransport adds a member's session cookie and CSRF header to every
// request, for tests that call a running server.
type signedInTransport struct{ member webtest.Member }

func (s signedInTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	webtest.SignIn(r, s.member)
	return http.DefaultTransport.RoundTrip(r)
}

// TestServeGuardsMetricsAndOffersSetup checks the serving handler of the
// dashboard: /metrics only for admins, /readyz public, and, while no user
// exists, the first-admin setup from another machine with the logged
// token only.
func TestServeGuardsMetricsAndOffersSetup(t *testing.T) {
	ctx := context.Background()
	a := testApp(t, exampleSite(1), "")
	var logs bytes.Buffer
	a.logger = slog.New(slog.NewTextHandler(&logs, nil))
	queue, err := a.queue(ctx, jobs.InsertOnly)
	if err != nil {
		t.Fatal(err)
	}
	tracker := jobs.NewTracker(a.store, queue, a.logger, time.Now)

	token, err := a.setupToken(ctx)
	if err != nil || token == "" {
		t.Fatalf("setup token = %q, %v; want one while no user exists", token, err)
	}
	handler, err := a.handler(tracker, queue, token)
	if err != nil {
		t.Fatal(err)
	}
	a.logSetup("http://127.0.0.1:8080", token)
	if !strings.Contains(logs.String(), "http://127.0.0.1:8080/setup?token="+token) {
		t.Errorf("the log lacks the setup address:\n%s", logs.String())
	}
	// A server listening on every address logs a loopback one, which a
	// browser can open.
	logs.Reset()
	a.logSetup("http://0.0.0.0:8080", token)
	if !strings.Contains(logs.String(), "http://127.0.0.1:8080/setup?token="+token) {
		t.Errorf("the log lacks the loopback setup address for 0.0.0.0:\n%s", logs.String())
	}
	status := func(target string, prepare func(r *http.Request)) int {
		r := httptest.NewRequest(http.MethodGet, target, nil)
		r.RemoteAddr = "192.0.2.10:40000"
		if prepare != nil {
			prepare(r)
		}
		recorder := httptest.NewRecorder()
		handler.ServeHTTP(recorder, r)
		return recorder.Code
	}
	if got := status("/setup", nil); got != http.StatusForbidden {
		t.Errorf("GET /setup from another machine without the token: status %d, want 403", got)
	}
	if got := status("/setup?token="+token, nil); got != http.StatusOK {
		t.Errorf("GET /setup with the logged token: status %d, want 200", got)
	}

	admin := testAdmin(t, a)
	if token, err := a.setupToken(ctx); err != nil || token != "" {
		t.Errorf("setup token with a user = %q, %v; want none", token, err)
	}
	if got := status("/metrics", nil); got != http.StatusUnauthorized {
		t.Errorf("anonymous GET /metrics: status %d, want 401", got)
	}
	if got := status("/metrics", func(r *http.Request) { webtest.Bearer(r, admin) }); got != http.StatusOK {
		t.Errorf("admin GET /metrics: status %d, want 200", got)
	}
	if got := status("/readyz", nil); got != http.StatusOK {
		t.Errorf("anonymous GET /readyz: status %d, want 200", got)
	}
	if got := status("/api/v1/movies", nil); got != http.StatusUnauthorized {
		t.Errorf("anonymous GET /api/v1/movies: status %d, want 401", got)
	}
}

// TestServeTrustsListedProxies checks that the serving handler reads the
// client address from X-Forwarded-For only for requests from
// REELPULSE_TRUSTED_PROXIES, by the address that failed sign-ins record.
func TestServeTrustsListedProxies(t *testing.T) {
	ctx := context.Background()
	a := testApp(t, exampleSite(1), "")
	a.cfg.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	queue, err := a.queue(ctx, jobs.InsertOnly)
	if err != nil {
		t.Fatal(err)
	}
	handler, err := a.handler(jobs.NewTracker(a.store, queue, a.logger, time.Now), queue, "")
	if err != nil {
		t.Fatal(err)
	}
	testAdmin(t, a)
	accounts, err := a.accounts()
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name, peer, want string
	}{
		{"through a listed proxy", "10.0.0.1:40000", "203.0.113.7"},
		{"from another peer", "192.0.2.10:40000", "192.0.2.10"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form := url.Values{"name": {"test-admin"}, "password": {"wrong password"}}
			r := httptest.NewRequest(http.MethodPost, "/signin", strings.NewReader(form.Encode()))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			r.Header.Set("X-Forwarded-For", "198.51.100.1, 203.0.113.7")
			r.RemoteAddr = tt.peer
			recorder := httptest.NewRecorder()
			handler.ServeHTTP(recorder, r)
			if recorder.Code != http.StatusUnauthorized {
				t.Fatalf("sign-in with a wrong password: status %d, want 401", recorder.Code)
			}
			events, err := accounts.ListAudit(ctx, 1, 0)
			if err != nil {
				t.Fatal(err)
			}
			if len(events) != 1 || events[0].Action != store.AuditSignInFailed {
				t.Fatalf("latest audit event = %+v, want sign_in_failed", events)
			}
			if events[0].Address != tt.want {
				t.Errorf("recorded address %q, want %q", events[0].Address, tt.want)
			}
		})
	}
}

// TestPruneAccountsKeepsRecentAudit checks that the hourly cleanup deletes
// audit events older than REELPULSE_AUDIT_RETENTION, and none when it is 0.
func TestPruneAccountsKeepsRecentAudit(t *testing.T) {
	ctx := context.Background()
	a := testApp(t, exampleSite(1), "")
	accounts, err := a.accounts()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for _, age := range []time.Duration{48 * time.Hour, time.Hour} {
		if _, err := accounts.RecordAudit(ctx, store.AuditEvent{At: now.Add(-age), Action: store.AuditSignIn, Target: "ada"}); err != nil {
			t.Fatal(err)
		}
	}
	count := func() int {
		n, err := accounts.CountAudit(ctx, store.AuditCount{Action: store.AuditSignIn, Since: now.Add(-1000 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}

	a.cfg.AuditRetention = 0
	a.pruneAccountsOnce(ctx, accounts, now)
	if n := count(); n != 2 {
		t.Errorf("%d events left with no retention, want 2", n)
	}
	a.cfg.AuditRetention = 24 * time.Hour
	a.pruneAccountsOnce(ctx, accounts, now)
	if n := count(); n != 1 {
		t.Errorf("%d events left with a day's retention, want the recent 1", n)
	}
}
