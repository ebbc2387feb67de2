package main

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/reelpulse/reelpulse/internal/testutil"
)

// TestParkedMovieOffersUnparkInBrowser adds an id that IMDb (the replay
// server) does not know. The check parks the movie while its page is open,
// and the page, whose progress box reports the failure, loads again to
// show the Parked state with its Unpark button.
func TestParkedMovieOffersUnparkInBrowser(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	browser, problems := testutil.StartBrowser(t, ctx)

	replayAddr, webAddr := startReplay(t), freeAddr(t)
	start(t, []string{
		"DATABASE_URL=" + filepath.Join(t.TempDir(), "reelpulse.db"),
		"REELPULSE_ADDR=" + webAddr,
		"REELPULSE_IMDB_BASE_URL=http://" + replayAddr,
		"REELPULSE_IMDB_GRAPHQL_URL=http://" + replayAddr + "/graphql",
		"REELPULSE_IMDB_SUGGEST_URL=http://" + replayAddr + "/suggestion",
		"REELPULSE_MAX_RETRIES=0",
		"REELPULSE_BROWSER=never",
	}, "serve")
	base := "http://" + webAddr
	waitHealthy(t, base)
	setupAdmin(t, base)
	signInBrowser(t, browser, base)

	err := chromedp.Do(browser,
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.ID("movie-input")),
		chromedp.SendKeys(chromedp.ID("movie-input"), "tt0000404"+kb.Enter),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="movie-title"]`)),
	)
	if err != nil {
		t.Fatalf("track an id that IMDb does not know: %v", err)
	}
	if err := chromedp.Do(browser, chromedp.WaitVisible(chromedp.CSS(`[data-testid="unpark"]`))); err != nil {
		t.Fatalf("the page of the parked movie shows no Unpark button: %v", err)
	}
	problems.Check(t, browser)
}
