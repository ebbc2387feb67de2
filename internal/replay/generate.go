package replay

import (
	"bytes"
	"crypto/sha512"
	"encoding/base32"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"
)

// PageSize is the number of reviews on a generated reviews page and on each
// generated GraphQL page, the size that IMDb's web client requests.
const PageSize = 25

// Movie describes a title from which AddMovie generates IMDb pages.
type Movie struct {
	ID            string // "tt…"
	Title         string
	OriginalTitle string // empty means the same as Title
	Year          int    // 0 means the year of ReleaseDate
	ReleaseDate   time.Time

	// AggregateRating and RatingCount are the IMDb user rating. A title
	// with no ratings has RatingCount 0, and its pages show no rating.
	AggregateRating float64
	RatingCount     int64

	// DeclaredReviewCount is the review total that the pages show. IMDb's
	// total can exceed the reviews it returns. 0 means len(Reviews).
	DeclaredReviewCount int

	// Reviews are in the order the pages show them, most helpful first on
	// IMDb.
	Reviews []Review
}

// Review is one user review of a Movie.
type Review struct {
	ID         string `json:"id"` // "rw…"
	AuthorName string `json:"author_name"`
	AuthorID   string `json:"author_id"` // "ur…"
	Title      string `json:"title"`

	// Text is an HTML fragment as in IMDb's plaidHtml field, so it may
	// contain entities such as &#39; and <br/> line breaks.
	Text string `json:"text"`

	Rating  *int   `json:"rating"` // 1 to 10, nil when the author gave none
	Spoiler bool   `json:"spoiler"`
	Date    string `json:"date"` // submission date, "YYYY-MM-DD"
	Up      int    `json:"up"`   // helpful votes
	Down    int    `json:"down"` // not-helpful votes
}

// AddMovie generates the title page, the reviews page with the first
// PageSize reviews and GraphQL pages of PageSize reviews each, and replaces
// the pages of m.ID with them. The first GraphQL page repeats the reviews of
// the reviews page, as IMDb's does. Cursors are opaque strings derived from
// the title id and page number, so the same Movie always yields the same
// bytes. Links to the poster use BasePlaceholder.
func (s *Site) AddMovie(m Movie) {
	m = normalizeMovie(m)
	pages := buildReviewPages(m)

	titlePage := renderTitlePage(m)
	reviewsPage := renderReviewsPage(m, pages[0])
	graphQLPages := make([][]byte, len(pages))
	cursors := make([]string, len(pages))
	for i, page := range pages {
		graphQLPages[i] = marshalGraphQLPage(page)
		cursors[i] = page.endCursor
	}

	s.update(m.ID, func(t *titlePages) {
		t.name = m.Title
		t.titlePage = titlePage
		t.reviewsPage = reviewsPage
		t.reviewsCursor = pages[0].endCursor
		t.graphQLPages = graphQLPages
		t.graphQLCursor = cursors
	})
}

func normalizeMovie(m Movie) Movie {
	if m.OriginalTitle == "" {
		m.OriginalTitle = m.Title
	}
	if m.Year == 0 && !m.ReleaseDate.IsZero() {
		m.Year = m.ReleaseDate.Year()
	}
	if m.DeclaredReviewCount == 0 {
		m.DeclaredReviewCount = len(m.Reviews)
	}
	if math.IsNaN(m.AggregateRating) || math.IsInf(m.AggregateRating, 0) {
		m.RatingCount = 0
	}
	return m
}

// reviewPage is one page of generated reviews.
type reviewPage struct {
	titleID   string
	total     int
	reviews   []Review
	endCursor string // empty on the last page
}

// buildReviewPages splits the reviews into pages. A movie without reviews
// still has one empty page, as IMDb returns for such a title.
func buildReviewPages(m Movie) []reviewPage {
	count := max(1, (len(m.Reviews)+PageSize-1)/PageSize)
	pages := make([]reviewPage, count)
	for i := range pages {
		start := min(i*PageSize, len(m.Reviews))
		end := min(start+PageSize, len(m.Reviews))
		pages[i] = reviewPage{titleID: m.ID, total: m.DeclaredReviewCount, reviews: m.Reviews[start:end]}
		if i < count-1 {
			pages[i].endCursor = pageCursor(m.ID, i)
		}
	}
	return pages
}

var cursorEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// pageCursor returns the cursor that follows page number page of a title.
// It looks like IMDb's cursors: lowercase base32 of about 90 characters.
func pageCursor(id string, page int) string {
	sum := sha512.Sum512(fmt.Appendf(nil, "reelpulse replay cursor %s %d", id, page))
	return strings.ToLower(cursorEncoding.EncodeToString(sum[:55]))
}

// marshalGraphQLPage encodes a page as a TitleReviewsRefine response. Like
// IMDb's, the body keeps <, > and & unescaped and has no __typename keys.
func marshalGraphQLPage(page reviewPage) []byte {
	var response struct {
		Data struct {
			Title struct {
				Reviews reviewsConnection `json:"reviews"`
			} `json:"title"`
		} `json:"data"`
	}
	response.Data.Title.Reviews = newReviewsConnection(page, false)

	var buffer bytes.Buffer
	encoder := json.NewEncoder(&buffer)
	encoder.SetEscapeHTML(false)
	mustEncode(encoder, response)
	return bytes.TrimSuffix(buffer.Bytes(), []byte("\n"))
}

// mustEncode encodes a generated page. Pages contain only strings, integers
// and the finite ratings that normalizeMovie lets through, so encoding
// cannot fail.
func mustEncode(encoder *json.Encoder, value any) {
	if err := encoder.Encode(value); err != nil {
		panic(fmt.Sprintf("replay: encode generated page: %v", err))
	}
}

func mustMarshal(value any) []byte {
	data, err := json.Marshal(value)
	if err != nil {
		panic(fmt.Sprintf("replay: encode generated page: %v", err))
	}
	return data
}
