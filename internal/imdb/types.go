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
	TextHTML    string // the review's HTML as IMDb served it, kept for audit
	Rating      *int   // nil when the author gave none
	Spoiler     bool
	SubmittedAt time.Time // UTC midnight of submissionDate
	HelpfulUp   int
	HelpfulDown int
	// VotesInexact is true when the vote counts were read from rounded
	// display text such as "1.2K" rather than exact JSON integers.
	VotesInexact bool
}

// ReviewPage is one page of a title's reviews.
type ReviewPage struct {
	Total       int // declared review total of the title
	Reviews     []Review
	EndCursor   string // cursor for the next page; empty on the last page
	HasNextPage bool
	// TotalInexact is true when Total was read from rounded display text
	// such as "11.4K reviews", which stands for 11,400 to 11,499.
	TotalInexact bool
	// Skipped describes the malformed reviews left out of Reviews.
	Skipped []string
	// SkippedIDs holds the ids of the skipped reviews that have one. They
	// are listed on the page, so a review pass must not take them for
	// deleted.
	SkippedIDs []string
}
