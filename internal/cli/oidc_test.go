package cli

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/reelpulse/reelpulse/internal/authn"
	"github.com/reelpulse/reelpulse/internal/jobs"
	"github.com/reelpulse/reelpulse/internal/web/webtest"
)

// TestServeOffersSingleSignOn checks that the serving handler turns the
// REELPULSE_OIDC_* settings into the sign-in button and a redirect to the
// provider with PKCE and the callback under REELPULSE_BASE_URL.
func TestServeOffersSingleSignOn(t *testing.T) {
	ctx := context.Background()
	provider := webtest.NewOIDCProvider(t)
	a := testApp(t, exampleSite(1), "")
	var logs bytes.Buffer
	a.logger = slog.New(slog.NewTextHandler(&logs, nil))
	a.cfg.BaseURL = "https://reelpulse.example.org"
	a.cfg.OIDC.IssuerURL = provider.URL
	a.cfg.OIDC.ClientID = webtest.OIDCClientID
	a.cfg.OIDC.ClientSecret = webtest.OIDCClientSecret
	a.cfg.OIDC.DisplayName = "Studio ID"
	queue, err := a.queue(ctx, jobs.InsertOnly)
	if err != nil {
		t.Fatal(err)
	}
	handler, err := a.handler(jobs.NewTracker(a.store, queue, a.logger, time.Now), queue, "")
	if err != nil {
		t.Fatal(err)
	}
	testAdmin(t, a)

	get := func(target string) *httptest.ResponseRecorder {
		recorder := httptest.NewRecorder()
		handler.ServeHTTP(recorder, httptest.NewRequest(http.MethodGet, target, nil))
		return recorder
	}
	if page := get("/signin"); page.Code != http.StatusOK || !strings.Contains(page.Body.String(), "Sign in with Studio ID") {
		t.Errorf("GET /signin = %d without the single sign-on button:\n%s", page.Code, page.Body)
	}

	start := get(authn.OIDCStartPath + "?next=%2Fcompare")
	location, err := url.Parse(start.Header().Get("Location"))
	if start.Code != http.StatusSeeOther || err != nil {
		t.Fatalf("GET %s = %d to %q, want 303 to the provider", authn.OIDCStartPath, start.Code, start.Header().Get("Location"))
	}
	query := location.Query()
	if got := location.Scheme + "://" + location.Host + location.Path; got != provider.URL+"/authorize" {
		t.Errorf("redirect to %s, want the provider's authorization endpoint", got)
	}
	for key, want := range map[string]string{
		"client_id":             webtest.OIDCClientID,
		"redirect_uri":          "https://reelpulse.example.org" + authn.OIDCCallbackPath,
		"response_type":         "code",
		"code_challenge_method": "S256",
	} {
		if got := query.Get(key); got != want {
			t.Errorf("authorization %s = %q, want %q", key, got, want)
		}
	}
	for _, key := range []string{"state", "nonce", "code_challenge"} {
		if query.Get(key) == "" {
			t.Errorf("authorization request lacks %s", key)
		}
	}
	if !strings.Contains(query.Get("scope"), "openid") || !strings.Contains(query.Get("scope"), "email") {
		t.Errorf("scope = %q, want openid and email", query.Get("scope"))
	}
	cookie := start.Result().Cookies()
	if len(cookie) != 1 || !cookie[0].HttpOnly || !cookie[0].Secure || cookie[0].SameSite != http.SameSiteLaxMode || cookie[0].Path != authn.OIDCStartPath {
		t.Errorf("flow cookie = %+v, want one HttpOnly, Secure, SameSite=Lax cookie for %s", cookie, authn.OIDCStartPath)
	}
	if strings.Contains(logs.String(), webtest.OIDCClientSecret) {
		t.Errorf("log shows the client secret:\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), "Single sign-on ready") {
		t.Errorf("log does not report the provider:\n%s", logs.String())
	}
}
