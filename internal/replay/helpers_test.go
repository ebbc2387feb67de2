package replay

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// The shapes below are written from the description of IMDb's pages, not
// from the generator's types, so that the tests check the generator against
// the documented layout.

type testConnection struct {
	Total    int `json:"total"`
	PageInfo struct {
		EndCursor       *string `json:"endCursor"`
		HasNextPage     bool    `json:"hasNextPage"`
		HasPreviousPage bool    `json:"hasPreviousPage"`
	} `json:"pageInfo"`
	Edges []struct {
		Node testNode `json:"node"`
	} `json:"edges"`
}

type testNode struct {
	ID     string `json:"id"`
	Author struct {
		Username struct {
			Text string `json:"text"`
		} `json:"username"`
		UserID string `json:"userId"`
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
	Spoiler       bool `json:"spoiler"`
	ReportingLink struct {
		URL string `json:"url"`
	} `json:"reportingLink"`
}

type testGraphQLResponse struct {
	Data *struct {
		Title *struct {
			Reviews *testConnection `json:"reviews"`
		} `json:"title"`
	} `json:"data"`
	Errors []struct {
		Message string `json:"message"`
	} `json:"errors"`
}

type testTitleMetadata struct {
	ID        string `json:"id"`
	TitleText struct {
		Text string `json:"text"`
	} `json:"titleText"`
	OriginalTitleText struct {
		Text string `json:"text"`
	} `json:"originalTitleText"`
	ReleaseYear *struct {
		Year int `json:"year"`
	} `json:"releaseYear"`
	ReleaseDate *struct {
		Day   int `json:"day"`
		Month int `json:"month"`
		Year  int `json:"year"`
	} `json:"releaseDate"`
	RatingsSummary struct {
		AggregateRating *float64 `json:"aggregateRating"`
		VoteCount       int64    `json:"voteCount"`
	} `json:"ratingsSummary"`
	PrimaryImage struct {
		URL string `json:"url"`
	} `json:"primaryImage"`
	Reviews *struct {
		Total int `json:"total"`
	} `json:"reviews"`
}

type testReviewsNextData struct {
	Props struct {
		PageProps struct {
			ContentData struct {
				EntityMetadata testTitleMetadata `json:"entityMetadata"`
				Data           struct {
					Title struct {
						Reviews testConnection `json:"reviews"`
					} `json:"title"`
				} `json:"data"`
			} `json:"contentData"`
		} `json:"pageProps"`
	} `json:"props"`
}

type testTitleNextData struct {
	Props struct {
		PageProps struct {
			AboveTheFoldData testTitleMetadata `json:"aboveTheFoldData"`
		} `json:"pageProps"`
	} `json:"props"`
}

var testNextDataPattern = regexp.MustCompile(`(?s)<script id="__NEXT_DATA__" type="application/json">(.*?)</script>`)

// decodeNextData decodes the __NEXT_DATA__ script of a page into target.
func decodeNextData(t *testing.T, page []byte, target any) {
	t.Helper()
	match := testNextDataPattern.FindSubmatch(page)
	if match == nil {
		t.Fatalf("page has no __NEXT_DATA__ script:\n%.500s", page)
	}
	if err := json.Unmarshal(match[1], target); err != nil {
		t.Fatalf("decode __NEXT_DATA__: %v", err)
	}
}

// testReply is the status and header of a response whose body has been
// read and closed.
type testReply struct {
	StatusCode int
	Header     http.Header
}

func startServer(t *testing.T, site *Site, opts Options) *httptest.Server {
	t.Helper()
	server := httptest.NewServer(NewServer(site, opts))
	t.Cleanup(server.Close)
	return server
}

// get fetches a URL without following redirects.
func get(t *testing.T, address string) (testReply, []byte) {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	response, err := client.Get(address)
	if err != nil {
		t.Fatalf("GET %s: %v", address, err)
	}
	return testReply{StatusCode: response.StatusCode, Header: response.Header}, readBody(t, response)
}

func readBody(t *testing.T, response *http.Response) []byte {
	t.Helper()
	defer response.Body.Close()
	body, err := io.ReadAll(response.Body)
	if err != nil {
		t.Fatalf("read response body: %v", err)
	}
	return body
}

// postReviews sends a TitleReviewsRefine request the way IMDb's web client
// does and returns the HTTP response and its body.
func postReviews(t *testing.T, base, titleID, after string) (testReply, []byte) {
	t.Helper()
	variables := map[string]any{
		"const":  titleID,
		"first":  PageSize,
		"filter": map[string]any{},
		"sort":   map[string]string{"by": "HELPFULNESS_SCORE", "order": "DESC"},
		"locale": "en-US",
	}
	if after != "" {
		variables["after"] = after
	}
	request, err := json.Marshal(map[string]any{
		"operationName": ReviewsOperation,
		"query":         "query TitleReviewsRefine($const: ID!, $after: ID, $first: Int!) { title(id: $const) { reviews(first: $first, after: $after) { total } } }",
		"variables":     variables,
	})
	if err != nil {
		t.Fatalf("encode GraphQL request: %v", err)
	}

	response, err := http.Post(base+GraphQLPath, "application/json", bytes.NewReader(request))
	if err != nil {
		t.Fatalf("POST %s: %v", GraphQLPath, err)
	}
	return testReply{StatusCode: response.StatusCode, Header: response.Header}, readBody(t, response)
}

// getPersistedReviews sends the GET form of a TitleReviewsRefine request.
func getPersistedReviews(t *testing.T, base, titleID, after string) (testReply, []byte) {
	t.Helper()
	variables, _ := json.Marshal(map[string]any{"const": titleID, "after": after, "first": PageSize})
	query := url.Values{
		"operationName": {ReviewsOperation},
		"variables":     {string(variables)},
		"extensions":    {`{"persistedQuery":{"sha256Hash":"0000","version":1}}`},
	}
	return get(t, base+GraphQLPath+"?"+query.Encode())
}

func decodeGraphQL(t *testing.T, body []byte) testGraphQLResponse {
	t.Helper()
	var response testGraphQLResponse
	if err := json.Unmarshal(body, &response); err != nil {
		t.Fatalf("decode GraphQL response: %v\n%.500s", err, body)
	}
	return response
}

// followReviews reads the reviews page of a title and then every GraphQL
// page by cursor until hasNextPage is false, and returns the review ids in
// order.
func followReviews(t *testing.T, base, titleID string) []string {
	t.Helper()
	response, page := get(t, base+"/title/"+titleID+"/reviews/?sort=HELPFULNESS_SCORE")
	if response.StatusCode != http.StatusOK {
		t.Fatalf("reviews page status = %d, want 200", response.StatusCode)
	}
	var next testReviewsNextData
	decodeNextData(t, page, &next)

	connection := next.Props.PageProps.ContentData.Data.Title.Reviews
	var ids []string
	for requests := 0; ; requests++ {
		for _, edge := range connection.Edges {
			ids = append(ids, edge.Node.ID)
		}
		if !connection.PageInfo.HasNextPage {
			return ids
		}
		if connection.PageInfo.EndCursor == nil || requests > 1000 {
			t.Fatalf("page %d has hasNextPage true but endCursor %v", requests, connection.PageInfo.EndCursor)
		}

		response, body := postReviews(t, base, titleID, *connection.PageInfo.EndCursor)
		if response.StatusCode != http.StatusOK {
			t.Fatalf("GraphQL page after %q: status %d, body %.300s", *connection.PageInfo.EndCursor, response.StatusCode, body)
		}
		decoded := decodeGraphQL(t, body)
		if len(decoded.Errors) > 0 || decoded.Data == nil || decoded.Data.Title == nil || decoded.Data.Title.Reviews == nil {
			t.Fatalf("GraphQL page after %q has no reviews: %.300s", *connection.PageInfo.EndCursor, body)
		}
		connection = *decoded.Data.Title.Reviews
	}
}

// countDistinct returns the number of distinct strings and the first
// duplicate, if any.
func countDistinct(values []string) (int, string) {
	seen := make(map[string]bool, len(values))
	duplicate := ""
	for _, value := range values {
		if seen[value] && duplicate == "" {
			duplicate = value
		}
		seen[value] = true
	}
	return len(seen), duplicate
}

func countCards(page []byte) int {
	return strings.Count(string(page), `class="user-review-item"`)
}
