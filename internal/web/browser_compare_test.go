package web_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/reelpulse/reelpulse/internal/store/sqlite"
	"github.com/reelpulse/reelpulse/internal/testutil"
	"github.com/reelpulse/reelpulse/internal/web"
	"github.com/reelpulse/reelpulse/internal/web/webtest"
)

// compareDrawing is what the test reads of the comparison charts.
type compareDrawing struct {
	// Polygons counts the radar's movie polygons with a non-empty box, and
	// Lines the lines of the same kind in each aligned chart, by test id.
	Polygons int            `json:"polygons"`
	Lines    map[string]int `json:"lines"`
	// Colours and Dashes are the computed stroke colour and dash pattern
	// of each radar polygon.
	Colours []string `json:"colours"`
	Dashes  []string `json:"dashes"`
	Points  int      `json:"points"`
	// Untitled counts points whose tooltip title is missing or empty.
	Untitled int `json:"untitled"`
	Columns  int `json:"columns"`
	// Vertices counts the vertices of each movie's radar polygon, and
	// Scored the aspects besides overall that the movie's column shows a
	// score for, in column order.
	Vertices []int `json:"vertices"`
	Scored   []int `json:"scored"`
}

const measureCompare = `(() => {
  const drawn = (e) => { const b = e.getBoundingClientRect(); return b.width > 0 || b.height > 0; };
  const out = {polygons: 0, lines: {}, colours: [], dashes: [], points: 0, untitled: 0,
    columns: document.querySelectorAll(".compare-column").length, vertices: [], scored: []};
  document.querySelectorAll(".compare-column").forEach((column, i) => {
    const polygon = document.querySelector('[data-testid="chart-compare-radar"] polygon.radar-movie.movie-' + (i + 1));
    out.vertices.push(polygon ? polygon.points.numberOfItems : 0);
    out.scored.push(Array.from(column.querySelectorAll("table.compare-aspects tbody tr"))
      .filter((row) => !row.dataset.testid.endsWith("-overall") && !row.querySelector(".sentiment-none")).length);
  });
  for (const p of document.querySelectorAll('[data-testid="chart-compare-radar"] polygon.radar-movie')) {
    if (drawn(p)) out.polygons++;
    const style = getComputedStyle(p);
    out.colours.push(style.stroke);
    out.dashes.push(style.strokeDasharray);
  }
  for (const id of ["chart-compare-ratings", "chart-compare-reviews"]) {
    out.lines[id] = Array.from(document.querySelectorAll('[data-testid="' + id + '"] polyline.line')).filter(drawn).length;
  }
  for (const c of document.querySelectorAll('svg[data-testid^="chart-compare-"] circle.point')) {
    out.points++;
    const title = c.querySelector("title");
    if (!title || title.textContent.trim() === "") out.untitled++;
  }
  return out;
})()`

func TestBrowserComparePage(t *testing.T) {
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
	if _, err := webtest.Seed(ctx, st, now); err != nil {
		t.Fatalf("seed sqlite store: %v", err)
	}
	if err := web.SeedCompareMovies(ctx, st, now); err != nil {
		t.Fatalf("seed the compared movies: %v", err)
	}
	signedIn := webtest.NewAccounts(t, nil)
	signedIn.TrackAll(t, st)
	handler, err := web.New(web.Config{Accounts: signedIn.Store, Auth: signedIn.Auth, Store: st, Tracker: &webtest.Tracker{Store: st}, Analyzer: webtest.Analyzer,
		Logger: slog.New(slog.DiscardHandler), Now: func() time.Time { return now }})
	if err != nil {
		t.Fatalf("web.New: %v", err)
	}
	handler = webtest.AsMember(handler, signedIn.Admin)
	server := httptest.NewServer(handler)
	defer server.Close()

	browser, problems := testutil.StartBrowser(t, ctx)
	// Follow the movie page's link and tick the second movie with the keyboard.
	first := `input[name="id"][value="` + web.CompareReleasedID + `"]`
	second := `input[name="id"][value="` + web.CompareUndatedID + `"]`
	err = chromedp.Do(browser,
		chromedp.Navigate(server.URL+"/movies/"+web.CompareReleasedID),
		chromedp.Click(chromedp.CSS(`[data-testid="compare-with"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="compare-form"]`)),
		chromedp.Focus(chromedp.CSS(second)),
		chromedp.KeyEvent(" "),
		chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="chart-compare-radar"]`)),
	)
	if err != nil {
		t.Fatalf("pick two movies to compare: %v", err)
	}
	location, err := chromedp.Run(browser, chromedp.Location())
	if err != nil {
		t.Fatalf("read location: %v", err)
	}
	if want := server.URL + "/compare?id=" + web.CompareReleasedID + "&id=" + web.CompareUndatedID; location != want {
		t.Errorf("the form led to %s, want %s", location, want)
	}
	checked, err := chromedp.Run(browser, chromedp.Evaluate[bool](`document.querySelector('`+first+`').checked && document.querySelector('`+second+`').checked`))
	if err != nil {
		t.Fatalf("read the form: %v", err)
	}
	if !checked {
		t.Error("the compare page's form does not tick the compared movies")
	}

	drawing, err := chromedp.Run(browser, chromedp.Evaluate[compareDrawing](measureCompare))
	if err != nil {
		t.Fatalf("measure the comparison charts: %v", err)
	}
	saveScreenshot(t, browser, "compare")
	if drawing.Columns != 2 {
		t.Errorf("page has %d movie columns, want 2", drawing.Columns)
	}
	if drawing.Polygons != 2 {
		t.Errorf("radar draws %d movie polygons, want 2", drawing.Polygons)
	}
	// An aspect without a score has no vertex, rather than one on the
	// neutral ring.
	if fmt.Sprint(drawing.Vertices) != fmt.Sprint(drawing.Scored) || len(drawing.Scored) != 2 || drawing.Scored[0] >= 5 {
		t.Errorf("radar polygons have %v vertices, want one per scored aspect %v, with aspects missing", drawing.Vertices, drawing.Scored)
	}
	// Colour-blind readers tell the movies apart by the dash pattern.
	if len(drawing.Colours) != 2 || drawing.Colours[0] == drawing.Colours[1] {
		t.Errorf("radar polygons have the colours %q, want two different ones", drawing.Colours)
	}
	if len(drawing.Dashes) != 2 || drawing.Dashes[0] == drawing.Dashes[1] {
		t.Errorf("radar polygons have the dash patterns %q, want two different ones", drawing.Dashes)
	}
	for _, id := range []string{"chart-compare-ratings", "chart-compare-reviews"} {
		if n := drawing.Lines[id]; n != 2 {
			t.Errorf("%s draws %d lines, want 2", id, n)
		}
	}
	if drawing.Points == 0 {
		t.Error("comparison charts have no point")
	}
	if drawing.Untitled != 0 {
		t.Errorf("%d of the %d points lack a tooltip title", drawing.Untitled, drawing.Points)
	}

	if err := chromedp.Do(browser, chromedp.EmulateViewport(390, 844)); err != nil {
		t.Fatalf("emulate a phone screen: %v", err)
	}
	width, err := chromedp.Run(browser, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
	if err != nil {
		t.Fatalf("read the page width: %v", err)
	}
	saveScreenshot(t, browser, "compare-phone")
	if width > 390 {
		t.Errorf("compare page is %d pixels wide on a 390 pixel screen", width)
	}
	if err := chromedp.Do(browser, chromedp.EmulateViewport(1280, 900)); err != nil {
		t.Fatalf("restore the desktop screen: %v", err)
	}
	saveCompareScreenshot(t, browser)
	problems.Check(t, browser)
	checkCompareFromList(t, browser, server.URL)
}

// checkCompareFromList ticks two movies on the movie list, whose
// checkboxes sit outside the form they belong to, and submits them.
func checkCompareFromList(t *testing.T, browser context.Context, base string) {
	t.Helper()
	err := chromedp.Do(browser,
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.CSS(`.movie-list`)),
		chromedp.Click(chromedp.CSS(`input[form="compare-form"][value="`+webtest.MovieID+`"]`)),
		chromedp.Click(chromedp.CSS(`input[form="compare-form"][value="`+web.CompareUndatedID+`"]`)),
		chromedp.Click(chromedp.CSS(`#compare-form button`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="chart-compare-radar"]`)),
	)
	if err != nil {
		t.Fatalf("compare two movies from the movie list: %v", err)
	}
	location, err := chromedp.Run(browser, chromedp.Location())
	if err != nil {
		t.Fatalf("read location: %v", err)
	}
	if want := base + "/compare?id=" + webtest.MovieID + "&id=" + web.CompareUndatedID; location != want {
		t.Errorf("the movie list's form led to %s, want %s", location, want)
	}
}

// saveCompareScreenshot saves the current page as
// docs/screenshots/compare.png when docsScreenshotEnv is 1.
func saveCompareScreenshot(t *testing.T, browser context.Context) {
	t.Helper()
	if os.Getenv(docsScreenshotEnv) != "1" {
		return
	}
	png, err := chromedp.Run(browser, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("take the docs screenshot: %v", err)
	}
	path := filepath.Join(testutil.RepoRoot(), "docs", "screenshots", "compare.png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatalf("save the docs screenshot: %v", err)
	}
}
