package imdb

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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
	{"reviews-next-dom-tt1213663.html", parseReviewCardsResult},
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

func parseReviewCardsResult(body []byte) (any, error) { return ParseReviewCards(body) }

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
			checkGolden(t, readSample(t, sample.file), sample.file, sample.parse)
		})
	}
}

// Hand-written pages in testdata, and the parser for each.
var goldenTestdata = []struct {
	file  string
	parse func([]byte) (any, error)
}{
	{"review-cards-small.html", parseReviewCardsResult},
}

func TestGoldenTestdata(t *testing.T) {
	for _, page := range goldenTestdata {
		t.Run(page.file, func(t *testing.T) {
			checkGolden(t, readTestdata(t, page.file), page.file, page.parse)
		})
	}
}

// checkGolden compares the parse result of body with
// testdata/{name without extension}.golden.json, which -update rewrites.
func checkGolden(t *testing.T, body []byte, name string, parse func([]byte) (any, error)) {
	t.Helper()
	result, err := parse(body)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	got := marshalGolden(t, result)

	golden := filepath.Join("testdata", strings.TrimSuffix(name, filepath.Ext(name))+".golden.json")
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
}

func TestSampleReviewCards(t *testing.T) {
	page, err := ParseReviewCards(readSample(t, "reviews-next-dom-tt1213663.html"))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}

	if page.Total != 572 || page.TotalInexact {
		t.Errorf("total = %d, inexact %v; want exactly 572", page.Total, page.TotalInexact)
	}
	if len(page.Reviews) != 35 || len(page.Skipped) != 0 {
		t.Fatalf("reviews = %d, skipped = %q; want 35 and none skipped", len(page.Reviews), page.Skipped)
	}
	spoilers, unrated := 0, 0
	for _, r := range page.Reviews {
		if r.Spoiler {
			spoilers++
		}
		if r.Rating == nil {
			unrated++
		}
		if r.Text == "" || r.TextHTML == "" || r.AuthorID == "" || r.VotesInexact {
			t.Errorf("review %s: text %d bytes, HTML %d bytes, author %q, inexact votes %v",
				r.ID, len(r.Text), len(r.TextHTML), r.AuthorID, r.VotesInexact)
		}
	}
	if spoilers != 8 || unrated != 4 {
		t.Errorf("spoilers = %d, unrated = %d; want 8 and 4", spoilers, unrated)
	}

	first := page.Reviews[0]
	if first.ID != "rw2858099" || first.AuthorName != "user0001" || first.AuthorID != "ur00000001" {
		t.Errorf("first review = %q by %q %q", first.ID, first.AuthorName, first.AuthorID)
	}
	if first.Title != "Another funny, clever, and wild one from Simon Pegg and Edgar Wright" {
		t.Errorf("title = %q", first.Title)
	}
	if first.Rating == nil || *first.Rating != 8 || first.HelpfulUp != 41 || first.HelpfulDown != 16 {
		t.Errorf("rating %v, votes %d/%d; want 8 and 41/16", first.Rating, first.HelpfulUp, first.HelpfulDown)
	}
	if got := first.SubmittedAt.Format(time.DateOnly); got != "2013-08-24" {
		t.Errorf("date = %s, want 2013-08-24", got)
	}
	if !strings.HasPrefix(first.Text, `If you seen the other two movies in the so-called Cornetto Trilogy ("Shaun of the Dead" & "Hot Fuzz")`) {
		t.Errorf("text = %.100q", first.Text)
	}
}

// The rendered-DOM snapshot has no __NEXT_DATA__, so ParseReviewsPage reads
// its review cards.
func TestSampleDOMFragmentFallsBackToCards(t *testing.T) {
	body := readSample(t, "reviews-next-dom-tt1213663.html")

	title, page, err := ParseReviewsPage(body)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	cards, err := ParseReviewCards(body)
	if err != nil {
		t.Fatalf("parse cards: %v", err)
	}

	if len(page.Reviews) != len(cards.Reviews) || page.Total != cards.Total {
		t.Errorf("page has %d reviews of %d, cards %d of %d", len(page.Reviews), page.Total, len(cards.Reviews), cards.Total)
	}
	if title.DeclaredReviewCount == nil || *title.DeclaredReviewCount != 572 {
		t.Errorf("declared reviews = %v, want 572", title.DeclaredReviewCount)
	}
	if title.ID != "" {
		t.Errorf("title id = %q, want empty: the snapshot's links omit the title", title.ID)
	}
}

// The cards of the server-rendered page agree with its __NEXT_DATA__,
// except for the votes that the server HTML leaves out and the displayed
// date, which is one day before the submission date.
func TestSampleServerCardsMatchNextData(t *testing.T) {
	body := readSample(t, "reviews-next-ssr-tt33014583.html")
	_, fromJSON, err := ParseReviewsPage(body)
	if err != nil {
		t.Fatalf("parse reviews page: %v", err)
	}
	fromCards, err := ParseReviewCards(body)
	if err != nil {
		t.Fatalf("parse cards: %v", err)
	}

	if fromCards.Total != fromJSON.Total || len(fromCards.Reviews) != len(fromJSON.Reviews) {
		t.Fatalf("cards: %d reviews of %d, JSON: %d of %d", len(fromCards.Reviews), fromCards.Total, len(fromJSON.Reviews), fromJSON.Total)
	}
	for i, card := range fromCards.Reviews {
		want := fromJSON.Reviews[i]
		if card.ID != want.ID || card.Title != want.Title || card.Text != want.Text || card.AuthorID != want.AuthorID ||
			card.Spoiler != want.Spoiler || !equalRatings(card.Rating, want.Rating) {
			t.Errorf("review %d: card %s differs from JSON %s", i, card.ID, want.ID)
		}
		if gap := want.SubmittedAt.Sub(card.SubmittedAt); gap < 0 || gap > 24*time.Hour {
			t.Errorf("review %s: displayed date %s, submission date %s", card.ID,
				card.SubmittedAt.Format(time.DateOnly), want.SubmittedAt.Format(time.DateOnly))
		}
	}
}

func equalRatings(a, b *int) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
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
