package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/reelpulse/reelpulse/internal/authn"
	"github.com/reelpulse/reelpulse/internal/store"
)

// wantsAllMovies reports whether an admin asked the movie list or the
// compare picker for every tracked movie (all=1) rather than their own
// list. Analysts always see their own list.
func wantsAllMovies(r *http.Request) bool {
	return r.URL.Query().Get("all") == "1" && authn.FromContext(r.Context()).IsAdmin()
}

// listedMovies returns the tracked movies that the request's user sees on
// the list pages: their own list, or every tracked movie for an admin with
// all=1.
func (s *server) listedMovies(ctx context.Context, all bool) ([]store.Movie, error) {
	movies, err := s.store.ListMovies(ctx, true)
	if err != nil {
		return nil, fmt.Errorf("list tracked movies: %w", err)
	}
	return s.auth.FilterMovies(ctx, authn.FromContext(ctx), all, movies)
}

// trackForUser adds a movie that the Tracker has just tracked to the
// request's user's list.
func (s *server) trackForUser(ctx context.Context, movieID string) error {
	identity := authn.FromContext(ctx)
	if _, err := s.accounts.TrackMovieForUser(ctx, identity.User.ID, movieID, s.now()); err != nil {
		return fmt.Errorf("add movie %s to the list of %q: %w", movieID, identity.User.Name, err)
	}
	return nil
}

// untrackForUser removes the movie from the request's user's list; the
// movie stops being checked when no list holds it, and its data is kept.
// An admin removing a movie that is on no list of theirs stops it for
// everyone, as `reelpulse track remove` does.
func (s *server) untrackForUser(ctx context.Context, movieID string) error {
	identity := authn.FromContext(ctx)
	err := s.accounts.UntrackMovieForUser(ctx, identity.User.ID, movieID)
	if errors.Is(err, store.ErrNotFound) && identity.IsAdmin() {
		return s.tracker.Untrack(ctx, movieID)
	}
	if err != nil {
		return fmt.Errorf("remove movie %s from the list of %q: %w", movieID, identity.User.Name, err)
	}
	return nil
}

// unlistedCount returns how many tracked movies an admin's own list leaves
// out, for the link to all movies; 0 for analysts and for the "all" view.
func (s *server) unlistedCount(ctx context.Context, all bool, listed int) int {
	if all || !authn.FromContext(ctx).IsAdmin() {
		return 0
	}
	movies, err := s.store.ListMovies(ctx, true)
	if err != nil {
		s.logger.Warn("Counting tracked movies failed", "error", err)
		return 0
	}
	return max(0, len(movies)-listed)
}
