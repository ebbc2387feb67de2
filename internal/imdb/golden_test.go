package imdb

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reelpulse/reelpulse/internal/testutil"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.json from the shared IMDb captures")

// Captures that are IMDb pages with JSON, and the parser for each.
var goldenSamples = []struct {
	file  string
	parse func([]byte) (any, error)
}{
	{"reviews-next-ssr-tt33014583.html", parseReviewsPageResult},
	{"graphql-reviews-tt33014583-page001.json", parseGraphQLResult},
	{"graphql-reviews-tt33014583-page004.json", parseGraphQLResult},
	{"graphql-reviews-tt33014583-page103-last.json", parseGraphQLResult},
	{"title-next-tt0111161.html", parseTitleResult},
}

type reviewsPageResult struct {
	Title Title
	Page  ReviewPage
}

func parseReviewsPageResult(body []byte) (any, error) {
	title, page, err := ParseReviewsPage(body)
	return reviewsPageResult{Title: title, Page: page}, err
}

func parseGraphQLResult(body []byte) (any, error) { return ParseGraphQLReviews(body) }

func parseTitleResult(body []byte) (any, error) { return ParseTitlePage(body) }

func readSample(t testing.TB, name string) []byte {
	t.Helper()
	body, err := os.ReadFile(filepath.Join(testutil.SharedDir(t, "imdb-samples"), name))
	if err != nil {
		t.Fatalf("read sample: %v", err)
	}
	return body
}

func marshalGolden(t *testing.T, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	encoder := json.NewEncoder(&buf)
	encoder.SetEscapeHTML(false)
	encoder.SetIndent("", "  ")
	if err := encoder.Encode(v); err != nil {
		t.Fatalf("encode result: %v", err)
	}
	return buf.Bytes()
}

func TestGoldenSamples(t *testing.T) {
	for _, sample := range goldenSamples {
		t.Run(sample.file, func(t *testing.T) {
			result, err := sample.parse(readSample(t, sample.file))
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			got := marshalGolden(t, result)

			golden := filepath.Join("testdata", strings.TrimSuffix(sample.file, filepath.Ext(sample.file))+".golden.json")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatalf("write golden file: %v", err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("read golden file (run with -update to create it): %v", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("result differs from %s; rerun with -update and review the diff", golden)
			}
		})
	}
}

func TestSampleDOMFragmentHasNoData(t *testing.T) {
	body := readSample(t, "reviews-next-dom-tt1213663.html")

	_, _, err := ParseReviewsPage(body)

	if !errors.Is(err, ErrNoPageData) {
		t.Fatalf("error = %v, want ErrNoPageData", err)
	}
	if !strings.Contains(err.Error(), "__NEXT_DATA__") {
		t.Errorf("message %q does not name the missing script", err)
	}
}

func TestSampleGraphQLFirstReview(t *testing.T) {
	page, err := ParseGraphQLReviews(readSample(t, "graphql-reviews-tt33014583-page001.json"))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}

	if page.Total != 2561 {
		t.Errorf("total = %d, want 2561", page.Total)
	}
	if !page.HasNextPage {
		t.Error("hasNextPage = false, want true")
	}
	if len(page.Reviews) != 25 {
		t.Fatalf("reviews = %d, want 25", len(page.Reviews))
	}
	r := page.Reviews[0]
	if r.ID != "rw11005262" {
		t.Errorf("id = %q", r.ID)
	}
	if r.Rating == nil || *r.Rating != 9 {
		t.Errorf("rating = %v, want 9", r.Rating)
	}
	if r.HelpfulUp != 275 || r.HelpfulDown != 29 {
		t.Errorf("votes = %d/%d, want 275/29", r.HelpfulUp, r.HelpfulDown)
	}
	if got := r.SubmittedAt.Format("2006-01-02"); got != "2025-12-06" {
		t.Errorf("date = %s, want 2025-12-06", got)
	}
	if r.AuthorName != "user0001" || r.AuthorID != "ur00000001" {
		t.Errorf("author = %q %q", r.AuthorName, r.AuthorID)
	}
}

func TestSampleGraphQLLastPage(t *testing.T) {
	page, err := ParseGraphQLReviews(readSample(t, "graphql-reviews-tt33014583-page103-last.json"))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}

	if page.HasNextPage {
		t.Error("hasNextPage = true, want false")
	}
	if page.EndCursor != "" {
		t.Errorf("endCursor = %q, want empty", page.EndCursor)
	}
	if len(page.Reviews) != 11 {
		t.Errorf("reviews = %d, want 11", len(page.Reviews))
	}
	unrated, spoilers := 0, 0
	for _, r := range page.Reviews {
		if r.Rating == nil {
			unrated++
		}
		if r.Spoiler {
			spoilers++
		}
	}
	if unrated != 9 {
		t.Errorf("reviews without rating = %d, want 9", unrated)
	}
	if spoilers != 2 {
		t.Errorf("spoilers = %d, want 2", spoilers)
	}
}

func TestSampleGraphQLEntities(t *testing.T) {
	page, err := ParseGraphQLReviews(readSample(t, "graphql-reviews-tt33014583-page004.json"))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}

	for _, r := range page.Reviews {
		if strings.Contains(r.Text, "&#39;") || strings.Contains(r.Text, "<br") {
			t.Errorf("review %s text keeps markup: %q", r.ID, r.Text)
		}
	}
}

func TestSampleReviewsPageMatchesGraphQL(t *testing.T) {
	title, page, err := ParseReviewsPage(readSample(t, "reviews-next-ssr-tt33014583.html"))
	if err != nil {
		t.Fatalf("parse reviews page: %v", err)
	}
	first, err := ParseGraphQLReviews(readSample(t, "graphql-reviews-tt33014583-page001.json"))
	if err != nil {
		t.Fatalf("parse GraphQL page: %v", err)
	}

	if title.ID != "tt33014583" || title.Title != "Dhurandhar" || title.Year != 2025 {
		t.Errorf("title = %q %q %d", title.ID, title.Title, title.Year)
	}
	if title.DeclaredReviewCount == nil || *title.DeclaredReviewCount != 2561 {
		t.Errorf("declared reviews = %v, want 2561", title.DeclaredReviewCount)
	}
	if title.AggregateRating == nil || *title.AggregateRating != 8.6 {
		t.Errorf("rating = %v, want 8.6", title.AggregateRating)
	}
	if title.RatingCount == nil || *title.RatingCount != 97108 {
		t.Errorf("rating count = %v, want 97108", title.RatingCount)
	}
	if page.EndCursor != first.EndCursor {
		t.Errorf("endCursor = %q, want GraphQL page 1's %q", page.EndCursor, first.EndCursor)
	}
	if len(page.Reviews) != 25 {
		t.Errorf("reviews = %d, want 25", len(page.Reviews))
	}
	byID := make(map[string]Review)
	for _, r := range first.Reviews {
		byID[r.ID] = r
	}
	for _, r := range page.Reviews {
		other, ok := byID[r.ID]
		if !ok {
			t.Errorf("review %s is not on GraphQL page 1", r.ID)
			continue
		}
		if r.Text != other.Text || r.HelpfulUp != other.HelpfulUp {
			t.Errorf("review %s differs between the reviews page and GraphQL", r.ID)
		}
	}
}

func TestSampleChainHas61Reviews(t *testing.T) {
	ids := make(map[string]bool)
	for _, name := range []string{
		"graphql-reviews-tt33014583-page001.json",
		"graphql-reviews-tt33014583-page004.json",
		"graphql-reviews-tt33014583-page103-last.json",
	} {
		page, err := ParseGraphQLReviews(readSample(t, name))
		if err != nil {
			t.Fatalf("parse %s: %v", name, err)
		}
		for _, r := range page.Reviews {
			ids[r.ID] = true
		}
	}

	if len(ids) != 61 {
		t.Errorf("distinct reviews = %d, want 61", len(ids))
	}
}

func TestSampleTitlePage(t *testing.T) {
	title, err := ParseTitlePage(readSample(t, "title-next-tt0111161.html"))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}

	if title.ID != "tt0111161" {
		t.Errorf("id = %q", title.ID)
	}
	if title.Title != "The Shawshank Redemption" {
		t.Errorf("title = %q", title.Title)
	}
	if title.DeclaredReviewCount == nil || *title.DeclaredReviewCount != 11467 {
		t.Errorf("declared reviews = %v, want 11467", title.DeclaredReviewCount)
	}
	if title.ReleaseDate == nil || title.ReleaseDate.Format("2006-01-02") != "1994-09-23" {
		t.Errorf("release date = %v, want 1994-09-23", title.ReleaseDate)
	}
	if title.Year != 1994 {
		t.Errorf("year = %d, want 1994", title.Year)
	}
	if title.AggregateRating == nil || *title.AggregateRating != 9.3 {
		t.Errorf("rating = %v, want 9.3", title.AggregateRating)
	}
	if title.RatingCount == nil || *title.RatingCount != 3020036 {
		t.Errorf("rating count = %v, want 3020036", title.RatingCount)
	}
	if !strings.HasPrefix(title.PosterURL, "https://m.media-amazon.com/images/M/MV5BMDAyY2FhYjct") {
		t.Errorf("poster = %q", title.PosterURL)
	}
}
