package replay

import (
	"net/http"
	"strings"
	"testing"
)

func TestCatalogServesEveryTitle(t *testing.T) {
	site := NewSite()
	ids := site.AddCatalog(9100000, 3, 30, 0, 1)
	if want := []string{"tt9100000", "tt9100001", "tt9100002"}; strings.Join(ids, " ") != strings.Join(want, " ") {
		t.Fatalf("ids = %v, want %v", ids, want)
	}
	server := startServer(t, site, Options{})

	for _, id := range ids {
		response, page := get(t, server.URL+"/title/"+id+"/")
		if response.StatusCode != http.StatusOK {
			t.Errorf("%s title page status = %d, want 200", id, response.StatusCode)
		}
		if !strings.Contains(string(page), "Replay Feature "+strings.TrimPrefix(id, "tt")) {
			t.Errorf("%s title page lacks the generated title", id)
		}
		if reviews := followReviews(t, server.URL, id); len(reviews) != 30 {
			t.Errorf("%s serves %d reviews, want 30", id, len(reviews))
		}
	}
}

func TestCatalogDeclaredCount(t *testing.T) {
	site := NewSite()
	site.AddCatalog(9100000, 1, 0, 10, 1)
	server := startServer(t, site, Options{})

	_, body := postReviews(t, server.URL, "tt9100000", "")
	response := decodeGraphQL(t, body)
	if response.Data == nil || response.Data.Title == nil || response.Data.Title.Reviews == nil {
		t.Fatalf("GraphQL response has no reviews: %s", body)
	}
	reviews := response.Data.Title.Reviews
	if reviews.Total != 10 {
		t.Errorf("total = %d, want the declared 10", reviews.Total)
	}
	if len(reviews.Edges) != 0 {
		t.Errorf("%d reviews served, want none", len(reviews.Edges))
	}
}
