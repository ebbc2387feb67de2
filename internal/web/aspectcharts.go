package web

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/reelpulse/reelpulse/internal/store"
)

// radarChart draws the average of each aspect, overall aside, on a spoke
// from −2 at the centre to +2 at the rim, with overall's average as a
// dashed ring to compare against. Aspects that no review mentions have no
// vertex, so that they do not look neutral; the legend and the data table
// name them.
func radarChart(aspects []aspectView) chart {
	const size, radius = 320.0, 110.0
	center := size / 2
	c := chart{
		TestID:      "chart-aspect-radar",
		Title:       "Aspect averages against overall",
		Description: "Mean score of each aspect on a spoke from −2 at the centre to +2 at the rim; the dashed ring is the overall average",
		Width:       size,
		Height:      size,
		Plot:        rect{Left: center, Top: center, Right: center, Bottom: center},
		Table:       table{Headers: []string{"Aspect", "Average", "Overall average"}},
	}

	var overall *aspectView
	var spokes []aspectView
	for i := range aspects {
		if aspects[i].Name == store.Overall {
			overall = &aspects[i]
		} else {
			spokes = append(spokes, aspects[i])
		}
	}
	if len(spokes) < 3 {
		c.Description = "A radar needs three aspects or more"
		return c
	}

	angle := func(i int) float64 { return -math.Pi/2 + 2*math.Pi*float64(i)/float64(len(spokes)) }
	at := func(i int, v float64) (float64, float64) {
		r := (v + 2) / 4 * radius
		return center + r*math.Cos(angle(i)), center + r*math.Sin(angle(i))
	}
	ring := func(v float64) string {
		var points []string
		for i := range spokes {
			points = append(points, point(at(i, v)))
		}
		return strings.Join(points, " ")
	}
	for _, v := range []float64{-1, 0, 1, 2} {
		c.Rings = append(c.Rings, polygon{Class: "grid", Points: ring(v)})
	}

	overallText := "no score"
	if overall != nil && overall.Average != nil {
		overallText = signed(*overall.Average)
		c.Polygons = append(c.Polygons, polygon{Class: "radar-overall", Points: ring(*overall.Average)})
		c.Legend = append(c.Legend, legendEntry{Class: "series-overall", Name: "Overall " + overallText})
	}
	values := series{Class: "series-aspects", Name: "Aspect averages"}
	var points, missing []string
	for i, a := range spokes {
		x2, y2 := at(i, 2)
		c.Spokes = append(c.Spokes, line{X1: center, Y1: center, X2: x2, Y2: y2})
		lx, ly := at(i, 2.6)
		anchor := "middle"
		switch {
		case lx < center-10:
			anchor = "end"
		case lx > center+10:
			anchor = "start"
		}
		c.XLabels = append(c.XLabels, label{X: lx, Y: ly + 4, Text: a.Label, Anchor: anchor})

		if a.Average == nil {
			missing = append(missing, strings.ToLower(a.Label))
			c.Table.Rows = append(c.Table.Rows, []string{a.Label, "no score", overallText})
			continue
		}
		text := signed(*a.Average)
		x, y := at(i, *a.Average)
		points = append(points, point(x, y))
		values.Markers = append(values.Markers, marker{X: x, Y: y,
			Tooltip: fmt.Sprintf("%s: average %s over %s (overall %s)", a.Label, text, plural(a.Mentioned, "review"), overallText)})
		c.Table.Rows = append(c.Table.Rows, []string{a.Label, text, overallText})
	}
	legend := "Aspect averages"
	if len(missing) > 0 {
		legend += " (no score, so no vertex, for " + joinAnd(missing) + ")"
	}
	c.Legend = append(c.Legend, legendEntry{Class: "series-aspects", Name: legend})
	if len(points) > 0 {
		c.Polygons = append(c.Polygons, polygon{Class: "radar-aspects", Points: strings.Join(points, " ")})
	}
	c.Series = []series{values}
	return c
}

// monthAxis returns the months from the first to the last month of
// months, or the years when groupByYear returns true for that many months,
// which is the timeline's rule too.
func monthAxis(months []store.AspectMonth) (starts []time.Time, yearly bool) {
	if len(months) == 0 {
		return nil, false
	}
	first, last := months[0].Month, months[0].Month
	for _, m := range months {
		if m.Month.Before(first) {
			first = m.Month
		}
		if m.Month.After(last) {
			last = m.Month
		}
	}
	yearly = groupByYear((last.Year()-first.Year())*12 + int(last.Month()-first.Month()) + 1)
	for t := first; !t.After(last); t = t.AddDate(0, 1, 0) {
		if !yearly || t.Equal(first) || t.Month() == time.January {
			starts = append(starts, t)
		}
	}
	return starts, yearly
}

// aspectEvolutionChart draws an aspect's mean score per month (or per year
// for long spans) on a −2..+2 scale, on the months axis shared by every
// aspect.
func aspectEvolutionChart(a aspectView, months []store.AspectMonth, starts []time.Time, yearly bool) chart {
	unit, layout := "month", "Jan 2006"
	if yearly {
		unit, layout = "year", "2006"
	}
	c := chart{
		TestID:      "chart-aspect-evolution-" + a.Name,
		Class:       "chart-evolution",
		Title:       a.Label + " average by " + unit,
		Description: fmt.Sprintf("Mean %s score of the reviews published each %s, from −2 to +2", a.Label, unit),
		Width:       240,
		Height:      110,
		Plot:        rect{Left: 26, Top: 8, Right: 232, Bottom: 88},
		Table:       table{Headers: []string{strings.ToUpper(unit[:1]) + unit[1:], "Average", "Mentioned in"}},
	}
	y := func(v float64) float64 { return c.Plot.Bottom - (v+2)/4*(c.Plot.Bottom-c.Plot.Top) }
	c.YTicks = []tick{{Y: y(2), Text: "+2"}, {Y: y(0), Text: "0"}, {Y: y(-2), Text: "−2"}}

	index := map[string]int{}
	sums := make([]float64, len(starts))
	counts := make([]int, len(starts))
	for i, t := range starts {
		index[t.Format(layout)] = i
	}
	for _, m := range months {
		if m.Aspect != a.Name {
			continue
		}
		i := index[m.Month.Format(layout)]
		sums[i] += m.Average * float64(m.Mentioned)
		counts[i] += m.Mentioned
	}

	slot := (c.Plot.Right - c.Plot.Left) / float64(max(len(starts), 1))
	line := series{Class: "series-aspect"}
	var points []string
	for i, t := range starts {
		if counts[i] == 0 {
			continue
		}
		mean := sums[i] / float64(counts[i])
		x, yv := c.Plot.Left+(float64(i)+0.5)*slot, y(mean)
		points = append(points, point(x, yv))
		line.Markers = append(line.Markers, marker{X: x, Y: yv,
			Tooltip: fmt.Sprintf("%s, %s: average %s over %s", a.Label, t.Format(layout), signed(mean), plural(counts[i], "review"))})
		c.Table.Rows = append(c.Table.Rows, []string{t.Format(layout), signed(mean), plural(counts[i], "review")})
	}
	line.Points = strings.Join(points, " ")
	c.Series = []series{line}
	if len(starts) > 0 {
		c.XLabels = []label{
			{X: c.Plot.Left, Y: c.Plot.Bottom + 16, Text: starts[0].Format(layout), Anchor: "start"},
			{X: c.Plot.Right, Y: c.Plot.Bottom + 16, Text: starts[len(starts)-1].Format(layout), Anchor: "end"},
		}
	}
	if len(line.Markers) == 0 {
		c.Description = "No review mentions " + a.Label
	}
	return c
}

// sparkline is the small chart of a movie's daily reviews in its card.
type sparkline struct {
	TestID string
	Label  string // the text alternative
	Points string
	Days   []marker
	Total  int // reviews over the days drawn, shown beside the line
}

// sparklineDays is the number of days that a card's sparkline covers.
const sparklineDays = 30

// newSparkline draws the reviews published on each of the 30 days up to
// today, UTC.
func newSparkline(movieID string, counts []store.DayCount, today time.Time) sparkline {
	const width, height = 120.0, 28.0
	first := today.UTC().Truncate(24*time.Hour).AddDate(0, 0, -(sparklineDays - 1))
	byDay := map[string]int{}
	total, top := 0, 1
	for _, c := range counts {
		byDay[c.Day.Format(time.DateOnly)] += c.Reviews
		total += c.Reviews
		top = max(top, c.Reviews)
	}

	s := sparkline{TestID: "sparkline-" + movieID, Total: total,
		Label: fmt.Sprintf("%s published in the last %d days", plural(total, "review"), sparklineDays)}
	var points []string
	for i := range sparklineDays {
		t := first.AddDate(0, 0, i)
		n := byDay[t.Format(time.DateOnly)]
		x := 2 + float64(i)*(width-4)/float64(sparklineDays-1)
		y := height - 2 - float64(n)/float64(top)*(height-4)
		points = append(points, point(x, y))
		s.Days = append(s.Days, marker{X: x, Y: y, Tooltip: fmt.Sprintf("%s: %s", t.Format("2 Jan 2006"), plural(n, "review"))})
	}
	s.Points = strings.Join(points, " ")
	return s
}

// maxVoteRuns is the number of latest review passes that the votes chart
// draws.
const maxVoteRuns = 120

// votesChart draws the helpful and unhelpful vote totals of the movie's
// listed reviews after each complete or incomplete review pass, oldest
// first. runs are ordered newest first, as Store.ListRuns returns them.
func votesChart(runs []store.SyncRun) chart {
	var points []store.SyncRun
	for _, run := range runs {
		if run.State == store.RunComplete || run.State == store.RunIncomplete {
			points = append(points, run)
		}
	}
	slices.Reverse(points)

	c := chart{
		TestID:      "chart-votes",
		Title:       "Helpful votes over time",
		Description: fmt.Sprintf("Sum of the helpful and unhelpful votes of the listed reviews after each of the %s", plural(len(points), "review pass")),
		Width:       wideWidth,
		Height:      wideHeight,
		Plot:        widePlot(),
		Legend: []legendEntry{
			{Class: "series-helpful", Name: "Helpful votes"},
			{Class: "series-unhelpful", Name: "Unhelpful votes"},
		},
		Table: table{Headers: []string{"Pass", "Helpful votes", "Unhelpful votes"}},
	}
	top := 0
	for _, run := range points {
		top = max(top, run.HelpfulUpTotal, run.HelpfulDownTotal)
	}
	ceiling := niceCeiling(float64(top))
	c.YTicks = countTicks(c.Plot, ceiling)

	slot := (c.Plot.Right - c.Plot.Left) / float64(max(len(points), 1))
	lines := []series{{Class: "series-helpful", Name: "Helpful votes"}, {Class: "series-unhelpful", Name: "Unhelpful votes"}}
	var coordinates [2][]string
	every := max(1, int(math.Ceil(float64(len(points))/6)))
	layout := "2 Jan"
	if len(points) == 1 || len(points) > 1 && points[0].FinishedAt.UTC().Year() != points[len(points)-1].FinishedAt.UTC().Year() {
		layout = "2 Jan 2006"
	}
	if len(points) == 1 {
		c.Note = "One review pass so far: the history starts with the first scrape, and each later pass adds a point."
	}
	for i, run := range points {
		x := c.Plot.Left + (float64(i)+0.5)*slot
		when := run.FinishedAt.UTC().Format("2 Jan 2006 15:04 UTC")
		nouns := []string{"helpful vote", "unhelpful vote"}
		for k, value := range []int{run.HelpfulUpTotal, run.HelpfulDownTotal} {
			y := c.Plot.Bottom - float64(value)/ceiling*(c.Plot.Bottom-c.Plot.Top)
			coordinates[k] = append(coordinates[k], point(x, y))
			tooltip := fmt.Sprintf("%s: %s", when, plural(value, nouns[k]))
			lines[k].Markers = append(lines[k].Markers, marker{X: x, Y: y, Tooltip: tooltip})
		}
		if i%every == 0 {
			c.XLabels = append(c.XLabels, label{X: x, Y: c.Plot.Bottom + 18, Text: run.FinishedAt.UTC().Format(layout), Anchor: "middle"})
		}
		c.Table.Rows = append(c.Table.Rows, []string{when, formatNumber(run.HelpfulUpTotal), formatNumber(run.HelpfulDownTotal)})
	}
	for k := range lines {
		lines[k].Points = strings.Join(coordinates[k], " ")
	}
	c.Series = lines
	return c
}
