package web_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/reelpulse/reelpulse/internal/authn"
	"github.com/reelpulse/reelpulse/internal/web/webtest"
)

// TestAnalystCannotReachOtherMovies puts one movie on the analyst's list and
// checks that every page and action on another movie responds as if it were
// not stored, while the admin reaches both.
func TestAnalystCannotReachOtherMovies(t *testing.T) {
	f := newAuthFixture(t, authn.Config{})
	ctx := context.Background()
	analyst, admin := f.accounts.Analyst, f.accounts.Admin
	if _, err := f.accounts.Store.TrackMovieForUser(ctx, analyst.User.ID, webtest.MovieID, time.Now()); err != nil {
		t.Fatal(err)
	}
	other := webtest.FailingMovieID
	for _, target := range []string{"/movies/" + other, "/movies/" + other + "/reviews/export?format=csv",
		"/movies/" + other + "/progress", "/movies/" + other + "/remove", "/posters/" + other,
		"/compare?id=" + webtest.MovieID + "&id=" + other, "/compare?with=" + other,
		"/compare?id=" + webtest.MovieID + "&id=https://www.imdb.com/title/" + other + "/", "/movies/" + url.PathEscape(other) + "?bucket=week"} {
		response, body := f.do(t, request{target: target, cookie: analyst.Session})
		if response.StatusCode != http.StatusNotFound || !strings.Contains(body, "Movie not found") {
			t.Errorf("analyst GET %s: status %d, want 404 Movie not found", target, response.StatusCode)
		}
		if response, _ := f.do(t, request{target: target, cookie: admin.Session}); response.StatusCode == http.StatusNotFound && !strings.HasPrefix(target, "/posters/") {
			t.Errorf("admin GET %s: status 404, want the page", target)
		}
	}
	// A movie that is not stored gets the same page.
	_, unknown := f.do(t, request{target: "/movies/tt9999999", cookie: analyst.Session})
	_, offList := f.do(t, request{target: "/movies/" + other, cookie: analyst.Session})
	if strings.ReplaceAll(unknown, "tt9999999", "ID") != strings.ReplaceAll(offList, other, "ID") {
		t.Error("a movie on another list and a movie not stored get different pages")
	}
	for _, target := range []string{"/movies/" + other + "/remove", "/movies/" + other + "/unpark"} {
		response, _ := f.do(t, request{method: http.MethodPost, target: target, cookie: analyst.Session, csrf: analyst.CSRF(), form: url.Values{}})
		if response.StatusCode != http.StatusNotFound {
			t.Errorf("analyst POST %s: status %d, want 404", target, response.StatusCode)
		}
	}
	if got := f.tracker.Untracked(); len(got) != 0 {
		t.Errorf("the analyst untracked %v", got)
	}
	if got := f.tracker.Unparked(); len(got) != 0 {
		t.Errorf("the analyst unparked %v", got)
	}
	if response, _ := f.do(t, request{target: "/movies/" + webtest.MovieID, cookie: analyst.Session}); response.StatusCode != http.StatusOK {
		t.Errorf("analyst GET of a movie on their list: status %d, want 200", response.StatusCode)
	}
}

// TestListsArePerUser gives the analyst and the admin different lists and
// checks the movie list, the compare picker, adding and removing.
func TestListsArePerUser(t *testing.T) {
	f := newAuthFixture(t, authn.Config{})
	ctx := context.Background()
	analyst, admin := f.accounts.Analyst, f.accounts.Admin
	for _, entry := range []struct {
		user  webtest.Member
		movie string
	}{{analyst, webtest.MovieID}, {admin, webtest.FailingMovieID}, {admin, webtest.MovieID}} {
		if _, err := f.accounts.Store.TrackMovieForUser(ctx, entry.user.User.ID, entry.movie, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	card := func(id string) string { return `data-testid="movie-` + id + `"` }

	_, page := f.do(t, request{target: "/?all=1", cookie: analyst.Session})
	if !strings.Contains(page, card(webtest.MovieID)) || strings.Contains(page, card(webtest.FailingMovieID)) || strings.Contains(page, card(webtest.PendingMovieID)) {
		t.Error("the analyst's list page shows other movies than their own, even with all=1")
	}
	if strings.Contains(page, `data-testid="list-scope"`) {
		t.Error("the analyst is offered the switch to all movies")
	}
	_, page = f.do(t, request{target: "/", cookie: admin.Session})
	if !strings.Contains(page, card(webtest.FailingMovieID)) || strings.Contains(page, card(webtest.PendingMovieID)) || !strings.Contains(page, `href="/?all=1"`) {
		t.Error("the admin's list page does not show their own list with a link to all movies")
	}
	_, page = f.do(t, request{target: "/?all=1", cookie: admin.Session})
	for _, id := range []string{webtest.MovieID, webtest.FailingMovieID, webtest.PendingMovieID} {
		if !strings.Contains(page, card(id)) {
			t.Errorf("the admin's view of all movies lacks %s, which the command line tracked", id)
		}
	}
	_, picker := f.do(t, request{target: "/compare", cookie: analyst.Session})
	if !strings.Contains(picker, `value="`+webtest.MovieID+`"`) || strings.Contains(picker, `value="`+webtest.FailingMovieID+`"`) {
		t.Error("the analyst's compare picker offers movies off their list")
	}

	// Adding puts the movie on the analyst's list only.
	response, _ := f.do(t, request{method: http.MethodPost, target: "/movies", cookie: analyst.Session, csrf: analyst.CSRF(), form: url.Values{"movie": {"tt0063350"}}})
	if response.StatusCode != http.StatusSeeOther {
		t.Fatalf("add: status %d", response.StatusCode)
	}
	if ids, _ := f.accounts.Store.UserMovieIDs(ctx, analyst.User.ID); !slices.Contains(ids, "tt0063350") {
		t.Errorf("the analyst's list = %v, want tt0063350 on it", ids)
	}
	if ids, _ := f.accounts.Store.UserMovieIDs(ctx, admin.User.ID); slices.Contains(ids, "tt0063350") {
		t.Error("the analyst's new movie is on the admin's list")
	}

	// Removing takes the movie off the analyst's list; the admin still
	// tracks it, so it stays tracked. Its data is kept.
	response, _ = f.do(t, request{method: http.MethodPost, target: "/movies/" + webtest.MovieID + "/remove", cookie: analyst.Session, csrf: analyst.CSRF(), form: url.Values{}})
	if response.StatusCode != http.StatusSeeOther {
		t.Fatalf("remove: status %d", response.StatusCode)
	}
	if ids, _ := f.accounts.Store.UserMovieIDs(ctx, analyst.User.ID); slices.Contains(ids, webtest.MovieID) {
		t.Error("the removed movie is still on the analyst's list")
	}
	if movie, err := f.accounts.Store.GetMovie(ctx, webtest.MovieID); err != nil || !movie.Tracked {
		t.Errorf("movie after the analyst's removal = %+v, %v; want it still tracked for the admin", movie, err)
	}
	if response, _ := f.do(t, request{target: "/movies/" + webtest.MovieID, cookie: analyst.Session}); response.StatusCode != http.StatusNotFound {
		t.Errorf("the analyst reaches the removed movie: status %d, want 404", response.StatusCode)
	}
	response, _ = f.do(t, request{method: http.MethodPost, target: "/movies/" + webtest.MovieID + "/remove", cookie: admin.Session, csrf: admin.CSRF(), form: url.Values{}})
	if response.StatusCode != http.StatusSeeOther {
		t.Fatalf("admin remove: status %d", response.StatusCode)
	}
	if movie, err := f.accounts.Store.GetMovie(ctx, webtest.MovieID); err != nil || movie.Tracked {
		t.Errorf("movie after the last list dropped it = %+v, %v; want it stored and no longer tracked", movie, err)
	}
}
