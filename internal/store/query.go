package store

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Polarity selects reviews by the score an analyzer gave one aspect.
type Polarity string

// Polarities of ReviewFilter.Polarity.
const (
	PolarityAny          Polarity = ""              // no polarity filter
	PolarityNegative     Polarity = "negative"      // score -2 or -1
	PolarityNeutral      Polarity = "neutral"       // score 0
	PolarityPositive     Polarity = "positive"      // score +1 or +2
	PolarityMentioned    Polarity = "mentioned"     // any score
	PolarityNotMentioned Polarity = "not_mentioned" // analyzed, but no score for the aspect
)

// Polarities lists the polarities a filter accepts, PolarityAny aside.
var Polarities = []Polarity{PolarityNegative, PolarityNeutral, PolarityPositive, PolarityMentioned, PolarityNotMentioned}

// SpoilerFilter selects reviews by their spoiler flag.
type SpoilerFilter string

// Spoiler filters of ReviewFilter.Spoiler.
const (
	SpoilerAny     SpoilerFilter = ""        // spoilers and others
	SpoilerOnly    SpoilerFilter = "only"    // only reviews flagged as spoilers
	SpoilerExclude SpoilerFilter = "exclude" // only reviews not flagged
)

// ReviewSort is the order of a review query. Every order ends with the
// review id, so that it is total and a cursor can resume it.
type ReviewSort string

// Orders of ReviewFilter.Sort.
const (
	SortNewest       ReviewSort = "newest"        // submission date, then id, descending
	SortOldest       ReviewSort = "oldest"        // submission date, then id, ascending
	SortHelpful      ReviewSort = "helpful"       // helpful votes, then id, descending
	SortLeastHelpful ReviewSort = "least_helpful" // helpful votes, then id, ascending
)

// ReviewSorts lists the accepted orders, the default first.
var ReviewSorts = []ReviewSort{SortNewest, SortOldest, SortHelpful, SortLeastHelpful}

// ReviewFilter selects the reviews of one movie for the review explorer and
// for export. Zero fields do not filter, and deleted reviews are always
// left out.
type ReviewFilter struct {
	MovieID string
	// Analyzer names the analyzer whose result for the review's current
	// content hash the aspect filter reads.
	Analyzer string
	// Aspect and Polarity filter by the analyzer's score of the aspect.
	// Reviews without a result for their current content never match.
	// Aspect defaults to Overall when only Polarity is set, and Polarity
	// to PolarityMentioned when only Aspect is set.
	Aspect   string
	Polarity Polarity
	// MinRating and MaxRating bound the star rating (1..10), inclusive,
	// and 0 leaves the bound open. Reviews without a rating never match a
	// bound.
	MinRating int
	MaxRating int
	// From and To bound the submission day, inclusive, and zero leaves
	// the bound open.
	From    time.Time
	To      time.Time
	Spoiler SpoilerFilter
	// Text matches reviews whose title or text contains it, ignoring the
	// case of ASCII letters on every back end.
	// NOTE: PostgreSQL's ILIKE may also fold other letters, depending on
	// the database locale, while SQLite's LIKE does not.
	Text string
	Sort ReviewSort // SortNewest when empty
	// Limit caps the page, and 0 means no limit.
	Limit int
	// After resumes the order after the cursor's review. Its Sort must be
	// the filter's.
	After *ReviewCursor
	// Offset skips reviews, for clients that page by offset.
	Offset int
	// CountTotal requests ReviewPage.Total. Counting reads every matching
	// review, so callers set it only when they show the count.
	CountTotal bool
	// CountLimit, when positive, stops a count that reads the reviews
	// after this many matches and sets ReviewPage.TotalCapped. Counts
	// that the rollups compute are always exact.
	CountLimit int
}

// ReviewPage is one page of a review query.
type ReviewPage struct {
	Reviews []Review
	// Total counts every review that the filter matches, cursor and
	// offset ignored. It is nil unless the filter sets CountTotal.
	Total *int
	// TotalCapped is set when the count stopped at the filter's
	// CountLimit: at least Total reviews match.
	TotalCapped bool
	// Next resumes after the last review of the page. It is nil when the
	// page ends the list.
	Next *ReviewCursor
}

// ReviewCursor is a position in a review order: the sort key and id of the
// last review returned. Cursors stay valid when reviews are added.
// NOTE: helpful votes change at each review pass, so a helpfulness order
// can repeat or skip a review whose votes changed between two pages.
type ReviewCursor struct {
	Sort      ReviewSort
	Submitted time.Time // for SortNewest and SortOldest
	HelpfulUp int       // for SortHelpful and SortLeastHelpful
	ID        string
}

// ErrInvalidFilter is returned (wrapped) for a ReviewFilter that no back end
// can run, such as an unknown sort.
var ErrInvalidFilter = errors.New("invalid review filter")

// Normalized returns the filter with its defaults filled in, or an error
// wrapping ErrInvalidFilter.
func (f ReviewFilter) Normalized() (ReviewFilter, error) {
	if f.Sort == "" {
		f.Sort = SortNewest
	}
	if !validSort(f.Sort) {
		return f, fmt.Errorf("%w: invalid sort %q, expected newest, oldest, helpful or least_helpful", ErrInvalidFilter, f.Sort)
	}
	if f.Polarity != PolarityAny && !validPolarity(f.Polarity) {
		return f, fmt.Errorf("%w: invalid polarity %q, expected negative, neutral, positive, mentioned or not_mentioned", ErrInvalidFilter, f.Polarity)
	}
	if f.Spoiler != SpoilerAny && f.Spoiler != SpoilerOnly && f.Spoiler != SpoilerExclude {
		return f, fmt.Errorf("%w: invalid spoiler filter %q, expected only or exclude", ErrInvalidFilter, f.Spoiler)
	}
	if f.After != nil && f.After.Sort != f.Sort {
		return f, fmt.Errorf("%w: cursor of sort %q used with sort %q, so keep the sort of the first page", ErrInvalidFilter, f.After.Sort, f.Sort)
	}

	if f.Polarity != PolarityAny && f.Aspect == "" {
		f.Aspect = Overall
	}
	if f.Aspect != "" && f.Polarity == PolarityAny {
		f.Polarity = PolarityMentioned
	}
	return f, nil
}

func validSort(s ReviewSort) bool {
	for _, known := range ReviewSorts {
		if s == known {
			return true
		}
	}
	return false
}

func validPolarity(p Polarity) bool {
	for _, known := range Polarities {
		if p == known {
			return true
		}
	}
	return false
}

// Descending reports whether the order runs from the largest key down.
func (s ReviewSort) Descending() bool {
	return s == SortNewest || s == SortHelpful
}

// ByDate reports whether the order's key is the submission day.
func (s ReviewSort) ByDate() bool {
	return s == SortNewest || s == SortOldest
}

// CursorAfter returns the cursor that resumes the order after r.
func CursorAfter(sort ReviewSort, r Review) *ReviewCursor {
	c := &ReviewCursor{Sort: sort, ID: r.ID}
	if sort.ByDate() {
		c.Submitted = r.SubmittedAt.UTC()
	} else {
		c.HelpfulUp = r.HelpfulUp
	}
	return c
}

// cursorJSON is the encoded form of a ReviewCursor.
type cursorJSON struct {
	Sort      ReviewSort `json:"s"`
	Submitted string     `json:"d,omitempty"`
	HelpfulUp int        `json:"h,omitempty"`
	ID        string     `json:"i"`
}

// String encodes the cursor as an opaque URL-safe token.
func (c ReviewCursor) String() string {
	encoded := cursorJSON{Sort: c.Sort, HelpfulUp: c.HelpfulUp, ID: c.ID}
	if c.Sort.ByDate() {
		encoded.Submitted = c.Submitted.UTC().Format(time.DateOnly)
	}
	data, _ := json.Marshal(encoded) // a struct of strings and ints always encodes
	return base64.RawURLEncoding.EncodeToString(data)
}

// ParseReviewCursor decodes a token made by ReviewCursor.String.
func ParseReviewCursor(token string) (ReviewCursor, error) {
	data, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return ReviewCursor{}, errors.New("invalid cursor token")
	}
	var encoded cursorJSON
	if err := json.Unmarshal(data, &encoded); err != nil || encoded.ID == "" || !validSort(encoded.Sort) {
		return ReviewCursor{}, errors.New("invalid cursor token")
	}

	c := ReviewCursor{Sort: encoded.Sort, HelpfulUp: encoded.HelpfulUp, ID: encoded.ID}
	if c.Sort.ByDate() {
		if c.Submitted, err = time.Parse(time.DateOnly, encoded.Submitted); err != nil {
			return ReviewCursor{}, errors.New("invalid cursor token")
		}
	}
	return c, nil
}
