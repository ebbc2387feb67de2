package web

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/reelpulse/reelpulse/internal/store"
)

// chart is the drawing of one inline SVG chart in viewBox units, with the
// data table that serves as its text alternative. The chart template draws
// bars, line series and axes from it.
type chart struct {
	TestID      string
	Title       string
	Description string
	Width       float64
	Height      float64
	Plot        rect // the area inside the axes
	Bars        []bar
	Series      []series
	XLabels     []label
	YTicks      []tick
	ZeroLine    *line // vertical axis of diverging charts
	Legend      []legendEntry
	Table       table
}

type rect struct{ Left, Top, Right, Bottom float64 }

type bar struct {
	X, Y, Width, Height float64
	Class               string
	Tooltip             string
}

// series is one line of a line chart. Points is the SVG polyline attribute.
type series struct {
	Class   string
	Name    string
	Points  string
	Markers []marker
}

type marker struct {
	X, Y    float64
	Tooltip string
}

type label struct {
	X, Y   float64
	Text   string
	Anchor string // SVG text-anchor
}

type tick struct {
	Y    float64
	Text string
}

type line struct{ X1, Y1, X2, Y2 float64 }

type legendEntry struct {
	Class string
	Name  string
}

type table struct {
	Headers []string
	Rows    [][]string
}

// period is one bucket of the time axis: a calendar month, or a year when
// the reviews span too many months for readable bars.
type period struct {
	Label   string // e.g. "Mar 2024" or "2024"
	Key     string // e.g. "2024-03" or "2024"
	Reviews int
	// RatingSum and RatedWeight give the period's mean rating.
	RatingSum   float64
	RatedWeight float64
}

// maxMonthlyPeriods is the month span above which the time charts group
// reviews by year, so that bars stay wider than about 5 viewBox units.
const maxMonthlyPeriods = 120

// timePeriods fills the gaps between the first and last month of counts
// with empty months, or groups everything by year for long spans.
func timePeriods(counts []store.MonthCount) []period {
	if len(counts) == 0 {
		return nil
	}
	first, errFirst := time.Parse("2006-01", counts[0].Month)
	last, errLast := time.Parse("2006-01", counts[len(counts)-1].Month)
	if errFirst != nil || errLast != nil {
		return nil
	}

	span := (last.Year()-first.Year())*12 + int(last.Month()-first.Month()) + 1
	yearly := span > maxMonthlyPeriods
	keyOf := func(t time.Time) (key, text string) {
		if yearly {
			return t.Format("2006"), t.Format("2006")
		}
		return t.Format("2006-01"), t.Format("Jan 2006")
	}

	var periods []period
	index := map[string]int{}
	for t := first; !t.After(last); t = t.AddDate(0, 1, 0) {
		key, text := keyOf(t)
		if _, ok := index[key]; !ok {
			index[key] = len(periods)
			periods = append(periods, period{Key: key, Label: text})
		}
	}
	for _, c := range counts {
		t, err := time.Parse("2006-01", c.Month)
		if err != nil {
			continue
		}
		key, _ := keyOf(t)
		p := &periods[index[key]]
		p.Reviews += c.Reviews
		if c.AverageRating != nil {
			p.RatingSum += *c.AverageRating * float64(c.RatedReviews)
			p.RatedWeight += float64(c.RatedReviews)
		}
	}
	return periods
}

func (p period) average() (float64, bool) {
	if p.RatedWeight == 0 {
		return 0, false
	}
	return p.RatingSum / p.RatedWeight, true
}

const (
	wideWidth  = 560.0
	wideHeight = 240.0
)

func widePlot() rect { return rect{Left: 44, Top: 12, Right: wideWidth - 12, Bottom: wideHeight - 32} }

// reviewsByMonthChart draws one bar per period.
func reviewsByMonthChart(periods []period) chart {
	c := chart{
		TestID:      "chart-reviews-by-month",
		Title:       "Reviews by publication " + strings.ToLower(periodHeading(periods)),
		Description: describePeriods(periods),
		Width:       wideWidth,
		Height:      wideHeight,
		Plot:        widePlot(),
		Table:       table{Headers: []string{periodHeading(periods), "Reviews"}},
	}

	maxCount := 0
	for _, p := range periods {
		maxCount = max(maxCount, p.Reviews)
	}
	top := niceCeiling(float64(maxCount))
	c.YTicks = countTicks(c.Plot, top)

	slot := (c.Plot.Right - c.Plot.Left) / float64(max(len(periods), 1))
	gap := math.Min(slot*0.2, 4)
	for i, p := range periods {
		h := float64(p.Reviews) / top * (c.Plot.Bottom - c.Plot.Top)
		c.Bars = append(c.Bars, bar{
			X:       c.Plot.Left + float64(i)*slot + gap/2,
			Y:       c.Plot.Bottom - h,
			Width:   slot - gap,
			Height:  h,
			Class:   "bar",
			Tooltip: fmt.Sprintf("%s: %s", p.Label, plural(p.Reviews, "review")),
		})
		c.Table.Rows = append(c.Table.Rows, []string{p.Label, fmt.Sprint(p.Reviews)})
	}
	c.XLabels = periodLabels(c.Plot, periods)
	return c
}

// ratingEvolutionChart draws the mean rating of each period and the
// cumulative mean up to each period, on a fixed 1..10 scale.
func ratingEvolutionChart(periods []period) chart {
	c := chart{
		TestID:      "chart-rating-evolution",
		Title:       "Average rating by publication " + strings.ToLower(periodHeading(periods)),
		Description: "Mean rating of the reviews of each period and cumulative mean since the first review, on a scale of 1 to 10",
		Width:       wideWidth,
		Height:      wideHeight,
		Plot:        widePlot(),
		Legend: []legendEntry{
			{Class: "series-period", Name: "Period average"},
			{Class: "series-cumulative", Name: "Cumulative average"},
		},
		Table: table{Headers: []string{periodHeading(periods), "Period average", "Cumulative average"}},
	}
	for _, v := range []float64{1, 4, 7, 10} {
		c.YTicks = append(c.YTicks, tick{Y: ratingY(c.Plot, v), Text: fmt.Sprint(v)})
	}

	slot := (c.Plot.Right - c.Plot.Left) / float64(max(len(periods), 1))
	periodLine := series{Class: "series-period", Name: "Period average"}
	cumulativeLine := series{Class: "series-cumulative", Name: "Cumulative average"}
	var periodPoints, cumulativePoints []string
	sum, weight := 0.0, 0.0
	for i, p := range periods {
		x := c.Plot.Left + (float64(i)+0.5)*slot
		mean, ok := p.average()
		if !ok {
			c.Table.Rows = append(c.Table.Rows, []string{p.Label, "no rating", formatCumulative(sum, weight)})
			continue
		}
		sum += p.RatingSum
		weight += p.RatedWeight
		cumulative := sum / weight

		y := ratingY(c.Plot, mean)
		periodPoints = append(periodPoints, point(x, y))
		periodLine.Markers = append(periodLine.Markers, marker{X: x, Y: y,
			Tooltip: fmt.Sprintf("%s: average rating %.1f over %s", p.Label, mean, plural(p.Reviews, "review"))})

		cy := ratingY(c.Plot, cumulative)
		cumulativePoints = append(cumulativePoints, point(x, cy))
		cumulativeLine.Markers = append(cumulativeLine.Markers, marker{X: x, Y: cy,
			Tooltip: fmt.Sprintf("Up to %s: cumulative average %.1f", p.Label, cumulative)})

		c.Table.Rows = append(c.Table.Rows, []string{p.Label, fmt.Sprintf("%.1f", mean), fmt.Sprintf("%.1f", cumulative)})
	}
	periodLine.Points = strings.Join(periodPoints, " ")
	cumulativeLine.Points = strings.Join(cumulativePoints, " ")
	c.Series = []series{periodLine, cumulativeLine}
	c.XLabels = periodLabels(c.Plot, periods)
	return c
}

func formatCumulative(sum, weight float64) string {
	if weight == 0 {
		return "no rating"
	}
	return fmt.Sprintf("%.1f", sum/weight)
}

func ratingY(plot rect, rating float64) float64 {
	return plot.Bottom - (rating-1)/9*(plot.Bottom-plot.Top)
}

func point(x, y float64) string { return fmt.Sprintf("%.1f,%.1f", x, y) }

// ratingDistributionChart draws one bar per star rating, 1 to 10.
func ratingDistributionChart(histogram [10]int) chart {
	total := 0
	maxCount := 0
	for _, n := range histogram {
		total += n
		maxCount = max(maxCount, n)
	}
	c := chart{
		TestID:      "chart-rating-distribution",
		Title:       "Rating distribution",
		Description: fmt.Sprintf("Number of reviews per star rating from 1 to 10, over %s", plural(total, "rated review")),
		Width:       wideWidth,
		Height:      wideHeight,
		Plot:        widePlot(),
		Table:       table{Headers: []string{"Rating", "Reviews", "Share"}},
	}
	top := niceCeiling(float64(maxCount))
	c.YTicks = countTicks(c.Plot, top)

	slot := (c.Plot.Right - c.Plot.Left) / 10
	for i, n := range histogram {
		h := float64(n) / top * (c.Plot.Bottom - c.Plot.Top)
		x := c.Plot.Left + float64(i)*slot
		share := percent(n, total)
		c.Bars = append(c.Bars, bar{
			X: x + slot*0.12, Y: c.Plot.Bottom - h, Width: slot * 0.76, Height: h,
			Class:   fmt.Sprintf("bar rating-%d", i+1),
			Tooltip: fmt.Sprintf("%d/10: %s (%s)", i+1, plural(n, "review"), share),
		})
		c.XLabels = append(c.XLabels, label{X: x + slot/2, Y: c.Plot.Bottom + 18, Text: fmt.Sprint(i + 1), Anchor: "middle"})
		c.Table.Rows = append(c.Table.Rows, []string{fmt.Sprintf("%d/10", i+1), fmt.Sprint(n), share})
	}
	return c
}

// scoreLabels names the aspect scores -2..+2 in histogram order.
var scoreLabels = [5]string{"−2", "−1", "0", "+1", "+2"}

var scoreClasses = [5]string{"score-m2", "score-m1", "score-0", "score-p1", "score-p2"}

// aspectDistributionChart draws the -2..+2 score counts of one aspect.
func aspectDistributionChart(a aspectView) chart {
	c := chart{
		TestID:      "chart-aspect-" + a.Name,
		Title:       a.Label + " score distribution",
		Description: fmt.Sprintf("Number of reviews scoring %s from −2 to +2, over %s", a.Label, plural(a.Mentioned, "review")+" that mention it"),
		Width:       240,
		Height:      110,
		Plot:        rect{Left: 8, Top: 8, Right: 232, Bottom: 88},
		Table:       table{Headers: []string{"Score", "Reviews"}},
	}

	maxCount := 0
	for _, n := range a.Histogram {
		maxCount = max(maxCount, n)
	}
	top := float64(max(maxCount, 1))
	slot := (c.Plot.Right - c.Plot.Left) / 5
	for i, n := range a.Histogram {
		h := float64(n) / top * (c.Plot.Bottom - c.Plot.Top)
		x := c.Plot.Left + float64(i)*slot
		c.Bars = append(c.Bars, bar{
			X: x + slot*0.1, Y: c.Plot.Bottom - h, Width: slot * 0.8, Height: h,
			Class:   "bar " + scoreClasses[i],
			Tooltip: fmt.Sprintf("%s score %s: %s (%s)", a.Label, scoreLabels[i], plural(n, "review"), percent(n, a.Mentioned)),
		})
		c.XLabels = append(c.XLabels, label{X: x + slot/2, Y: c.Plot.Bottom + 16, Text: scoreLabels[i], Anchor: "middle"})
		c.Table.Rows = append(c.Table.Rows, []string{scoreLabels[i], fmt.Sprint(n)})
	}
	return c
}

// aspectAveragesChart draws each aspect's mean score as a bar growing left
// (negative) or right (positive) from a zero line.
func aspectAveragesChart(aspects []aspectView) chart {
	rowHeight := 28.0
	c := chart{
		TestID:      "chart-aspect-averages",
		Title:       "Average score per aspect",
		Description: "Mean score of each aspect over the reviews that mention it, from −2 (very negative) to +2 (very positive)",
		Width:       wideWidth,
		Plot:        rect{Left: 100, Top: 8, Right: wideWidth - 24},
		Table:       table{Headers: []string{"Aspect", "Average", "Mentioned in"}},
	}
	c.Plot.Bottom = c.Plot.Top + rowHeight*float64(len(aspects))
	c.Height = c.Plot.Bottom + 26

	center := (c.Plot.Left + c.Plot.Right) / 2
	half := (c.Plot.Right - c.Plot.Left) / 2
	c.ZeroLine = &line{X1: center, Y1: c.Plot.Top, X2: center, Y2: c.Plot.Bottom}
	for i, v := range []float64{-2, -1, 0, 1, 2} {
		c.XLabels = append(c.XLabels, label{X: center + v/2*half, Y: c.Plot.Bottom + 18, Text: scoreLabels[i], Anchor: "middle"})
	}

	for i, a := range aspects {
		y := c.Plot.Top + float64(i)*rowHeight
		c.XLabels = append(c.XLabels, label{X: c.Plot.Left - 8, Y: y + rowHeight/2 + 5, Text: a.Label, Anchor: "end"})
		if a.Average == nil {
			c.XLabels = append(c.XLabels, label{X: center + 6, Y: y + rowHeight/2 + 5, Text: "no data", Anchor: "start"})
			c.Table.Rows = append(c.Table.Rows, []string{a.Label, "no data", plural(a.Mentioned, "review")})
			continue
		}

		width := math.Abs(*a.Average) / 2 * half
		x := center
		class := "bar positive"
		if *a.Average < 0 {
			x = center - width
			class = "bar negative"
		}
		c.Bars = append(c.Bars, bar{
			X: x, Y: y + 6, Width: math.Max(width, 1), Height: rowHeight - 12,
			Class:   class,
			Tooltip: fmt.Sprintf("%s: average %s over %s", a.Label, signed(*a.Average), plural(a.Mentioned, "review")),
		})
		c.Table.Rows = append(c.Table.Rows, []string{a.Label, signed(*a.Average), plural(a.Mentioned, "review")})
	}
	return c
}

// periodLabels places at most about seven labels under the time axis. A
// month label names its year only where the year changes, to stay short.
func periodLabels(plot rect, periods []period) []label {
	if len(periods) == 0 {
		return nil
	}
	slot := (plot.Right - plot.Left) / float64(len(periods))
	step := max(1, int(math.Ceil(float64(len(periods))/7)))

	var labels []label
	shownYear := ""
	for i := 0; i < len(periods); i += step {
		text := periods[i].Label
		if month, year, ok := strings.Cut(text, " "); ok {
			if year == shownYear {
				text = month
			}
			shownYear = year
		}
		labels = append(labels, label{X: plot.Left + (float64(i)+0.5)*slot, Y: plot.Bottom + 18, Text: text, Anchor: "middle"})
	}
	return labels
}

func periodHeading(periods []period) string {
	if len(periods) > 0 && !strings.Contains(periods[0].Key, "-") {
		return "Year"
	}
	return "Month"
}

func describePeriods(periods []period) string {
	if len(periods) == 0 {
		return "No reviews yet"
	}
	total := 0
	for _, p := range periods {
		total += p.Reviews
	}
	return fmt.Sprintf("%s published from %s to %s", plural(total, "review"), periods[0].Label, periods[len(periods)-1].Label)
}

// countTicks returns ticks at 0, half and the top of a count axis.
func countTicks(plot rect, top float64) []tick {
	var ticks []tick
	for _, f := range []float64{0, 0.5, 1} {
		v := top * f
		if v != math.Trunc(v) {
			continue
		}
		ticks = append(ticks, tick{Y: plot.Bottom - f*(plot.Bottom-plot.Top), Text: fmt.Sprint(v)})
	}
	return ticks
}

// niceCeiling rounds v up to 1, 2 or 5 times a power of ten, and at least 1.
func niceCeiling(v float64) float64 {
	if v <= 1 {
		return 1
	}
	magnitude := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*magnitude >= v {
			return m * magnitude
		}
	}
	return 10 * magnitude
}

func percent(n, total int) string {
	if total == 0 {
		return "0%"
	}
	return fmt.Sprintf("%.0f%%", float64(n)*100/float64(total))
}
