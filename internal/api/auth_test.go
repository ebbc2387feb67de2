package api_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/reelpulse/reelpulse/internal/api"
	"github.com/reelpulse/reelpulse/internal/auth"
	"github.com/reelpulse/reelpulse/internal/authn"
	"github.com/reelpulse/reelpulse/internal/store"
	"github.com/reelpulse/reelpulse/internal/web/webtest"
)

// authAPI is the API with real accounts and no default user.
type authAPI struct {
	accounts *webtest.Accounts
	handler  http.Handler
	now      time.Time
}

func newAuthAPI(t *testing.T) *authAPI {
	t.Helper()
	st := webtest.NewStore()
	now := time.Now().UTC().Truncate(time.Millisecond)
	if _, err := webtest.Seed(context.Background(), st, now); err != nil {
		t.Fatal(err)
	}
	clock := func() time.Time { return now }
	accounts := webtest.NewAccounts(t, clock)
	handler := api.New(api.Config{Store: st, Tracker: &webtest.Tracker{Store: st}, Analyzer: webtest.Analyzer,
		Logger: slog.New(slog.DiscardHandler), Now: clock, Accounts: accounts.Store, Auth: accounts.Auth})
	return &authAPI{accounts: accounts, handler: handler, now: now}
}

func (a *authAPI) do(t *testing.T, method, target string, prepare func(r *http.Request)) (*http.Response, string) {
	t.Helper()
	var body io.Reader
	if method == http.MethodPost {
		body = strings.NewReader(`{"id":"tt0000009"}`)
	}
	r := httptest.NewRequest(method, target, body)
	if body != nil {
		r.Header.Set("Content-Type", "application/json")
	}
	if prepare != nil {
		prepare(r)
	}
	recorder := httptest.NewRecorder()
	a.handler.ServeHTTP(recorder, r)
	data, _ := io.ReadAll(recorder.Result().Body)
	return recorder.Result(), string(data)
}

func bearer(token string) func(r *http.Request) {
	return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+token) }
}

func TestAPIRefusesAnonymousRequests(t *testing.T) {
	a := newAuthAPI(t)
	for _, route := range api.Routes() {
		target := strings.ReplaceAll(route.Pattern, "{id}", webtest.MovieID)
		response, body := a.do(t, route.Method, target, nil)
		if route.Pattern == "/api/v1/openapi.json" {
			if response.StatusCode != http.StatusOK {
				t.Errorf("GET %s: status %d, want 200: the document is public", target, response.StatusCode)
			}
			continue
		}
		if response.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(response.Header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("%s %s: status %d, WWW-Authenticate %q; want 401 Bearer", route.Method, target, response.StatusCode, response.Header.Get("WWW-Authenticate"))
		}
		var e struct{ Error string }
		if json.Unmarshal([]byte(body), &e) != nil || !strings.Contains(e.Error, "Authorization: Bearer") {
			t.Errorf("%s %s: body %s, want a JSON error that tells how to authenticate", route.Method, target, body)
		}
	}
}

func TestAPITokens(t *testing.T) {
	a := newAuthAPI(t)
	ctx := context.Background()
	analyst := a.accounts.Analyst
	newToken := func(expires *time.Time) (string, store.APIToken) {
		secret := auth.NewAPIToken()
		record, err := a.accounts.Store.CreateToken(ctx, store.APIToken{UserID: analyst.User.ID, Hash: auth.HashSecret(secret),
			Prefix: auth.TokenDisplayPrefix(secret), CreatedAt: a.now, ExpiresAt: expires})
		if err != nil {
			t.Fatal(err)
		}
		return secret, record
	}
	inAnHour, anHourAgo := a.now.Add(time.Hour), a.now.Add(-time.Hour)
	valid, validRecord := newToken(&inAnHour)
	expired, _ := newToken(&anHourAgo)
	revoked, revokedRecord := newToken(nil)
	if err := a.accounts.Store.RevokeToken(ctx, analyst.User.ID, revokedRecord.ID, a.now); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name   string
		header string
		status int
		reason string
	}{
		{"valid token", "Bearer " + valid, http.StatusOK, ""},
		{"lower-case scheme", "bearer " + valid, http.StatusOK, ""},
		{"expired token", "Bearer " + expired, http.StatusUnauthorized, "expired"},
		{"revoked token", "Bearer " + revoked, http.StatusUnauthorized, "revoked"},
		{"unknown token", "Bearer " + auth.NewAPIToken(), http.StatusUnauthorized, "unknown"},
		{"malformed token", "Bearer rp_short", http.StatusUnauthorized, "not a reelpulse API token"},
		{"basic credentials", "Basic YWxhbjpwYXNzd29yZA==", http.StatusUnauthorized, "Bearer rp_"},
	}
	for _, tt := range tests {
		response, body := a.do(t, http.MethodGet, "/api/v1/movies", func(r *http.Request) { r.Header.Set("Authorization", tt.header) })
		if response.StatusCode != tt.status || !strings.Contains(body, tt.reason) {
			t.Errorf("%s: status %d, body %s; want %d mentioning %q", tt.name, response.StatusCode, body, tt.status, tt.reason)
		}
		if tt.status == http.StatusUnauthorized && !strings.Contains(response.Header.Get("WWW-Authenticate"), `error="invalid_token"`) {
			t.Errorf("%s: WWW-Authenticate %q, want error=\"invalid_token\"", tt.name, response.Header.Get("WWW-Authenticate"))
		}
	}
	tokens, _ := a.accounts.Store.ListTokens(ctx, analyst.User.ID)
	for _, tok := range tokens {
		if tok.ID == validRecord.ID && (tok.LastUsedAt == nil || !tok.LastUsedAt.Equal(a.now)) {
			t.Errorf("the token's last use = %v, want %v", tok.LastUsedAt, a.now)
		}
	}

	// The token works until it is revoked.
	if err := a.accounts.Store.RevokeToken(ctx, analyst.User.ID, validRecord.ID, a.now); err != nil {
		t.Fatal(err)
	}
	if response, _ := a.do(t, http.MethodGet, "/api/v1/movies", bearer(valid)); response.StatusCode != http.StatusUnauthorized {
		t.Errorf("revoked token: status %d, want 401", response.StatusCode)
	}

	// A disabled user's tokens stop working.
	if response, _ := a.do(t, http.MethodGet, "/api/v1/movies", bearer(analyst.Token)); response.StatusCode != http.StatusOK {
		t.Fatalf("the analyst's token: status %d", response.StatusCode)
	}
	if err := a.accounts.Store.SetUserDisabled(ctx, analyst.User.ID, &a.now); err != nil {
		t.Fatal(err)
	}
	if response, body := a.do(t, http.MethodGet, "/api/v1/movies", bearer(analyst.Token)); response.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "disabled") {
		t.Errorf("token of a disabled user: status %d, body %s; want 401", response.StatusCode, body)
	}
}

func TestAPISessionNeedsCSRFHeader(t *testing.T) {
	a := newAuthAPI(t)
	admin := a.accounts.Admin
	cookie := func(r *http.Request) { r.AddCookie(admin.Cookie()) }
	if response, _ := a.do(t, http.MethodGet, "/api/v1/movies", cookie); response.StatusCode != http.StatusOK {
		t.Errorf("GET with the session cookie: status %d, want 200", response.StatusCode)
	}
	if response, _ := a.do(t, http.MethodPost, "/api/v1/movies", cookie); response.StatusCode != http.StatusForbidden {
		t.Errorf("POST with the session cookie and no CSRF header: status %d, want 403", response.StatusCode)
	}
	withHeader := func(r *http.Request) { cookie(r); r.Header.Set(authn.CSRFHeader, admin.CSRF()) }
	if response, body := a.do(t, http.MethodPost, "/api/v1/movies", withHeader); response.StatusCode != http.StatusCreated {
		t.Errorf("POST with the session cookie and the CSRF header: status %d, want 201: %s", response.StatusCode, body)
	}
	crossSite := func(r *http.Request) {
		bearer(admin.Token)(r)
		r.Header.Set("Sec-Fetch-Site", "cross-site")
		r.Header.Set("Origin", "https://evil.example")
	}
	if response, _ := a.do(t, http.MethodPost, "/api/v1/movies", crossSite); response.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site browser POST: status %d, want 403", response.StatusCode)
	}
}

func TestAPIAdminEndpoint(t *testing.T) {
	a := newAuthAPI(t)
	response, body := a.do(t, http.MethodGet, "/api/v1/admin/users", bearer(a.accounts.Analyst.Token))
	if response.StatusCode != http.StatusForbidden || strings.Contains(body, "ada") {
		t.Errorf("analyst GET /api/v1/admin/users: status %d, body %s; want 403 without the users", response.StatusCode, body)
	}
	response, body = a.do(t, http.MethodGet, "/api/v1/admin/users", bearer(a.accounts.Admin.Token))
	if response.StatusCode != http.StatusOK || !strings.Contains(body, `"name":"alan"`) || strings.Contains(body, "argon2") {
		t.Errorf("admin GET /api/v1/admin/users: status %d, body %s; want the users without hashes", response.StatusCode, body)
	}
}

// TestOpenAPIDocumentsAuthentication checks that every operation but the
// document itself lists the 401 response and that the scheme is declared.
func TestOpenAPIDocumentsAuthentication(t *testing.T) {
	doc, data := readOpenAPI(t)
	if !strings.Contains(string(data), `"bearerAuth": {`) {
		t.Error("openapi.json declares no bearerAuth security scheme")
	}
	for _, route := range api.Routes() {
		var operation struct {
			Responses map[string]json.RawMessage `json:"responses"`
		}
		if err := json.Unmarshal(doc.Paths[route.Pattern][strings.ToLower(route.Method)], &operation); err != nil {
			t.Fatalf("%s %s: %v", route.Method, route.Pattern, err)
		}
		_, has401 := operation.Responses["401"]
		if want := route.Pattern != "/api/v1/openapi.json"; has401 != want {
			t.Errorf("%s %s documents 401: %v, want %v", route.Method, route.Pattern, has401, want)
		}
	}
}
