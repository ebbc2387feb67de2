package web

import (
	"slices"
	"testing"
	"time"

	"github.com/reelpulse/reelpulse/internal/store"
)

func ratingOf(v float64) *float64 { return &v }

func TestTimePeriodsFillsGaps(t *testing.T) {
	counts := []store.MonthCount{
		{Month: "2023-11", Reviews: 2, RatedReviews: 2, AverageRating: ratingOf(6)},
		{Month: "2024-02", Reviews: 1},
	}
	periods := timePeriods(counts)

	var keys []string
	for _, p := range periods {
		keys = append(keys, p.Key)
	}
	if want := []string{"2023-11", "2023-12", "2024-01", "2024-02"}; !slices.Equal(keys, want) {
		t.Fatalf("period keys = %v, want %v", keys, want)
	}
	if periods[0].Label != "Nov 2023" || periods[0].Reviews != 2 {
		t.Errorf("first period = %+v, want Nov 2023 with 2 reviews", periods[0])
	}
	if _, ok := periods[3].average(); ok {
		t.Errorf("period without ratings has an average")
	}
}

func TestTimePeriodsGroupsLongSpansByYear(t *testing.T) {
	counts := []store.MonthCount{
		{Month: "2001-03", Reviews: 5, RatedReviews: 4, AverageRating: ratingOf(8)},
		{Month: "2001-09", Reviews: 2, RatedReviews: 2, AverageRating: ratingOf(5)},
		{Month: "2020-01", Reviews: 1, RatedReviews: 1, AverageRating: ratingOf(10)},
	}
	periods := timePeriods(counts)

	if len(periods) != 20 {
		t.Fatalf("got %d periods, want 20 years", len(periods))
	}
	if periods[0].Key != "2001" || periods[0].Reviews != 7 {
		t.Errorf("first period = %+v, want 2001 with 7 reviews", periods[0])
	}
	if mean, _ := periods[0].average(); mean != 7 {
		t.Errorf("2001 average = %v, want 7 (weighted by rated review count)", mean)
	}
}

func TestTimePeriodsEmpty(t *testing.T) {
	if periods := timePeriods(nil); periods != nil {
		t.Errorf("timePeriods(nil) = %v, want nil", periods)
	}
	chart := reviewsByMonthChart(nil)
	if len(chart.Bars) != 0 || chart.Description != "No reviews yet" {
		t.Errorf("empty chart = %+v", chart)
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
