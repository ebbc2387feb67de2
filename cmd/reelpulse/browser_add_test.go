package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/reelpulse/reelpulse/internal/testutil"
)

// readProgress returns the movie page's progress box as "stage|status
// text", or "none" once the page shows no box.
const readProgress = `(() => {
  const box = document.querySelector('[data-testid="progress"]');
  if (!box) return "none";
  return box.dataset.stage + "|" + box.querySelector(".progress-label").textContent + ": " + box.querySelector(".progress-text").textContent;
})()`

// stageOrder is the order in which a new movie goes through the stages.
var stageOrder = map[string]int{"queued": 1, "checking": 2, "scraping": 3, "analyzing": 4, "analyzed": 5, "none": 6}

// TestAddBySearchInBrowser runs `reelpulse serve` on SQLite against a slow
// replay server, types a title into the add form in headless Chromium,
// picks the suggestion with the keyboard and watches the movie page go
// through its stages until the reviews are analyzed.
func TestAddBySearchInBrowser(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	browser, problems := testutil.StartBrowser(t, ctx)

	// The latency stretches each stage over several polls of the page.
	replayAddr, webAddr := startReplay(t, "--latency", "1s", "--synthetic", "40"), freeAddr(t)
	start(t, []string{
		"DATABASE_URL=" + filepath.Join(t.TempDir(), "reelpulse.db"),
		"REELPULSE_ADDR=" + webAddr,
		"REELPULSE_IMDB_BASE_URL=http://" + replayAddr,
		"REELPULSE_IMDB_GRAPHQL_URL=http://" + replayAddr + "/graphql",
		"REELPULSE_IMDB_SUGGEST_URL=http://" + replayAddr + "/suggestion",
		"REELPULSE_REQUESTS_PER_SECOND=50",
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
		chromedp.SendKeys(chromedp.ID("movie-input"), "Nosfer"),
		chromedp.WaitVisible(chromedp.CSS(`#movie-suggestions [role="option"]`)),
	)
	if err != nil {
		t.Fatalf("type a title into the add form: %v", err)
	}
	options, err := chromedp.Run(browser, chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll('#movie-suggestions [role="option"]'), (o) => o.id + " " + o.textContent)`))
	if err != nil {
		t.Fatalf("read the suggestions: %v", err)
	}
	if len(options) == 0 || !strings.HasPrefix(options[0], "suggestion-tt0013442 ") || !strings.Contains(options[0], "Nosferatu (1922)") {
		t.Fatalf("suggestions = %q, want Nosferatu (1922) first", options)
	}
	checkSuggestionPoster(t, browser)
	expanded, err := chromedp.Run(browser, chromedp.Evaluate[string](`document.getElementById("movie-input").getAttribute("aria-expanded")`))
	if err != nil || expanded != "true" {
		t.Errorf("input aria-expanded = %q (%v), want true while suggestions show", expanded, err)
	}

	if err := chromedp.Do(browser, chromedp.SendKeys(chromedp.ID("movie-input"), kb.ArrowDown)); err != nil {
		t.Fatalf("press the down key: %v", err)
	}
	active, err := chromedp.Run(browser, chromedp.Evaluate[string](
		`(() => { const id = document.getElementById("movie-input").getAttribute("aria-activedescendant");
		  return id + " " + document.getElementById(id).getAttribute("aria-selected"); })()`))
	if err != nil || active != "suggestion-tt0013442 true" {
		t.Fatalf("after the down key, active option = %q (%v), want suggestion-tt0013442 selected", active, err)
	}
	err = chromedp.Do(browser,
		chromedp.SendKeys(chromedp.ID("movie-input"), kb.Enter),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="movie-title"]`)),
	)
	if err != nil {
		t.Fatalf("track the highlighted suggestion: %v", err)
	}
	location, err := chromedp.Run(browser, chromedp.Location())
	if err != nil || location != base+"/movies/tt0013442" {
		t.Fatalf("picking the suggestion led to %q (%v), want the movie page", location, err)
	}

	// Watch the progress box until the page reloads without it.
	var seen []string
	poll(t, 90*time.Second, "the movie page to show the analyzed movie", func() bool {
		state, err := chromedp.Run(browser, chromedp.Evaluate[string](readProgress))
		if err != nil {
			return false // the page is reloading
		}
		if len(seen) == 0 || seen[len(seen)-1] != state {
			seen = append(seen, state)
			t.Logf("%s %s", time.Now().Format("15:04:05.000"), state)
		}
		return state == "none"
	})
	t.Logf("progress seen: %q", seen)
	checkStages(t, seen)

	figures, err := chromedp.Run(browser, chromedp.Evaluate[[]string](
		`[document.querySelector('[data-testid="figure-reviews"]').textContent, document.querySelector('[data-testid="figure-overall"]').textContent]`))
	if err != nil {
		t.Fatalf("read the figures: %v", err)
	}
	if !strings.Contains(figures[0], "30 scraped") || !strings.Contains(figures[1], "30 analyzed reviews") {
		t.Errorf("figures after the analysis = %q, want 30 scraped and 30 analyzed reviews", figures)
	}
	problems.Check(t, browser)

	err = chromedp.Do(browser,
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="movie-tt0013442"]`)),
	)
	if err != nil {
		t.Fatalf("load the movie list: %v", err)
	}
	card, err := chromedp.Run(browser, chromedp.Evaluate[string](`document.querySelector('[data-testid="movie-tt0013442"]').innerHTML`))
	if err != nil {
		t.Fatalf("read the movie card: %v", err)
	}
	if strings.Contains(card, `data-testid="progress"`) || !strings.Contains(card, "30 <span class=\"muted\">of 30 declared</span>") {
		t.Errorf("card of the analyzed movie shows progress or lacks its review count:\n%s", card)
	}

	watchCard(t, browser, base, "tt9000001", "40 <span class=\"muted\">of 40 declared</span>")
	problems.Check(t, browser)
}

// readCard returns the progress box of a movie card as "stage|status
// text", "none" once the card shows no box, or "missing" without the card.
const readCard = `((id) => {
  const card = document.querySelector('[data-testid="movie-' + id + '"]');
  if (!card) return "missing";
  const box = card.querySelector('[data-testid="progress"]');
  if (!box) return "none|" + card.querySelector(".figures dd").textContent;
  return box.dataset.stage + "|" + box.querySelector(".progress-label").textContent + ": " + box.querySelector(".progress-text").textContent;
})`

// watchCard adds a movie by its id, goes back to the movie list at once and
// watches the movie's card until the script replaces it with the analyzed
// card, which must show figures.
func watchCard(t *testing.T, browser context.Context, base, id, figures string) {
	t.Helper()
	err := chromedp.Do(browser,
		chromedp.SendKeys(chromedp.ID("movie-input"), id),
		chromedp.Submit(chromedp.ID("movie-input")),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="movie-title"]`)),
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="movie-`+id+`"]`)),
	)
	if err != nil {
		t.Fatalf("add %s and return to the movie list: %v", id, err)
	}
	if _, err := chromedp.Run(browser, chromedp.Evaluate[bool](`window.__sameDocument = true`)); err != nil {
		t.Fatalf("mark the movie list's document: %v", err)
	}

	var seen []string
	poll(t, 90*time.Second, "the card of "+id+" to show the analyzed movie", func() bool {
		state, err := chromedp.Run(browser, chromedp.Evaluate[string](readCard+`("`+id+`")`))
		if err != nil {
			return false
		}
		if len(seen) == 0 || seen[len(seen)-1] != state {
			seen = append(seen, state)
			t.Logf("%s card %s", time.Now().Format("15:04:05.000"), state)
		}
		return strings.HasPrefix(state, "none|")
	})
	checkStages(t, append(seen[:len(seen)-1:len(seen)-1], "none"))

	// The script replaced the card in place, so the page was not reloaded.
	sameDocument, err := chromedp.Run(browser, chromedp.Evaluate[bool](`window.__sameDocument === true`))
	if err != nil || !sameDocument {
		t.Errorf("the movie list was reloaded (%v), want the card replaced in place", err)
	}
	html, err := chromedp.Run(browser, chromedp.Evaluate[string](`document.querySelector('[data-testid="movie-`+id+`"]').innerHTML`))
	if err != nil {
		t.Fatalf("read the card of %s: %v", id, err)
	}
	if !strings.Contains(html, figures) {
		t.Errorf("card of %s after its analysis lacks %q:\n%s", id, figures, html)
	}
}

// checkSuggestionPoster checks that a poster in the first suggestion comes
// from the dashboard's own origin and loads. The dashboard offers one only
// when the command gives it an image fetcher (web.Config.SuggestionImages).
func checkSuggestionPoster(t *testing.T, browser context.Context) {
	t.Helper()
	const readPoster = `(() => {
	  const img = document.querySelector("#suggestion-tt0013442 img");
	  if (!img) return "none";
	  return img.getAttribute("src") + " " + (img.complete && img.naturalWidth > 0);
	})()`
	poster, err := chromedp.Run(browser, chromedp.Evaluate[string](readPoster))
	if err != nil {
		t.Fatalf("read the suggestion poster: %v", err)
	}
	if poster == "none" {
		t.Error("the suggestion has no poster: the command passes no image fetcher to the dashboard")
		return
	}
	poll(t, 10*time.Second, "the suggestion poster to load", func() bool {
		poster, err = chromedp.Run(browser, chromedp.Evaluate[string](readPoster))
		return err == nil && poster != "/suggestions/tt0013442/poster false"
	})
	if poster != "/suggestions/tt0013442/poster true" {
		t.Errorf("suggestion poster = %q, want /suggestions/tt0013442/poster loaded", poster)
	}
}

// checkStages fails unless the page showed the progress box before the
// analysis ended, the script updated it, and its stages only moved
// forward, none of them failed.
func checkStages(t *testing.T, seen []string) {
	t.Helper()
	if len(seen) < 2 {
		t.Fatalf("progress seen = %q, want a stage before the analyzed page", seen)
	}
	last := 0
	for _, s := range seen {
		stage, _, _ := strings.Cut(s, "|")
		order, ok := stageOrder[stage]
		if !ok {
			t.Errorf("unexpected stage %q in %q", stage, seen)
			continue
		}
		if order < last {
			t.Errorf("stages went backwards: %q", seen)
		}
		last = order
	}
	// The replay server's latency makes the pipeline outlast a poll, so
	// the script must have updated the box at least once.
	if len(seen) < 3 {
		t.Errorf("progress seen = %q, want the script to update the box before the analysis ended", seen)
	}
	first, _, _ := strings.Cut(seen[0], "|")
	if stageOrder[first] > stageOrder["analyzing"] {
		t.Errorf("the movie page first showed %q, want a stage before the analysis ended", seen[0])
	}
}
