package imdb

// reviewsQuery selects exactly the review fields that ParseGraphQLReviews
// reads, so no persisted-query hash is needed.
//
// NOTE: the variable types (ID, ReviewsFilter, ReviewsSort) are inferred
// from the variables IMDb's own site sends; they were not checked against
// the live schema. The locale variable is sent as the site does but not
// declared, because GraphQL rejects declared variables that the query does
// not use, and servers ignore undeclared ones.
const reviewsQuery = `query TitleReviewsRefine($const: ID!, $first: Int!, $after: ID, $filter: ReviewsFilter, $sort: ReviewsSort) {
  title(id: $const) {
    reviews(first: $first, after: $after, filter: $filter, sort: $sort) {
      total
      pageInfo {
        endCursor
        hasNextPage
      }
      edges {
        node {
          id
          author {
            username {
              text
            }
            userId
          }
          summary {
            originalText
          }
          text {
            originalText {
              plaidHtml
            }
          }
          authorRating
          submissionDate
          helpfulness {
            upVotes
            downVotes
          }
          spoiler
        }
      }
    }
  }
}`

// reviewsOperation is the operation name the query declares.
const reviewsOperation = "TitleReviewsRefine"

type graphQLRequest struct {
	OperationName string           `json:"operationName"`
	Query         string           `json:"query"`
	Variables     reviewsVariables `json:"variables"`
}

type reviewsVariables struct {
	Const  string      `json:"const"`
	After  string      `json:"after"`
	First  int         `json:"first"`
	Filter struct{}    `json:"filter"`
	Sort   reviewsSort `json:"sort"`
	Locale string      `json:"locale"`
}

type reviewsSort struct {
	By    string `json:"by"`
	Order string `json:"order"`
}

// reviewsRequest builds the request body for the page after the cursor,
// sorted by helpfulness like the site's default.
func (c *Client) reviewsRequest(id, after string) graphQLRequest {
	return graphQLRequest{
		OperationName: reviewsOperation,
		Query:         reviewsQuery,
		Variables: reviewsVariables{
			Const:  id,
			After:  after,
			First:  c.config.PageSize,
			Sort:   reviewsSort{By: "HELPFULNESS_SCORE", Order: "DESC"},
			Locale: c.config.Locale,
		},
	}
}
