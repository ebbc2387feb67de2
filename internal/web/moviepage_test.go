package web_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/reelpulse/reelpulse/internal/store"
	"github.com/reelpulse/reelpulse/internal/web/webtest"
)

// TestMoviePageChartStructure checks every chart of the movie page: a
// text alternative, a data table, and one tooltip per bar and point.
func TestMoviePageChartStructure(t *testing.T) {
	cases := []struct {
		testID string
		bars   int
		points int
	}{
		{"chart-reviews-by-month", 6, 0},
		{"chart-rating-evolution", 0, 17},
		{"chart-rating-distribution", 10, 0},
		{"chart-aspect-averages", 6, 0},
		{"chart-aspect-radar", 0, 5},
		{"chart-aspect-storytelling", 5, 0},
		{"chart-aspect-overall", 5, 0},
		// Storytelling is mentioned in January, February, April, May and June.
		{"chart-aspect-evolution-storytelling", 0, 5},
		// Sound is mentioned in January, May and June.
		{"chart-aspect-evolution-sound", 0, 3},
		{"chart-aspect-evolution-overall", 0, 5},
		// The seed stores one complete pass: a helpful and an unhelpful total.
		{"chart-votes", 0, 2},
	}
	f := newFixture(t)
	_, body := f.get(t, "/movies/"+webtest.MovieID)

	for _, c := range cases {
		t.Run(c.testID, func(t *testing.T) {
			svg := svgByTestID(t, body, c.testID)
			for _, want := range []string{`role="img"`, `aria-labelledby="` + c.testID + `-title ` + c.testID + `-desc"`,
				`<title id="` + c.testID + `-title">`, `<desc id="` + c.testID + `-desc">`} {
				if !strings.Contains(svg, want) {
					t.Errorf("svg lacks %s", want)
				}
			}
			bars := strings.Count(svg, `<rect class="bar`)
			points := strings.Count(svg, `<circle class="point"`)
			if bars != c.bars || points != c.points {
				t.Errorf("svg has %d bars and %d points, want %d and %d", bars, points, c.bars, c.points)
			}
			if titles := strings.Count(svg, "</title></rect>") + strings.Count(svg, "</title></circle>"); titles != bars+points {
				t.Errorf("svg has %d tooltips for %d bars and points", titles, bars+points)
			}
			if figure := between(t, body, `data-testid="`+c.testID+`"`, "</figure>"); !strings.Contains(figure, `<details class="data-table">`) {
				t.Errorf("chart has no data table")
			}
		})
	}
}

// TestMoviePageBuckets checks the day, week and month switch and its
// permalinks.
func TestMoviePageBuckets(t *testing.T) {
	cases := []struct {
		query   string
		status  int
		bars    int
		title   string
		current string
	}{
		{"", http.StatusOK, 6, "Reviews by publication month", "Month"},
		{"?bucket=month", http.StatusOK, 6, "Reviews by publication month", "Month"},
		// 1 January to 24 June 2024 are 26 weeks.
		{"?bucket=week", http.StatusOK, 26, "Reviews by publication week", "Week"},
		// 176 days from 5 January to 28 June, of which the latest 120 are drawn.
		{"?bucket=day", http.StatusOK, 120, "Reviews by publication day", "Day"},
		{"?bucket=year", http.StatusBadRequest, 0, "bucket parameter must be day, week or month", ""},
	}
	for _, c := range cases {
		t.Run(c.query, func(t *testing.T) {
			f := newFixture(t)
			response, body := f.get(t, "/movies/"+webtest.MovieID+c.query)
			if response.StatusCode != c.status {
				t.Fatalf("status = %d, want %d", response.StatusCode, c.status)
			}
			if !strings.Contains(body, c.title) {
				t.Errorf("page lacks %q", c.title)
			}
			if c.status != http.StatusOK {
				return
			}
			svg := svgByTestID(t, body, "chart-reviews-by-month")
			if got := strings.Count(svg, `<rect class="bar`); got != c.bars {
				t.Errorf("timeline has %d bars, want %d", got, c.bars)
			}
			current := `data-testid="bucket-` + c.current + `" aria-current="page"`
			if !strings.Contains(body, current) || strings.Count(body, `aria-current="page"`) != 1 {
				t.Errorf("switch does not mark %s alone as current", c.current)
			}
			for _, link := range []string{`href="/movies/tt0013442?bucket=day#timeline-heading"`,
				`href="/movies/tt0013442?bucket=week#timeline-heading"`, `href="/movies/tt0013442#timeline-heading"`} {
				if !strings.Contains(body, link) {
					t.Errorf("switch lacks the link %s", link)
				}
			}
		})
	}
}

// TestMoviePageExplainsYearlyBuckets checks the notes that explain why
// the charts show other periods than the chosen bucket. A review from 2009
// beside the seeded 2024 ones makes the timeline and the aspect charts
// show years, while the switch still marks Month as chosen; one from 2018
// keeps both by month, as they share one rule. Days show the note on the
// periods left out. The aspect note always names the aspect charts'
// period, and the seeded months show no other note.
func TestMoviePageExplainsYearlyBuckets(t *testing.T) {
	cases := []struct {
		name       string
		old        int // year of an extra early review; 0 for none
		query      string
		title      string
		aspectNote string
		notes      []string
		current    string
	}{
		{"six months", 0, "", "Reviews by publication month", "one point per month of publication", nil, "Month"},
		{"seven years", 2018, "", "Reviews by publication month", "one point per month of publication", nil, "Month"},
		{"fifteen years", 2009, "", "Reviews by publication year", "one point per year of publication: these reviews span more than 10 years", []string{
			`data-testid="bucket-note">Month is chosen, but these reviews span more than 10 years, so the timeline shows one bar per year.`,
			`data-testid="chart-reviews-by-month-note">By year: monthly buckets are used for spans of up to 10 years.`,
			`data-testid="chart-rating-evolution-note">By year: monthly buckets are used for spans of up to 10 years.`,
		}, "Month"},
		{"days", 0, "?bucket=day", "Reviews by publication day", "one point per month of publication", []string{
			`data-testid="bucket-note">These reviews span more than 120 days, so the timeline shows the latest 120 days only.`,
			`data-testid="chart-reviews-by-month-note">The latest 120 days only; choose a longer bucket for the whole span.`,
		}, "Day"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			ctx := context.Background()
			if c.old != 0 {
				rating := 7
				review := store.Review{ID: "rw9000001", MovieID: webtest.MovieID, AuthorName: "Early reviewer", AuthorID: "ur90000001",
					Title: "Seen on a festival print", Text: "The shadows still work.", Rating: &rating,
					SubmittedAt: time.Date(c.old, 5, 2, 0, 0, 0, 0, time.UTC), ContentHash: "hash-rw9000001"}
				if _, err := f.store.ApplySync(ctx, store.SyncResult{MovieID: webtest.MovieID, At: time.Now(), Upserts: []store.Review{review}}); err != nil {
					t.Fatal(err)
				}
				score := 1
				analysis := store.Analysis{ReviewID: review.ID, Analyzer: webtest.Analyzer, AnalyzerVersion: "1", ContentHash: review.ContentHash,
					AnalyzedAt: time.Now(), Aspects: []store.AspectScore{{Aspect: "visuals", Score: &score}}}
				if err := f.store.SaveAnalyses(ctx, []store.Analysis{analysis}); err != nil {
					t.Fatal(err)
				}
			}
			response, body := f.get(t, "/movies/"+webtest.MovieID+c.query)
			if response.StatusCode != http.StatusOK {
				t.Fatalf("status = %d, want 200", response.StatusCode)
			}
			if !strings.Contains(body, c.title) {
				t.Errorf("page lacks the title %q", c.title)
			}
			for _, note := range c.notes {
				if !strings.Contains(body, note) {
					t.Errorf("page lacks %s", note)
				}
			}
			if !strings.Contains(body, `data-testid="aspect-note">The charts by time below show `+c.aspectNote) {
				t.Errorf("aspect note does not say %q", c.aspectNote)
			}
			if yearly := strings.Contains(body, "average by year"); yearly != strings.Contains(c.title, "year") {
				t.Errorf("aspect charts by year: %v, timeline title %q; want the same period", yearly, c.title)
			}
			notes := 0
			for _, class := range []string{`data-testid="chart-reviews-by-month-note"`, `data-testid="chart-rating-evolution-note"`, `data-testid="bucket-note"`} {
				notes += strings.Count(body, class)
			}
			if notes < len(c.notes) || (len(c.notes) == 0 && notes > 0) {
				t.Errorf("page shows %d notes, want %d", notes, len(c.notes))
			}
			if !strings.Contains(body, `data-testid="bucket-`+c.current+`" aria-current="page"`) {
				t.Errorf("switch does not mark %s as chosen", c.current)
			}
		})
	}
}

func TestMoviePageHeaderAndHelpfulness(t *testing.T) {
	f := newFixture(t)
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	recent := store.Review{ID: "rw0000099", MovieID: webtest.MovieID, Title: "Fresh <b>take</b>", Text: "Seen yesterday.",
		SubmittedAt: now.AddDate(0, 0, -1).Truncate(24 * time.Hour), ContentHash: "hash-rw0000099"}
	older := recent
	older.ID, older.ContentHash, older.SubmittedAt = "rw0000098", "hash-rw0000098", now.AddDate(0, 0, -5).Truncate(24*time.Hour)
	if _, err := f.store.ApplySync(t.Context(), store.SyncResult{MovieID: webtest.MovieID, Upserts: []store.Review{recent, older}, At: now}); err != nil {
		t.Fatalf("store recent reviews: %v", err)
	}
	_, body := f.get(t, "/movies/"+webtest.MovieID)
	text := html.UnescapeString(body)

	wants := []string{
		`data-testid="new-last-day">1<`,
		`data-testid="new-last-week">2<`,
		`<meter id="completeness-meter" min="0" max="100" low="90" optimum="100" value="93">`,
		"14 of 15 declared (93%)",
		"Mentioned in 7 of 11 analyzed reviews (64%)",
		`<img class="poster large" src="/posters/tt0013442"`,
		`<time datetime="1922-03-04">4 Mar 1922</time>`,
		`data-relative`,
		`data-testid="helpful-positive"`,
		`data-testid="helpful-negative"`,
		"Most helpful positive review",
	}
	for _, want := range wants {
		if !strings.Contains(text, want) {
			t.Errorf("movie page lacks %q", want)
		}
	}
	// Of the two negative reviews, rw0000004 ("Slow going") has 13 helpful
	// votes and rw0000010 has 1.
	if helpful := between(t, body, `data-testid="helpful-negative"`, "</article>"); !strings.Contains(helpful, "Slow going") {
		t.Errorf("most helpful negative review is not rw0000004")
	}
	if strings.Contains(body, "<b>take</b>") {
		t.Errorf("review title markup is rendered as HTML")
	}
}

func TestMoviePageShowsPinned(t *testing.T) {
	f := newFixture(t)
	if _, body := f.get(t, "/movies/"+webtest.MovieID); strings.Contains(body, `data-testid="pinned"`) {
		t.Errorf("a movie tracked by users alone is shown as tracked for everyone")
	}
	m, err := f.store.GetMovie(t.Context(), webtest.MovieID)
	if err != nil {
		t.Fatal(err)
	}
	m.Pinned = true
	f.store.PutMovie(m)
	if _, body := f.get(t, "/movies/"+webtest.MovieID); !strings.Contains(body, `data-testid="pinned">Tracked for everyone`) {
		t.Errorf("a pinned movie's page does not say it is tracked for everyone")
	}
}

func TestListPageSparklines(t *testing.T) {
	f := newFixture(t)
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC) // the fixture's clock
	var recent []store.Review
	for i, age := range []int{1, 12, 45} { // the last one is out of the 30 days
		id := fmt.Sprintf("rw00001%02d", i)
		recent = append(recent, store.Review{ID: id, MovieID: webtest.MovieID, Title: "Recent", Text: "Seen lately.",
			SubmittedAt: now.AddDate(0, 0, -age).Truncate(24 * time.Hour), ContentHash: "hash-" + id})
	}
	if _, err := f.store.ApplySync(t.Context(), store.SyncResult{MovieID: webtest.MovieID, Upserts: recent, At: now}); err != nil {
		t.Fatalf("store recent reviews: %v", err)
	}
	_, body := f.get(t, "/")
	for id, want := range map[string]string{webtest.MovieID: "2", webtest.FailingMovieID: "0"} {
		if !strings.Contains(body, `data-testid="recent-`+id+`">`+want+`<`) {
			t.Errorf("card of %s does not show %s reviews in the last 30 days", id, want)
		}
	}
	if !strings.Contains(svgByTestID(t, body, "sparkline-"+webtest.MovieID), `aria-label="2 reviews published in the last 30 days"`) {
		t.Errorf("sparkline of %s does not count the 2 recent reviews", webtest.MovieID)
	}

	for _, id := range []string{webtest.FailingMovieID, webtest.PendingMovieID} {
		svg := svgByTestID(t, body, "sparkline-"+id)
		if got := strings.Count(svg, `<circle class="point"`); got != 30 {
			t.Errorf("sparkline of %s has %d points, want 30", id, got)
		}
		if !strings.Contains(svg, `role="img" aria-label="0 reviews published in the last 30 days"`) {
			t.Errorf("sparkline of %s lacks its text alternative", id)
		}
	}
}

// between returns the part of body from start up to the next end, and
// fails the test when either is missing.
func between(t *testing.T, body, start, end string) string {
	t.Helper()
	_, after, found := strings.Cut(body, start)
	if !found {
		t.Fatalf("page lacks %s", start)
	}
	part, _, found := strings.Cut(after, end)
	if !found {
		t.Fatalf("page lacks %s after %s", end, start)
	}
	return part
}
