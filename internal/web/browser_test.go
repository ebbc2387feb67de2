package web_test

import (
	"context"
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

	handler, err := web.New(web.Config{
		Store:    st,
		Tracker:  &webtest.Tracker{Store: st},
		Analyzer: webtest.Analyzer,
		Logger:   slog.New(slog.DiscardHandler),
		Now:      func() time.Time { return now },
	})
	if err != nil {
		t.Fatalf("web.New: %v", err)
	}
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
	problems.Check(t, browser)
}

func TestBrowserListPage(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	st := webtest.NewStore()
	if _, err := webtest.Seed(ctx, st, time.Now()); err != nil {
		t.Fatalf("seed store: %v", err)
	}
	handler, err := web.New(web.Config{Store: st, Tracker: &webtest.Tracker{Store: st}, Analyzer: webtest.Analyzer,
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatalf("web.New: %v", err)
	}
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
