package webtest

import (
	"context"
	"sync"
	"time"

	"github.com/reelpulse/reelpulse/internal/imdb"
	"github.com/reelpulse/reelpulse/internal/store"
)

// Tracker is a web.Tracker that validates input like the job layer, writes
// the store without queueing anything, and records its calls.
type Tracker struct {
	Store store.Store
	// TrackError, when set, is returned by Track for input that parses, to
	// simulate a store or queue failure.
	TrackError error

	mu        sync.Mutex
	tracked   []string
	untracked []string
	unparked  []string
}

// Track parses input with imdb.ParseID and tracks the movie in the store.
func (t *Tracker) Track(ctx context.Context, input string) (string, error) {
	id, err := imdb.ParseID(input)
	if err != nil {
		return "", err
	}
	if t.TrackError != nil {
		return "", t.TrackError
	}
	if _, err := t.Store.TrackMovie(ctx, id, time.Now()); err != nil {
		return "", err
	}

	t.mu.Lock()
	defer t.mu.Unlock()
	t.tracked = append(t.tracked, id)
	return id, nil
}

// Untrack untracks the movie in the store.
func (t *Tracker) Untrack(ctx context.Context, movieID string) error {
	if err := t.Store.UntrackMovie(ctx, movieID); err != nil {
		return err
	}

	t.mu.Lock()
	defer t.mu.Unlock()
	t.untracked = append(t.untracked, movieID)
	return nil
}

// Unpark unparks the movie in the store.
func (t *Tracker) Unpark(ctx context.Context, movieID string) error {
	if err := t.Store.UnparkMovie(ctx, movieID, time.Now()); err != nil {
		return err
	}

	t.mu.Lock()
	defer t.mu.Unlock()
	t.unparked = append(t.unparked, movieID)
	return nil
}

// Unparked returns the ids that Unpark accepted, in call order.
func (t *Tracker) Unparked() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]string(nil), t.unparked...)
}

// Tracked returns the ids that Track accepted, in call order.
func (t *Tracker) Tracked() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]string(nil), t.tracked...)
}

// Untracked returns the ids that Untrack accepted, in call order.
func (t *Tracker) Untracked() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]string(nil), t.untracked...)
}
