package web_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"log/slog"
	"math"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/reelpulse/reelpulse/internal/store"
	"github.com/reelpulse/reelpulse/internal/store/sqlite"
	"github.com/reelpulse/reelpulse/internal/testutil"
	"github.com/reelpulse/reelpulse/internal/web"
	"github.com/reelpulse/reelpulse/internal/web/webtest"
)

// screenshotEnv names a variable that, when set, is a folder where the
// browser tests save full-page screenshots as reelpulse-NAME.png.
const screenshotEnv = "REELPULSE_TEST_SCREENSHOTS"

// chartBox is what the test reads of one chart in the rendered page.
type chartBox struct {
	Width  float64 `json:"width"`
	Height float64 `json:"height"`
	Bars   int     `json:"bars"`
	Points int     `json:"points"`
	// DrawnBars counts bars whose bounding box is not empty.
	DrawnBars int `json:"drawnBars"`
}

const measureCharts = `(() => {
  const out = {};
  for (const svg of document.querySelectorAll("svg[data-testid]")) {
    const box = svg.getBoundingClientRect();
    const bars = svg.querySelectorAll("rect.bar");
    let drawn = 0;
    for (const bar of bars) {
      const b = bar.getBoundingClientRect();
      if (b.width > 0 && b.height > 0) drawn++;
    }
    out[svg.dataset.testid] = {width: box.width, height: box.height, bars: bars.length,
      points: svg.querySelectorAll("circle.point").length, drawnBars: drawn};
  }
  return out;
})()`

const readAverages = `Object.fromEntries(Array.from(
  document.querySelectorAll("[data-testid$='-average'][data-testid^='aspect-']"),
  (e) => [e.dataset.testid.slice("aspect-".length, -"-average".length), e.textContent.trim()]))`

func TestBrowserMoviePage(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()

	now := time.Now().UTC()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "reelpulse.db"), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("open sqlite store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatalf("migrate sqlite store: %v", err)
	}
	seeded, err := webtest.Seed(ctx, st, now)
	if err != nil {
		t.Fatalf("seed sqlite store: %v", err)
	}
	savePoster(t, st, now)

	signedIn := webtest.NewAccounts(t, nil)
	signedIn.TrackAll(t, st)
	handler, err := web.New(web.Config{Accounts: signedIn.Store, Auth: signedIn.Auth,
		Store:    st,
		Tracker:  &webtest.Tracker{Store: st},
		Analyzer: webtest.Analyzer,
		Logger:   slog.New(slog.DiscardHandler),
		Now:      func() time.Time { return now },
	})
	if err != nil {
		t.Fatalf("web.New: %v", err)
	}
	handler = webtest.AsMember(handler, signedIn.Admin)
	server := httptest.NewServer(handler)
	defer server.Close()

	browser, problems := testutil.StartBrowser(t, ctx)
	err = chromedp.Do(browser,
		chromedp.Navigate(server.URL+"/movies/"+webtest.MovieID),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="chart-reviews-by-month"]`)),
	)
	if err != nil {
		t.Fatalf("load movie page: %v", err)
	}
	charts, err := chromedp.Run(browser, chromedp.Evaluate[map[string]chartBox](measureCharts))
	if err != nil {
		t.Fatalf("measure charts: %v", err)
	}
	averages, err := chromedp.Run(browser, chromedp.Evaluate[map[string]string](readAverages))
	if err != nil {
		t.Fatalf("read aspect averages: %v", err)
	}
	relative, err := chromedp.Run(browser, chromedp.Text(chromedp.CSS(`.meta time[data-relative]`)))
	if err != nil {
		t.Fatalf("read last scrape time: %v", err)
	}
	saveScreenshot(t, browser, "movie")

	wantBars := map[string]int{
		"chart-reviews-by-month":    seeded.Months,
		"chart-rating-distribution": 10,
		"chart-aspect-averages":     len(seeded.AspectAverages),
		"chart-aspect-storytelling": 5,
		"chart-aspect-overall":      5,
	}
	for id, bars := range wantBars {
		box, ok := charts[id]
		if !ok {
			t.Errorf("chart %s not found in the page; charts found: %v", id, charts)
			continue
		}
		if box.Width <= 0 || box.Height <= 0 {
			t.Errorf("chart %s has an empty bounding box %.0fx%.0f", id, box.Width, box.Height)
		}
		if box.Bars != bars {
			t.Errorf("chart %s has %d bars, want %d", id, box.Bars, bars)
		}
	}
	if got := charts["chart-reviews-by-month"].DrawnBars; got != seeded.Months-1 {
		t.Errorf("chart-reviews-by-month draws %d non-empty bars, want %d (one month has no review)", got, seeded.Months-1)
	}
	if got := charts["chart-rating-evolution"].Points; got == 0 {
		t.Errorf("chart-rating-evolution has no points")
	}

	for name, average := range seeded.AspectAverages {
		if want := signedText(average); averages[name] != want {
			t.Errorf("aspect %s shows average %q, want %q", name, averages[name], want)
		}
	}
	if !strings.HasSuffix(relative, "ago") {
		t.Errorf("last scrape time reads %q, want a relative time ending in \"ago\"", relative)
	}
	checkEveryChart(t, charts)
	checkReviewMarkupInert(t, browser)
	checkBucketSwitch(t, browser, server.URL)
	checkPhoneWidth(t, browser)
	saveDocsScreenshot(t, browser, server.URL+"/movies/"+webtest.MovieID)
	problems.Check(t, browser)
}

// savePoster stores the sample poster as if it had been downloaded, so
// that the page shows it.
func savePoster(t *testing.T, st *sqlite.Store, now time.Time) {
	t.Helper()
	data, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(webtest.Poster, "data:image/svg+xml;base64,"))
	if err != nil {
		t.Fatalf("decode the sample poster: %v", err)
	}
	poster := store.Poster{MovieID: webtest.MovieID, SourceURL: webtest.Poster, ContentType: "image/svg+xml", Data: data, FetchedAt: now}
	if err := st.SavePoster(t.Context(), poster); err != nil {
		t.Fatalf("save the sample poster: %v", err)
	}
}

// docsScreenshotEnv names a variable that, when set to 1, makes
// TestBrowserMoviePage save the movie page as docs/screenshots/movie.png
// for the README.
const docsScreenshotEnv = "REELPULSE_UPDATE_SCREENSHOTS"

// checkEveryChart checks that each chart of the movie page is drawn with
// data: bars with a size, or points.
func checkEveryChart(t *testing.T, charts map[string]chartBox) {
	t.Helper()
	wantPoints := []string{"chart-rating-evolution", "chart-aspect-radar", "chart-votes"}
	wantBars := []string{"chart-reviews-by-month", "chart-rating-distribution", "chart-aspect-averages"}
	for _, aspect := range []string{"storytelling", "acting", "visuals", "sound", "themes", "overall"} {
		wantBars = append(wantBars, "chart-aspect-"+aspect)
		wantPoints = append(wantPoints, "chart-aspect-evolution-"+aspect)
	}
	for _, id := range wantBars {
		if box := charts[id]; box.DrawnBars == 0 || box.Width <= 0 {
			t.Errorf("chart %s draws no bar: %+v", id, box)
		}
	}
	for _, id := range wantPoints {
		if box := charts[id]; box.Points == 0 || box.Width <= 0 {
			t.Errorf("chart %s draws no point: %+v", id, box)
		}
	}
	if len(charts) != len(wantBars)+len(wantPoints) {
		t.Errorf("page has %d charts, want %d", len(charts), len(wantBars)+len(wantPoints))
	}
}

// checkReviewMarkupInert checks that the review holding a script and an
// image tag shows them as text and creates no element other than the marks
// of evidence sentences.
func checkReviewMarkupInert(t *testing.T, browser context.Context) {
	t.Helper()
	selector := `[data-testid="review-` + webtest.MaliciousReviewID + `"] .review-text`
	text, err := chromedp.Run(browser, chromedp.Text(chromedp.CSS(selector)))
	if err != nil {
		t.Fatalf("read the review with markup: %v", err)
	}
	elements, err := chromedp.Run(browser, chromedp.Evaluate[int](
		`document.querySelectorAll("main script, .review-text :not(mark), .review-text mark *").length`))
	if err != nil {
		t.Fatalf("count elements in review texts: %v", err)
	}
	if !strings.Contains(text, `<script>alert("xss")</script>`) {
		t.Errorf("review with markup reads %q, want the script tag as text", text)
	}
	if elements != 0 {
		t.Errorf("review texts hold %d elements, want none", elements)
	}
}

// checkBucketSwitch follows the day, week and month links of the timeline
// and counts the bars each draws.
func checkBucketSwitch(t *testing.T, browser context.Context, base string) {
	t.Helper()
	cases := []struct {
		label, query string
		bars         int
	}{
		{"Day", "?bucket=day", 120},
		{"Week", "?bucket=week", 26},
		{"Month", "", 6},
	}
	for _, c := range cases {
		err := chromedp.Do(browser,
			chromedp.Click(chromedp.CSS(`[data-testid="bucket-`+c.label+`"]`)),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="bucket-`+c.label+`"][aria-current="page"]`)),
		)
		if err != nil {
			t.Fatalf("switch the timeline to %s: %v", c.label, err)
		}
		location, err := chromedp.Run(browser, chromedp.Location())
		if err != nil {
			t.Fatalf("read location: %v", err)
		}
		charts, err := chromedp.Run(browser, chromedp.Evaluate[map[string]chartBox](measureCharts))
		if err != nil {
			t.Fatalf("measure charts by %s: %v", c.label, err)
		}
		if want := base + "/movies/" + webtest.MovieID + c.query + "#timeline-heading"; location != want {
			t.Errorf("%s link leads to %s, want %s", c.label, location, want)
		}
		if got := charts["chart-reviews-by-month"].Bars; got != c.bars {
			t.Errorf("timeline by %s has %d bars, want %d", c.label, got, c.bars)
		}
		if charts["chart-rating-evolution"].Points == 0 {
			t.Errorf("rating evolution by %s has no point", c.label)
		}
	}
}

// checkPhoneWidth checks that the movie page fits a 390 pixel wide screen
// without horizontal scrolling.
func checkPhoneWidth(t *testing.T, browser context.Context) {
	t.Helper()
	if err := chromedp.Do(browser, chromedp.EmulateViewport(390, 844)); err != nil {
		t.Fatalf("emulate a phone screen: %v", err)
	}
	width, err := chromedp.Run(browser, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
	if err != nil {
		t.Fatalf("read the page width: %v", err)
	}
	saveScreenshot(t, browser, "movie-phone")
	if width > 390 {
		t.Errorf("movie page is %d pixels wide on a 390 pixel screen", width)
	}
	if err := chromedp.Do(browser, chromedp.EmulateViewport(1280, 900)); err != nil {
		t.Fatalf("restore the desktop screen: %v", err)
	}
}

// saveDocsScreenshot saves the page at url as docs/screenshots/movie.png
// when docsScreenshotEnv is 1.
func saveDocsScreenshot(t *testing.T, browser context.Context, url string) {
	t.Helper()
	if os.Getenv(docsScreenshotEnv) != "1" {
		return
	}
	err := chromedp.Do(browser, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS(`[data-testid="chart-aspect-radar"]`)))
	if err != nil {
		t.Fatalf("reload the movie page: %v", err)
	}
	png, err := chromedp.Run(browser, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("take the docs screenshot: %v", err)
	}
	folder := filepath.Join(testutil.RepoRoot(), "docs", "screenshots")
	if err := os.MkdirAll(folder, 0o755); err != nil {
		t.Fatalf("create %s: %v", folder, err)
	}
	if err := os.WriteFile(filepath.Join(folder, "movie.png"), png, 0o644); err != nil {
		t.Fatalf("save the docs screenshot: %v", err)
	}
}

func TestBrowserListPage(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	st := webtest.NewStore()
	if _, err := webtest.Seed(ctx, st, time.Now()); err != nil {
		t.Fatalf("seed store: %v", err)
	}
	signedIn := webtest.NewAccounts(t, nil)
	signedIn.TrackAll(t, st)
	handler, err := web.New(web.Config{Accounts: signedIn.Store, Auth: signedIn.Auth, Store: st, Tracker: &webtest.Tracker{Store: st}, Analyzer: webtest.Analyzer,
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatalf("web.New: %v", err)
	}
	handler = webtest.AsMember(handler, signedIn.Admin)
	server := httptest.NewServer(handler)
	defer server.Close()

	browser, problems := testutil.StartBrowser(t, ctx)
	err = chromedp.Do(browser,
		chromedp.Navigate(server.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`.movie-list`)),
	)
	if err != nil {
		t.Fatalf("load list page: %v", err)
	}
	cards, err := chromedp.Run(browser, chromedp.Evaluate[int](`document.querySelectorAll(".movie-card").length`))
	if err != nil {
		t.Fatalf("count movie cards: %v", err)
	}
	saveScreenshot(t, browser, "list")
	err = chromedp.Do(browser,
		chromedp.SendKeys(chromedp.ID("movie-input"), "https://www.imdb.com/title/tt0063350/"),
		chromedp.Submit(chromedp.ID("movie-input")),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="movie-title"]`)),
	)
	if err != nil {
		t.Fatalf("add a movie from the list page: %v", err)
	}
	location, err := chromedp.Run(browser, chromedp.Location())
	if err != nil {
		t.Fatalf("read location: %v", err)
	}

	if cards != 3 {
		t.Errorf("list page shows %d movie cards, want 3", cards)
	}
	if want := server.URL + "/movies/tt0063350"; location != want {
		t.Errorf("adding a movie led to %s, want %s", location, want)
	}
	problems.Check(t, browser)
}

func saveScreenshot(t *testing.T, browser context.Context, name string) {
	t.Helper()
	folder := os.Getenv(screenshotEnv)
	if folder == "" {
		return
	}
	path := filepath.Join(folder, "reelpulse-"+name+".png")
	png, err := chromedp.Run(browser, chromedp.FullScreenshot(100))
	if err != nil {
		t.Errorf("take screenshot: %v", err)
		return
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Errorf("save screenshot: %v", err)
	}
}

// signedText mirrors the page's formatting of an aspect average.
func signedText(v float64) string {
	rounded := math.Round(v*100) / 100
	switch {
	case rounded > 0:
		return fmt.Sprintf("+%.2f", rounded)
	case rounded < 0:
		return fmt.Sprintf("−%.2f", -rounded)
	default:
		return "0.00"
	}
}
