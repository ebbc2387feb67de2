package imdb

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/net/html"
)

// ErrNoPageData marks a page that carries none of the JSON that the parsers
// read: IMDb changed the layout, or served a bot challenge or error page.
var ErrNoPageData = errors.New("no JSON page data")

// ErrLayoutChanged marks a page or reply that parses but lacks the data the
// parsers expect, such as a null reviews object. Returning it instead of an
// empty result keeps a layout change from looking like a title without
// reviews. The parser then needs updating to IMDb's new layout.
var ErrLayoutChanged = errors.New("layout changed")

// ErrTitleNotFound marks a GraphQL reply whose data.title is null: IMDb has
// no title with the requested id.
var ErrTitleNotFound = errors.New("title not found")

// ErrTitleMoved marks a page that IMDb served for another title than the
// one requested, as it does when it redirects a duplicate title to the one
// it was merged into. MovedError carries both ids.
var ErrTitleMoved = errors.New("title moved")

// MovedError reports that IMDb served title Target when asked for ID.
type MovedError struct {
	ID     string
	Target string
}

func (e *MovedError) Error() string {
	return fmt.Sprintf("IMDb serves title %s for %s (the titles were merged or the id redirects); track %s instead, whose next review pass takes over the reviews stored under %s",
		e.Target, e.ID, e.Target, e.ID)
}

// Unwrap returns ErrTitleMoved.
func (e *MovedError) Unwrap() error { return ErrTitleMoved }

// checkServed returns a *MovedError when a page fetched for id is of
// another title: by the id the page names or, without one, by its final URL.
func checkServed(id, pageID, finalURL string) error {
	served := pageID
	if served == "" {
		served, _ = idFromPath(finalURL)
	}
	if served == "" || served == id {
		return nil
	}
	return &MovedError{ID: id, Target: served}
}

// layoutChanged returns an error that wraps ErrLayoutChanged and names the
// missing part, as in "layout changed: GraphQL reply has no data".
func layoutChanged(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrLayoutChanged}, args...)...)
}

// pageScripts holds the JSON scripts of an IMDb page.
type pageScripts struct {
	nextData []byte   // <script id="__NEXT_DATA__">, nil when absent
	jsonLD   [][]byte // <script type="application/ld+json">, in page order
}

// findScripts collects the JSON scripts of an HTML page.
func findScripts(body []byte) pageScripts {
	var scripts pageScripts
	tokenizer := html.NewTokenizer(bytes.NewReader(body))
	for {
		switch tokenizer.Next() {
		case html.ErrorToken:
			return scripts
		case html.StartTagToken:
			name, hasAttributes := tokenizer.TagName()
			if string(name) != "script" || !hasAttributes {
				continue
			}
			id, scriptType := scriptAttributes(tokenizer)
			if id != "__NEXT_DATA__" && scriptType != "application/ld+json" {
				continue
			}
			if tokenizer.Next() != html.TextToken {
				continue
			}
			text := bytes.Clone(tokenizer.Text())
			if id == "__NEXT_DATA__" {
				scripts.nextData = text
			} else {
				scripts.jsonLD = append(scripts.jsonLD, text)
			}
		}
	}
}

func scriptAttributes(tokenizer *html.Tokenizer) (id, scriptType string) {
	for {
		key, value, more := tokenizer.TagAttr()
		switch string(key) {
		case "id":
			id = string(value)
		case "type":
			scriptType = strings.ToLower(strings.TrimSpace(string(value)))
		}
		if !more {
			return id, scriptType
		}
	}
}

// textJSON is IMDb's {"text": …} wrapper of a display string.
type textJSON struct {
	Text string `json:"text"`
}

// titleMetadataJSON is the title record that IMDb's Next.js pages embed as
// aboveTheFoldData (title page) and entityMetadata (reviews page).
type titleMetadataJSON struct {
	ID                string    `json:"id"`
	TitleText         *textJSON `json:"titleText"`
	OriginalTitleText *textJSON `json:"originalTitleText"`
	ReleaseYear       *struct {
		Year int `json:"year"`
	} `json:"releaseYear"`
	ReleaseDate *struct {
		Day   int `json:"day"`
		Month int `json:"month"`
		Year  int `json:"year"`
	} `json:"releaseDate"`
	RatingsSummary *struct {
		AggregateRating *float64 `json:"aggregateRating"`
		VoteCount       *int64   `json:"voteCount"`
	} `json:"ratingsSummary"`
	PrimaryImage *struct {
		URL string `json:"url"`
	} `json:"primaryImage"`
	Reviews       *totalJSON `json:"reviews"`
	SubNavReviews *totalJSON `json:"subNavReviews"`
}

type totalJSON struct {
	Total *int `json:"total"`
}

// title converts the record. DeclaredReviewCount comes from reviews.total,
// or from subNavReviews.total when reviews is absent.
func (m *titleMetadataJSON) title() Title {
	var t Title
	t.ID = m.ID
	if m.TitleText != nil {
		t.Title = m.TitleText.Text
	}
	if m.OriginalTitleText != nil {
		t.OriginalTitle = m.OriginalTitleText.Text
	}
	if m.ReleaseYear != nil {
		t.Year = m.ReleaseYear.Year
	}
	if d := m.ReleaseDate; d != nil {
		t.ReleaseDate = calendarDate(d.Year, d.Month, d.Day)
	}
	if r := m.RatingsSummary; r != nil {
		t.AggregateRating = r.AggregateRating
		t.RatingCount = r.VoteCount
	}
	if m.PrimaryImage != nil {
		t.PosterURL = m.PrimaryImage.URL
	}

	switch {
	case m.Reviews != nil && m.Reviews.Total != nil:
		t.DeclaredReviewCount = m.Reviews.Total
	case m.SubNavReviews != nil && m.SubNavReviews.Total != nil:
		t.DeclaredReviewCount = m.SubNavReviews.Total
	}
	return t
}

// calendarDate returns UTC midnight of a complete, valid date, or nil.
func calendarDate(year, month, day int) *time.Time {
	if year < 1 || month < 1 || month > 12 || day < 1 || day > 31 {
		return nil
	}
	date := time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
	if date.Day() != day {
		return nil
	}
	return &date
}

// parseDate reads an ISO date "YYYY-MM-DD" as UTC midnight.
func parseDate(value string) (time.Time, error) {
	return time.Parse(time.DateOnly, value)
}

// decodeJSON unmarshals a script, naming it in the error.
func decodeJSON(data []byte, into any, what string) error {
	if err := json.Unmarshal(data, into); err != nil {
		return fmt.Errorf("invalid JSON in %s: %w", what, err)
	}
	return nil
}
