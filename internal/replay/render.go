package replay

import (
	"fmt"
	"html"
	"math"
	"strconv"
	"strings"
	"time"
)

// Title metadata as IMDb's Next.js pages carry it. The title page has it in
// props.pageProps.aboveTheFoldData and the reviews page in
// props.pageProps.contentData.entityMetadata.
type titleMetadata struct {
	ID                string         `json:"id"`
	TitleType         titleType      `json:"titleType"`
	TitleText         textValue      `json:"titleText"`
	OriginalTitleText textValue      `json:"originalTitleText"`
	ReleaseYear       *releaseYear   `json:"releaseYear"`
	RatingsSummary    ratingsSummary `json:"ratingsSummary"`
	PrimaryImage      primaryImage   `json:"primaryImage"`
}

type titleType struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

type textValue struct {
	Text string `json:"text"`
}

type releaseYear struct {
	Year    int  `json:"year"`
	EndYear *int `json:"endYear"`
}

type releaseDate struct {
	Day   int `json:"day"`
	Month int `json:"month"`
	Year  int `json:"year"`
}

type ratingsSummary struct {
	AggregateRating *float64 `json:"aggregateRating"`
	VoteCount       int64    `json:"voteCount"`
}

type primaryImage struct {
	URL    string `json:"url"`
	Width  int    `json:"width"`
	Height int    `json:"height"`
}

type totalCount struct {
	Total int `json:"total"`
}

// nextPage is the envelope of a __NEXT_DATA__ script.
type nextPage struct {
	Props struct {
		PageProps any `json:"pageProps"`
	} `json:"props"`
	Page       string            `json:"page"`
	Query      map[string]string `json:"query"`
	BuildID    string            `json:"buildId"`
	IsFallback bool              `json:"isFallback"`
	GSSP       bool              `json:"gssp"`
	Locale     string            `json:"locale"`
}

func newNextPage(route, id string, pageProps any) nextPage {
	page := nextPage{
		Page:    route,
		Query:   map[string]string{"tconst": id},
		BuildID: "reelpulse-replay",
		GSSP:    true,
		Locale:  "en-US",
	}
	page.Props.PageProps = pageProps
	return page
}

func newTitleMetadata(m Movie) titleMetadata {
	metadata := titleMetadata{
		ID:                m.ID,
		TitleType:         titleType{ID: "movie", Text: "Movie"},
		TitleText:         textValue{Text: m.Title},
		OriginalTitleText: textValue{Text: m.OriginalTitle},
		RatingsSummary:    ratingsSummary{VoteCount: m.RatingCount},
		PrimaryImage:      primaryImage{URL: posterURL(m.ID), Width: 300, Height: 450},
	}
	if m.Year != 0 {
		metadata.ReleaseYear = &releaseYear{Year: m.Year}
	}
	if m.RatingCount > 0 {
		rating := math.Round(m.AggregateRating*10) / 10
		metadata.RatingsSummary.AggregateRating = &rating
	}
	return metadata
}

func posterURL(id string) string {
	return BasePlaceholder + posterPath + id + ".svg"
}

// pageName returns "Title (Year)", the form IMDb uses in <title> elements.
func pageName(m Movie) string {
	if m.Year == 0 {
		return m.Title
	}
	return fmt.Sprintf("%s (%d)", m.Title, m.Year)
}

// nextDataScript returns the __NEXT_DATA__ element. encoding/json escapes
// <, > and & as \u003c and so on, as Next.js does, so the JSON cannot end
// the script early.
func nextDataScript(page nextPage) string {
	return `<script id="__NEXT_DATA__" type="application/json">` + string(mustMarshal(page)) + `</script>`
}

// escapeText escapes text for HTML the way React does, which writes
// apostrophes as &#x27;.
var escapeText = strings.NewReplacer(
	"&", "&amp;",
	"<", "&lt;",
	">", "&gt;",
	`"`, "&quot;",
	"'", "&#x27;",
).Replace

// formatCount writes a count with thousands separators, as in "2,561".
func formatCount(n int64) string {
	if n < 0 {
		return "-" + formatCount(-n)
	}
	digits := strconv.FormatInt(n, 10)

	var b strings.Builder
	for i, digit := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(digit)
	}
	return b.String()
}

// formatCompact abbreviates a count as IMDb's title page does: 11,467 is
// "11.4K" (truncated, not rounded) and 3,020,036 is "3M".
func formatCompact(n int64) string {
	switch {
	case n < 1000:
		return strconv.FormatInt(n, 10)
	case n < 1_000_000:
		return compactUnit(n, 1000, "K")
	case n < 1_000_000_000:
		return compactUnit(n, 1_000_000, "M")
	default:
		return compactUnit(n, 1_000_000_000, "B")
	}
}

func compactUnit(n, unit int64, suffix string) string {
	tenths := n * 10 / unit
	if tenths%10 == 0 {
		return fmt.Sprintf("%d%s", tenths/10, suffix)
	}
	return fmt.Sprintf("%d.%d%s", tenths/10, tenths%10, suffix)
}

// displayDate formats a submission date as the reviews page shows it. IMDb
// renders the UTC date in a US time zone, so the page shows the day before
// submissionDate ("2025-12-06" appears as "Dec 5, 2025"). A date that does
// not parse is shown unchanged.
func displayDate(date string) string {
	day, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return date
	}
	return day.AddDate(0, 0, -1).Format("Jan 2, 2006")
}

// plainText converts a plaidHtml fragment into text for JSON-LD, which
// carries plain strings.
func plainText(fragment string) string {
	for _, lineBreak := range []string{"<br/>", "<br />", "<br>"} {
		fragment = strings.ReplaceAll(fragment, lineBreak, "\n")
	}
	return html.UnescapeString(fragment)
}
