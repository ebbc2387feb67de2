package web

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/reelpulse/reelpulse/internal/store"
)

// The compare page draws each movie in its own colour and dash pattern,
// in the order of the request: the classes movie-1 to movie-4 of the style
// sheet.
const (
	minCompared = 2
	maxCompared = 4
)

// maxComparePeriods is the number of months per movie above which the
// aligned charts group months into quarters, half years or years.
const maxComparePeriods = 120

// maxCompareWeeks is the longest span of reviews, in weeks, that the
// aligned charts draw week by week. Longer spans are drawn by month.
const maxCompareWeeks = 156

// comparedMovie is one movie's data for the comparison charts.
type comparedMovie struct {
	Class   string // "movie-1" to "movie-4"
	Name    string // title, or id when the title is unknown
	Aspects []aspectView
	Aligned alignedTimeline
}

// alignedPeriod is one period of a movie's timeline, counted from the
// movie's day 0.
type alignedPeriod struct {
	Start time.Time // UTC midnight of the period's first day
	// FromDay and ToDay are the days since day 0 of the period's first day
	// and of the day after its last.
	FromDay, ToDay int
	Reviews        int
	// Cumulative is the mean of every rating up to the end of the period
	// over CumulativeRated ratings. HasCumulative is false before the first
	// rated review.
	Cumulative      float64
	CumulativeRated int
	HasCumulative   bool
}

// alignedTimeline is a movie's timeline in periods that start at day 0.
type alignedTimeline struct {
	// Anchor is day 0: the release day, or the day of the first review
	// when ByRelease is false.
	Anchor    time.Time
	ByRelease bool
	Periods   []alignedPeriod
}

// grouping is the length of the aligned charts' periods: a week, or
// Months months.
type grouping struct {
	Months int // 0 for weeks
}

// unit returns the period's name: "week", "month", "3 months", "6 months"
// or "year".
func (g grouping) unit() string {
	switch g.Months {
	case 0:
		return "week"
	case 1:
		return "month"
	case 12:
		return "year"
	}
	return plural(g.Months, "month")
}

// start returns the first day of period k, where period 0 starts at
// anchor and negative periods precede it.
func (g grouping) start(anchor time.Time, k int) time.Time {
	if g.Months == 0 {
		return anchor.AddDate(0, 0, 7*k)
	}
	return anchor.AddDate(0, k*g.Months, 0)
}

// period returns the k of the period that holds day.
func (g grouping) period(anchor, day time.Time) int {
	length := 7.0
	if g.Months > 0 {
		length = 30.4375 * float64(g.Months)
	}
	k := int(math.Floor(float64(daysBetween(anchor, day)) / length))
	for g.start(anchor, k).After(day) {
		k--
	}
	for !g.start(anchor, k+1).After(day) {
		k++
	}
	return k
}

// chooseGrouping returns weeks when the longest span of reviews, in days,
// fits maxCompareWeeks, and otherwise the shortest run of 1, 3, 6 or 12
// months that keeps each movie within maxComparePeriods periods.
func chooseGrouping(days int) grouping {
	if days <= maxCompareWeeks*7 {
		return grouping{}
	}
	months := int(math.Ceil(float64(days) / 30.4375))
	for _, size := range []int{1, 3, 6} {
		if (months+size-1)/size <= maxComparePeriods {
			return grouping{Months: size}
		}
	}
	return grouping{Months: 12}
}

// daysBetween returns the whole days from a to b, both UTC midnights.
func daysBetween(a, b time.Time) int {
	return int(math.Round(b.Sub(a).Hours() / 24))
}

// reviewSpan returns the days from the first to the last bucket of the
// daily timeline.
func reviewSpan(days []store.TimelineBucket) int {
	if len(days) == 0 {
		return 0
	}
	return daysBetween(days[0].Start, days[len(days)-1].Start)
}

// alignTimeline groups the daily buckets of days, oldest first as
// Store.Aggregates returns them, into periods of g that start at anchor,
// day 0, from the period of the first review to that of the last. Periods
// without reviews are kept, and the cumulative average carries over them.
func alignTimeline(days []store.TimelineBucket, g grouping, anchor time.Time, byRelease bool) alignedTimeline {
	aligned := alignedTimeline{Anchor: anchor, ByRelease: byRelease}
	if len(days) == 0 {
		return aligned
	}
	last := days[len(days)-1].Start
	i := 0
	var p alignedPeriod
	for k := g.period(anchor, days[0].Start); !g.start(anchor, k).After(last); k++ {
		from, to := g.start(anchor, k), g.start(anchor, k+1)
		p = alignedPeriod{Start: from, FromDay: daysBetween(anchor, from), ToDay: daysBetween(anchor, to),
			Cumulative: p.Cumulative, CumulativeRated: p.CumulativeRated, HasCumulative: p.HasCumulative}
		for ; i < len(days) && days[i].Start.Before(to); i++ {
			p.Reviews += days[i].Reviews
			if days[i].CumulativeAverage != nil {
				p.Cumulative, p.CumulativeRated, p.HasCumulative = *days[i].CumulativeAverage, days[i].CumulativeRated, true
			}
		}
		aligned.Periods = append(aligned.Periods, p)
	}
	return aligned
}

// dayAxis maps days since the anchor to x in a plot shared by every
// movie: from day 0, or the earliest day before it, to the latest day.
type dayAxis struct {
	plot     rect
	from, to int
}

func newDayAxis(plot rect, movies []comparedMovie) dayAxis {
	a := dayAxis{plot: plot}
	for _, m := range movies {
		for _, p := range m.Aligned.Periods {
			a.from = min(a.from, p.FromDay)
			a.to = max(a.to, p.ToDay)
		}
	}
	if a.to == a.from {
		a.to = a.from + 7
	}
	return a
}

func (a dayAxis) x(day float64) float64 {
	return a.plot.Left + (day-float64(a.from))/float64(a.to-a.from)*(a.plot.Right-a.plot.Left)
}

// tickSteps are the distances in days between the labels of the day axis.
var tickSteps = []int{1, 7, 14, 30, 60, 90, 180, 365, 730, 1825, 3650, 7300, 18250}

// labels returns labels at multiples of the shortest step that divides the
// axis into six steps or fewer, in days below a year and in years from
// there. Negative days, before the release, have a minus sign.
func (a dayAxis) labels() []label {
	stepDays := tickSteps[len(tickSteps)-1]
	for _, s := range tickSteps {
		if (a.to-a.from)/s <= 6 {
			stepDays = s
			break
		}
	}
	text := func(day int) string {
		switch {
		case day == 0:
			return "0"
		case stepDays >= 365:
			return dayNumber(day/365) + " y"
		}
		return dayNumber(day) + " d"
	}
	var labels []label
	first := int(math.Ceil(float64(a.from)/float64(stepDays))) * stepDays
	if first >= 0 && a.from < 0 {
		// The step is longer than the days before day 0, which would leave
		// them without a label. Label the earliest whole year, or whole step
		// of a shorter unit, unless it is too close to the label at 0.
		unit := 1
		for _, s := range tickSteps {
			if s < stepDays && s <= -a.from {
				unit = s
			}
		}
		if stepDays >= 365 {
			unit = 365
		}
		if day := a.from / unit * unit; day < 0 && a.x(0)-a.x(float64(day)) >= minLabelGap {
			labels = append(labels, label{X: a.x(float64(day)), Y: a.plot.Bottom + 18, Text: text(day), Anchor: "middle"})
		}
	}
	for day := first; day <= a.to; day += stepDays {
		labels = append(labels, label{X: a.x(float64(day)), Y: a.plot.Bottom + 18, Text: text(day), Anchor: "middle"})
	}
	return labels
}

// minLabelGap is the least distance, in viewBox units, between the
// centres of two labels of the day axis.
const minLabelGap = 36

// anchorName names a movie's day 0 for texts: "release" or "first review".
func (t alignedTimeline) anchorName() string {
	if t.ByRelease {
		return "release"
	}
	return "first review"
}

// periodText describes a period, such as "days 0 to 6 since release,
// 1 to 7 Mar 2024".
func (t alignedTimeline) periodText(p alignedPeriod) string {
	days := fmt.Sprintf("days %s to %s", dayNumber(p.FromDay), dayNumber(p.ToDay-1))
	if p.ToDay-p.FromDay == 1 {
		days = "day " + dayNumber(p.FromDay)
	}
	end := t.Anchor.AddDate(0, 0, p.ToDay-1)
	return fmt.Sprintf("%s since %s, %s to %s", days, t.anchorName(), p.Start.Format("2 Jan 2006"), end.Format("2 Jan 2006"))
}

// endText names the last day of a period, such as "by day 6 since
// release (7 Mar 2024)".
func (t alignedTimeline) endText(p alignedPeriod) string {
	end := t.Anchor.AddDate(0, 0, p.ToDay-1)
	return fmt.Sprintf("by day %s since %s (%s)", dayNumber(p.ToDay-1), t.anchorName(), end.Format("2 Jan 2006"))
}

// dayNumber writes a day number with a minus sign (U+2212) when negative.
func dayNumber(day int) string {
	if day < 0 {
		return fmt.Sprintf("−%d", -day)
	}
	return fmt.Sprint(day)
}

// legendOf returns one legend entry per movie, naming movies aligned by
// their first review as such.
func legendOf(movies []comparedMovie, aligned bool) []legendEntry {
	var legend []legendEntry
	for _, m := range movies {
		name := m.Name
		if aligned && !m.Aligned.ByRelease {
			name += " (from its first review)"
		}
		legend = append(legend, legendEntry{Class: "series-movie " + m.Class, Name: name})
	}
	return legend
}

// alignmentText names the day 0 of each movie in the aligned charts.
func alignmentText(movies []comparedMovie) string {
	var byReview []string
	for _, m := range movies {
		if !m.Aligned.ByRelease {
			byReview = append(byReview, m.Name)
		}
	}
	switch {
	case len(byReview) == 0:
		return "Day 0 is each movie's release date"
	case len(byReview) == len(movies):
		return "No movie has a release date, so day 0 is each movie's first review"
	case len(byReview) == 1:
		return "Day 0 is each movie's release date, except for " + byReview[0] + ", which has no release date and starts at its first review"
	}
	return "Day 0 is each movie's release date, except for " + strings.Join(byReview[:len(byReview)-1], ", ") +
		" and " + byReview[len(byReview)-1] + ", which have no release date and start at their first review"
}

// compareRadarChart overlays one polygon per movie on the aspect radar:
// each aspect's average on a spoke from −2 at the centre to +2 at the rim.
// Aspects that a movie's reviews never mention have no vertex, so that
// they do not look neutral: the polygon joins the movie's other aspects,
// and the legend and the data table name the aspects left out.
func compareRadarChart(movies []comparedMovie) chart {
	const size, radius = 360.0, 120.0
	center := size / 2
	c := chart{
		TestID:      "chart-compare-radar",
		Class:       "chart-compare",
		Title:       "Aspect averages",
		Description: "Mean score of each aspect on a spoke from −2 at the centre to +2 at the rim, one polygon per movie; an aspect without a score has no vertex",
		Width:       size,
		Height:      size,
		Plot:        rect{Left: center, Top: center, Right: center, Bottom: center},
		Legend:      legendOf(movies, false),
		Table:       table{Headers: []string{"Aspect"}},
	}
	if len(movies) == 0 {
		return c
	}
	for _, m := range movies {
		c.Table.Headers = append(c.Table.Headers, m.Name)
	}

	var spokes []int
	for i, a := range movies[0].Aspects {
		if a.Name != store.Overall {
			spokes = append(spokes, i)
		}
	}
	if len(spokes) < 3 {
		c.Description = "A radar needs three aspects or more"
		return c
	}
	angle := func(k int) float64 { return -math.Pi/2 + 2*math.Pi*float64(k)/float64(len(spokes)) }
	at := func(k int, v float64) (float64, float64) {
		r := (v + 2) / 4 * radius
		return center + r*math.Cos(angle(k)), center + r*math.Sin(angle(k))
	}
	for _, v := range []float64{-1, 0, 1, 2} {
		var ring []string
		for k := range spokes {
			ring = append(ring, point(at(k, v)))
		}
		c.Rings = append(c.Rings, polygon{Class: "grid", Points: strings.Join(ring, " ")})
	}
	for k, i := range spokes {
		x2, y2 := at(k, 2)
		c.Spokes = append(c.Spokes, line{X1: center, Y1: center, X2: x2, Y2: y2})
		lx, ly := at(k, 2.5)
		anchor := "middle"
		switch {
		case lx < center-10:
			anchor = "end"
		case lx > center+10:
			anchor = "start"
		}
		c.XLabels = append(c.XLabels, label{X: lx, Y: ly + 4, Text: movies[0].Aspects[i].Label, Anchor: anchor})
	}

	rows := make([][]string, len(movies[0].Aspects))
	for i, a := range movies[0].Aspects {
		rows[i] = []string{a.Label}
	}
	for j, m := range movies {
		values := series{Class: "series-movie " + m.Class, Name: m.Name}
		var points, missing []string
		for k, i := range spokes {
			a := m.Aspects[i]
			if a.Average == nil {
				missing = append(missing, strings.ToLower(a.Label))
				continue
			}
			value := *a.Average
			x, y := at(k, value)
			points = append(points, point(x, y))
			values.Markers = append(values.Markers, marker{X: x, Y: y, Tooltip: fmt.Sprintf("%s, %s: average %s over %s (%s of the analyzed reviews)",
				m.Name, a.Label, signed(value), plural(a.Mentioned, "review"), a.Share())})
		}
		if len(points) > 0 {
			c.Polygons = append(c.Polygons, polygon{Class: "radar-movie " + m.Class, Points: strings.Join(points, " ")})
		}
		c.Series = append(c.Series, values)
		if len(missing) > 0 {
			c.Legend[j].Name += " (no score, so no vertex, for " + joinAnd(missing) + ")"
		}
		for i, a := range m.Aspects {
			text := "no score"
			if a.Average != nil {
				text = fmt.Sprintf("%s (%s)", signed(*a.Average), a.Share())
			}
			rows[i] = append(rows[i], text)
		}
	}
	c.Table.Rows = rows
	return c
}

// compareRatingChart draws, for each movie, the cumulative mean rating at
// the end of each period on a shared axis of days since release.
func compareRatingChart(movies []comparedMovie, g grouping) chart {
	c := chart{
		TestID: "chart-compare-ratings",
		Class:  "chart-compare",
		Title:  "Average rating since release",
		Description: fmt.Sprintf("Cumulative mean rating, 1 to 10, at the end of each %s, by days since release; %s",
			g.unit(), strings.ToLower(alignmentText(movies)[:1])+alignmentText(movies)[1:]),
		Width:  wideWidth,
		Height: wideHeight,
		Plot:   widePlot(),
		Legend: legendOf(movies, true),
		Table:  table{Headers: []string{"Movie", "Up to", "Cumulative average", "Rated reviews"}},
	}
	for _, v := range []float64{1, 4, 7, 10} {
		c.YTicks = append(c.YTicks, tick{Y: ratingY(c.Plot, v), Text: fmt.Sprint(v)})
	}
	axis := newDayAxis(c.Plot, movies)
	for _, m := range movies {
		line := series{Class: "series-movie " + m.Class, Name: m.Name}
		var points []string
		for _, p := range m.Aligned.Periods {
			if !p.HasCumulative {
				continue
			}
			x, y := axis.x(float64(p.ToDay)), ratingY(c.Plot, p.Cumulative)
			points = append(points, point(x, y))
			when := m.Aligned.endText(p)
			line.Markers = append(line.Markers, marker{X: x, Y: y, Tooltip: fmt.Sprintf("%s, %s: average %.2f over %s",
				m.Name, when, p.Cumulative, plural(p.CumulativeRated, "rated review"))})
			c.Table.Rows = append(c.Table.Rows, []string{m.Name, when, fmt.Sprintf("%.2f", p.Cumulative), formatNumber(p.CumulativeRated)})
		}
		line.Points = strings.Join(points, " ")
		c.Series = append(c.Series, line)
	}
	c.XLabels = axis.labels()
	return c
}

// compareReviewsChart draws, for each movie, the reviews published in each
// period at the period's middle on the shared axis of days since release.
// Periods without reviews have no point and break the line, so a movie
// with few reviews reads as dots and short runs, not a zigzag down to
// zero. The data table lists those periods with 0.
func compareReviewsChart(movies []comparedMovie, g grouping) chart {
	c := chart{
		TestID:      "chart-compare-reviews",
		Class:       "chart-compare",
		Title:       "Reviews per " + g.unit() + " since release",
		Note:        "A gap is a " + g.unit() + " without reviews.",
		Description: fmt.Sprintf("Number of reviews published in each %s, by days since release; a %s without reviews has no point and breaks the line", g.unit(), g.unit()),
		Width:       wideWidth,
		Height:      wideHeight,
		Plot:        widePlot(),
		Legend:      legendOf(movies, true),
		Table:       table{Headers: []string{"Movie", "Period", "Reviews"}},
	}
	top := 0
	for _, m := range movies {
		for _, p := range m.Aligned.Periods {
			top = max(top, p.Reviews)
		}
	}
	ceiling := niceCeiling(float64(top))
	c.YTicks = countTicks(c.Plot, ceiling)
	axis := newDayAxis(c.Plot, movies)
	for _, m := range movies {
		line := series{Class: "series-movie " + m.Class, Name: m.Name}
		var run []string
		flush := func() {
			if len(run) > 1 {
				line.Segments = append(line.Segments, strings.Join(run, " "))
			}
			run = nil
		}
		for _, p := range m.Aligned.Periods {
			when := m.Aligned.periodText(p)
			c.Table.Rows = append(c.Table.Rows, []string{m.Name, when, formatNumber(p.Reviews)})
			if p.Reviews == 0 {
				flush()
				continue
			}
			x := axis.x(float64(p.FromDay+p.ToDay) / 2)
			y := c.Plot.Bottom - float64(p.Reviews)/ceiling*(c.Plot.Bottom-c.Plot.Top)
			run = append(run, point(x, y))
			line.Markers = append(line.Markers, marker{X: x, Y: y, Tooltip: fmt.Sprintf("%s, %s: %s", m.Name, when, plural(p.Reviews, "review"))})
		}
		flush()
		c.Series = append(c.Series, line)
	}
	c.XLabels = axis.labels()
	return c
}
