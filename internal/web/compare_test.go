package web

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/reelpulse/reelpulse/internal/store"
	"github.com/reelpulse/reelpulse/internal/store/sqlite"
	"github.com/reelpulse/reelpulse/internal/web/webtest"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files in testdata/")

// Movies that SeedCompareMovies stores besides webtest.Seed's.
const (
	// CompareReleasedID is released on 1 March 2024 and reviewed over
	// the nine weeks from then.
	CompareReleasedID = "tt9900001"
	// CompareUndatedID has no release date. Its reviews start on
	// 14 February 2024.
	CompareUndatedID = "tt9900002"
)

// compareSample is a made-up movie of the compare tests.
type compareSample struct {
	id, title string
	release   *time.Time
	first     time.Time
	// days are the review days after first, ratings their ratings (0
	// for none) and overall the overall score of each.
	days    []int
	ratings []int
	overall []int
}

func compareSamples() []compareSample {
	released := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	return []compareSample{
		{
			id: CompareReleasedID, title: "Harbour Lights", release: &released, first: released,
			days:    []int{0, 1, 2, 5, 9, 13, 20, 27, 34, 48, 62},
			ratings: []int{9, 8, 10, 7, 0, 8, 6, 9, 7, 5, 8},
			overall: []int{2, 1, 2, 1, 0, 1, -1, 2, 1, -1, 1},
		},
		{
			id: CompareUndatedID, title: "Paper Moons", first: time.Date(2024, 2, 14, 0, 0, 0, 0, time.UTC),
			days:    []int{0, 3, 4, 11, 25, 39},
			ratings: []int{4, 6, 5, 3, 0, 6},
			overall: []int{-1, 0, 0, -2, -1, 1},
		},
	}
}

// SeedCompareMovies stores the movies CompareReleasedID and
// CompareUndatedID with their reviews and analyses, through the store's
// public methods, beside the movies of webtest.Seed.
func SeedCompareMovies(ctx context.Context, st store.Store, now time.Time) error {
	for n, sample := range compareSamples() {
		if _, err := st.TrackMovie(ctx, sample.id, now.Add(-24*time.Hour)); err != nil {
			return fmt.Errorf("track %s: %w", sample.id, err)
		}
		meta := store.MovieMetadata{Title: sample.title, Year: 2024, ReleaseDate: sample.release, PosterURL: webtest.Poster}
		if err := st.RecordCheck(ctx, sample.id, meta, now.Add(-3*time.Hour)); err != nil {
			return fmt.Errorf("record check of %s: %w", sample.id, err)
		}
		result := store.SyncResult{MovieID: sample.id, Complete: true, At: now.Add(-2 * time.Hour)}
		var analyses []store.Analysis
		for i, day := range sample.days {
			id := fmt.Sprintf("rw99%d%04d", n, i)
			review := store.Review{
				ID: id, MovieID: sample.id, AuthorName: "Reviewer " + id, Title: "Review " + id,
				Text: "A made-up review of " + sample.title + ".", SubmittedAt: sample.first.AddDate(0, 0, day),
				HelpfulUp: i, ContentHash: "hash-" + id,
			}
			if rating := sample.ratings[i]; rating != 0 {
				review.Rating = &rating
			}
			result.Upserts = append(result.Upserts, review)
			result.Seen = append(result.Seen, store.ReviewVotes{ReviewID: id, HelpfulUp: i})

			overall, acting := sample.overall[i], ((sample.overall[i]+i)%3+3)%3-1
			analysis := store.Analysis{ReviewID: id, Analyzer: webtest.Analyzer, AnalyzerVersion: "1", ContentHash: "hash-" + id, AnalyzedAt: now.Add(-time.Hour)}
			analysis.Aspects = []store.AspectScore{
				{Aspect: store.Overall, Score: &overall, Evidence: "A made-up review."},
				{Aspect: "acting", Score: &acting, Evidence: "A made-up review."},
				{Aspect: "storytelling"}, {Aspect: "visuals"}, {Aspect: "sound"}, {Aspect: "themes"},
			}
			if i%2 == 0 {
				visuals := 2 - n*3
				analysis.Aspects[3].Score = &visuals
			}
			analyses = append(analyses, analysis)
		}
		if _, err := st.ApplySync(ctx, result); err != nil {
			return fmt.Errorf("apply sync of %s: %w", sample.id, err)
		}
		if err := st.SaveAnalyses(ctx, analyses); err != nil {
			return fmt.Errorf("save analyses of %s: %w", sample.id, err)
		}
	}
	return nil
}

// newCompareHandler returns the dashboard over the in-memory store with
// webtest.Seed's movies and SeedCompareMovies'.
func newCompareHandler(t *testing.T) http.Handler {
	t.Helper()
	ctx := t.Context()
	st := webtest.NewStore()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	if _, err := webtest.Seed(ctx, st, now); err != nil {
		t.Fatalf("seed store: %v", err)
	}
	if err := SeedCompareMovies(ctx, st, now); err != nil {
		t.Fatalf("seed compare movies: %v", err)
	}
	signedIn := webtest.NewAccounts(t, nil)
	signedIn.TrackAll(t, st)
	handler, err := New(Config{Accounts: signedIn.Store, Auth: signedIn.Auth, Store: st, Tracker: &webtest.Tracker{Store: st}, Analyzer: webtest.Analyzer,
		Logger: slog.New(slog.DiscardHandler), Now: func() time.Time { return now }})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	handler = webtest.AsMember(handler, signedIn.Admin)
	return handler
}

func getPage(t *testing.T, handler http.Handler, target string) (int, string) {
	t.Helper()
	recorder := httptest.NewRecorder()
	handler.ServeHTTP(recorder, httptest.NewRequest(http.MethodGet, target, nil))
	response := recorder.Result()
	body, err := io.ReadAll(response.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return response.StatusCode, string(body)
}

// chartSVG returns the svg element of the chart testID in body.
func chartSVG(t *testing.T, body, testID string) string {
	t.Helper()
	_, after, found := strings.Cut(body, `data-testid="`+testID+`"`)
	if !found {
		t.Fatalf("page has no chart %s", testID)
	}
	svg, _, found := strings.Cut(after, "</svg>")
	if !found {
		t.Fatalf("chart %s is not closed", testID)
	}
	return svg
}

var radarPolygonPattern = regexp.MustCompile(`<polygon class="radar-movie [^"]*" points="([^"]*)"`)

var columnPattern = regexp.MustCompile(`<li class="compare-column (movie-\d)" data-testid="compare-(tt\d+)">`)

func TestComparePage(t *testing.T) {
	cases := []struct {
		name  string
		query string
		// want lists the columns in order, reviewed the movies with reviews.
		want     []string
		reviewed int
	}{
		{"two movies", "id=" + CompareReleasedID + "&id=" + CompareUndatedID, []string{CompareReleasedID, CompareUndatedID}, 2},
		{"order kept", "id=" + CompareUndatedID + "&id=" + CompareReleasedID, []string{CompareUndatedID, CompareReleasedID}, 2},
		{"duplicates removed", "id=" + CompareReleasedID + "&id=TT9900002&id=" + CompareReleasedID, []string{CompareReleasedID, CompareUndatedID}, 2},
		{"three movies", "id=" + webtest.MovieID + "&id=" + CompareReleasedID + "&id=" + CompareUndatedID,
			[]string{webtest.MovieID, CompareReleasedID, CompareUndatedID}, 3},
		{"four movies, one without reviews", "id=" + webtest.MovieID + "&id=" + CompareReleasedID + "&id=" + CompareUndatedID + "&id=" + webtest.FailingMovieID,
			[]string{webtest.MovieID, CompareReleasedID, CompareUndatedID, webtest.FailingMovieID}, 3},
	}
	handler := newCompareHandler(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, body := getPage(t, handler, "/compare?"+c.query)
			if status != http.StatusOK {
				t.Fatalf("status = %d, want 200; body:\n%s", status, body)
			}
			var got []string
			for i, match := range columnPattern.FindAllStringSubmatch(body, -1) {
				got = append(got, match[2])
				if want := fmt.Sprintf("movie-%d", i+1); match[1] != want {
					t.Errorf("column %d has class %s, want %s", i, match[1], want)
				}
			}
			if strings.Join(got, " ") != strings.Join(c.want, " ") {
				t.Errorf("columns = %v, want %v", got, c.want)
			}

			// A movie without analyzed reviews has no aspect score, so no
			// polygon; the others have a vertex and a point per aspect
			// with a score.
			radar := chartSVG(t, body, "chart-compare-radar")
			if n := strings.Count(radar, `<polygon class="radar-movie `); n != c.reviewed {
				t.Errorf("radar has %d movie polygons, want %d", n, c.reviewed)
			}
			vertices := 0
			for _, match := range radarPolygonPattern.FindAllStringSubmatch(radar, -1) {
				vertices += len(strings.Fields(match[1]))
			}
			if n := strings.Count(radar, "</title></circle>"); n != vertices || n == 0 {
				t.Errorf("radar has %d points with a tooltip and %d polygon vertices, want as many", n, vertices)
			}
			for _, testID := range []string{"chart-compare-ratings", "chart-compare-reviews"} {
				svg := chartSVG(t, body, testID)
				if n := strings.Count(svg, `<g class="series series-movie movie-`); n != len(c.want) {
					t.Errorf("%s has %d series, want %d", testID, n, len(c.want))
				}
				// Movies without a review draw no line and no point.
				drawn := 0
				for _, group := range strings.Split(svg, `<g class="series `)[1:] {
					if strings.Contains(group, `<circle class="point"`) {
						drawn++
					}
				}
				if drawn != c.reviewed {
					t.Errorf("%s draws %d movies, want %d", testID, drawn, c.reviewed)
				}
				if testID == "chart-compare-ratings" && strings.Count(svg, `<polyline class="line"`) != c.reviewed {
					t.Errorf("%s has %d lines, want %d", testID, strings.Count(svg, `<polyline class="line"`), c.reviewed)
				}
				if strings.Count(svg, `<circle class="point"`) != strings.Count(svg, "</title></circle>") {
					t.Errorf("%s has points without a tooltip", testID)
				}
			}
			if n := strings.Count(body, `<details class="data-table">`); n != 3 {
				t.Errorf("page has %d data tables, want one per chart (3)", n)
			}
			if n := strings.Count(body, `name="id" value="tt`); n < len(c.want) {
				t.Errorf("form offers %d movies, want at least %d", n, len(c.want))
			}
			for _, id := range c.want {
				if !strings.Contains(body, `name="id" value="`+id+`" checked>`) {
					t.Errorf("form does not tick %s", id)
				}
			}
			if inline := regexp.MustCompile(`<script>|<style|<[a-zA-Z][^>]*\s(style|on[a-z]+)=`).FindString(body); inline != "" {
				t.Errorf("page contains inline code %q", inline)
			}
		})
	}
}

func TestComparePageFigures(t *testing.T) {
	handler := newCompareHandler(t)
	_, body := getPage(t, handler, "/compare?id="+CompareReleasedID+"&id="+CompareUndatedID)

	// Harbour Lights: ratings 9, 8, 10, 7, 8, 6, 9, 7, 5, 8 average 7.7,
	// and the overall scores sum to 9 over 11 reviews.
	for _, want := range []string{
		`data-testid="compare-` + CompareReleasedID + `-reviews">11<`,
		`data-testid="compare-` + CompareReleasedID + `-rating">7.7<`,
		`<span class="sentiment sentiment-positive">&#43;0.82</span>`,
		`data-testid="compare-` + CompareUndatedID + `-rating">4.8<`,
		"Released 1 Mar 2024",
		"No release date: aligned by its first review, 14 Feb 2024",
		"Day 0 is each movie&#39;s release date, except for Paper Moons, which has no release date and starts at its first review.",
		"Paper Moons (from its first review)",
		// Visuals: +2 in the six even reviews of Harbour Lights; the page
		// escapes plus signs.
		`<tr data-testid="compare-` + CompareReleasedID + `-visuals"><th scope="row">Visuals</th><td><span class="sentiment-positive">&#43;2.00</span> <span class="muted">(55%)</span></td></tr>`,
		`<tr data-testid="compare-` + CompareUndatedID + `-sound"><th scope="row">Sound</th><td><span class="sentiment-none">–</span> <span class="muted">(0%)</span></td></tr>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %s", want)
		}
	}
}

func TestComparePageRejects(t *testing.T) {
	cases := []struct {
		name, query string
		status      int
		message     string
		checked     []string
	}{
		{"no id shows the form", "", http.StatusOK, "Pick the movies to compare", nil},
		{"with ticks a movie", "with=" + CompareReleasedID, http.StatusOK, "Pick the movies to compare", []string{CompareReleasedID}},
		{"one id", "id=" + CompareReleasedID, http.StatusBadRequest,
			"Pick at least 2 movies to compare; the request names only " + CompareReleasedID + ".", []string{CompareReleasedID}},
		{"one id twice", "id=" + CompareReleasedID + "&id=" + CompareReleasedID, http.StatusBadRequest,
			"Pick at least 2 movies to compare", []string{CompareReleasedID}},
		{"five ids", "id=tt0013442&id=tt0000001&id=tt0000002&id=tt9900001&id=tt9900002", http.StatusBadRequest,
			"Pick at most 4 movies to compare; the request names 5.",
			[]string{webtest.MovieID, webtest.FailingMovieID, webtest.PendingMovieID, CompareReleasedID, CompareUndatedID}},
		{"bad id", "id=" + CompareReleasedID + "&id=nosferatu", http.StatusBadRequest,
			"&#34;nosferatu&#34; is not an IMDb id: use tt followed by 7 to 10 digits, such as tt0013442.", nil},
		{"bad with", "with=12", http.StatusBadRequest, "&#34;12&#34; is not an IMDb id", nil},
		{"unknown id", "id=" + CompareReleasedID + "&id=tt7654321", http.StatusNotFound,
			"No movie with id tt7654321 is stored. Add it from the movie list, then compare it.", []string{CompareReleasedID}},
	}
	handler := newCompareHandler(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, body := getPage(t, handler, "/compare?"+c.query)
			if status != c.status {
				t.Errorf("status = %d, want %d", status, c.status)
			}
			if !strings.Contains(body, c.message) {
				t.Errorf("page lacks %q:\n%s", c.message, body)
			}
			if strings.Contains(body, "chart-compare-radar") {
				t.Error("page draws the comparison")
			}
			if c.status != http.StatusOK && !strings.Contains(body, `role="alert" data-testid="compare-error"`) {
				t.Error("page does not mark the message as an alert")
			}
			if got := strings.Count(body, " checked>"); got != len(c.checked) {
				t.Errorf("form ticks %d movies, want %d", got, len(c.checked))
			}
			for _, id := range c.checked {
				if !strings.Contains(body, `value="`+id+`" checked>`) {
					t.Errorf("form does not tick %s", id)
				}
			}
			if !strings.Contains(body, `<form method="get" action="/compare" class="compare-pick"`) {
				t.Error("page has no form to pick movies")
			}
		})
	}
}

func TestCompareLinks(t *testing.T) {
	handler := newCompareHandler(t)
	_, list := getPage(t, handler, "/")
	if !strings.Contains(list, `<form id="compare-form" method="get" action="/compare"`) {
		t.Error("movie list has no compare form")
	}
	// webtest.Seed's three movies and SeedCompareMovies' two.
	if n := strings.Count(list, `form="compare-form"`); n != 5 {
		t.Errorf("movie list has %d compare checkboxes, want 5", n)
	}
	_, movie := getPage(t, handler, "/movies/"+CompareReleasedID)
	if !strings.Contains(movie, `<a href="/compare?with=`+CompareReleasedID+`" data-testid="compare-with">Compare with…</a>`) {
		t.Error("movie page has no compare link")
	}
}

func utcDay(year int, m time.Month, day int) time.Time {
	return time.Date(year, m, day, 0, 0, 0, 0, time.UTC)
}

func TestAlignTimeline(t *testing.T) {
	week, quarter := grouping{}, grouping{Months: 3}
	days := []store.TimelineBucket{
		// Friday 1 March 2024 and the following days. No review from 8 to
		// 14 March.
		{Start: utcDay(2024, 3, 1), Reviews: 2, RatedReviews: 2, CumulativeRated: 2, CumulativeAverage: ratingOf(8)},
		{Start: utcDay(2024, 3, 7), Reviews: 1, CumulativeRated: 2, CumulativeAverage: ratingOf(8)},
		{Start: utcDay(2024, 3, 15), Reviews: 1, CumulativeRated: 2, CumulativeAverage: ratingOf(8)},
		{Start: utcDay(2024, 3, 22), Reviews: 2, RatedReviews: 1, CumulativeRated: 3, CumulativeAverage: ratingOf(7)},
	}
	unrated := []store.TimelineBucket{
		{Start: utcDay(2024, 3, 4), Reviews: 1},
		{Start: utcDay(2024, 3, 11), Reviews: 1, RatedReviews: 1, CumulativeRated: 1, CumulativeAverage: ratingOf(4)},
	}
	spread := []store.TimelineBucket{
		{Start: utcDay(2023, 11, 20), Reviews: 2, CumulativeRated: 2, CumulativeAverage: ratingOf(6)},
		{Start: utcDay(2024, 1, 14), Reviews: 1, CumulativeRated: 3, CumulativeAverage: ratingOf(7)},
		{Start: utcDay(2024, 5, 2), Reviews: 4, CumulativeRated: 7, CumulativeAverage: ratingOf(8)},
	}
	type want struct {
		from, to, reviews int
		cumulative        float64 // 0 when none
	}
	cases := []struct {
		name     string
		timeline []store.TimelineBucket
		g        grouping
		anchor   time.Time
		want     []want
	}{
		{"weeks from release", days, week, utcDay(2024, 3, 1),
			[]want{{0, 7, 3, 8}, {7, 14, 0, 8}, {14, 21, 1, 8}, {21, 28, 2, 7}}},
		{"release two days earlier", days, week, utcDay(2024, 2, 28),
			// 1, 7, 15 and 22 March are days 2, 8, 16 and 23.
			[]want{{0, 7, 2, 8}, {7, 14, 1, 8}, {14, 21, 1, 8}, {21, 28, 2, 7}}},
		{"release three days later", days, week, utcDay(2024, 3, 4),
			// Day −3 starts week −1; 7 March is day 3.
			[]want{{-7, 0, 2, 8}, {0, 7, 1, 8}, {7, 14, 1, 8}, {14, 21, 2, 7}}},
		{"no rating in the first week", unrated, week, utcDay(2024, 3, 4),
			[]want{{0, 7, 1, 0}, {7, 14, 1, 4}}},
		{"quarters from a mid-month release", spread, quarter, utcDay(2023, 10, 15),
			// 15 Oct to 14 Jan, 15 Jan to 14 Apr, 15 Apr to 14 Jul.
			[]want{{0, 92, 3, 7}, {92, 183, 0, 7}, {183, 274, 4, 8}}},
		{"one day", unrated[:1], week, utcDay(2024, 3, 4), []want{{0, 7, 1, 0}}},
		{"no review", nil, week, utcDay(2024, 3, 1), nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			aligned := alignTimeline(c.timeline, c.g, c.anchor, true)
			var got []want
			for _, p := range aligned.Periods {
				w := want{p.FromDay, p.ToDay, p.Reviews, 0}
				if p.HasCumulative {
					w.cumulative = p.Cumulative
				}
				got = append(got, w)
				if p.Start != c.anchor.AddDate(0, 0, p.FromDay) {
					t.Errorf("period from day %d starts on %s", p.FromDay, p.Start.Format(time.DateOnly))
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("periods (from, to, reviews, cumulative) = %v, want %v", got, c.want)
			}
		})
	}
}

func TestAlignedPeriodText(t *testing.T) {
	aligned := alignTimeline([]store.TimelineBucket{{Start: utcDay(2024, 2, 26), Reviews: 1}, {Start: utcDay(2024, 3, 2), Reviews: 1}},
		grouping{}, utcDay(2024, 3, 1), false)
	var texts []string
	for _, p := range aligned.Periods {
		texts = append(texts, aligned.periodText(p))
	}
	want := "days −7 to −1 since first review, 23 Feb 2024 to 29 Feb 2024|days 0 to 6 since first review, 1 Mar 2024 to 7 Mar 2024"
	if got := strings.Join(texts, "|"); got != want {
		t.Errorf("period texts = %q, want %q", got, want)
	}
}

func TestChooseGrouping(t *testing.T) {
	cases := []struct {
		days int
		want string
	}{
		{0, "week"},
		{156 * 7, "week"},
		{156*7 + 1, "month"},
		// 3652 days are 119.98 months, 3653 days 120.02.
		{3652, "month"},
		{3653, "3 months"},
		// 28 years of reviews.
		{28 * 365, "3 months"},
		{31 * 365, "6 months"},
		{61 * 365, "year"},
	}
	for _, c := range cases {
		if got := chooseGrouping(c.days).unit(); got != c.want {
			t.Errorf("chooseGrouping(%d days) = %s, want %s", c.days, got, c.want)
		}
	}
}

func TestDayAxisLabels(t *testing.T) {
	plot := rect{Left: 0, Right: 100, Top: 0, Bottom: 100}
	cases := []struct {
		from, to int
		want     string
	}{
		{0, 63, "0 14 d 28 d 42 d 56 d"},
		{-16, 31, "−14 d −7 d 0 7 d 14 d 21 d 28 d"},
		{0, 400, "0 60 d 120 d 180 d 240 d 300 d 360 d"},
		{0, 3000, "0 2 y 4 y 6 y 8 y"},
		{0, 36000, "0 20 y 40 y 60 y 80 y"},
	}
	for _, c := range cases {
		axis := dayAxis{plot: plot, from: c.from, to: c.to}
		var texts []string
		for _, l := range axis.labels() {
			texts = append(texts, l.Text)
		}
		if got := strings.Join(texts, " "); got != c.want {
			t.Errorf("labels of days %d to %d = %q, want %q", c.from, c.to, got, c.want)
		}
	}
}

// TestDayAxisLabelsBeforeRelease checks that the days before day 0 get a
// label when the step of the axis is longer than they are, and only when
// that label is far enough from the one at 0.
func TestDayAxisLabelsBeforeRelease(t *testing.T) {
	cases := []struct {
		from, to int
		want     string
	}{
		{-3000, 36000, "−8 y 0 20 y 40 y 60 y 80 y"},
		{-800, 36000, "0 20 y 40 y 60 y 80 y"}, // −2 y would touch 0
		{-50, 300, "−30 d 0 60 d 120 d 180 d 240 d 300 d"},
		{-5, 300, "0 60 d 120 d 180 d 240 d 300 d"},
		{0, 36000, "0 20 y 40 y 60 y 80 y"},
	}
	for _, c := range cases {
		axis := dayAxis{plot: widePlot(), from: c.from, to: c.to}
		var texts []string
		labels := axis.labels()
		for i, l := range labels {
			texts = append(texts, l.Text)
			if i > 0 && l.X-labels[i-1].X < minLabelGap {
				t.Errorf("days %d to %d: labels %q and %q are %.1f apart", c.from, c.to, labels[i-1].Text, l.Text, l.X-labels[i-1].X)
			}
		}
		if got := strings.Join(texts, " "); got != c.want {
			t.Errorf("labels of days %d to %d = %q, want %q", c.from, c.to, got, c.want)
		}
	}
}

// TestCompareReviewsChartGaps checks that periods without reviews break
// the line and have no point, while the data table keeps them.
func TestCompareReviewsChartGaps(t *testing.T) {
	anchor := time.Date(2020, 1, 6, 0, 0, 0, 0, time.UTC)
	var periods []alignedPeriod
	for k, n := range []int{2, 0, 0, 3, 4, 0, 1} {
		periods = append(periods, alignedPeriod{Start: anchor.AddDate(0, 0, 7*k), FromDay: 7 * k, ToDay: 7*k + 7, Reviews: n})
	}
	movie := comparedMovie{Class: "movie-1", Name: "Harbour Lights", Aligned: alignedTimeline{Anchor: anchor, ByRelease: true, Periods: periods}}
	c := compareReviewsChart([]comparedMovie{movie}, grouping{})
	line := c.Series[0]
	if len(line.Markers) != 4 {
		t.Errorf("%d points, want 4: one per week with reviews", len(line.Markers))
	}
	if len(line.Segments) != 1 || len(strings.Fields(line.Segments[0])) != 2 || line.Points != "" {
		t.Errorf("segments = %q, points = %q; want one segment joining the weeks of 3 and 4 reviews", line.Segments, line.Points)
	}
	if len(c.Table.Rows) != len(periods) || c.Table.Rows[1][2] != "0" {
		t.Errorf("data table rows = %q, want every week, empty ones with 0", c.Table.Rows)
	}
	if !strings.Contains(c.Note, "gap") {
		t.Errorf("note = %q, want it to explain the gaps", c.Note)
	}
}

// TestCompareChartsGolden renders the three comparison charts of fixed
// data and compares them with testdata/compare-charts.golden.svg. Running
// go test -update rewrites the file.
func TestCompareChartsGolden(t *testing.T) {
	average := func(v float64) *float64 { return &v }
	aspects := func(values ...*float64) []aspectView {
		var views []aspectView
		for i, name := range []string{"storytelling", "acting", "visuals", "sound", "themes", store.Overall} {
			view := aspectView{Name: name, Label: aspectLabel(name), Average: values[i], Analyzed: 10}
			if values[i] != nil {
				view.Mentioned = 4 + i
			}
			views = append(views, view)
		}
		return views
	}
	week := grouping{}
	movies := []comparedMovie{
		{Class: "movie-1", Name: "Harbour Lights", Aspects: aspects(average(1.5), average(0.5), average(2), nil, average(-0.25), average(1)),
			Aligned: alignTimeline([]store.TimelineBucket{
				{Start: utcDay(2024, 2, 27), Reviews: 1, CumulativeRated: 1, CumulativeAverage: ratingOf(9)},
				{Start: utcDay(2024, 3, 1), Reviews: 3, CumulativeRated: 4, CumulativeAverage: ratingOf(8.5)},
				{Start: utcDay(2024, 3, 17), Reviews: 2, CumulativeRated: 5, CumulativeAverage: ratingOf(8)},
			}, week, utcDay(2024, 3, 1), true)},
		{Class: "movie-2", Name: "Paper Moons <b>", Aspects: aspects(average(-1), average(-0.5), average(-2), average(0.75), nil, average(-0.8)),
			Aligned: alignTimeline([]store.TimelineBucket{
				{Start: utcDay(2024, 2, 14), Reviews: 3, CumulativeRated: 3, CumulativeAverage: ratingOf(5)},
				{Start: utcDay(2024, 2, 22), Reviews: 1, CumulativeRated: 4, CumulativeAverage: ratingOf(4.5)},
			}, week, utcDay(2024, 2, 14), false)},
	}

	templates, err := parseTemplates(time.Now, "csrf-mark")
	if err != nil {
		t.Fatalf("parse templates: %v", err)
	}
	var got bytes.Buffer
	for _, c := range []chart{compareRadarChart(movies), compareRatingChart(movies, week), compareReviewsChart(movies, week)} {
		if err := templates["compare.html"].ExecuteTemplate(&got, "chart", c); err != nil {
			t.Fatalf("render chart %s: %v", c.TestID, err)
		}
	}

	golden := filepath.Join("testdata", "compare-charts.golden.svg")
	if *updateGolden {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatalf("create testdata: %v", err)
		}
		if err := os.WriteFile(golden, got.Bytes(), 0o644); err != nil {
			t.Fatalf("write golden file: %v", err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("read golden file (run go test -update to create it): %v", err)
	}
	if !bytes.Equal(got.Bytes(), want) {
		t.Errorf("comparison charts differ from %s; run go test -update and review the diff.\ngot:\n%s", golden, got.String())
	}
}

// BenchmarkComparePage renders the comparison of four movies of 5,000
// reviews each, published over three years, from SQLite.
func BenchmarkComparePage(b *testing.B) {
	ctx := b.Context()
	st, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "reelpulse.db"), slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatalf("open sqlite store: %v", err)
	}
	b.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		b.Fatalf("migrate sqlite store: %v", err)
	}
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	released := utcDay(2023, 1, 6)
	query := url.Values{}
	for n := range maxCompared {
		id := fmt.Sprintf("tt880000%d", n)
		query.Add("id", id)
		if _, err := st.TrackMovie(ctx, id, now); err != nil {
			b.Fatalf("track %s: %v", id, err)
		}
		if err := st.RecordCheck(ctx, id, store.MovieMetadata{Title: "Movie " + id, ReleaseDate: &released}, now); err != nil {
			b.Fatalf("record check of %s: %v", id, err)
		}
		result := store.SyncResult{MovieID: id, Complete: true, At: now}
		var analyses []store.Analysis
		for i := range 5000 {
			reviewID := fmt.Sprintf("rw88%d%05d", n, i)
			rating := 1 + (i*7+n)%10
			result.Upserts = append(result.Upserts, store.Review{ID: reviewID, MovieID: id, Title: "Review", Text: "Text",
				Rating: &rating, SubmittedAt: released.AddDate(0, 0, (i*i)%1095), ContentHash: "hash-" + reviewID})
			score := i%5 - 2
			analyses = append(analyses, store.Analysis{ReviewID: reviewID, Analyzer: webtest.Analyzer, AnalyzerVersion: "1",
				ContentHash: "hash-" + reviewID, AnalyzedAt: now,
				Aspects: []store.AspectScore{{Aspect: store.Overall, Score: &score}, {Aspect: "acting", Score: &score}}})
		}
		if _, err := st.ApplySync(ctx, result); err != nil {
			b.Fatalf("apply sync of %s: %v", id, err)
		}
		if err := st.SaveAnalyses(ctx, analyses); err != nil {
			b.Fatalf("save analyses of %s: %v", id, err)
		}
	}
	signedIn := webtest.NewAccounts(b, nil)
	signedIn.TrackAll(b, st)
	handler, err := New(Config{Accounts: signedIn.Store, Auth: signedIn.Auth, Store: st, Tracker: &webtest.Tracker{Store: st}, Analyzer: webtest.Analyzer,
		Logger: slog.New(slog.DiscardHandler), Now: func() time.Time { return now }})
	if err != nil {
		b.Fatalf("New: %v", err)
	}
	handler = webtest.AsMember(handler, signedIn.Admin)

	target := "/compare?" + query.Encode()
	b.ResetTimer()
	for b.Loop() {
		recorder := httptest.NewRecorder()
		handler.ServeHTTP(recorder, httptest.NewRequest(http.MethodGet, target, nil))
		if recorder.Code != http.StatusOK {
			b.Fatalf("status = %d, want 200", recorder.Code)
		}
	}
}
