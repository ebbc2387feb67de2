package web

import (
	"fmt"
	"html/template"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/reelpulse/reelpulse/internal/store"
)

// templateFuncs returns the helpers that the page templates call. The now
// func is the clock that "time since" texts are measured against.
func templateFuncs(now func() time.Time) template.FuncMap {
	return template.FuncMap{
		"ago":        func(t time.Time) string { return ago(now(), t) },
		"rfc3339":    func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"utc":        func(t time.Time) string { return t.UTC().Format("2 Jan 2006 15:04 UTC") },
		"date":       func(t time.Time) string { return t.UTC().Format("2 Jan 2006") },
		"isodate":    func(t time.Time) string { return t.UTC().Format("2006-01-02") },
		"number":     formatNumber,
		"number64":   func(n int64) string { return formatNumber(int(n)) },
		"rating":     func(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) },
		"signed":     signed,
		"plural":     plural,
		"num":        func(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) },
		"score":      formatScore,
		"posterPath": posterPath,
		"duration":   formatDuration,
		"jobBadge":   jobBadge,
		"deref":      func(p *int) int { return *p },
	}
}

// ago returns a short English text for the time from t to now, such as
// "5 minutes ago". The dashboard script recomputes it in the browser.
func ago(now, t time.Time) string {
	d := now.Sub(t)
	switch {
	case d < 0:
		return "just now"
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return plural(int(d/time.Minute), "minute") + " ago"
	case d < 48*time.Hour:
		return plural(int(d/time.Hour), "hour") + " ago"
	case d < 60*24*time.Hour:
		return plural(int(d/(24*time.Hour)), "day") + " ago"
	case d < 730*24*time.Hour:
		return plural(int(d/(30*24*time.Hour)), "month") + " ago"
	default:
		return plural(int(d/(365*24*time.Hour)), "year") + " ago"
	}
}

// plural returns "1 review" or "3 reviews", with thousands separators.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return formatNumber(n) + " " + noun + "s"
}

// joinAnd joins words as "a", "a and b" or "a, b and c".
func joinAnd(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}

// formatNumber writes n with comma thousands separators, e.g. "12,345".
func formatNumber(n int) string {
	digits := strconv.Itoa(n)
	sign := ""
	if strings.HasPrefix(digits, "-") {
		sign, digits = "-", digits[1:]
	}

	var b strings.Builder
	for i, c := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return sign + b.String()
}

// signed formats an aspect score with an explicit sign and two decimals,
// e.g. "+0.83" or "−1.20" (with a minus sign, U+2212).
func signed(v float64) string {
	v = math.Round(v*100) / 100
	switch {
	case v > 0:
		return fmt.Sprintf("+%.2f", v)
	case v < 0:
		return fmt.Sprintf("−%.2f", -v)
	default:
		return "0.00"
	}
}

// formatScore formats one review's aspect score, -2..+2.
func formatScore(v int) string {
	switch {
	case v > 0:
		return fmt.Sprintf("+%d", v)
	case v < 0:
		return fmt.Sprintf("−%d", -v)
	default:
		return "0"
	}
}

// posterPath returns the dashboard's own URL of a movie's poster, or ""
// when IMDb lists none. Posters are downloaded and served by the dashboard,
// never loaded from IMDb's servers by the browser.
func posterPath(m store.Movie) string {
	if m.PosterURL == "" {
		return ""
	}
	return "/posters/" + url.PathEscape(m.ID)
}

// formatDuration rounds a job's duration for display: "850ms", "12s",
// "3m20s", "1h5m0s"; "–" when it is zero.
func formatDuration(d time.Duration) string {
	switch {
	case d <= 0:
		return "–"
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	case d < time.Minute:
		return d.Round(100 * time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}

// jobBadge maps a job state to the badge class of the state template.
func jobBadge(state string) string {
	switch state {
	case "completed":
		return "ok"
	case "retryable", "discarded":
		return "error"
	case "cancelled":
		return "warning"
	}
	return "pending"
}
