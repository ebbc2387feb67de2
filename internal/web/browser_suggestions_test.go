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
	"github.com/reelpulse/reelpulse/internal/testutil"
	"github.com/reelpulse/reelpulse/internal/web"
	"github.com/reelpulse/reelpulse/internal/web/webtest"
)

// TestBrowserTypeaheadMarksTrackedTitles types a title in headless
// Chromium: the type-ahead marks the title already on the user's list, and
// choosing it opens its movie page rather than tracking it again.
func TestBrowserTypeaheadMarksTrackedTitles(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	st := webtest.NewStore()
	if _, err := webtest.Seed(ctx, st, time.Now().UTC()); err != nil {
		t.Fatalf("seed store: %v", err)
	}
	accounts := webtest.NewAccountsWith(t, authn.Config{})
	accounts.TrackAll(t, st)
	tracker := &webtest.Tracker{Store: st}
	searcher := fixedSearcher{
		{ID: webtest.MovieID, Title: "Nosferatu", Year: 1922, Kind: "feature"},
		{ID: "tt5040012", Title: "Nosferatu", Year: 2024, Kind: "feature"},
	}
	handler, err := web.New(web.Config{Store: st, Tracker: tracker, Analyzer: webtest.Analyzer,
		Logger: slog.New(slog.DiscardHandler), Accounts: accounts.Store, Auth: accounts.Auth, Searcher: searcher})
	if err != nil {
		t.Fatalf("web.New: %v", err)
	}
	server := httptest.NewServer(webtest.AsMember(handler, accounts.Admin))
	defer server.Close()

	browser, problems := testutil.StartBrowser(t, ctx)
	err = chromedp.Do(browser,
		chromedp.Navigate(server.URL+"/"),
		chromedp.SendKeys(chromedp.ID("movie-input"), "nosferatu"),
		chromedp.WaitVisible(chromedp.CSS(`#suggestion-`+webtest.MovieID+` .typeahead-tracked`)),
	)
	if err != nil {
		t.Fatalf("type a title: %v", err)
	}
	marks, err := chromedp.Run(browser, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("#movie-suggestions li"),
  (li) => li.dataset.id + "=" + (li.querySelector(".typeahead-tracked")?.textContent ?? ""))`))
	if err != nil {
		t.Fatalf("read the suggestions: %v", err)
	}
	if got, want := strings.Join(marks, " "), webtest.MovieID+"=on your list tt5040012="; got != want {
		t.Errorf("suggestion marks = %q, want %q", got, want)
	}
	saveScreenshot(t, browser, "typeahead-tracked")

	if err := chromedp.Do(browser, chromedp.Click(chromedp.CSS(`#suggestion-`+webtest.MovieID))); err != nil {
		t.Fatalf("choose the tracked title: %v", err)
	}
	wait, stop := context.WithTimeout(browser, 10*time.Second)
	defer stop()
	if err := chromedp.Do(wait, chromedp.WaitVisible(chromedp.CSS(`[data-testid="chart-rating-distribution"]`))); err != nil {
		location, _ := chromedp.Run(browser, chromedp.Location())
		saveScreenshot(t, browser, "typeahead-failed")
		t.Fatalf("wait for the movie page (at %s): %v", location, err)
	}
	if location, _ := chromedp.Run(browser, chromedp.Location()); location != server.URL+"/movies/"+webtest.MovieID {
		t.Errorf("choosing the tracked title leads to %s, want its movie page", location)
	}
	if added := tracker.Tracked(); len(added) != 0 {
		t.Errorf("choosing a tracked title tracked %v again", added)
	}
	problems.Check(t, browser)
}
