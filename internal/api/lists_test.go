package api_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/reelpulse/reelpulse/internal/api"
	"github.com/reelpulse/reelpulse/internal/web/webtest"
)

// TestAPIAnalystCannotReachOtherMovies checks every movie endpoint with a
// movie that is not on the analyst's list: each responds 404 as for a movie
// that is not stored, and the admin's token reaches it.
func TestAPIAnalystCannotReachOtherMovies(t *testing.T) {
	a := newAuthAPI(t)
	analyst, admin := a.accounts.Analyst, a.accounts.Admin
	if _, err := a.accounts.Store.TrackMovieForUser(context.Background(), analyst.User.ID, webtest.MovieID, time.Now()); err != nil {
		t.Fatal(err)
	}
	for _, route := range api.Routes() {
		if !strings.Contains(route.Pattern, "{id}") {
			continue
		}
		other := strings.ReplaceAll(route.Pattern, "{id}", webtest.FailingMovieID)
		response, body := a.do(t, route.Method, other, bearer(analyst.Token))
		if response.StatusCode != http.StatusNotFound {
			t.Errorf("analyst %s %s: status %d, want 404: %s", route.Method, other, response.StatusCode, body)
		}
		_, unknownBody := a.do(t, route.Method, strings.ReplaceAll(route.Pattern, "{id}", "tt9999999"), bearer(analyst.Token))
		if strings.ReplaceAll(unknownBody, "tt9999999", "ID") != strings.ReplaceAll(body, webtest.FailingMovieID, "ID") {
			t.Errorf("analyst %s %s: another list's movie gets %s, a movie not stored %s", route.Method, route.Pattern, body, unknownBody)
		}
		if route.Method == http.MethodGet {
			if strings.HasSuffix(route.Pattern, "/export") {
				other += "?format=csv"
			}
			own := strings.ReplaceAll(route.Pattern, "{id}", webtest.MovieID)
			if strings.HasSuffix(route.Pattern, "/export") {
				own += "?format=csv"
			}
			if response, body := a.do(t, route.Method, own, bearer(analyst.Token)); response.StatusCode != http.StatusOK {
				t.Errorf("analyst %s %s: status %d, want 200: %s", route.Method, own, response.StatusCode, body)
			}
			if response, _ := a.do(t, route.Method, other, bearer(admin.Token)); response.StatusCode != http.StatusOK {
				t.Errorf("admin %s %s: status %d, want 200", route.Method, other, response.StatusCode)
			}
		}
	}
}

// TestAPIListsArePerUser checks GET, POST and DELETE /api/v1/movies with
// two users' lists.
func TestAPIListsArePerUser(t *testing.T) {
	a := newAuthAPI(t)
	ctx := context.Background()
	analyst, admin := a.accounts.Analyst, a.accounts.Admin
	if _, err := a.accounts.Store.TrackMovieForUser(ctx, admin.User.ID, webtest.MovieID, time.Now()); err != nil {
		t.Fatal(err)
	}
	ids := func(m webtest.Member, target string) []string {
		t.Helper()
		response, body := a.do(t, http.MethodGet, target, bearer(m.Token))
		if response.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: status %d: %s", target, response.StatusCode, body)
		}
		var list []struct{ ID string }
		if err := json.Unmarshal([]byte(body), &list); err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, m := range list {
			out = append(out, m.ID)
		}
		return out
	}
	if got := ids(analyst, "/api/v1/movies?all=true"); len(got) != 0 {
		t.Errorf("the analyst's list = %v, want empty even with all=true", got)
	}
	if got := ids(admin, "/api/v1/movies"); strings.Join(got, ",") != webtest.MovieID {
		t.Errorf("the admin's list = %v, want [%s]", got, webtest.MovieID)
	}
	if got := ids(admin, "/api/v1/movies?all=true"); len(got) != 3 {
		t.Errorf("the admin's view of all movies = %v, want the 3 tracked ones", got)
	}
	if response, _ := a.do(t, http.MethodGet, "/api/v1/movies?all=maybe", bearer(admin.Token)); response.StatusCode != http.StatusBadRequest {
		t.Errorf("all=maybe: status %d, want 400", response.StatusCode)
	}

	// POST puts the movie on the caller's list, DELETE takes it off only
	// that list.
	if response, body := a.do(t, http.MethodPost, "/api/v1/movies", func(r *http.Request) {
		bearer(analyst.Token)(r)
		body := `{"id":"` + webtest.MovieID + `"}`
		r.Body, r.ContentLength = io.NopCloser(strings.NewReader(body)), int64(len(body))
	}); response.StatusCode != http.StatusOK && response.StatusCode != http.StatusCreated {
		t.Fatalf("POST: status %d: %s", response.StatusCode, body)
	}
	if got := ids(analyst, "/api/v1/movies"); strings.Join(got, ",") != webtest.MovieID {
		t.Errorf("the analyst's list after POST = %v, want [%s]", got, webtest.MovieID)
	}
	if response, _ := a.do(t, http.MethodDelete, "/api/v1/movies/"+webtest.MovieID, bearer(analyst.Token)); response.StatusCode != http.StatusNoContent {
		t.Fatalf("DELETE: status %d", response.StatusCode)
	}
	if got := ids(analyst, "/api/v1/movies"); len(got) != 0 {
		t.Errorf("the analyst's list after DELETE = %v, want empty", got)
	}
	if got := ids(admin, "/api/v1/movies"); strings.Join(got, ",") != webtest.MovieID {
		t.Errorf("the admin's list after the analyst's DELETE = %v, want [%s]", got, webtest.MovieID)
	}
	if movie, err := a.accounts.Store.GetMovie(ctx, webtest.MovieID); err != nil || !movie.Tracked {
		t.Errorf("movie = %+v, %v; want it still tracked for the admin", movie, err)
	}
}
