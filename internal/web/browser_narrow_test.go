package web_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/reelpulse/reelpulse/internal/authn"
	"github.com/reelpulse/reelpulse/internal/testutil"
	"github.com/reelpulse/reelpulse/internal/web"
	"github.com/reelpulse/reelpulse/internal/web/webtest"
)

// TestBrowserNarrowPagesFit opens the pages with tables on a 390 px wide
// phone screen. A wide table scrolls in its own box, and nothing, such as
// a visually hidden column heading, makes the page itself wider.
func TestBrowserNarrowPagesFit(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()

	handler, accounts := seededDashboard(t, ctx)
	server := httptest.NewServer(webtest.AsMember(handler, accounts.Admin))
	defer server.Close()

	browser, _ := testutil.StartBrowser(t, ctx)
	const width = 390
	for _, path := range []string{"/account", "/admin/users", "/admin/audit", "/"} {
		if err := chromedp.Do(browser, chromedp.EmulateViewport(width, 800), chromedp.Navigate(server.URL+path),
			chromedp.WaitVisible(chromedp.CSS("main"))); err != nil {
			t.Fatalf("open %s: %v", path, err)
		}
		scroll, err := chromedp.Run(browser, chromedp.Evaluate[float64](`document.documentElement.scrollWidth`))
		if err != nil {
			t.Fatalf("measure %s: %v", path, err)
		}
		if scroll > width {
			t.Errorf("%s is %.0f px wide on a %d px screen, want no sideways scrolling", path, scroll, width)
		}
	}
}

// seededDashboard returns the dashboard over a seeded in-memory store, with
// the test accounts and a job list, for a browser test to serve.
func seededDashboard(t *testing.T, ctx context.Context) (http.Handler, *webtest.Accounts) {
	t.Helper()
	st := webtest.NewStore()
	if _, err := webtest.Seed(ctx, st, time.Now()); err != nil {
		t.Fatalf("seed store: %v", err)
	}
	accounts := webtest.NewAccountsWith(t, authn.Config{})
	handler, err := web.New(web.Config{Store: st, Tracker: &webtest.Tracker{Store: st}, Analyzer: webtest.Analyzer,
		Logger: slog.New(slog.DiscardHandler), Accounts: accounts.Store, Auth: accounts.Auth, Jobs: &fakeJobs{}})
	if err != nil {
		t.Fatalf("web.New: %v", err)
	}
	return handler, accounts
}
