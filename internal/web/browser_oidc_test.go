package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/reelpulse/reelpulse/internal/authn"
	"github.com/reelpulse/reelpulse/internal/testutil"
)

// TestBrowserOIDCSignIn presses the single sign-on button in headless
// Chromium, under the dashboard's Content-Security-Policy, and comes back
// signed in from the loopback provider.
func TestBrowserOIDCSignIn(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	f := newSSOFixture(t, authn.OIDCConfig{CreateUsers: true, DisplayName: "Studio ID"})
	f.provider.SetLogin(verified("sub-carol", "carol@studio.example"))

	browser, problems := testutil.StartBrowser(t, ctx)
	step := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(browser, actions...); err != nil {
			location, _ := chromedp.Run(browser, chromedp.Location())
			t.Fatalf("%s (at %s): %v", what, location, err)
		}
	}

	step("open a page signed out",
		chromedp.Navigate(f.app.URL+"/account"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="sso-submit"]`)))
	button, err := chromedp.Run(browser, chromedp.Text(chromedp.CSS(`[data-testid="sso-submit"]`)))
	if err != nil || button != "Sign in with Studio ID" {
		t.Errorf("button text = %q, %v; want Sign in with Studio ID", button, err)
	}
	saveScreenshot(t, browser, "signin-sso")
	step("sign in through the provider",
		chromedp.Click(chromedp.CSS(`[data-testid="sso-submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="viewer"]`)))
	location, err := chromedp.Run(browser, chromedp.Location())
	if err != nil || location != f.app.URL+"/account" {
		t.Errorf("after the sign-in at %s, %v; want %s/account", location, err, f.app.URL)
	}
	viewer, err := chromedp.Run(browser, chromedp.Text(chromedp.CSS(`[data-testid="viewer"]`)))
	if err != nil || viewer != "carol@studio.example" {
		t.Errorf("signed-in name = %q, %v; want carol@studio.example", viewer, err)
	}
	cookies, err := chromedp.Run(browser, chromedp.Evaluate[string](`document.cookie`))
	if err != nil || strings.Contains(cookies, authn.CookieName) || strings.Contains(cookies, "reelpulse_oidc") {
		t.Errorf("document.cookie = %q, %v: the session and flow cookies must be HttpOnly", cookies, err)
	}
	problems.Check(t, browser)
}
