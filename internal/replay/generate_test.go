package replay

import (
	"bytes"
	"encoding/json"
	"flag"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// smallMovie has one review of each kind: rated with entities and a line
// break, unrated, and a spoiler.
func smallMovie() Movie {
	nine, three := 9, 3
	return Movie{
		ID:                  "tt7000020",
		Title:               "The Lighthouse Keeper's Lamp",
		Year:                1931,
		ReleaseDate:         time.Date(1931, time.November, 2, 0, 0, 0, 0, time.UTC),
		AggregateRating:     6.84,
		RatingCount:         1520,
		DeclaredReviewCount: 4,
		Reviews: []Review{
			{ID: "rw7000001", AuthorName: "o'hara", AuthorID: "ur7000001", Title: "Waves & wonder",
				Text: "The score is lovely.<br/><br/>It&#39;s slow, but the sets are great.", Rating: &nine, Date: "2010-01-01", Up: 1500, Down: 20},
			{ID: "rw7000002", AuthorName: "nobody", AuthorID: "ur7000002", Title: "No rating from me",
				Text: "Fine acting.", Date: "2015-06-30", Up: 0, Down: 0},
			{ID: "rw7000003", AuthorName: "teller", AuthorID: "ur7000003", Title: "The keeper dies",
				Text: "The keeper dies at the end.", Rating: &three, Spoiler: true, Date: "2026-01-02", Up: 3, Down: 9},
		},
	}
}

func TestGeneratedGraphQLPageShape(t *testing.T) {
	movie := smallMovie()
	site := NewSite()
	site.AddMovie(movie)
	page, found := site.title(movie.ID).graphQLPage("")
	if !found || page == nil {
		t.Fatal("no first GraphQL page")
	}

	response := decodeGraphQL(t, page)
	reviews := response.Data.Title.Reviews

	if reviews.Total != 4 {
		t.Errorf("total = %d, want the declared 4", reviews.Total)
	}
	if reviews.PageInfo.HasNextPage || reviews.PageInfo.EndCursor != nil {
		t.Errorf("pageInfo = %+v, want the last page", reviews.PageInfo)
	}
	if len(reviews.Edges) != 3 {
		t.Fatalf("got %d edges, want 3", len(reviews.Edges))
	}
	checkNode(t, reviews.Edges[0].Node, movie.ID, movie.Reviews[0])
	checkNode(t, reviews.Edges[1].Node, movie.ID, movie.Reviews[1])
	checkNode(t, reviews.Edges[2].Node, movie.ID, movie.Reviews[2])
	if !bytes.Contains(page, []byte(`"plaidHtml":"The score is lovely.<br/><br/>It&#39;s slow`)) {
		t.Error("plaidHtml is escaped, but IMDb sends < > & as they are")
	}
	if bytes.Contains(page, []byte("__typename")) {
		t.Error("GraphQL page has __typename keys, which IMDb's web client does not request")
	}
}

func checkNode(t *testing.T, node testNode, titleID string, review Review) {
	t.Helper()
	if node.ID != review.ID || node.Author.Username.Text != review.AuthorName || node.Author.UserID != review.AuthorID {
		t.Errorf("node %s: id or author = %s %q %s", review.ID, node.ID, node.Author.Username.Text, node.Author.UserID)
	}
	if node.Summary.OriginalText != review.Title || node.Text.OriginalText.PlaidHTML != review.Text {
		t.Errorf("node %s: summary or text = %q %q", review.ID, node.Summary.OriginalText, node.Text.OriginalText.PlaidHTML)
	}
	if !reflect.DeepEqual(node.AuthorRating, review.Rating) {
		t.Errorf("node %s: authorRating = %v, want %v", review.ID, node.AuthorRating, review.Rating)
	}
	if node.SubmissionDate != review.Date || node.Spoiler != review.Spoiler {
		t.Errorf("node %s: submissionDate or spoiler = %s %v", review.ID, node.SubmissionDate, node.Spoiler)
	}
	if node.Helpfulness.UpVotes != review.Up || node.Helpfulness.DownVotes != review.Down {
		t.Errorf("node %s: helpfulness = %+v, want %d up %d down", review.ID, node.Helpfulness, review.Up, review.Down)
	}
	if !strings.Contains(node.ReportingLink.URL, titleID+"/"+review.ID) {
		t.Errorf("node %s: reportingLink = %q, want it to contain %s/%s", review.ID, node.ReportingLink.URL, titleID, review.ID)
	}
}

func TestGeneratedReviewsPageShape(t *testing.T) {
	movie := smallMovie()
	site := NewSite()
	site.AddMovie(movie)

	var next testReviewsNextData
	decodeNextData(t, site.title(movie.ID).reviewsPage, &next)
	content := next.Props.PageProps.ContentData

	metadata := content.EntityMetadata
	if metadata.TitleText.Text != movie.Title || metadata.OriginalTitleText.Text != movie.Title {
		t.Errorf("titleText or originalTitleText = %q %q", metadata.TitleText.Text, metadata.OriginalTitleText.Text)
	}
	if metadata.ReleaseYear == nil || metadata.ReleaseYear.Year != 1931 {
		t.Errorf("releaseYear = %+v, want 1931", metadata.ReleaseYear)
	}
	if rating := metadata.RatingsSummary.AggregateRating; rating == nil || *rating != 6.8 || metadata.RatingsSummary.VoteCount != 1520 {
		t.Errorf("ratingsSummary = %v %d, want 6.8 from 1520", rating, metadata.RatingsSummary.VoteCount)
	}
	if len(content.Data.Title.Reviews.Edges) != 3 {
		t.Fatalf("got %d edges, want 3", len(content.Data.Title.Reviews.Edges))
	}
	checkNode(t, content.Data.Title.Reviews.Edges[2].Node, movie.ID, movie.Reviews[2])
}

func TestGeneratedPagesWithoutReviews(t *testing.T) {
	site := NewSite()
	site.AddMovie(Movie{ID: "tt7000021", Title: "Unreviewed"})
	server := startServer(t, site, Options{})

	ids := followReviews(t, server.URL, "tt7000021")

	if len(ids) != 0 {
		t.Errorf("got reviews %v, want none", ids)
	}
	var next testTitleNextData
	_, page := get(t, server.URL+"/title/tt7000021/")
	decodeNextData(t, page, &next)
	data := next.Props.PageProps.AboveTheFoldData
	if data.RatingsSummary.AggregateRating != nil || data.ReleaseDate != nil || data.ReleaseYear != nil {
		t.Errorf("unknown rating or dates are not null: %+v", data)
	}
}

func TestGeneratedPagesGolden(t *testing.T) {
	site := NewSite()
	site.AddMovie(smallMovie())
	title := site.title("tt7000020")

	graphQLPage, _ := title.graphQLPage("")
	checkGolden(t, "small-reviews.html", title.reviewsPage)
	checkGolden(t, "small-title.html", title.titlePage)
	checkGolden(t, "small-graphql.json", graphQLPage)
}

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run go test -update to create it): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the generated page; run go test ./internal/replay -update and review the diff", path)
	}
}

func TestSyntheticDeterministic(t *testing.T) {
	first := Synthetic("tt7000030", 2000, 42)
	second := Synthetic("tt7000030", 2000, 42)
	other := Synthetic("tt7000030", 2000, 43)

	if !reflect.DeepEqual(first, second) {
		t.Error("same arguments gave different movies")
	}
	if reflect.DeepEqual(first.Reviews, other.Reviews) {
		t.Error("different seeds gave the same reviews")
	}
}

func TestSyntheticVariety(t *testing.T) {
	movie := Synthetic("tt7000031", 2000, 1)

	ids := make([]string, len(movie.Reviews))
	unrated, spoilers, popular, paragraphs := 0, 0, 0, 0
	for i, review := range movie.Reviews {
		ids[i] = review.ID
		if review.Rating == nil {
			unrated++
		} else if *review.Rating < 1 || *review.Rating > 10 {
			t.Errorf("review %s has rating %d", review.ID, *review.Rating)
		}
		if review.Spoiler {
			spoilers++
		}
		if review.Up > 1000 {
			popular++
		}
		if strings.Contains(review.Text, "<br/>") {
			paragraphs++
		}
		if _, err := time.Parse(time.DateOnly, review.Date); err != nil {
			t.Errorf("review %s has date %q", review.ID, review.Date)
		}
	}

	if distinct, duplicate := countDistinct(ids); distinct != len(ids) {
		t.Errorf("review id %s repeats", duplicate)
	}
	for name, count := range map[string]int{"unrated": unrated, "spoiler": spoilers, "popular": popular, "multi-paragraph": paragraphs} {
		if count == 0 {
			t.Errorf("no %s reviews among 2000", name)
		}
	}
}

// TestSecondExampleData checks the embedded second movie and that Example
// serves it beside the first, with distinct review ids.
func TestSecondExampleData(t *testing.T) {
	second, err := secondExampleMovie()
	if err != nil {
		t.Fatal(err)
	}
	if second.ID != SecondExampleTitleID || len(second.Reviews) != 14 || second.ReleaseDate.Format(time.DateOnly) != "1937-10-21" {
		t.Errorf("second movie = %s with %d reviews released %v", second.ID, len(second.Reviews), second.ReleaseDate)
	}
	seen := map[string]bool{}
	for _, r := range append(ExampleMovie(100).Reviews, second.Reviews...) {
		if seen[r.ID] {
			t.Errorf("review id %s appears twice in the example data", r.ID)
		}
		seen[r.ID] = true
	}
	if got := Example().Titles(); !slices.Equal(got, []string{ExampleTitleID, SecondExampleTitleID}) {
		t.Errorf("Example serves %v, want both example movies", got)
	}
}

func TestExampleData(t *testing.T) {
	movie := ExampleMovie(100)

	if len(movie.Reviews) != 30 || movie.DeclaredReviewCount != 30 {
		t.Fatalf("got %d reviews declared as %d, want 30", len(movie.Reviews), movie.DeclaredReviewCount)
	}
	if movie.ID != ExampleTitleID || movie.ReleaseDate.Format(time.DateOnly) != "1922-03-04" {
		t.Errorf("movie = %s released %v", movie.ID, movie.ReleaseDate)
	}

	unrated, spoilers, maxUp := 0, 0, 0
	ids := make([]string, len(movie.Reviews))
	var texts strings.Builder
	for i, review := range movie.Reviews {
		ids[i] = review.ID
		if review.Rating == nil {
			unrated++
		}
		if review.Spoiler {
			spoilers++
		}
		maxUp = max(maxUp, review.Up)
		if review.Date < "2004-01-01" || review.Date > "2026-12-31" {
			t.Errorf("review %s has date %s outside 2004 to 2026", review.ID, review.Date)
		}
		texts.WriteString(strings.ToLower(review.Text) + " ")
	}

	if distinct, duplicate := countDistinct(ids); distinct != 30 {
		t.Errorf("review id %s repeats", duplicate)
	}
	if unrated < 3 || unrated > 4 {
		t.Errorf("%d reviews without rating, want 3 or 4", unrated)
	}
	if spoilers != 4 {
		t.Errorf("%d spoilers, want 4", spoilers)
	}
	if maxUp <= 1000 {
		t.Errorf("most helpful review has %d votes, want more than 1000", maxUp)
	}
	for _, word := range []string{"plot", "pacing", "characters", "schreck", "cinematography", "shadow", "sets", "tint", "score", "soundtrack", "organ", "plague", "fear", "death"} {
		if !strings.Contains(texts.String(), word) {
			t.Errorf("no review mentions %q", word)
		}
	}
}

func TestExampleMovieFirstReviews(t *testing.T) {
	movie := ExampleMovie(3)

	if len(movie.Reviews) != 3 || movie.DeclaredReviewCount != 3 {
		t.Errorf("got %d reviews declared as %d, want 3", len(movie.Reviews), movie.DeclaredReviewCount)
	}
	*movie.Reviews[0].Rating = 1
	if *ExampleMovie(3).Reviews[0].Rating == 1 {
		t.Error("changing a returned rating changed the example data")
	}
}

func TestExampleDataIsValidJSON(t *testing.T) {
	if !json.Valid(nosferatuJSON) {
		t.Fatal("exampledata/nosferatu.json is not valid JSON")
	}
}

func TestFormatCounts(t *testing.T) {
	tests := []struct {
		n                  int64
		compact, separated string
	}{
		{0, "0", "0"},
		{999, "999", "999"},
		{1000, "1K", "1,000"},
		{2561, "2.5K", "2,561"},
		{11467, "11.4K", "11,467"},
		{3020036, "3M", "3,020,036"},
		{1550000, "1.5M", "1,550,000"},
	}
	for _, test := range tests {
		if got := formatCompact(test.n); got != test.compact {
			t.Errorf("formatCompact(%d) = %q, want %q", test.n, got, test.compact)
		}
		if got := formatCount(test.n); got != test.separated {
			t.Errorf("formatCount(%d) = %q, want %q", test.n, got, test.separated)
		}
	}
}

func TestDisplayDate(t *testing.T) {
	if got := displayDate("2025-12-06"); got != "Dec 5, 2025" {
		t.Errorf("displayDate(2025-12-06) = %q, want Dec 5, 2025 as IMDb shows it", got)
	}
	if got := displayDate("2026-01-01"); got != "Dec 31, 2025" {
		t.Errorf("displayDate(2026-01-01) = %q, want Dec 31, 2025", got)
	}
}

func TestAddMovieNonFiniteRating(t *testing.T) {
	site := NewSite()
	site.AddMovie(Movie{ID: "tt7000022", Title: "Broken Rating", AggregateRating: math.NaN(), RatingCount: 5})

	var next testTitleNextData
	decodeNextData(t, site.title("tt7000022").titlePage, &next)
	if rating := next.Props.PageProps.AboveTheFoldData.RatingsSummary.AggregateRating; rating != nil {
		t.Errorf("aggregateRating = %v, want null for a NaN rating", *rating)
	}
}
