package web

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/reelpulse/reelpulse/internal/store"
)

// maxPeriods is the number of bars above which the time charts show only
// the latest days or weeks, or group months by year, so that bars stay
// wider than about 4 viewBox units.
const maxPeriods = 120

// groupByYear reports whether a span of months, counted from the first
// month to the last one included, is drawn by year rather than by month.
// The timeline and the aspect charts share this rule.
func groupByYear(months int) bool { return months > maxPeriods }

// rollingWindow is the number of periods of the rolling average for each
// bucket width.
var rollingWindow = map[store.Bucket]int{store.BucketDay: 7, store.BucketWeek: 4, store.BucketMonth: 3}

// period is one bucket of the time axis: a day, a week, a month, or a year
// when monthly buckets span too many months for readable bars.
type period struct {
	Start   time.Time
	Label   string // e.g. "Mar 2024", "Week of 4 Mar 2024" or "2024"
	Reviews int
	// RatingSum and RatedWeight give the period's mean rating.
	RatingSum   float64
	RatedWeight float64
	// Cumulative is the mean of every rating up to the end of the period.
	// HasCumulative is false before the first rated review.
	Cumulative    float64
	HasCumulative bool
}

// timeAxis is the periods of a time chart and how they were chosen.
type timeAxis struct {
	Bucket  store.Bucket
	Yearly  bool // months grouped by year
	Periods []period
	// Hidden is the number of earlier periods left out to keep at most
	// maxPeriods bars.
	Hidden int
}

func (a timeAxis) unit() string {
	if a.Yearly {
		return "year"
	}
	return string(a.Bucket)
}

func step(b store.Bucket, t time.Time) time.Time {
	switch b {
	case store.BucketDay:
		return t.AddDate(0, 0, 1)
	case store.BucketWeek:
		return t.AddDate(0, 0, 7)
	}
	return t.AddDate(0, 1, 0)
}

func periodLabel(b store.Bucket, yearly bool, t time.Time) string {
	switch {
	case yearly:
		return t.Format("2006")
	case b == store.BucketDay:
		return t.Format("2 Jan 2006")
	case b == store.BucketWeek:
		return "Week of " + t.Format("2 Jan 2006")
	}
	return t.Format("Jan 2006")
}

// newTimeAxis fills the gaps between the first and last bucket of the
// timeline with empty periods. Long monthly spans are grouped by year, and
// long daily or weekly spans keep their latest maxPeriods periods.
func newTimeAxis(timeline []store.TimelineBucket, b store.Bucket) timeAxis {
	axis := timeAxis{Bucket: b}
	if len(timeline) == 0 {
		return axis
	}
	first, last := timeline[0].Start, timeline[len(timeline)-1].Start
	var starts []time.Time
	for t := first; !t.After(last); t = step(b, t) {
		starts = append(starts, t)
	}
	if b == store.BucketMonth && groupByYear(len(starts)) {
		axis.Yearly = true
	} else if len(starts) > maxPeriods {
		axis.Hidden = len(starts) - maxPeriods
		starts = starts[axis.Hidden:]
	}

	index := map[string]int{}
	for _, t := range starts {
		key := periodLabel(b, axis.Yearly, t)
		if _, ok := index[key]; !ok {
			index[key] = len(axis.Periods)
			axis.Periods = append(axis.Periods, period{Start: t, Label: key})
		}
	}
	for _, bucket := range timeline {
		i, ok := index[periodLabel(b, axis.Yearly, bucket.Start)]
		if !ok {
			continue
		}
		p := &axis.Periods[i]
		p.Reviews += bucket.Reviews
		if bucket.AverageRating != nil {
			p.RatingSum += *bucket.AverageRating * float64(bucket.RatedReviews)
			p.RatedWeight += float64(bucket.RatedReviews)
		}
		if bucket.CumulativeAverage != nil {
			p.Cumulative, p.HasCumulative = *bucket.CumulativeAverage, true
		}
	}
	for i := 1; i < len(axis.Periods); i++ {
		if p := &axis.Periods[i]; !p.HasCumulative && axis.Periods[i-1].HasCumulative {
			p.Cumulative, p.HasCumulative = axis.Periods[i-1].Cumulative, true
		}
	}
	return axis
}

func (p period) average() (float64, bool) {
	if p.RatedWeight == 0 {
		return 0, false
	}
	return p.RatingSum / p.RatedWeight, true
}

// rolling returns the mean rating of the window periods that end with
// period i.
func (a timeAxis) rolling(i, window int) (float64, bool) {
	sum, weight := 0.0, 0.0
	for j := max(0, i-window+1); j <= i; j++ {
		sum += a.Periods[j].RatingSum
		weight += a.Periods[j].RatedWeight
	}
	if weight == 0 {
		return 0, false
	}
	return sum / weight, true
}

// note explains, under the chart titles, an axis that differs from the
// chosen bucket: months grouped by year, or the earlier days or weeks
// left out. It is empty otherwise.
func (a timeAxis) note() string {
	switch {
	case a.Yearly:
		return fmt.Sprintf("By year: monthly buckets are used for spans of up to %d years.", maxPeriods/12)
	case a.Hidden > 0:
		return fmt.Sprintf("The latest %s only; choose a longer bucket for the whole span.", plural(len(a.Periods), a.unit()))
	}
	return ""
}

func (a timeAxis) heading() string {
	return strings.ToUpper(a.unit()[:1]) + a.unit()[1:]
}

func (a timeAxis) describe() string {
	if len(a.Periods) == 0 {
		return "No reviews yet"
	}
	total := 0
	for _, p := range a.Periods {
		total += p.Reviews
	}
	text := fmt.Sprintf("%s published from %s to %s, by %s", plural(total, "review"),
		a.Periods[0].Label, a.Periods[len(a.Periods)-1].Label, a.unit())
	if a.Hidden > 0 {
		text += fmt.Sprintf("; the %s before are left out", plural(a.Hidden, "earlier "+a.unit()))
	}
	return text
}

// labels places at most about seven labels under the time axis, naming the
// year only where it changes, to stay short.
func (a timeAxis) labels(plot rect) []label {
	if len(a.Periods) == 0 {
		return nil
	}
	slot := (plot.Right - plot.Left) / float64(len(a.Periods))
	every := max(1, int(math.Ceil(float64(len(a.Periods))/7)))

	var labels []label
	shownYear := 0
	for i := 0; i < len(a.Periods); i += every {
		t := a.Periods[i].Start
		text := t.Format("2006")
		switch {
		case a.Yearly:
		case a.Bucket == store.BucketMonth && t.Year() == shownYear:
			text = t.Format("Jan")
		case a.Bucket == store.BucketMonth:
			text = t.Format("Jan 2006")
		case t.Year() == shownYear:
			text = t.Format("2 Jan")
		default:
			text = t.Format("2 Jan 2006")
		}
		shownYear = t.Year()
		labels = append(labels, label{X: plot.Left + (float64(i)+0.5)*slot, Y: plot.Bottom + 18, Text: text, Anchor: "middle"})
	}
	return labels
}

// reviewsTimelineChart draws one bar per period.
func reviewsTimelineChart(axis timeAxis) chart {
	c := chart{
		TestID:      "chart-reviews-by-month",
		Title:       "Reviews by publication " + axis.unit(),
		Note:        axis.note(),
		Description: axis.describe(),
		Width:       wideWidth,
		Height:      wideHeight,
		Plot:        widePlot(),
		Table:       table{Headers: []string{axis.heading(), "Reviews"}},
		YUnit:       "reviews",
	}

	maxCount := 0
	for _, p := range axis.Periods {
		maxCount = max(maxCount, p.Reviews)
	}
	top := niceCeiling(float64(maxCount))
	c.YTicks = countTicks(c.Plot, top)

	slot := (c.Plot.Right - c.Plot.Left) / float64(max(len(axis.Periods), 1))
	gap := math.Min(slot*0.2, 4)
	for i, p := range axis.Periods {
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
	c.XLabels = axis.labels(c.Plot)
	return c
}

// ratingEvolutionChart draws, on a fixed 1..10 scale, the mean rating of
// each period, a rolling mean over the latest few periods and the
// cumulative mean since the first review.
func ratingEvolutionChart(axis timeAxis) chart {
	window := rollingWindow[axis.Bucket]
	if axis.Yearly {
		window = 1
	}
	rollingName := fmt.Sprintf("Rolling average (%s)", plural(window, axis.unit()))
	description := "Mean rating of the reviews of each " + axis.unit() + ", " + strings.ToLower(rollingName[:1]) + rollingName[1:] + " and cumulative mean since the first review, on a scale of 1 to 10"
	if axis.Yearly {
		description = "Mean rating of the reviews of each year and cumulative mean since the first review, on a scale of 1 to 10"
	}
	c := chart{
		TestID:      "chart-rating-evolution",
		Title:       "Average rating by publication " + axis.unit(),
		Note:        axis.note(),
		Description: description,
		Width:       wideWidth,
		Height:      wideHeight,
		Plot:        widePlot(),
		Legend: []legendEntry{
			{Class: "series-period", Name: "Average of the " + axis.unit()},
			{Class: "series-rolling", Name: rollingName},
			{Class: "series-cumulative", Name: "Cumulative average"},
		},
		Table: table{Headers: []string{axis.heading(), "Average", rollingName, "Cumulative average"}},
	}
	for _, v := range []float64{1, 4, 7, 10} {
		c.YTicks = append(c.YTicks, tick{Y: ratingY(c.Plot, v), Text: fmt.Sprint(v)})
	}

	slot := (c.Plot.Right - c.Plot.Left) / float64(max(len(axis.Periods), 1))
	lines := []series{
		{Class: "series-period", Name: c.Legend[0].Name},
		{Class: "series-rolling", Name: rollingName},
		{Class: "series-cumulative", Name: "Cumulative average"},
	}
	var points [3][]string
	for i, p := range axis.Periods {
		x := c.Plot.Left + (float64(i)+0.5)*slot
		row := []string{p.Label, "no rating", "no rating", "no rating"}
		add := func(k int, value float64, tooltip string) {
			y := ratingY(c.Plot, value)
			points[k] = append(points[k], point(x, y))
			lines[k].Markers = append(lines[k].Markers, marker{X: x, Y: y, Tooltip: tooltip})
			row[k+1] = fmt.Sprintf("%.2f", value)
		}
		if mean, ok := p.average(); ok {
			add(0, mean, fmt.Sprintf("%s: average rating %.2f over %s", p.Label, mean, plural(int(p.RatedWeight), "rated review")))
		}
		if mean, ok := axis.rolling(i, window); ok {
			add(1, mean, fmt.Sprintf("%s: %s %.2f", p.Label, strings.ToLower(rollingName), mean))
		}
		if p.HasCumulative {
			add(2, p.Cumulative, fmt.Sprintf("Up to %s: cumulative average %.2f", p.Label, p.Cumulative))
		}
		c.Table.Rows = append(c.Table.Rows, row)
	}
	for k := range lines {
		lines[k].Points = strings.Join(points[k], " ")
	}
	c.Series = lines
	if axis.Yearly {
		// A rolling average over one year is the year's average, whose
		// line would hide the other.
		c = withoutSeries(c, 1)
	}
	c.XLabels = axis.labels(c.Plot)
	return c
}

// withoutSeries returns c without its series k: the line, the legend
// entry and the table column.
func withoutSeries(c chart, k int) chart {
	c.Series = slices.Delete(slices.Clone(c.Series), k, k+1)
	c.Legend = slices.Delete(slices.Clone(c.Legend), k, k+1)
	c.Table.Headers = slices.Delete(slices.Clone(c.Table.Headers), k+1, k+2)
	rows := make([][]string, len(c.Table.Rows))
	for i, row := range c.Table.Rows {
		rows[i] = slices.Delete(slices.Clone(row), k+1, k+2)
	}
	c.Table.Rows = rows
	return c
}
