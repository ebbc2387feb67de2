package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/reelpulse/reelpulse/internal/imdb"
	"github.com/reelpulse/reelpulse/internal/store"
)

// InputError is an input that the Tracker rejected because it names no IMDb
// title. Its message comes from the Tracker and is fit to show to the user.
type InputError struct {
	Err error
}

func (e *InputError) Error() string { return e.Err.Error() }

func (e *InputError) Unwrap() error { return e.Err }

// TrackResult is the outcome of TrackInput.
type TrackResult struct {
	MovieID string
	// Created is false when the movie was already tracked before the call.
	Created bool
}

// TrackInput tracks the movie named by input through tracker and separates an
// invalid input (an *InputError) from a failure of the store or queue. The
// Tracker does not make that distinction, so TrackInput also parses the input
// with imdb.ParseID. A Track error for an input that parses is a server
// failure.
//
// When Track returns a movie id together with an error, the movie is tracked
// and only its first check could not be queued, so TrackInput logs the error
// and reports success.
func TrackInput(ctx context.Context, st store.Store, tracker Tracker, logger *slog.Logger, input string) (TrackResult, error) {
	parsedID, parseErr := imdb.ParseID(input)
	wasTracked := false
	if parseErr == nil {
		movie, err := st.GetMovie(ctx, parsedID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return TrackResult{}, fmt.Errorf("look up movie %s before tracking it: %w", parsedID, err)
		}
		wasTracked = err == nil && movie.Tracked
	}

	movieID, err := tracker.Track(ctx, input)
	if err != nil && movieID != "" {
		logger.Warn("Movie tracked but its first check was not queued", "movie_id", movieID, "error", err)
		err = nil
	}
	if err != nil {
		if parseErr != nil {
			return TrackResult{}, &InputError{Err: err}
		}
		return TrackResult{}, fmt.Errorf("track movie %s: %w", parsedID, err)
	}
	return TrackResult{MovieID: movieID, Created: !wasTracked}, nil
}
