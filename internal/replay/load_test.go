package replay

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reelpulse/reelpulse/internal/testutil"
)

func TestLoadDirRoundTrip(t *testing.T) {
	movie := Synthetic("tt7000010", 60, 3)
	generated := NewSite()
	generated.AddMovie(movie)
	dir := t.TempDir()
	if err := generated.WriteDir(dir); err != nil {
		t.Fatalf("WriteDir: %v", err)
	}

	site, err := LoadDir(dir)
	if err != nil {
		t.Fatalf("LoadDir: %v", err)
	}
	server := startServer(t, site, Options{})
	ids := followReviews(t, server.URL, movie.ID)

	if len(ids) != 60 {
		t.Errorf("got %d reviews, want 60", len(ids))
	}
	if distinct, duplicate := countDistinct(ids); distinct != len(ids) {
		t.Errorf("review %s arrived twice", duplicate)
	}
	response, _ := get(t, server.URL+"/title/"+movie.ID+"/")
	if response.StatusCode != http.StatusOK {
		t.Errorf("title page status = %d, want 200", response.StatusCode)
	}
}

func TestLoadDirOptionalFiles(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "tt7000011", "title.html"), "<title>Only a Title Page (2001) - IMDb</title>")
	if err := os.Mkdir(filepath.Join(dir, "tt7000012"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, ".DS_Store"), "skipped")

	site, err := LoadDir(dir)
	if err != nil {
		t.Fatalf("LoadDir: %v", err)
	}
	server := startServer(t, site, Options{})

	if got := strings.Join(site.Titles(), " "); got != "tt7000011 tt7000012" {
		t.Errorf("Titles() = %q, want tt7000011 tt7000012", got)
	}
	if response, _ := get(t, server.URL+"/title/tt7000011/reviews/"); response.StatusCode != http.StatusNotFound {
		t.Errorf("missing reviews page: status = %d, want 404", response.StatusCode)
	}
	if response, _ := postReviews(t, server.URL, "tt7000012", ""); response.StatusCode != http.StatusNotFound {
		t.Errorf("title without GraphQL pages: status = %d, want 404", response.StatusCode)
	}
	_, poster := get(t, server.URL+"/_replay/poster/tt7000011.svg")
	if !strings.Contains(string(poster), ">Only a Title</text>") {
		t.Errorf("poster does not show the name from <title>: %s", poster)
	}
}

func TestLoadDirBadLayout(t *testing.T) {
	validPage := string(marshalGraphQLPage(reviewPage{titleID: "tt1", total: 0}))
	tests := []struct {
		name  string
		files map[string]string
		path  string // expected in the error
	}{
		{"file at top", map[string]string{"notes.txt": "x"}, "notes.txt"},
		{"folder not a title id", map[string]string{"nosferatu/title.html": "x"}, "nosferatu"},
		{"unknown file in title", map[string]string{"tt1/poster.jpg": "x"}, filepath.Join("tt1", "poster.jpg")},
		{"non-JSON GraphQL file", map[string]string{"tt1/graphql/page001.txt": validPage}, "page001.txt"},
		{"invalid GraphQL JSON", map[string]string{"tt1/graphql/page001.json": "{"}, "page001.json"},
		{"GraphQL without reviews", map[string]string{"tt1/graphql/page001.json": `{"data":{"title":null}}`}, "page001.json"},
		{"reviews page without data", map[string]string{"tt1/reviews.html": "<html></html>"}, "reviews.html"},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, content := range test.files {
				writeFile(t, filepath.Join(dir, name), content)
			}

			_, err := LoadDir(dir)

			if err == nil {
				t.Fatal("LoadDir returned no error")
			}
			if !strings.Contains(err.Error(), test.path) {
				t.Errorf("error %q does not name %s", err, test.path)
			}
		})
	}
}

func TestLoadDirMissingFolder(t *testing.T) {
	_, err := LoadDir(filepath.Join(t.TempDir(), "absent"))

	if err == nil || !strings.Contains(err.Error(), "absent") {
		t.Errorf("error = %v, want one that names the folder", err)
	}
}

// TestLoadDirRealCaptures serves captures of IMDb: the server-rendered
// reviews page and GraphQL pages 1, 4 and 103 of the same title. The
// reviews page shows the reviews of page 1 and ends with page 1's cursor, so
// the chain from it is reviews page, page 4, page 103.
func TestLoadDirRealCaptures(t *testing.T) {
	dir, _ := testutil.CaptureReplayDir(t)
	const id = "tt33014583"

	site, err := LoadDir(dir)
	if err != nil {
		t.Fatalf("LoadDir: %v", err)
	}
	server := startServer(t, site, Options{})
	ids := followReviews(t, server.URL, id)

	if distinct, duplicate := countDistinct(ids); distinct != 61 || duplicate != "" {
		t.Errorf("got %d distinct of %d review ids (duplicate %q), want 61 distinct", distinct, len(ids), duplicate)
	}

	_, body := postReviews(t, server.URL, id, "")
	first := decodeGraphQL(t, body).Data.Title.Reviews
	if first == nil || len(first.Edges) != 25 || first.Edges[0].Node.ID != ids[0] {
		t.Errorf("request without after did not return page 1 (first id %s)", ids[0])
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
