package imdb

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/reelpulse/reelpulse/internal/replay"
)

// TestClientReadsGeneratedPages reads every page of the project's example
// movie from the replay server, in IMDb's layouts, and compares each review
// with the data the pages were generated from.
func TestClientReadsGeneratedPages(t *testing.T) {
	movie := replay.ExampleMovie(30)
	site := replay.NewSite()
	site.AddMovie(movie)
	server := httptest.NewServer(replay.NewServer(site, replay.Options{}))
	defer server.Close()

	client := NewClient(newFetchClient(t), Config{BaseURL: server.URL, GraphQLURL: server.URL + "/graphql"})
	ctx := context.Background()

	title, err := client.Title(ctx, movie.ID)
	if err != nil {
		t.Fatalf("Title: %v", err)
	}
	if title.Title != movie.Title || title.Year != movie.Year || title.ReleaseDate == nil ||
		!title.ReleaseDate.Equal(movie.ReleaseDate) {
		t.Errorf("title = %q %d %v, want %q %d %v", title.Title, title.Year, title.ReleaseDate, movie.Title, movie.Year, movie.ReleaseDate)
	}

	_, page, err := client.FirstReviews(ctx, movie.ID)
	if err != nil {
		t.Fatalf("FirstReviews: %v", err)
	}
	got := map[string]Review{}
	for {
		for _, r := range page.Reviews {
			got[r.ID] = r
		}
		if !page.HasNextPage {
			break
		}
		if page, err = client.NextReviews(ctx, movie.ID, page.EndCursor); err != nil {
			t.Fatalf("NextReviews: %v", err)
		}
	}

	if len(got) != len(movie.Reviews) {
		t.Fatalf("read %d reviews, want %d", len(got), len(movie.Reviews))
	}
	for _, want := range movie.Reviews {
		r, ok := got[want.ID]
		if !ok {
			t.Errorf("review %s missing", want.ID)
			continue
		}
		if r.HelpfulUp != want.Up || r.HelpfulDown != want.Down || r.Spoiler != want.Spoiler ||
			r.SubmittedAt.Format("2006-01-02") != want.Date || r.AuthorName != want.AuthorName || r.Title != want.Title {
			t.Errorf("review %s = %+v, want %+v", want.ID, r, want)
		}
		if (r.Rating == nil) != (want.Rating == nil) || (r.Rating != nil && *r.Rating != *want.Rating) {
			t.Errorf("review %s rating = %v, want %v", want.ID, r.Rating, want.Rating)
		}
		if r.Text == "" || r.TextHTML != want.Text {
			t.Errorf("review %s text HTML = %q, want the generated %q", want.ID, r.TextHTML, want.Text)
		}
	}
}
