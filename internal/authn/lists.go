package authn

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/reelpulse/reelpulse/internal/store"
)

// CanSeeMovie reports whether the identity may read and act on the movie:
// an admin may see every movie, an analyst only those on their own list.
// Callers respond "not found" otherwise, so that an analyst cannot tell
// another user's movie from one that is not stored.
func (a *Authenticator) CanSeeMovie(ctx context.Context, id *Identity, movieID string) (bool, error) {
	if id == nil {
		return false, nil
	}
	if id.IsAdmin() {
		return true, nil
	}
	ids, err := a.accounts.UserMovieIDs(ctx, id.User.ID)
	if err != nil {
		return false, fmt.Errorf("read the list of user %q: %w", id.User.Name, err)
	}
	return slices.Contains(ids, movieID), nil
}

// ListTrackedMovies puts every tracked movie on the user's list and returns
// how many it listed. The first admin gets them, so that the movies tracked
// by the command line or the demo are on a list from the start.
func ListTrackedMovies(ctx context.Context, movies store.Store, accounts store.Accounts, userID int64, at time.Time) (int, error) {
	tracked, err := movies.ListMovies(ctx, true)
	if err != nil {
		return 0, fmt.Errorf("list the tracked movies: %w", err)
	}
	for _, m := range tracked {
		if _, err := accounts.TrackMovieForUser(ctx, userID, m.ID, at); err != nil {
			return 0, fmt.Errorf("add movie %s to the list of user %d: %w", m.ID, userID, err)
		}
	}
	return len(tracked), nil
}

// PlausibleMovieID reports whether id could be a stored movie's id: valid
// UTF-8 without NUL characters. Other ids name no movie, and PostgreSQL
// rejects them in a query.
func PlausibleMovieID(id string) bool {
	return utf8.ValidString(id) && !strings.ContainsRune(id, 0)
}

// MovieIDInPath returns the movie id in an escaped path (URL.EscapedPath)
// under one of the prefixes, such as "tt0013442" for
// "/api/v1/movies/tt0013442/reviews" and the prefix "/api/v1/movies/", as
// ServeMux's {id} wildcard reads it, and false for other paths.
func MovieIDInPath(escapedPath string, prefixes ...string) (string, bool) {
	for _, prefix := range prefixes {
		rest, ok := strings.CutPrefix(escapedPath, prefix)
		if !ok {
			continue
		}
		segment, _, _ := strings.Cut(rest, "/")
		id, err := url.PathUnescape(segment)
		if err == nil && id != "" {
			return id, true
		}
	}
	return "", false
}

// FilterMovies returns the movies that the identity's list pages show: for
// an admin who requests all of them, every movie; otherwise those on the
// user's own list, in their given order. Movies that the CLI or the demo
// tracked without a user are on no list, so only the "all" view of an
// admin shows them.
func (a *Authenticator) FilterMovies(ctx context.Context, id *Identity, all bool, movies []store.Movie) ([]store.Movie, error) {
	if id == nil {
		return nil, nil
	}
	if all && id.IsAdmin() {
		return movies, nil
	}
	ids, err := a.accounts.UserMovieIDs(ctx, id.User.ID)
	if err != nil {
		return nil, fmt.Errorf("read the list of user %q: %w", id.User.Name, err)
	}
	own := make(map[string]bool, len(ids))
	for _, movieID := range ids {
		own[movieID] = true
	}
	var kept []store.Movie
	for _, m := range movies {
		if own[m.ID] {
			kept = append(kept, m)
		}
	}
	return kept, nil
}

// AddToList adds the movie, which the tracker has just tracked, to the
// list of the request's user.
func (a *Authenticator) AddToList(ctx context.Context, movieID string, at time.Time) error {
	identity := FromContext(ctx)
	if _, err := a.accounts.TrackMovieForUser(ctx, identity.User.ID, movieID, at); err != nil {
		return fmt.Errorf("add movie %s to the list of %q: %w", movieID, identity.User.Name, err)
	}
	return nil
}

// RemoveFromList removes the movie from the list of the request's user.
// The movie stops being checked when no list contains it, and its data is
// kept. An admin who removes a movie that is on no list of theirs stops it
// for everyone through untrack, as `reelpulse track remove` does.
func (a *Authenticator) RemoveFromList(ctx context.Context, movieID string, untrack func(ctx context.Context, movieID string) error) error {
	identity := FromContext(ctx)
	err := a.accounts.UntrackMovieForUser(ctx, identity.User.ID, movieID)
	if errors.Is(err, store.ErrNotFound) && identity.IsAdmin() {
		return untrack(ctx, movieID)
	}
	if err != nil {
		return fmt.Errorf("remove movie %s from the list of %q: %w", movieID, identity.User.Name, err)
	}
	return nil
}
