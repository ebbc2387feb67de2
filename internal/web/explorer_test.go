package web_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/parquet-go/parquet-go"

	"github.com/reelpulse/reelpulse/internal/store"
	"github.com/reelpulse/reelpulse/internal/web/webtest"
)

const moviePath = "/movies/" + webtest.MovieID

// explorerPage is what the tests read of the movie page's review explorer.
type explorerPage struct {
	doc *goquery.Document
	// IDs are the listed reviews, in order.
	IDs     []string
	Summary string
	Error   string
	Next    string // href of the next page link, "" when absent
	First   string
	Clear   string
	Exports map[string]string // href by format label
}

func parseExplorer(t *testing.T, body string) explorerPage {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatalf("parse the movie page: %v", err)
	}
	section := doc.Find("section#reviews")
	if section.Length() != 1 {
		t.Fatalf("movie page has %d review sections, want 1", section.Length())
	}
	page := explorerPage{doc: doc, Exports: map[string]string{}}
	section.Find(`[data-testid="explorer-reviews"] > li.review`).Each(func(_ int, li *goquery.Selection) {
		id, _ := li.Attr("data-testid")
		page.IDs = append(page.IDs, strings.TrimPrefix(id, "review-"))
	})
	page.Summary = strings.TrimSpace(section.Find(`[data-testid="explorer-summary"]`).Text())
	page.Error = strings.TrimSpace(section.Find(`[data-testid="explorer-error"]`).Text())
	page.Next, _ = section.Find(`[data-testid="next-page"]`).Attr("href")
	page.First, _ = section.Find(`[data-testid="first-page"]`).Attr("href")
	page.Clear, _ = section.Find(`[data-testid="explorer-clear"]`).Attr("href")
	section.Find(`[data-testid="export-links"] a`).Each(func(_ int, a *goquery.Selection) {
		page.Exports[a.Text()], _ = a.Attr("href")
	})
	return page
}

// formQuery returns the form's action and the query that submitting the
// explorer's form sends, as a browser builds it from every named control.
func (p explorerPage) formQuery(t *testing.T) (string, url.Values) {
	t.Helper()
	form := p.doc.Find(`form[data-testid="explorer-form"]`)
	if form.Length() != 1 {
		t.Fatalf("page has %d explorer forms, want 1", form.Length())
	}
	action, _ := form.Attr("action")
	values := url.Values{}
	form.Find("input, select").Each(func(_ int, control *goquery.Selection) {
		name, _ := control.Attr("name")
		if goquery.NodeName(control) == "select" {
			selected := control.Find("option[selected]")
			if selected.Length() == 0 {
				selected = control.Find("option").First()
			}
			value, _ := selected.Attr("value")
			values.Add(name, value)
			return
		}
		value, _ := control.Attr("value")
		values.Add(name, value)
	})
	return action, values
}

func rw(numbers ...int) []string {
	ids := []string{}
	for _, n := range numbers {
		ids = append(ids, fmt.Sprintf("rw%07d", n))
	}
	return ids
}

func TestExplorerFilters(t *testing.T) {
	tests := []struct {
		query   string
		want    []string
		summary string
	}{
		{"", rw(12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1), "12 reviews."},
		{"aspect=acting&polarity=negative", rw(7), "1 review matches these filters."},
		{"polarity=negative", rw(10, 4), "2 reviews match these filters."},
		{"aspect=sound&polarity=not_mentioned", rw(11, 7, 6, 5, 4, 3, 1), "7 reviews match these filters."},
		{"aspect=storytelling&polarity=positive", rw(11, 8, 5, 1), "4 reviews match these filters."},
		{"aspect=overall&polarity=neutral", rw(7), "1 review matches these filters."},
		{"min_rating=9", rw(11, 8, 5, 1), "4 reviews match these filters."},
		{"min_rating=4&max_rating=4", rw(4), "1 review matches these filters."},
		{"from=2024-04-01&to=2024-04-30", rw(7, 6, 5), "3 reviews match these filters."},
		{"spoiler=only", rw(11, 4), "2 reviews match these filters."},
		{"spoiler=exclude&min_rating=10", rw(5), "1 review matches these filters."},
		{"q=SCORE", rw(9, 2), "2 reviews match these filters."},
		{"q=" + url.QueryEscape("<script>"), rw(3), "1 review matches these filters."},
		{"q=nothing-like-this", nil, "No review matches these filters."},
		{"sort=oldest&max_rating=7", rw(3, 4, 7, 10), "4 reviews match these filters."},
		// Helpful votes are the text length modulo 17, ties broken by id.
		{"sort=helpful&spoiler=only", rw(4, 11), "2 reviews match these filters."},
		{"sort=least_helpful&spoiler=only", rw(11, 4), "2 reviews match these filters."},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			f := newFixture(t)
			response, body := f.get(t, moviePath+"?"+tt.query)
			if response.StatusCode != http.StatusOK {
				t.Fatalf("status = %d, want 200", response.StatusCode)
			}
			page := parseExplorer(t, body)
			if !slices.Equal(page.IDs, tt.want) {
				t.Errorf("reviews = %v, want %v", page.IDs, tt.want)
			}
			if page.Summary != tt.summary {
				t.Errorf("summary = %q, want %q", page.Summary, tt.summary)
			}
			if page.Error != "" {
				t.Errorf("page shows the error %q", page.Error)
			}
		})
	}
}

func TestExplorerInvalidParameter(t *testing.T) {
	oldest := store.CursorAfter(store.SortOldest, store.Review{ID: "rw0000002", SubmittedAt: time.Date(2024, 1, 20, 0, 0, 0, 0, time.UTC)}).String()
	tests := []struct {
		query    string
		mention  string
		invalid  string // id of the control marked invalid, "" for none
		selected string // the refilled value of that control
	}{
		{"min_rating=11", `invalid "Rating from" "11": use a whole number from 1 to 10`, "explorer-min-rating", "11"},
		{"max_rating=ten", `invalid "Rating to" "ten"`, "explorer-max-rating", "ten"},
		{"min_rating=8&max_rating=3", `"Rating from" 8 is above "Rating to" 3`, "explorer-min-rating", "8"},
		{"aspect=plot", `invalid "Aspect" "plot": use one of storytelling, acting, visuals, sound, themes, overall`, "explorer-aspect", ""},
		{"polarity=happy", `invalid "Aspect score" "happy"`, "explorer-polarity", ""},
		{"spoiler=maybe", `invalid "Spoilers" "maybe": use one of only, exclude`, "explorer-spoiler", ""},
		{"sort=random", `invalid "Order" "random"`, "explorer-sort", ""},
		{"from=2024-13-01", `invalid "Published from" "2024-13-01": use a date as YYYY-MM-DD`, "explorer-from", "2024-13-01"},
		{"from=2024-05-01&to=2024-04-01", `"Published from" 2024-05-01 is after "Published to" 2024-04-01`, "explorer-from", "2024-05-01"},
		{"q=" + strings.Repeat("a", 201), `invalid "Text contains": at most 200 characters`, "explorer-q", strings.Repeat("a", 201)},
		{"cursor=not-a-cursor", `invalid "cursor" "not-a-cursor"`, "", ""},
		{"cursor=" + oldest, `this cursor pages sort=oldest; keep the sort of the first page`, "", ""},
		{"aspect=acting&aspect=sound", `parameter "Aspect" given 2 times: give it once`, "explorer-aspect", ""},
	}
	for _, tt := range tests {
		t.Run(tt.query[:min(len(tt.query), 40)], func(t *testing.T) {
			f := newFixture(t)
			response, body := f.get(t, moviePath+"?"+tt.query)
			if response.StatusCode != http.StatusBadRequest {
				t.Fatalf("status = %d, want 400", response.StatusCode)
			}
			page := parseExplorer(t, body)
			if !strings.Contains(page.Error, tt.mention) {
				t.Errorf("error = %q, want it to contain %q", page.Error, tt.mention)
			}
			if role, _ := page.doc.Find(`[data-testid="explorer-error"]`).Attr("role"); role != "alert" {
				t.Errorf("error has role %q, want alert", role)
			}
			if len(page.IDs) != 0 || len(page.Exports) != 0 {
				t.Errorf("page lists reviews %v and exports %v for an invalid filter", page.IDs, page.Exports)
			}
			if page.Clear != moviePath+"#reviews" {
				t.Errorf("clear link = %q, want %s#reviews", page.Clear, moviePath)
			}
			if title := page.doc.Find(`[data-testid="movie-title"]`).Text(); !strings.Contains(title, "Nosferatu") {
				t.Errorf("the rest of the movie page is missing: title %q", title)
			}
			marked := page.doc.Find(`[aria-invalid="true"]`)
			if tt.invalid == "" {
				if marked.Length() != 0 {
					t.Errorf("%d controls are marked invalid, want none", marked.Length())
				}
				return
			}
			if id, _ := marked.Attr("id"); marked.Length() != 1 || id != tt.invalid {
				t.Errorf("controls marked invalid: %d, first %q; want only %s", marked.Length(), id, tt.invalid)
			}
			if tt.selected != "" {
				if value, _ := marked.Attr("value"); value != tt.selected {
					t.Errorf("control %s keeps %q, want the submitted %q", tt.invalid, value, tt.selected)
				}
			}
		})
	}
}

// TestExplorerPermalink submits the form with every control, as a browser
// does, follows the redirect to the short permalink, and submits the
// refilled form again.
func TestExplorerPermalink(t *testing.T) {
	f := newFixture(t)
	submitted := url.Values{"bucket": {"week"}, "q": {""}, "aspect": {"acting"}, "polarity": {"positive"},
		"min_rating": {"8"}, "max_rating": {""}, "from": {"2024-01-01"}, "to": {""}, "spoiler": {"exclude"}, "sort": {"oldest"}}
	response, _ := f.get(t, moviePath+"?"+submitted.Encode())
	if response.StatusCode != http.StatusFound {
		t.Fatalf("form submission: status %d, want 302 to the permalink", response.StatusCode)
	}
	permalink := response.Header.Get("Location")
	want := moviePath + "?aspect=acting&bucket=week&from=2024-01-01&min_rating=8&polarity=positive&sort=oldest&spoiler=exclude#reviews"
	if permalink != want {
		t.Fatalf("permalink = %s, want %s", permalink, want)
	}

	response, body := f.get(t, strings.TrimSuffix(permalink, "#reviews"))
	if response.StatusCode != http.StatusOK {
		t.Fatalf("permalink: status %d, want 200", response.StatusCode)
	}
	page := parseExplorer(t, body)
	if want := rw(1, 2, 5, 8); !slices.Equal(page.IDs, want) {
		t.Errorf("permalink lists %v, want %v", page.IDs, want)
	}
	if !strings.Contains(body, "Reviews by publication week") {
		t.Errorf("the permalink lost the timeline's bucket")
	}
	if page.Clear != moviePath+"?bucket=week#reviews" {
		t.Errorf("clear link = %q, want the page with bucket=week only", page.Clear)
	}
	day, _ := page.doc.Find(`[data-testid="bucket-Day"]`).Attr("href")
	if want := moviePath + "?aspect=acting&bucket=day&from=2024-01-01&min_rating=8&polarity=positive&sort=oldest&spoiler=exclude#timeline-heading"; day != want {
		t.Errorf("timeline's Day link = %q, want %q with the filters", day, want)
	}

	action, again := page.formQuery(t)
	if action != moviePath+"#reviews" {
		t.Errorf("form action = %q, want %s#reviews", action, moviePath)
	}
	if again.Encode() != submitted.Encode() {
		t.Errorf("refilled form submits\n%s\nwant\n%s", again.Encode(), submitted.Encode())
	}
	csvLink := page.Exports["CSV"]
	if wantCSV := moviePath + "/reviews/export?aspect=acting&format=csv&from=2024-01-01&min_rating=8&polarity=positive&sort=oldest&spoiler=exclude"; csvLink != wantCSV {
		t.Errorf("CSV link = %q, want %q", csvLink, wantCSV)
	}
}

// addReviews stores n reviews of MovieID, one a day from 1 January 2025,
// every third flagged as a spoiler.
func addReviews(t *testing.T, f *fixture, n int) {
	t.Helper()
	result := store.SyncResult{MovieID: webtest.MovieID, At: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)}
	for i := range n {
		result.Upserts = append(result.Upserts, store.Review{
			ID: fmt.Sprintf("rw1%06d", i), MovieID: webtest.MovieID, AuthorName: "Pager", Title: fmt.Sprintf("Review %d", i),
			Text: "More words.", Spoiler: i%3 == 0, SubmittedAt: time.Date(2025, 1, 1+i, 0, 0, 0, 0, time.UTC),
			HelpfulUp: i % 4, ContentHash: fmt.Sprint("extra-", i),
		})
	}
	if _, err := f.store.ApplySync(t.Context(), result); err != nil {
		t.Fatalf("store %d more reviews: %v", n, err)
	}
}

func TestExplorerCursorPages(t *testing.T) {
	for _, sort := range []string{"newest", "oldest", "helpful", "least_helpful"} {
		t.Run(sort, func(t *testing.T) {
			f := newFixture(t)
			addReviews(t, f, 45)
			// 12 seeded and 45 added reviews; 2 seeded and 15 added are spoilers.
			target := moviePath + "?bucket=day&sort=" + sort + "&spoiler=exclude"
			var seen []string
			for pageNumber := 1; target != ""; pageNumber++ {
				if pageNumber > 5 {
					t.Fatalf("more than 5 pages; last link %s", target)
				}
				response, body := f.get(t, target)
				if response.StatusCode != http.StatusOK {
					t.Fatalf("page %d: status %d", pageNumber, response.StatusCode)
				}
				page := parseExplorer(t, body)
				if page.Summary != "40 reviews match these filters." {
					t.Errorf("page %d summary = %q", pageNumber, page.Summary)
				}
				if wantFirst := pageNumber > 1; (page.First != "") != wantFirst {
					t.Errorf("page %d has first page link %q, want one: %v", pageNumber, page.First, wantFirst)
				}
				if page.First != "" && page.First != moviePath+"?bucket=day&sort="+sort+"&spoiler=exclude#reviews" {
					t.Errorf("first page link = %q", page.First)
				}
				if page.Next != "" {
					next, err := url.Parse(page.Next)
					if err != nil {
						t.Fatalf("next link %q: %v", page.Next, err)
					}
					query := next.Query()
					if query.Get("bucket") != "day" || query.Get("sort") != sort || query.Get("spoiler") != "exclude" || query.Get("cursor") == "" {
						t.Errorf("next link %q does not keep the filters with a cursor", page.Next)
					}
					next.Fragment = ""
					target = next.String()
				} else {
					target = ""
				}
				seen = append(seen, page.IDs...)
			}

			want := allIDs(t, f, store.ReviewSort(sort))
			if !slices.Equal(seen, want) {
				t.Errorf("pages list\n%v\nwant\n%v", seen, want)
			}
		})
	}
}

// allIDs returns the ids of the non-spoiler reviews in the sort's order, as
// the store gives them in one page.
func allIDs(t *testing.T, f *fixture, sort store.ReviewSort) []string {
	t.Helper()
	page, err := f.store.QueryReviews(t.Context(), store.ReviewFilter{MovieID: webtest.MovieID, Sort: sort, Spoiler: store.SpoilerExclude})
	if err != nil {
		t.Fatal(err)
	}
	ids := []string{}
	for _, r := range page.Reviews {
		ids = append(ids, r.ID)
	}
	if len(ids) != 40 {
		t.Fatalf("store has %d non-spoiler reviews, want 40", len(ids))
	}
	return ids
}

func TestExplorerPastTheLastPage(t *testing.T) {
	f := newFixture(t)
	cursor := store.CursorAfter(store.SortNewest, store.Review{ID: "rw0000000", SubmittedAt: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)}).String()
	response, body := f.get(t, moviePath+"?cursor="+cursor)
	if response.StatusCode != http.StatusOK {
		t.Fatalf("status = %d, want 200", response.StatusCode)
	}
	page := parseExplorer(t, body)
	if len(page.IDs) != 0 || !strings.Contains(page.Summary, "past the last review") || page.First != moviePath+"#reviews" {
		t.Errorf("page past the end: reviews %v, summary %q, first link %q", page.IDs, page.Summary, page.First)
	}
}

func TestExplorerReviewDisplay(t *testing.T) {
	f := newFixture(t)
	edited := time.Date(2026, 2, 27, 18, 30, 0, 0, time.UTC)
	text := "First line.\nThe <b>acting</b> is <script>alert(1)</script> superb. Then the SCORE   soars.\nLast line."
	review := store.Review{ID: "rw2000001", MovieID: webtest.MovieID, AuthorName: `Eve <img src=x onerror=alert(2)>`,
		Title: `Title <i>with</i> "markup"`, Text: text, Spoiler: true, SubmittedAt: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC),
		HelpfulUp: 7, HelpfulDown: 2, ContentHash: "hash-markup"}
	if _, err := f.store.ApplySync(t.Context(), store.SyncResult{MovieID: webtest.MovieID, Upserts: []store.Review{review}, At: edited.Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	review.Text += " Edited."
	review.ContentHash = "hash-markup-2"
	rewrite := store.SyncResult{MovieID: webtest.MovieID, Upserts: []store.Review{review}, At: edited, ApplyEdits: true}
	if _, err := f.store.ApplySync(t.Context(), rewrite); err != nil {
		t.Fatal(err)
	}
	score := func(n int) *int { return &n }
	analysis := store.Analysis{ReviewID: review.ID, Analyzer: webtest.Analyzer, ContentHash: "hash-markup-2", Aspects: []store.AspectScore{
		{Aspect: "acting", Score: score(2), Evidence: "The <b>acting</b> is <script>alert(1)</script> superb."},
		// Found ignoring case and runs of white space.
		{Aspect: "sound", Score: score(1), Evidence: "the score soars."},
		// Overlaps the acting evidence, so both share one mark.
		{Aspect: "overall", Score: score(2), Evidence: "is <script>alert(1)</script> superb. Then"},
		// Not in the text: shown under the scores.
		{Aspect: "themes", Score: score(-1), Evidence: `A <q>quote</q> from elsewhere.`},
		{Aspect: "visuals"},
	}}
	if err := f.store.SaveAnalyses(t.Context(), []store.Analysis{analysis}); err != nil {
		t.Fatal(err)
	}

	_, body := f.get(t, moviePath+"?q=superb")
	page := parseExplorer(t, body)
	if !slices.Equal(page.IDs, []string{review.ID}) {
		t.Fatalf("reviews = %v, want only %s", page.IDs, review.ID)
	}
	item := between(t, body, `data-testid="review-`+review.ID+`"`, "</li>\n</ol>")
	wants := []string{
		`<h3>Title &lt;i&gt;with&lt;/i&gt; &#34;markup&#34;</h3>`,
		`by Eve &lt;img src=x onerror=alert(2)&gt;`,
		`<time datetime="2025-06-01">1 Jun 2025</time>`,
		`7 helpful votes, 2 unhelpful`,
		`edited, seen <time datetime="2026-02-27T18:30:00Z" data-local>27 Feb 2026 18:30 UTC</time>`,
		`<details class="spoiler" data-testid="spoiler"><summary>Contains spoilers – show</summary>`,
		`<p class="review-text">First line.
<mark title="Evidence for Acting &#43;2, Overall &#43;2">The &lt;b&gt;acting&lt;/b&gt; is &lt;script&gt;alert(1)&lt;/script&gt; <strong class="search-hit">superb</strong>. Then</mark>` +
			` <mark title="Evidence for Sound &#43;1">the SCORE   soars.</mark>
Last line. Edited.</p>`,
		`<p class="evidence-note"><span class="evidence-aspects">Themes −1:</span> <q>A &lt;q&gt;quote&lt;/q&gt; from elsewhere.</q></p>`,
		`<li class="score score-p2" data-aspect="acting"><span class="score-name">Acting</span> <span class="score-value">&#43;2</span></li>`,
		`<li class="score score-none" data-aspect="visuals"><span class="score-name">Visuals</span> <span class="score-value">not mentioned</span></li>`,
	}
	for _, want := range wants {
		if !strings.Contains(item, want) {
			t.Errorf("review lacks\n%s\nin\n%s", want, item)
		}
	}
	for _, raw := range []string{"<script>", "<img src=x", "<b>acting", "<i>with"} {
		if strings.Contains(item, raw) {
			t.Errorf("review renders %q as markup", raw)
		}
	}

	_, body = f.get(t, moviePath+"?q=classic")
	item = between(t, body, `data-testid="review-`+webtest.UnanalyzedReviewID+`"`, "</li>")
	if !strings.Contains(item, "Not analyzed yet. The lexicon analyzer has not scored this version of the review.") ||
		strings.Contains(item, `class="scores"`) {
		t.Errorf("review without analysis does not say so:\n%s", item)
	}
}

// exportedRow is what the export tests compare of one exported review.
type exportedRow struct {
	ID, Acting, Evidence string
	Analyzed             bool
}

func TestExplorerExport(t *testing.T) {
	formats := []struct {
		label, contentType string
		decode             func(*testing.T, []byte) []exportedRow
	}{
		{"CSV", "text/csv; charset=utf-8", decodeExportCSV},
		{"JSONL", "application/jsonl", decodeExportJSONL},
		{"Parquet", "application/vnd.apache.parquet", decodeExportParquet},
	}
	queries := []struct {
		query string
		want  []exportedRow
	}{
		{"spoiler=only&sort=oldest", []exportedRow{{"rw0000004", "0", "Slow going", true}, {"rw0000011", "1", "Perfect", true}}},
		{"q=classic", []exportedRow{{"rw0000012", "", "", false}}},
		{"aspect=acting&polarity=negative&bucket=week", []exportedRow{{"rw0000007", "-1", "Dated", true}}},
	}
	for _, q := range queries {
		for _, format := range formats {
			t.Run(format.label+"/"+q.query, func(t *testing.T) {
				f := newFixture(t)
				_, body := f.get(t, moviePath+"?"+q.query)
				link := parseExplorer(t, body).Exports[format.label]
				if link == "" {
					t.Fatalf("page has no %s export link", format.label)
				}
				response, data := f.get(t, link)
				if response.StatusCode != http.StatusOK {
					t.Fatalf("GET %s: status %d; body %s", link, response.StatusCode, data)
				}
				if got := response.Header.Get("Content-Type"); got != format.contentType {
					t.Errorf("Content-Type = %q, want %q", got, format.contentType)
				}
				disposition := fmt.Sprintf(`attachment; filename="%s-reviews.%s"`, webtest.MovieID, strings.ToLower(format.label))
				if got := response.Header.Get("Content-Disposition"); got != disposition {
					t.Errorf("Content-Disposition = %q, want %q", got, disposition)
				}
				if got := format.decode(t, []byte(data)); !slices.Equal(got, q.want) {
					t.Errorf("exported %+v, want %+v", got, q.want)
				}
			})
		}
	}
}

func TestExplorerExportErrors(t *testing.T) {
	tests := []struct {
		target  string
		status  int
		mention string
	}{
		{moviePath + "/reviews/export", http.StatusBadRequest, `invalid &#34;format&#34; &#34;&#34;: use one of csv, jsonl, parquet`},
		{moviePath + "/reviews/export?format=xlsx", http.StatusBadRequest, `invalid &#34;format&#34; &#34;xlsx&#34;`},
		{moviePath + "/reviews/export?format=csv&min_rating=0", http.StatusBadRequest, `invalid &#34;min_rating&#34; &#34;0&#34;`},
		{moviePath + "/reviews/export?format=csv&cursor=abc", http.StatusBadRequest, `unknown parameter &#34;cursor&#34;`},
		{"/movies/tt9999999/reviews/export?format=csv", http.StatusNotFound, "No movie with id tt9999999"},
	}
	for _, tt := range tests {
		f := newFixture(t)
		response, body := f.get(t, tt.target)
		if response.StatusCode != tt.status {
			t.Errorf("%s: status %d, want %d", tt.target, response.StatusCode, tt.status)
			continue
		}
		if !strings.Contains(body, tt.mention) {
			t.Errorf("%s: page does not mention %s", tt.target, tt.mention)
		}
		if got := response.Header.Get("Content-Type"); got != "text/html; charset=utf-8" {
			t.Errorf("%s: Content-Type %q, want the HTML message page", tt.target, got)
		}
	}
}

func decodeExportCSV(t *testing.T, data []byte) []exportedRow {
	t.Helper()
	records, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatalf("read CSV: %v", err)
	}
	header := records[0]
	if !slices.Contains(header, "acting_score") || !slices.Contains(header, "overall_evidence") {
		t.Errorf("CSV header %v lacks the aspect columns", header)
	}
	rows := []exportedRow{}
	for _, record := range records[1:] {
		values := map[string]string{}
		for i, name := range header {
			values[name] = record[i]
		}
		rows = append(rows, exportedRow{values["id"], values["acting_score"], values["acting_evidence"], values["analyzed"] == "true"})
	}
	return rows
}

func decodeExportJSONL(t *testing.T, data []byte) []exportedRow {
	t.Helper()
	rows := []exportedRow{}
	for line := range strings.Lines(string(data)) {
		var r struct {
			ID       string            `json:"id"`
			Aspects  map[string]*int   `json:"aspects"`
			Evidence map[string]string `json:"evidence"`
		}
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("read JSONL line %q: %v", line, err)
		}
		row := exportedRow{ID: r.ID, Evidence: r.Evidence["acting"], Analyzed: r.Aspects != nil}
		if score := r.Aspects["acting"]; score != nil {
			row.Acting = fmt.Sprint(*score)
		}
		rows = append(rows, row)
	}
	return rows
}

func decodeExportParquet(t *testing.T, data []byte) []exportedRow {
	t.Helper()
	file, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("open Parquet: %v", err)
	}
	reader := parquet.NewReader(file)
	defer reader.Close()
	rows := []exportedRow{}
	for range file.NumRows() {
		values := map[string]any{}
		if err := reader.Read(&values); err != nil {
			t.Fatalf("read Parquet row: %v", err)
		}
		row := exportedRow{ID: values["id"].(string), Analyzed: values["analyzed"].(bool)}
		if score, ok := values["acting_score"].(int32); ok {
			row.Acting = fmt.Sprint(score)
		}
		if evidence, ok := values["acting_evidence"].(string); ok {
			row.Evidence = evidence
		}
		rows = append(rows, row)
	}
	return rows
}

// TestExplorerEmptyMovie checks that a movie without reviews shows no form.
func TestExplorerEmptyMovie(t *testing.T) {
	f := newFixture(t)
	_, body := f.get(t, "/movies/"+webtest.PendingMovieID)
	page := parseExplorer(t, body)
	if page.Summary != "No reviews are stored for this movie yet." {
		t.Errorf("summary = %q", page.Summary)
	}
	if page.doc.Find(`form[data-testid="explorer-form"]`).Length() != 0 || len(page.Exports) != 0 {
		t.Errorf("a movie without reviews shows the filter form or export links")
	}
	if regexp.MustCompile(`data-testid="review-rw`).MatchString(body) {
		t.Errorf("a movie without reviews lists a review")
	}
}
