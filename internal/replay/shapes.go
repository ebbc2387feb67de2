package replay

import (
	"fmt"
	"net/url"
)

// The types below mirror the JSON that IMDb sends, in IMDb's key order. The
// __typename keys are set only for the server-rendered pages, because
// IMDb's GraphQL responses to its web client leave them out.

type reviewsConnection struct {
	Total    int          `json:"total"`
	PageInfo pageInfo     `json:"pageInfo"`
	Edges    []reviewEdge `json:"edges"`
	Typename string       `json:"__typename,omitempty"`
}

type pageInfo struct {
	EndCursor       *string `json:"endCursor"`
	HasNextPage     bool    `json:"hasNextPage"`
	HasPreviousPage bool    `json:"hasPreviousPage"`
	Typename        string  `json:"__typename,omitempty"`
}

type reviewEdge struct {
	Node     reviewNode `json:"node"`
	Typename string     `json:"__typename,omitempty"`
}

type reviewNode struct {
	ID             string        `json:"id"`
	Author         reviewAuthor  `json:"author"`
	Summary        reviewSummary `json:"summary"`
	Text           reviewText    `json:"text"`
	AuthorRating   *int          `json:"authorRating"`
	SubmissionDate string        `json:"submissionDate"`
	Helpfulness    helpfulness   `json:"helpfulness"`
	Spoiler        bool          `json:"spoiler"`
	ReportingLink  link          `json:"reportingLink"`
	Typename       string        `json:"__typename,omitempty"`
}

type reviewAuthor struct {
	Username struct {
		Text     string `json:"text"`
		Typename string `json:"__typename,omitempty"`
	} `json:"username"`
	UserID   string `json:"userId"`
	Typename string `json:"__typename,omitempty"`
}

type reviewSummary struct {
	OriginalText string `json:"originalText"`
	Typename     string `json:"__typename,omitempty"`
}

type reviewText struct {
	OriginalText struct {
		PlaidHTML string `json:"plaidHtml"`
		Typename  string `json:"__typename,omitempty"`
	} `json:"originalText"`
	Typename string `json:"__typename,omitempty"`
}

type helpfulness struct {
	UpVotes   int    `json:"upVotes"`
	DownVotes int    `json:"downVotes"`
	Typename  string `json:"__typename,omitempty"`
}

type link struct {
	URL      string `json:"url"`
	Typename string `json:"__typename,omitempty"`
}

// typename returns name when the page carries __typename keys.
func typename(typed bool, name string) string {
	if typed {
		return name
	}
	return ""
}

func newReviewsConnection(page reviewPage, typed bool) reviewsConnection {
	connection := reviewsConnection{
		Total: page.total,
		PageInfo: pageInfo{
			HasNextPage: page.endCursor != "",
			Typename:    typename(typed, "PageInfo"),
		},
		Edges:    make([]reviewEdge, len(page.reviews)),
		Typename: typename(typed, "ReviewsConnection"),
	}
	if page.endCursor != "" {
		cursor := page.endCursor
		connection.PageInfo.EndCursor = &cursor
	}

	for i, review := range page.reviews {
		connection.Edges[i] = reviewEdge{
			Node:     newReviewNode(page.titleID, review, typed),
			Typename: typename(typed, "ReviewEdge"),
		}
	}
	return connection
}

func newReviewNode(titleID string, review Review, typed bool) reviewNode {
	node := reviewNode{
		ID:             review.ID,
		AuthorRating:   review.Rating,
		SubmissionDate: review.Date,
		Helpfulness: helpfulness{
			UpVotes:   review.Up,
			DownVotes: review.Down,
			Typename:  typename(typed, "ReviewHelpfulness"),
		},
		Spoiler:       review.Spoiler,
		ReportingLink: link{URL: reportingURL(titleID, review.ID), Typename: typename(typed, "ContributionLink")},
		Typename:      typename(typed, "Review"),
	}

	node.Author.Username.Text = review.AuthorName
	node.Author.Username.Typename = typename(typed, "UserProfileUsername")
	node.Author.UserID = review.AuthorID
	node.Author.Typename = typename(typed, "UserProfile")
	node.Summary = reviewSummary{OriginalText: review.Title, Typename: typename(typed, "ReviewSummary")}
	node.Text.OriginalText.PlaidHTML = review.Text
	node.Text.OriginalText.Typename = typename(typed, "Markdown")
	node.Text.Typename = typename(typed, "ReviewText")
	return node
}

// reportingURL returns the "report this review" link in IMDb's form.
func reportingURL(titleID, reviewID string) string {
	return fmt.Sprintf("https://contribute.imdb.com/review/%s/%s/report?bus=imdb&return_url=%s&site=web",
		url.PathEscape(titleID), url.PathEscape(reviewID), url.QueryEscape("https://www.imdb.com/close_me"))
}
