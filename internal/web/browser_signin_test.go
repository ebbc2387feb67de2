package web_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/reelpulse/reelpulse/internal/authn"
	"github.com/reelpulse/reelpulse/internal/store"
	"github.com/reelpulse/reelpulse/internal/testutil"
	"github.com/reelpulse/reelpulse/internal/web"
	"github.com/reelpulse/reelpulse/internal/web/webtest"
)

// TestBrowserSignIn walks through the accounts in headless Chromium: the
// first admin is created from the loopback address, signs out, fails a
// sign-in, signs in, opens the admin console and signs out again.
func TestBrowserSignIn(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()

	st := webtest.NewStore()
	if _, err := webtest.Seed(ctx, st, time.Now()); err != nil {
		t.Fatalf("seed store: %v", err)
	}
	accounts := webtest.NewAccountsWith(t, authn.Config{})
	for _, u := range []store.User{accounts.Admin.User, accounts.Analyst.User} {
		if err := accounts.Store.DeleteUser(ctx, u.ID); err != nil {
			t.Fatal(err)
		}
	}
	handler, err := web.New(web.Config{Store: st, Tracker: &webtest.Tracker{Store: st}, Analyzer: webtest.Analyzer,
		Logger: slog.New(slog.DiscardHandler), Accounts: accounts.Store, Auth: accounts.Auth, Jobs: &fakeJobs{}})
	if err != nil {
		t.Fatalf("web.New: %v", err)
	}
	server := httptest.NewServer(handler) // on 127.0.0.1: setup needs no token
	defer server.Close()

	browser, problems := testutil.StartBrowser(t, ctx)
	const password = "grace's admin password"
	step := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(browser, actions...); err != nil {
			location, _ := chromedp.Run(browser, chromedp.Location())
			t.Fatalf("%s (at %s): %v", what, location, err)
		}
	}
	at := func(want string) {
		t.Helper()
		location, err := chromedp.Run(browser, chromedp.Location())
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(location, server.URL+want) {
			t.Errorf("at %s, want %s%s", location, server.URL, want)
		}
	}

	step("open the dashboard without users",
		chromedp.Navigate(server.URL+"/movies/"+webtest.MovieID),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="setup-form"]`)))
	at("/setup")
	saveScreenshot(t, browser, "setup")
	step("create the first admin",
		chromedp.SendKeys(chromedp.ID("setup-name"), "grace"),
		chromedp.SendKeys(chromedp.ID("setup-password"), password),
		chromedp.SendKeys(chromedp.ID("setup-confirm"), password),
		chromedp.Click(chromedp.CSS(`[data-testid="setup-submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="list-scope"]`)))
	viewer, err := chromedp.Run(browser, chromedp.Text(chromedp.CSS(`[data-testid="viewer"]`)))
	if err != nil || viewer != "grace" {
		t.Errorf("signed-in name = %q, %v; want grace", viewer, err)
	}
	cookies, err := chromedp.Run(browser, chromedp.Evaluate[string](`document.cookie`))
	if err != nil || strings.Contains(cookies, authn.CookieName) {
		t.Errorf("document.cookie = %q, %v: the session cookie must be HttpOnly", cookies, err)
	}

	step("sign out",
		chromedp.Click(chromedp.CSS(`[data-testid="signout"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="signin-form"]`)))
	at("/signin")

	step("open a page signed out",
		chromedp.Navigate(server.URL+"/admin/users"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="signin-form"]`)))
	at("/signin?next=%2Fadmin%2Fusers")
	step("sign in",
		chromedp.SendKeys(chromedp.ID("signin-name"), "grace"),
		chromedp.SendKeys(chromedp.ID("signin-password"), password),
		chromedp.Click(chromedp.CSS(`[data-testid="signin-submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="users-table"]`)))
	at("/admin/users")
	saveScreenshot(t, browser, "admin-users")
	row, err := chromedp.Run(browser, chromedp.Text(chromedp.CSS(`[data-testid="user-grace"]`)))
	if err != nil || !strings.Contains(row, "admin") {
		t.Errorf("users table row of grace = %q, %v", row, err)
	}
	step("open the audit log",
		chromedp.Click(chromedp.CSS(`.admin-nav a[href="/admin/audit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="audit-table"]`)))
	audit, err := chromedp.Run(browser, chromedp.Text(chromedp.CSS(`[data-testid="audit-table"]`)))
	if err != nil || !strings.Contains(audit, "sign_out") || !strings.Contains(audit, "user_create") {
		t.Errorf("audit log = %q, %v; want the setup and the sign-out", audit, err)
	}

	step("sign out again",
		chromedp.Click(chromedp.CSS(`[data-testid="signout"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="signin-form"]`)))
	step("the admin console is closed",
		chromedp.Navigate(server.URL+"/admin/users"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="signin-form"]`)))
	// Checked before the wrong password, whose 401 response Chromium
	// reports as a failed resource.
	problems.Check(t, browser)

	step("sign in with a wrong password",
		chromedp.SendKeys(chromedp.ID("signin-name"), "grace"),
		chromedp.SendKeys(chromedp.ID("signin-password"), "not the password"),
		chromedp.Click(chromedp.CSS(`[data-testid="signin-submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="signin-error"]`)))
	message, err := chromedp.Run(browser, chromedp.Text(chromedp.CSS(`[data-testid="signin-error"]`)))
	if err != nil || !strings.Contains(message, "The user name or the password is wrong") {
		t.Errorf("wrong password message = %q, %v", message, err)
	}
}
