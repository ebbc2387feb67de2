package web_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/reelpulse/reelpulse/internal/store"
	"github.com/reelpulse/reelpulse/internal/store/sqlite"
	"github.com/reelpulse/reelpulse/internal/testutil"
	"github.com/reelpulse/reelpulse/internal/web"
	"github.com/reelpulse/reelpulse/internal/web/webtest"
)

// hostileReviewID is the review whose text and evidence try to run script.
const hostileReviewID = "rw3000001"

// hostileText would set window.__xss if the page rendered it as markup.
const hostileText = "Opening words.\nThe <b>cast</b> shines <script>window.__xss = 1</script>" +
	"<img src=x onerror=\"window.__xss = 2\"> brightly.\nClosing words."

// explorerList is what the browser test reads of the listed reviews.
type explorerList struct {
	IDs      []string `json:"ids"`
	Spoilers int      `json:"spoilers"`
	Summary  string   `json:"summary"`
	Search   string   `json:"search"`
}

const readExplorerList = `(() => ({
  ids: Array.from(document.querySelectorAll('[data-testid="explorer-reviews"] > li'), (li) => li.dataset.testid.slice("review-".length)),
  spoilers: document.querySelectorAll('[data-testid="explorer-reviews"] details.spoiler').length,
  summary: (document.querySelector('[data-testid="explorer-summary"]') || {textContent: ""}).textContent.trim(),
  search: location.search,
}))()`

// seedExplorer adds to the seeded movie 30 reviews without and 6 with the
// spoiler flag, and the hostile review with an analysis whose evidence
// holds markup.
func seedExplorer(t *testing.T, ctx context.Context, st store.Store, now time.Time) {
	t.Helper()
	result := store.SyncResult{MovieID: webtest.MovieID, At: now}
	for i := range 36 {
		result.Upserts = append(result.Upserts, store.Review{
			ID: fmt.Sprintf("rw3%06d", 100+i), MovieID: webtest.MovieID, AuthorName: "Extra", Title: fmt.Sprintf("Extra review %d", i),
			Text: "A short extra review.", Spoiler: i >= 30, SubmittedAt: time.Date(2025, 2, 1+i, 0, 0, 0, 0, time.UTC),
			ContentHash: fmt.Sprint("extra-", i),
		})
	}
	result.Upserts = append(result.Upserts, store.Review{ID: hostileReviewID, MovieID: webtest.MovieID, AuthorName: "<i>Mallory</i>",
		Title: "<script>window.__xss = 3</script>", Text: hostileText, SubmittedAt: time.Date(2025, 3, 15, 0, 0, 0, 0, time.UTC),
		ContentHash: "hostile"})
	if _, err := st.ApplySync(ctx, result); err != nil {
		t.Fatalf("store the extra reviews: %v", err)
	}
	two := 2
	analysis := store.Analysis{ReviewID: hostileReviewID, Analyzer: webtest.Analyzer, AnalyzerVersion: "1", ContentHash: "hostile",
		AnalyzedAt: now, Aspects: []store.AspectScore{
			{Aspect: "acting", Score: &two, Evidence: `The <b>cast</b> shines <script>window.__xss = 1</script><img src=x onerror="window.__xss = 2"> brightly.`},
			{Aspect: store.Overall, Score: &two, Evidence: "<b>Not quoted</b> from the text."},
		}}
	if err := st.SaveAnalyses(ctx, []store.Analysis{analysis}); err != nil {
		t.Fatalf("save the hostile review's analysis: %v", err)
	}
}

func TestBrowserReviewExplorer(t *testing.T) {
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
	seedExplorer(t, ctx, st, now)

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
	err = chromedp.Do(browser,
		chromedp.Navigate(server.URL+"/movies/"+webtest.MovieID+"?bucket=week"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="explorer-form"]`)),
	)
	if err != nil {
		t.Fatalf("load movie page: %v", err)
	}
	checkHostileReviewInert(t, browser)

	// Leave spoilers out, oldest first: 10 seeded, 30 extra and the hostile
	// review make 41 matches over three pages.
	_, err = chromedp.RunResponse(browser,
		chromedp.SetValue(chromedp.ID("explorer-spoiler"), "exclude"),
		chromedp.SetValue(chromedp.ID("explorer-sort"), "oldest"),
		chromedp.Click(chromedp.CSS(`[data-testid="explorer-apply"]`)),
	)
	if err != nil {
		t.Fatalf("submit the filter form: %v", err)
	}
	first := readList(t, browser)
	query, _ := url.ParseQuery(strings.TrimPrefix(first.Search, "?"))
	if want := (url.Values{"bucket": {"week"}, "sort": {"oldest"}, "spoiler": {"exclude"}}); query.Encode() != want.Encode() {
		t.Errorf("form led to ?%s, want the permalink ?%s", query.Encode(), want.Encode())
	}
	if first.Summary != "41 reviews match these filters." || len(first.IDs) != 20 || first.Spoilers != 0 {
		t.Errorf("first page: %q, %d reviews, %d spoilers; want 41 matches, 20 listed, no spoiler", first.Summary, len(first.IDs), first.Spoilers)
	}
	if want := rw(1, 2, 3); len(first.IDs) < 3 || !slices.Equal(first.IDs[:3], want) {
		t.Errorf("first page starts with %v, want the oldest %v", first.IDs, want)
	}

	if _, err := chromedp.RunResponse(browser, chromedp.Click(chromedp.CSS(`[data-testid="next-page"]`))); err != nil {
		t.Fatalf("follow the next page link: %v", err)
	}
	second := readList(t, browser)
	if !strings.Contains(second.Search, "cursor=") || !strings.Contains(second.Search, "spoiler=exclude") || !strings.Contains(second.Search, "bucket=week") {
		t.Errorf("next page is ?%s, want the filters with a cursor", second.Search)
	}
	if len(second.IDs) != 20 || second.Spoilers != 0 || slices.ContainsFunc(second.IDs, func(id string) bool { return slices.Contains(first.IDs, id) }) {
		t.Errorf("second page lists %v with %d spoilers, want 20 new non-spoiler reviews", second.IDs, second.Spoilers)
	}
	saveScreenshot(t, browser, "explorer")

	checkSpoilerByKeyboard(t, browser)
	checkExplorerPhoneWidth(t, browser)
	problems.Check(t, browser)
}

func readList(t *testing.T, browser context.Context) explorerList {
	t.Helper()
	list, err := chromedp.Run(browser, chromedp.Evaluate[explorerList](readExplorerList))
	if err != nil {
		t.Fatalf("read the review list: %v", err)
	}
	return list
}

// checkHostileReviewInert checks that the markup of the hostile review,
// evidence included, is text: no script ran and no element was created
// besides the evidence mark.
func checkHostileReviewInert(t *testing.T, browser context.Context) {
	t.Helper()
	type result struct {
		XSS      bool   `json:"xss"`
		Elements int    `json:"elements"`
		Marks    int    `json:"marks"`
		Mark     string `json:"mark"`
		Title    string `json:"title"`
		Note     string `json:"note"`
	}
	got, err := chromedp.Run(browser, chromedp.Evaluate[result](`(() => {
  const li = document.querySelector('[data-testid="review-`+hostileReviewID+`"]');
  const mark = li.querySelector(".review-text mark");
  return {xss: window.__xss !== undefined,
    elements: li.querySelectorAll("script, img, b, i").length,
    marks: li.querySelectorAll(".review-text mark").length,
    mark: mark ? mark.textContent : "",
    title: li.querySelector("h3").textContent,
    note: (li.querySelector(".evidence-note") || {textContent: ""}).textContent};
})()`))
	if err != nil {
		t.Fatalf("inspect the hostile review: %v", err)
	}
	if got.XSS {
		t.Errorf("the hostile review ran script")
	}
	if got.Elements != 0 {
		t.Errorf("the hostile review created %d elements from its markup", got.Elements)
	}
	if wantMark := `The <b>cast</b> shines <script>window.__xss = 1</script><img src=x onerror="window.__xss = 2"> brightly.`; got.Marks != 1 || got.Mark != wantMark {
		t.Errorf("evidence marks: %d, text %q; want one mark reading %q", got.Marks, got.Mark, wantMark)
	}
	if got.Title != "<script>window.__xss = 3</script>" || !strings.Contains(got.Note, "<b>Not quoted</b> from the text.") {
		t.Errorf("title %q and evidence note %q, want the markup as text", got.Title, got.Note)
	}
}

// checkSpoilerByKeyboard lists the spoiler reviews, opens one with the
// keyboard and checks that its text is hidden before and shown after.
func checkSpoilerByKeyboard(t *testing.T, browser context.Context) {
	t.Helper()
	_, err := chromedp.RunResponse(browser,
		chromedp.SetValue(chromedp.ID("explorer-spoiler"), "only"),
		chromedp.Submit(chromedp.ID("explorer-q")),
	)
	if err != nil {
		t.Fatalf("filter spoiler reviews: %v", err)
	}
	list := readList(t, browser)
	if len(list.IDs) != 8 || list.Spoilers != 8 {
		t.Errorf("spoiler filter lists %d reviews of which %d are collapsed, want 8 and 8", len(list.IDs), list.Spoilers)
	}

	spoiler := `[data-testid="review-rw0000004"] details.spoiler`
	// checkVisibility is false inside a closed details element.
	state := `(() => { const d = document.querySelector('` + spoiler + `');
  return d.open + " " + d.querySelector(".review-text").checkVisibility(); })()`
	before, err := chromedp.Run(browser, chromedp.Evaluate[string](state))
	if err != nil {
		t.Fatalf("read the collapsed spoiler: %v", err)
	}
	summary, err := chromedp.Run(browser, chromedp.Text(chromedp.CSS(spoiler+" summary")))
	if err != nil {
		t.Fatalf("read the spoiler summary: %v", err)
	}
	err = chromedp.Do(browser,
		chromedp.Focus(chromedp.CSS(spoiler+" summary")),
		chromedp.KeyEvent(kb.Enter),
	)
	if err != nil {
		t.Fatalf("open the spoiler with the keyboard: %v", err)
	}
	after, err := chromedp.Run(browser, chromedp.Evaluate[string](state))
	if err != nil {
		t.Fatalf("read the opened spoiler: %v", err)
	}
	text, err := chromedp.Run(browser, chromedp.Text(chromedp.CSS(spoiler+" .review-text")))
	if err != nil {
		t.Fatalf("read the opened spoiler's text: %v", err)
	}
	if summary != "Contains spoilers – show" {
		t.Errorf("spoiler summary = %q, want %q", summary, "Contains spoilers – show")
	}
	if before != "false false" || after != "true true" || !strings.Contains(text, "when the sun rises") {
		t.Errorf("spoiler open and text visible: %q before and %q after Enter, text %q; want hidden, then shown", before, after, text)
	}
}

// checkExplorerPhoneWidth checks that the explorer fits a 390 pixel wide
// screen: no horizontal scrolling, and every control inside the screen.
func checkExplorerPhoneWidth(t *testing.T, browser context.Context) {
	t.Helper()
	if err := chromedp.Do(browser, chromedp.EmulateViewport(390, 844)); err != nil {
		t.Fatalf("emulate a phone screen: %v", err)
	}
	type widths struct {
		Page     int      `json:"page"`
		Explorer int      `json:"explorer"`
		Client   int      `json:"client"`
		Outside  []string `json:"outside"`
	}
	got, err := chromedp.Run(browser, chromedp.Evaluate[widths](`(() => {
  const section = document.getElementById("reviews");
  const outside = [];
  for (const e of section.querySelectorAll("input, select, button, a, mark, .score")) {
    const box = e.getBoundingClientRect();
    if (box.width > 0 && (box.left < 0 || box.right > window.innerWidth)) outside.push(e.outerHTML.slice(0, 80));
  }
  return {page: document.documentElement.scrollWidth, explorer: section.scrollWidth, client: section.clientWidth, outside};
})()`))
	if err != nil {
		t.Fatalf("measure the explorer on a phone: %v", err)
	}
	saveScreenshot(t, browser, "explorer-phone")
	if got.Page > 390 || got.Explorer > got.Client {
		t.Errorf("on a 390 pixel screen the page is %d pixels wide and the explorer %d of %d", got.Page, got.Explorer, got.Client)
	}
	for _, e := range got.Outside {
		t.Errorf("element outside the phone screen: %s", e)
	}
	if err := chromedp.Do(browser, chromedp.EmulateViewport(1280, 900)); err != nil {
		t.Fatalf("restore the desktop screen: %v", err)
	}
}
