package imdb

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/reelpulse/reelpulse/internal/fetch"
)

// Config sets where a Client sends its requests.
type Config struct {
	BaseURL    string // site root, default https://www.imdb.com
	GraphQLURL string // GraphQL endpoint, default https://caching.graphql.imdb.com/
	PageSize   int    // reviews per GraphQL page, default 25
	Locale     string // locale variable of the GraphQL query, default en-US
	SuggestURL string // search suggestions base, default https://v3.sg.media-imdb.com/suggestion
}

// DefaultConfig returns the public IMDb endpoints, a page size of 25 (the
// size the site itself requests) and the en-US locale.
func DefaultConfig() Config {
	return Config{
		BaseURL:    "https://www.imdb.com",
		GraphQLURL: "https://caching.graphql.imdb.com/",
		PageSize:   25,
		Locale:     "en-US",
		SuggestURL: "https://v3.sg.media-imdb.com/suggestion",
	}
}

// Client fetches and parses IMDb title and review pages. It is safe for
// concurrent use.
type Client struct {
	fetch  fetch.Doer
	config Config
}

// NewClient returns a Client that sends every request through f. Zero
// fields of cfg take their DefaultConfig values.
func NewClient(f fetch.Doer, cfg Config) *Client {
	defaults := DefaultConfig()
	if cfg.BaseURL == "" {
		cfg.BaseURL = defaults.BaseURL
	}
	if cfg.GraphQLURL == "" {
		cfg.GraphQLURL = defaults.GraphQLURL
	}
	if cfg.PageSize <= 0 {
		cfg.PageSize = defaults.PageSize
	}
	if cfg.Locale == "" {
		cfg.Locale = defaults.Locale
	}
	if cfg.SuggestURL == "" {
		cfg.SuggestURL = defaults.SuggestURL
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	cfg.SuggestURL = strings.TrimRight(cfg.SuggestURL, "/")

	return &Client{fetch: f, config: cfg}
}

// Title fetches and parses the title's main page, /title/{id}/.
func (c *Client) Title(ctx context.Context, id string) (Title, error) {
	id, err := ParseID(id)
	if err != nil {
		return Title{}, err
	}

	resp, err := fetch.Get(ctx, c.fetch, c.config.BaseURL+"/title/"+id+"/", nil)
	if err != nil {
		return Title{}, fmt.Errorf("fetch title page of %s: %w", id, err)
	}

	title, err := ParseTitlePage(resp.Body)
	if err != nil {
		return Title{}, fmt.Errorf("parse title page of %s: %w", id, err)
	}
	if err := checkServed(id, title.ID, resp.URL); err != nil {
		return Title{}, err
	}
	if title.ID == "" {
		title.ID = id
	}
	return title, nil
}

// FirstReviews fetches the title's reviews page, /title/{id}/reviews/,
// which carries the title metadata and the first page of reviews in
// IMDb's default order (most helpful first).
func (c *Client) FirstReviews(ctx context.Context, id string) (Title, ReviewPage, error) {
	id, err := ParseID(id)
	if err != nil {
		return Title{}, ReviewPage{}, err
	}

	resp, err := fetch.Get(ctx, c.fetch, c.config.BaseURL+"/title/"+id+"/reviews/", nil)
	if err != nil {
		return Title{}, ReviewPage{}, fmt.Errorf("fetch reviews page of %s: %w", id, err)
	}

	title, page, err := ParseReviewsPage(resp.Body)
	if err != nil {
		return Title{}, ReviewPage{}, fmt.Errorf("parse reviews page of %s: %w", id, err)
	}
	if err := checkServed(id, title.ID, resp.URL); err != nil {
		return Title{}, ReviewPage{}, err
	}
	if title.ID == "" {
		title.ID = id
	}
	return title, page, nil
}

// NextReviews fetches the page of reviews after the cursor after, which is
// the EndCursor of the previous page, through the GraphQL API in order of
// helpfulness.
func (c *Client) NextReviews(ctx context.Context, id, after string) (ReviewPage, error) {
	id, err := ParseID(id)
	if err != nil {
		return ReviewPage{}, err
	}
	if after == "" {
		return ReviewPage{}, fmt.Errorf("fetch next reviews of %s: empty cursor; pass the EndCursor of the previous page, or call FirstReviews for the first page", id)
	}

	resp, err := fetch.PostJSON(ctx, c.fetch, c.config.GraphQLURL, c.reviewsRequest(id, after), c.graphQLHeader(id))
	if err != nil {
		return ReviewPage{}, fmt.Errorf("fetch reviews of %s after cursor %q: %w", id, after, graphQLFailure(err))
	}

	page, err := ParseGraphQLReviews(resp.Body)
	if err != nil {
		return ReviewPage{}, fmt.Errorf("parse reviews of %s after cursor %q: %w", id, after, err)
	}
	return page, nil
}

// graphQLFailure adds the GraphQL error messages that a reply with an
// unexpected status carries, such as HTTP 400 for a query that no longer
// matches the schema.
func graphQLFailure(err error) error {
	var fetchErr *fetch.Error
	if !errors.As(err, &fetchErr) || len(fetchErr.Body) == 0 {
		return err
	}

	var graphQLErr *GraphQLError
	if _, parseErr := ParseGraphQLReviews(fetchErr.Body); errors.As(parseErr, &graphQLErr) {
		return fmt.Errorf("%w (%w)", err, graphQLErr)
	}
	return err
}

func (c *Client) graphQLHeader(id string) http.Header {
	return http.Header{
		"Accept":             {"application/graphql+json, application/json"},
		"Content-Type":       {"application/json"},
		"Referer":            {c.config.BaseURL + "/title/" + id + "/reviews/"},
		"X-Imdb-Client-Name": {"imdb-web-next"},
	}
}
