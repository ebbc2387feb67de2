package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/reelpulse/reelpulse/internal/testutil"
)

// demoCharts reads, for every chart of the movie page, its drawn size and
// its number of bars and points.
const demoCharts = `(() => {
  const out = {};
  for (const svg of document.querySelectorAll("svg[data-testid]")) {
    const box = svg.getBoundingClientRect();
    let drawn = 0;
    for (const bar of svg.querySelectorAll("rect.bar")) {
      const b = bar.getBoundingClientRect();
      if (b.width > 0 && b.height > 0) drawn++;
    }
    out[svg.dataset.testid] = {width: box.width, height: box.height, drawnBars: drawn,
      points: svg.querySelectorAll("circle.point").length};
  }
  return out;
})()`

type demoChart struct {
	Width     float64 `json:"width"`
	Height    float64 `json:"height"`
	DrawnBars int     `json:"drawnBars"`
	Points    int     `json:"points"`
}

// TestDemoInBrowser runs `reelpulse demo`, waits until the example movie is
// scraped and analyzed, and checks in headless Chromium that its page draws
// the charts and shows the aspect figures.
func TestDemoInBrowser(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	browser, problems := testutil.StartBrowser(t, ctx)

	addr := freeAddr(t)
	demo := start(t, nil, "demo", "--addr", addr)
	base := "http://" + addr
	waitHealthy(t, base)
	setupAdmin(t, base)
	signInBrowser(t, browser, base)
	movie := waitAnalyzed(t, base, "tt0013442", 30)
	if movie.Title != "Nosferatu" {
		t.Errorf("demo movie title = %q, want Nosferatu", movie.Title)
	}

	err := chromedp.Do(browser,
		chromedp.Navigate(base+"/movies/tt0013442"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="chart-reviews-by-month"]`)),
	)
	if err != nil {
		t.Fatalf("load the demo movie page: %v", err)
	}
	charts, err := chromedp.Run(browser, chromedp.Evaluate[map[string]demoChart](demoCharts))
	if err != nil {
		t.Fatalf("measure charts: %v", err)
	}
	for _, id := range []string{"chart-reviews-by-month", "chart-rating-distribution", "chart-aspect-averages", "chart-aspect-overall"} {
		c := charts[id]
		if c.Width <= 0 || c.Height <= 0 || c.DrawnBars == 0 {
			t.Errorf("chart %s is not drawn: %+v", id, c)
		}
	}
	if charts["chart-rating-evolution"].Points == 0 {
		t.Error("chart-rating-evolution has no points")
	}

	overall, err := chromedp.Run(browser, chromedp.Text(chromedp.CSS(`[data-testid="aspect-overall-average"]`)))
	if err != nil {
		t.Fatalf("read the overall average: %v", err)
	}
	if overall = strings.TrimSpace(overall); overall == "" || overall == "–" {
		t.Errorf("overall average reads %q, want a figure", overall)
	}
	poll(t, 10*time.Second, "the demo poster to load", func() bool {
		loaded, err := chromedp.Run(browser, chromedp.Evaluate[bool](
			`Array.from(document.images).some((img) => img.src.endsWith("/posters/tt0013442") && img.complete && img.naturalWidth > 0)`))
		return err == nil && loaded
	})
	problems.Check(t, browser)

	if err := demo.stop(t); err != nil {
		t.Errorf("demo exited with %v after SIGTERM", err)
	}
}
