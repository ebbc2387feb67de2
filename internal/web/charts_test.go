package web

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/reelpulse/reelpulse/internal/store"
)

func ratingOf(v float64) *float64 { return &v }

func month(year int, m time.Month) time.Time { return time.Date(year, m, 1, 0, 0, 0, 0, time.UTC) }

func TestTimeAxisFillsGaps(t *testing.T) {
	timeline := []store.TimelineBucket{
		{Start: month(2023, 11), Reviews: 2, RatedReviews: 2, AverageRating: ratingOf(6), CumulativeRated: 2, CumulativeAverage: ratingOf(6)},
		{Start: month(2024, 2), Reviews: 1, CumulativeRated: 2, CumulativeAverage: ratingOf(6)},
	}
	axis := newTimeAxis(timeline, store.BucketMonth)

	var labels []string
	for _, p := range axis.Periods {
		labels = append(labels, p.Label)
	}
	if want := []string{"Nov 2023", "Dec 2023", "Jan 2024", "Feb 2024"}; !slices.Equal(labels, want) {
		t.Fatalf("period labels = %v, want %v", labels, want)
	}
	if axis.Periods[0].Reviews != 2 {
		t.Errorf("first period = %+v, want 2 reviews", axis.Periods[0])
	}
	if _, ok := axis.Periods[3].average(); ok {
		t.Errorf("period without ratings has an average")
	}
	if p := axis.Periods[1]; !p.HasCumulative || p.Cumulative != 6 {
		t.Errorf("empty period carries cumulative %v (%v), want 6", p.Cumulative, p.HasCumulative)
	}
}

func TestTimeAxisGroupsLongSpansByYear(t *testing.T) {
	timeline := []store.TimelineBucket{
		{Start: month(2001, 3), Reviews: 5, RatedReviews: 4, AverageRating: ratingOf(8)},
		{Start: month(2001, 9), Reviews: 2, RatedReviews: 2, AverageRating: ratingOf(5)},
		{Start: month(2020, 1), Reviews: 1, RatedReviews: 1, AverageRating: ratingOf(10)},
	}
	axis := newTimeAxis(timeline, store.BucketMonth)

	if !axis.Yearly || len(axis.Periods) != 20 {
		t.Fatalf("got %d periods (yearly %v), want 20 years", len(axis.Periods), axis.Yearly)
	}
	if axis.Periods[0].Label != "2001" || axis.Periods[0].Reviews != 7 {
		t.Errorf("first period = %+v, want 2001 with 7 reviews", axis.Periods[0])
	}
	if mean, _ := axis.Periods[0].average(); mean != 7 {
		t.Errorf("2001 average = %v, want 7 (weighted by rated review count)", mean)
	}
}

// TestRatingEvolutionByYearHasNoRollingLine draws the rating evolution of a
// long span, grouped by year: a rolling average over one year would be the
// year's average, so neither its line, legend entry nor column is drawn.
func TestRatingEvolutionByYearHasNoRollingLine(t *testing.T) {
	timeline := []store.TimelineBucket{
		{Start: month(2001, 3), Reviews: 5, RatedReviews: 4, AverageRating: ratingOf(8)},
		{Start: month(2020, 1), Reviews: 1, RatedReviews: 1, AverageRating: ratingOf(10)},
	}
	yearly := ratingEvolutionChart(newTimeAxis(timeline, store.BucketMonth))
	for _, entry := range yearly.Legend {
		if strings.HasPrefix(entry.Name, "Rolling") {
			t.Errorf("yearly chart has the legend entry %q", entry.Name)
		}
	}
	if len(yearly.Series) != 2 || len(yearly.Table.Headers) != 3 || len(yearly.Table.Rows[0]) != 3 {
		t.Errorf("yearly chart has %d series and %d columns, want 2 series and 3 columns", len(yearly.Series), len(yearly.Table.Headers))
	}

	monthly := ratingEvolutionChart(newTimeAxis(timeline[:1], store.BucketMonth))
	if len(monthly.Series) != 3 || monthly.Legend[1].Name != "Rolling average (3 months)" {
		t.Errorf("monthly chart = %d series with legend %+v, want the 3-month rolling average", len(monthly.Series), monthly.Legend)
	}
}

func TestTimeAxisKeepsLatestDays(t *testing.T) {
	first := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 0, 199)
	axis := newTimeAxis([]store.TimelineBucket{{Start: first, Reviews: 1}, {Start: last, Reviews: 3}}, store.BucketDay)

	if len(axis.Periods) != maxPeriods || axis.Hidden != 200-maxPeriods {
		t.Fatalf("got %d periods and %d hidden, want %d and %d", len(axis.Periods), axis.Hidden, maxPeriods, 200-maxPeriods)
	}
	if got := axis.Periods[len(axis.Periods)-1]; !got.Start.Equal(last) || got.Reviews != 3 {
		t.Errorf("last period = %+v, want %v with 3 reviews", got, last)
	}
}

func TestTimeAxisWeeks(t *testing.T) {
	monday := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	axis := newTimeAxis([]store.TimelineBucket{{Start: monday, Reviews: 1}, {Start: monday.AddDate(0, 0, 14), Reviews: 2}}, store.BucketWeek)
	if len(axis.Periods) != 3 || axis.Periods[1].Label != "Week of 8 Jan 2024" {
		t.Errorf("weekly periods = %+v, want three weeks with the second one empty", axis.Periods)
	}
}

func TestTimeAxisEmpty(t *testing.T) {
	axis := newTimeAxis(nil, store.BucketMonth)
	if axis.Periods != nil {
		t.Errorf("newTimeAxis(nil) = %v, want no period", axis.Periods)
	}
	chart := reviewsTimelineChart(axis)
	if len(chart.Bars) != 0 || chart.Description != "No reviews yet" {
		t.Errorf("empty chart = %+v", chart)
	}
}

func TestRollingAverage(t *testing.T) {
	axis := timeAxis{Bucket: store.BucketMonth, Periods: []period{
		{RatingSum: 20, RatedWeight: 2}, {}, {RatingSum: 4, RatedWeight: 1}, {RatingSum: 9, RatedWeight: 1},
	}}
	if mean, ok := axis.rolling(2, 3); !ok || mean != 8 {
		t.Errorf("rolling(2, 3) = %v, %v, want 8", mean, ok)
	}
	if mean, ok := axis.rolling(3, 3); !ok || mean != 6.5 {
		t.Errorf("rolling(3, 3) = %v, %v, want 6.5", mean, ok)
	}
	if _, ok := axis.rolling(1, 1); ok {
		t.Errorf("rolling over an empty period has a value")
	}
}

func TestRadarChart(t *testing.T) {
	aspects := []aspectView{
		{Name: "acting", Label: "Acting", Average: ratingOf(2), Mentioned: 3},
		{Name: "sound", Label: "Sound"},
		{Name: "visuals", Label: "Visuals", Average: ratingOf(-2), Mentioned: 1},
		{Name: store.Overall, Label: "Overall", Average: ratingOf(0), Mentioned: 4},
	}
	chart := radarChart(aspects)
	if len(chart.Series) != 1 || len(chart.Series[0].Markers) != 2 {
		t.Fatalf("radar series = %+v, want one with two vertices: sound has no score", chart.Series)
	}
	top := chart.Series[0].Markers[0]
	if top.X != 160 || top.Y != 50 {
		t.Errorf("acting at +2 is drawn at (%v, %v), want the top of the rim (160, 50)", top.X, top.Y)
	}
	if last := chart.Series[0].Markers[1]; last.X != 160 || last.Y != 160 {
		t.Errorf("visuals at −2 is drawn at (%v, %v), want the centre", last.X, last.Y)
	}
	if len(chart.Polygons) != 2 || chart.Polygons[0].Class != "radar-overall" {
		t.Fatalf("radar polygons = %+v, want the overall ring and the aspect polygon", chart.Polygons)
	}
	if got, want := chart.Polygons[1].Points, "160.0,50.0 160.0,160.0"; got != want {
		t.Errorf("aspect polygon = %q, want %q: sound, without a score, has no vertex", got, want)
	}
	if got, want := chart.Legend[len(chart.Legend)-1].Name, "Aspect averages (no score, so no vertex, for sound)"; got != want {
		t.Errorf("legend = %q, want %q", got, want)
	}
	if got := chart.Table.Rows[1]; got[0] != "Sound" || got[1] != "no score" {
		t.Errorf("data table row of sound = %q, want no score", got)
	}
}

func TestSparkline(t *testing.T) {
	today := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	s := newSparkline("tt1", []store.DayCount{{Day: time.Date(2026, 2, 28, 0, 0, 0, 0, time.UTC), Reviews: 4}}, today)
	if len(s.Days) != sparklineDays {
		t.Fatalf("sparkline has %d days, want %d", len(s.Days), sparklineDays)
	}
	if got := s.Days[28].Tooltip; got != "28 Feb 2026: 4 reviews" {
		t.Errorf("tooltip = %q", got)
	}
	if s.Label != "4 reviews published in the last 30 days" {
		t.Errorf("label = %q", s.Label)
	}
}

func TestBarHeightsScaleToTallest(t *testing.T) {
	var histogram [10]int
	histogram[7] = 10
	histogram[2] = 5
	chart := ratingDistributionChart(histogram)

	plotHeight := chart.Plot.Bottom - chart.Plot.Top
	if got := chart.Bars[7].Height; got != plotHeight {
		t.Errorf("tallest bar height = %v, want the plot height %v", got, plotHeight)
	}
	if got := chart.Bars[2].Height; got != plotHeight/2 {
		t.Errorf("half bar height = %v, want %v", got, plotHeight/2)
	}
	if got := chart.Bars[7].Tooltip; got != "8/10: 10 reviews (67%)" {
		t.Errorf("tooltip = %q", got)
	}
	if chart.YUnit != "reviews" {
		t.Errorf("y-axis unit = %q, want reviews", chart.YUnit)
	}
}

// TestVotesChartDates checks the dates under the votes chart: the year
// appears when the passes cross a year or there is a single pass, which
// also gets a note on where the history starts.
func TestVotesChartDates(t *testing.T) {
	run := func(year int, month time.Month, day int) store.SyncRun {
		return store.SyncRun{FinishedAt: time.Date(year, month, day, 6, 0, 0, 0, time.UTC), State: store.RunComplete, HelpfulUpTotal: 5}
	}
	cases := []struct {
		name   string
		runs   []store.SyncRun // newest first
		labels string
		note   bool
	}{
		{"one pass", []store.SyncRun{run(2026, 12, 5)}, "5 Dec 2026", true},
		{"same year", []store.SyncRun{run(2026, 3, 2), run(2026, 3, 1)}, "1 Mar|2 Mar", false},
		{"across a year", []store.SyncRun{run(2027, 1, 2), run(2026, 12, 30)}, "30 Dec 2026|2 Jan 2027", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			chart := votesChart(c.runs)
			var texts []string
			for _, l := range chart.XLabels {
				texts = append(texts, l.Text)
			}
			if got := strings.Join(texts, "|"); got != c.labels {
				t.Errorf("labels = %q, want %q", got, c.labels)
			}
			if hasNote := strings.Contains(chart.Note, "starts with the first scrape"); hasNote != c.note {
				t.Errorf("note = %q, want a note on the first scrape: %v", chart.Note, c.note)
			}
		})
	}
}

func TestNiceCeiling(t *testing.T) {
	cases := []struct{ in, want float64 }{{0, 1}, {1, 1}, {3, 5}, {7, 10}, {12, 20}, {120, 200}, {4999, 5000}}
	for _, c := range cases {
		if got := niceCeiling(c.in); got != c.want {
			t.Errorf("niceCeiling(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestFormatting(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	cases := []struct{ got, want string }{
		{signed(0.833), "+0.83"},
		{signed(-1.2), "−1.20"},
		{signed(0.001), "0.00"},
		{formatScore(-2), "−2"},
		{formatNumber(1234567), "1,234,567"},
		{formatNumber(-1000), "-1,000"},
		{plural(1, "review"), "1 review"},
		{plural(1200, "review"), "1,200 reviews"},
		{ago(now, now.Add(-30*time.Second)), "just now"},
		{ago(now, now.Add(-5*time.Minute)), "5 minutes ago"},
		{ago(now, now.Add(-time.Hour)), "1 hour ago"},
		{ago(now, now.Add(-72*time.Hour)), "3 days ago"},
		{ago(now, now.Add(-90*24*time.Hour)), "3 months ago"},
		{ago(now, now.Add(-3*365*24*time.Hour)), "3 years ago"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

func TestPosterPath(t *testing.T) {
	if got := posterPath(store.Movie{ID: "tt0013442", PosterURL: "https://m.media-amazon.com/images/p.jpg"}); got != "/posters/tt0013442" {
		t.Errorf("posterPath = %q, want the dashboard's own path", got)
	}
	if got := posterPath(store.Movie{ID: "tt0013442"}); got != "" {
		t.Errorf("posterPath without a poster = %q, want empty", got)
	}
}

func TestVotesChartOrderAndStates(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 3, d, 6, 0, 0, 0, time.UTC) }
	runs := []store.SyncRun{ // newest first, as Store.ListRuns returns them
		{FinishedAt: day(3), State: store.RunComplete, HelpfulUpTotal: 30, HelpfulDownTotal: 4},
		{FinishedAt: day(2), State: store.RunBlocked},
		{FinishedAt: day(1), State: store.RunIncomplete, HelpfulUpTotal: 10, HelpfulDownTotal: 2},
	}
	chart := votesChart(runs)

	if len(chart.Table.Rows) != 2 {
		t.Fatalf("votes chart has %d rows, want 2 (the blocked pass left out)", len(chart.Table.Rows))
	}
	if first := chart.Table.Rows[0]; first[0] != "1 Mar 2026 06:00 UTC" || first[1] != "10" {
		t.Errorf("first row = %v, want the oldest pass with 10 helpful votes", first)
	}
	if got := chart.Series[0].Markers[1].Tooltip; got != "3 Mar 2026 06:00 UTC: 30 helpful votes" {
		t.Errorf("tooltip = %q", got)
	}
}
