package web

import (
	"fmt"
	"math"
)

// chart is the drawing of one inline SVG chart in viewBox units, with the
// data table that serves as its text alternative. The chart template draws
// bars, line series and axes from it.
type chart struct {
	TestID string
	Class  string // extra class of the figure, such as "chart-evolution"
	Title  string
	// Note, shown under the title, explains how the chart departs from
	// the page's controls, such as years instead of the chosen months.
	Note        string
	Description string
	Width       float64
	Height      float64
	Plot        rect // the area inside the axes
	Bars        []bar
	Series      []series
	XLabels     []label
	YTicks      []tick
	// YUnit is the unit of the y-axis, such as "reviews", written along
	// the axis. It is empty when the title names the unit.
	YUnit    string
	ZeroLine *line // vertical axis of diverging charts
	// Rings, Spokes and Polygons draw radar charts: grid polygons, axes
	// from the centre and data polygons.
	Rings    []polygon
	Spokes   []line
	Polygons []polygon
	Legend   []legendEntry
	Table    table
}

type rect struct{ Left, Top, Right, Bottom float64 }

// MidY is the height of the rectangle's middle.
func (r rect) MidY() float64 { return (r.Top + r.Bottom) / 2 }

type bar struct {
	X, Y, Width, Height float64
	Class               string
	Tooltip             string
}

// series is one line of a line chart. Points is the SVG polyline attribute.
// Segments, when set instead, are separate polylines, so that the line
// has gaps where the data has none.
type series struct {
	Class    string
	Name     string
	Points   string
	Segments []string
	Markers  []marker
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

type polygon struct {
	Class  string
	Points string
}

type legendEntry struct {
	Class string
	Name  string
}

type table struct {
	Headers []string
	Rows    [][]string
}

const (
	wideWidth  = 560.0
	wideHeight = 240.0
)

func widePlot() rect { return rect{Left: 44, Top: 12, Right: wideWidth - 12, Bottom: wideHeight - 32} }

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
		YUnit:       "reviews",
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
