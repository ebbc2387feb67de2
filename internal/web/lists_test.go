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

// TestRemoveConfirmationWording checks that the remove confirmation
// describes what submitting it does: the movie leaves the user's own list, or, for
// an admin's movie on no list of theirs, it stops for everyone and leaves
// the other users' lists.
func TestRemoveConfirmationWording(t *testing.T) {
	f := newAuthFixture(t, authn.Config{})
	ctx := context.Background()
	analyst, admin := f.accounts.Analyst, f.accounts.Admin
	for _, entry := range []struct {
		user  webtest.Member
		movie string
	}{{analyst, webtest.MovieID}, {admin, webtest.FailingMovieID}} {
		if _, err := f.accounts.Store.TrackMovieForUser(ctx, entry.user.User.ID, entry.movie, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name   string
		user   webtest.Member
		movie  string
		pinned bool // tracked for the deployment
		want   string
		button string
	}{
		{"analyst, own list", analyst, webtest.MovieID, false, "The movie leaves your list.", "Remove from your list<"},
		{"admin, own list", admin, webtest.FailingMovieID, false, "The movie leaves your list.", "Remove from your list<"},
		{"admin, another user's list", admin, webtest.MovieID, false,
			"stops reelpulse checking it for new reviews for everyone, and removes it from the list of the 1 user who holds it.", "Stop tracking for everyone<"},
		{"admin, no list", admin, webtest.PendingMovieID, false,
			"The movie is on no user's list. Stopping it here stops reelpulse checking it for new reviews.", "Stop tracking for everyone<"},
		{"analyst, tracked for the deployment", analyst, webtest.MovieID, true,
			"reelpulse keeps checking it for new reviews, because it is tracked for the whole deployment (with <code>reelpulse track add</code>). An admin can stop it for everyone.", "Remove from your list<"},
		{"admin, own list, tracked for the deployment", admin, webtest.FailingMovieID, true,
			"To stop it for everyone, remove it here, then open it from “Show all tracked movies”", "Remove from your list<"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := f.store.GetMovie(ctx, c.movie)
			if err != nil {
				t.Fatal(err)
			}
			m.Pinned = c.pinned
			f.store.PutMovie(m)
			response, body := f.do(t, request{target: "/movies/" + c.movie + "/remove", cookie: c.user.Session})
			if response.StatusCode != http.StatusOK {
				t.Fatalf("status %d, want 200", response.StatusCode)
			}
			if !strings.Contains(body, c.want) || !strings.Contains(body, c.button) {
				t.Errorf("confirmation lacks %q or the button %q:\n%s", c.want, c.button, body)
			}
		})
	}

	// The admin's removal untracks the movie for everyone, through the
	// tracker; the store then drops it from every list.
	response, _ := f.do(t, request{method: http.MethodPost, target: "/movies/" + webtest.MovieID + "/remove", cookie: admin.Session, csrf: admin.CSRF(), form: url.Values{}})
	if response.StatusCode != http.StatusSeeOther {
		t.Fatalf("admin remove: status %d", response.StatusCode)
	}
	if got := f.tracker.Untracked(); !slices.Equal(got, []string{webtest.MovieID}) {
		t.Errorf("untracked %v, want [%s] for everyone", got, webtest.MovieID)
	}
}

// TestEmptyListWording checks the singular and the plural of the link that
// an admin with an empty list gets to the tracked movies.
func TestEmptyListWording(t *testing.T) {
	f := newAuthFixture(t, authn.Config{})
	ctx := context.Background()
	admin := f.accounts.Admin
	cases := []struct {
		untrack string
		want    string
	}{
		{"", `<a href="/?all=1">Show the 3 tracked movies</a> that are on no list of yours, or add one above.`},
		{webtest.FailingMovieID, `<a href="/?all=1">Show the 2 tracked movies</a> that are on no list of yours, or add one above.`},
		{webtest.PendingMovieID, `<a href="/?all=1">Show the tracked movie</a> that is on no list of yours, or add one above.`},
	}
	for _, c := range cases {
		if c.untrack != "" {
			if err := f.store.UntrackMovie(ctx, c.untrack); err != nil {
				t.Fatal(err)
			}
		}
		_, page := f.do(t, request{target: "/", cookie: admin.Session})
		if !strings.Contains(page, c.want) {
			t.Errorf("after untracking %q, the empty list lacks %q", c.untrack, c.want)
		}
	}
}

// TestAddToListFromMoviePage opens a movie that is on no list of the admin
// viewing it. The page offers to add it to the admin's list, and the form
// does, while a movie already on the list offers nothing.
func TestAddToListFromMoviePage(t *testing.T) {
	f := newAuthFixture(t, authn.Config{})
	ctx := context.Background()
	admin := f.accounts.Admin
	if _, err := f.accounts.Store.TrackMovieForUser(ctx, f.accounts.Analyst.User.ID, webtest.MovieID, time.Now()); err != nil {
		t.Fatal(err)
	}

	_, body := f.do(t, request{target: "/movies/" + webtest.MovieID, cookie: admin.Session})
	if !strings.Contains(body, `data-testid="add-to-list"`) {
		t.Fatalf("the admin's page of a movie on no list of theirs offers no Add to your list")
	}
	form := url.Values{"movie": {webtest.MovieID}}
	if response, _ := f.do(t, request{method: http.MethodPost, target: "/movies", cookie: admin.Session, csrf: admin.CSRF(), form: form}); response.StatusCode != http.StatusSeeOther {
		t.Fatalf("add to the list: status %d, want 303", response.StatusCode)
	}
	ids, err := f.accounts.Store.UserMovieIDs(ctx, admin.User.ID)
	if err != nil || !slices.Contains(ids, webtest.MovieID) {
		t.Errorf("the admin's list = %v, %v; want it to hold %s", ids, err, webtest.MovieID)
	}
	if _, body := f.do(t, request{target: "/movies/" + webtest.MovieID, cookie: admin.Session}); strings.Contains(body, `data-testid="add-to-list"`) {
		t.Error("the page of a movie on the admin's list still offers Add to your list")
	}
}
