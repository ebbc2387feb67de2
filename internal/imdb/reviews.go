package imdb

import (
	"fmt"
	"strings"
)

// maxErrorMessages is how many GraphQL error messages an error quotes.
const maxErrorMessages = 3

// reviewsJSON is a reviews connection, the same in GraphQL replies and in
// the reviews page's __NEXT_DATA__.
type reviewsJSON struct {
	Total    *int `json:"total"`
	PageInfo struct {
		EndCursor   *string `json:"endCursor"`
		HasNextPage bool    `json:"hasNextPage"`
	} `json:"pageInfo"`
	Edges []struct {
		Node *reviewJSON `json:"node"`
	} `json:"edges"`
}

type reviewJSON struct {
	ID     string `json:"id"`
	Author struct {
		Username *textJSON `json:"username"`
		NickName string    `json:"nickName"`
		UserID   string    `json:"userId"`
	} `json:"author"`
	Summary struct {
		OriginalText string `json:"originalText"`
	} `json:"summary"`
	Text struct {
		OriginalText struct {
			PlaidHTML string `json:"plaidHtml"`
		} `json:"originalText"`
	} `json:"text"`
	AuthorRating   *int   `json:"authorRating"`
	SubmissionDate string `json:"submissionDate"`
	Helpfulness    struct {
		UpVotes   int `json:"upVotes"`
		DownVotes int `json:"downVotes"`
	} `json:"helpfulness"`
	Spoiler bool `json:"spoiler"`
}

// reviewsNextData is the part of a reviews page's __NEXT_DATA__ that is read.
type reviewsNextData struct {
	Props struct {
		PageProps struct {
			ContentData *struct {
				EntityMetadata *titleMetadataJSON `json:"entityMetadata"`
				Data           struct {
					Title *reviewsTitleJSON `json:"title"`
				} `json:"data"`
			} `json:"contentData"`
		} `json:"pageProps"`
	} `json:"props"`
}

// reviewsTitleJSON is data.title of a reviews page or GraphQL reply. Its
// Reviews field shadows the embedded one, which only reads the total.
type reviewsTitleJSON struct {
	titleMetadataJSON
	Reviews *reviewsJSON `json:"reviews"`
}

type graphQLReply struct {
	Data *struct {
		Title *reviewsTitleJSON `json:"title"`
	} `json:"data"`
	Errors []struct {
		Message string `json:"message"`
	} `json:"errors"`
}

// GraphQLError is a GraphQL reply with a non-empty errors array.
type GraphQLError struct {
	Messages []string
}

// Error quotes the first few messages.
func (e *GraphQLError) Error() string {
	quoted := e.Messages[:min(len(e.Messages), maxErrorMessages)]
	return fmt.Sprintf("IMDb GraphQL returned %d error(s): %s", len(e.Messages), strings.Join(quoted, "; "))
}

// ParseReviewsPage reads a title's reviews page (/title/{id}/reviews/): the
// title metadata from contentData.entityMetadata and the first page of
// reviews from contentData.data.title.reviews in __NEXT_DATA__. The title's
// DeclaredReviewCount is the reviews total.
//
// A page without __NEXT_DATA__ but with review cards, such as a snapshot of
// the rendered page, is read with ParseReviewCards. Its title then has only
// the id found in the review links and the review total.
//
// A page whose __NEXT_DATA__ lacks the reviews returns an error matching
// ErrLayoutChanged. A page with neither __NEXT_DATA__ nor review cards
// returns an error matching ErrNoPageData.
func ParseReviewsPage(body []byte) (Title, ReviewPage, error) {
	script := findScripts(body).nextData
	if script == nil {
		return reviewsPageFromCards(body)
	}

	var data reviewsNextData
	if err := decodeJSON(script, &data, "reviews page __NEXT_DATA__"); err != nil {
		return Title{}, ReviewPage{}, err
	}
	content := data.Props.PageProps.ContentData
	if content == nil || content.Data.Title == nil || content.Data.Title.Reviews == nil {
		return Title{}, ReviewPage{}, layoutChanged("reviews page __NEXT_DATA__ has no contentData.data.title.reviews")
	}

	page, err := reviewPage(content.Data.Title.Reviews, "reviews page __NEXT_DATA__ contentData.data.title.reviews")
	if err != nil {
		return Title{}, ReviewPage{}, err
	}

	title := content.Data.Title.title()
	if content.EntityMetadata != nil {
		title = mergeTitles(content.EntityMetadata.title(), title)
	}
	title.DeclaredReviewCount = &page.Total
	return title, page, nil
}

// reviewsPageFromCards reads a reviews page without __NEXT_DATA__ from its
// review cards.
func reviewsPageFromCards(body []byte) (Title, ReviewPage, error) {
	if !hasReviewCards(body) {
		return Title{}, ReviewPage{}, fmt.Errorf("%w in reviews page: it has no __NEXT_DATA__ script and no review cards; "+
			"the layout changed or IMDb served a challenge page", ErrNoPageData)
	}

	page, titleID, err := parseReviewCards(body)
	if err != nil {
		return Title{}, ReviewPage{}, err
	}
	title := Title{ID: titleID, DeclaredReviewCount: &page.Total}
	return title, page, nil
}

// ParseGraphQLReviews reads one page of reviews from a TitleReviewsRefine
// GraphQL reply. A reply with errors returns a *GraphQLError, even when it
// also has partial data. A reply whose data.title is null returns an error
// matching ErrTitleNotFound, and one that lacks data or the reviews returns
// an error matching ErrLayoutChanged.
func ParseGraphQLReviews(body []byte) (ReviewPage, error) {
	var reply graphQLReply
	if err := decodeJSON(body, &reply, "GraphQL reply"); err != nil {
		return ReviewPage{}, err
	}

	if len(reply.Errors) > 0 {
		messages := make([]string, len(reply.Errors))
		for i, e := range reply.Errors {
			messages[i] = e.Message
		}
		return ReviewPage{}, &GraphQLError{Messages: messages}
	}

	switch {
	case reply.Data == nil:
		return ReviewPage{}, layoutChanged("GraphQL reply has no data; check that the query still matches IMDb's schema")
	case reply.Data.Title == nil:
		return ReviewPage{}, fmt.Errorf("%w: GraphQL reply has data.title null; check the title id", ErrTitleNotFound)
	case reply.Data.Title.Reviews == nil:
		return ReviewPage{}, layoutChanged("GraphQL reply has no data.title.reviews; check that the query still matches IMDb's schema")
	}
	return reviewPage(reply.Data.Title.Reviews, "GraphQL reply data.title.reviews")
}

// reviewPage converts a reviews connection, and where names the connection
// in error messages. The total is required. The edges may be null or absent
// only when the total is 0, as in the pages that the replay server
// generates for a title without reviews.
func reviewPage(connection *reviewsJSON, where string) (ReviewPage, error) {
	if connection.Total == nil {
		return ReviewPage{}, layoutChanged("%s has no total", where)
	}
	if *connection.Total < 0 {
		return ReviewPage{}, fmt.Errorf("%s: invalid total %d: expected 0 or more", where, *connection.Total)
	}
	if connection.Edges == nil && *connection.Total > 0 {
		return ReviewPage{}, layoutChanged("%s has no edges but a total of %d", where, *connection.Total)
	}

	page := ReviewPage{
		Total:       *connection.Total,
		HasNextPage: connection.PageInfo.HasNextPage,
		Reviews:     make([]Review, 0, len(connection.Edges)),
	}
	if connection.PageInfo.EndCursor != nil {
		page.EndCursor = *connection.PageInfo.EndCursor
	}

	// One malformed review must not stop a movie's every pass, so it is
	// left out and reported in Skipped.
	for i, edge := range connection.Edges {
		if edge.Node == nil {
			page.Skipped = append(page.Skipped, fmt.Sprintf("review edge %d has no node", i))
			continue
		}
		review, err := edge.Node.review()
		if err != nil {
			page.Skipped = append(page.Skipped, fmt.Sprintf("review edge %d: %v", i, err))
			if id := cleanText(edge.Node.ID); id != "" {
				page.SkippedIDs = append(page.SkippedIDs, id)
			}
			continue
		}
		page.Reviews = append(page.Reviews, review)
	}
	return page, nil
}

// review converts a node. The author name is username.text in review
// lists and nickName in a title page's featured reviews.
func (n *reviewJSON) review() (Review, error) {
	if n.ID == "" {
		return Review{}, fmt.Errorf("review has no id")
	}

	submitted, err := parseDate(n.SubmissionDate)
	if err != nil {
		return Review{}, fmt.Errorf("review %s: invalid submissionDate %q: %w", n.ID, n.SubmissionDate, err)
	}

	if n.AuthorRating != nil && (*n.AuthorRating < 1 || *n.AuthorRating > 10) {
		return Review{}, fmt.Errorf("review %s: authorRating %d is outside 1–10", n.ID, *n.AuthorRating)
	}

	name := n.Author.NickName
	if n.Author.Username != nil && n.Author.Username.Text != "" {
		name = n.Author.Username.Text
	}

	if n.Helpfulness.UpVotes < 0 || n.Helpfulness.DownVotes < 0 {
		return Review{}, fmt.Errorf("review %s: negative helpful votes %d/%d", n.ID, n.Helpfulness.UpVotes, n.Helpfulness.DownVotes)
	}

	return Review{
		ID:          cleanText(n.ID),
		AuthorName:  cleanText(name),
		AuthorID:    cleanText(n.Author.UserID),
		Title:       strings.TrimSpace(cleanText(n.Summary.OriginalText)),
		Text:        htmlToText(n.Text.OriginalText.PlaidHTML),
		TextHTML:    cleanHTML(n.Text.OriginalText.PlaidHTML),
		Rating:      n.AuthorRating,
		Spoiler:     n.Spoiler,
		SubmittedAt: submitted,
		HelpfulUp:   n.Helpfulness.UpVotes,
		HelpfulDown: n.Helpfulness.DownVotes,
	}, nil
}
