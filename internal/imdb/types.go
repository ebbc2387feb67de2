package imdb

import "time"

// Title is the metadata of an IMDb title as parsed from its pages.
type Title struct {
	ID                  string
	Title               string
	OriginalTitle       string
	Year                int
	ReleaseDate         *time.Time // UTC midnight
	PosterURL           string
	AggregateRating     *float64
	RatingCount         *int64
	DeclaredReviewCount *int
}

// Review is one user review as parsed from IMDb.
type Review struct {
	ID          string // "rw…"
	AuthorName  string
	AuthorID    string // "ur…"
	Title       string
	Text        string // plain text: entities decoded, <br> as line breaks
	Rating      *int   // nil when the author gave none
	Spoiler     bool
	SubmittedAt time.Time // UTC midnight of submissionDate
	HelpfulUp   int
	HelpfulDown int
}

// ReviewPage is one page of a title's reviews.
type ReviewPage struct {
	Total       int // declared review total of the title
	Reviews     []Review
	EndCursor   string // cursor for the next page; empty on the last page
	HasNextPage bool
	// Skipped describes the malformed reviews left out of Reviews.
	Skipped []string
}
