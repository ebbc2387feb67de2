package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/reelpulse/reelpulse/internal/imdb"
	"github.com/reelpulse/reelpulse/internal/store"
)

// Tracker adds and removes movies for the dashboard, the API and the CLI.
type Tracker struct {
	store  store.Store
	queue  *Queue
	logger *slog.Logger
	now    func() time.Time
}

// NewTracker returns a Tracker. A nil queue only writes the store; the next
// scheduled check then picks the movie up.
func NewTracker(st store.Store, queue *Queue, logger *slog.Logger, now func() time.Time) *Tracker {
	if now == nil {
		now = time.Now
	}
	return &Tracker{store: st, queue: queue, logger: logger, now: now}
}

// Track follows the movie named by an IMDb id or title URL and queues its
// first check, which queues the first review pass. The dashboard and the
// API call it before they add the movie to the user's list, which then
// decides how long it stays tracked.
func (t *Tracker) Track(ctx context.Context, input string) (string, error) {
	return t.track(ctx, input, t.store.TrackMovie)
}

// TrackForDeployment is Track for the CLI, the demo and other callers
// without a user: it also pins the movie (store.Accounts.PinMovie), so that
// it stays tracked when users take it off their lists, until Untrack. The
// store must implement store.Accounts.
func (t *Tracker) TrackForDeployment(ctx context.Context, input string) (string, error) {
	accounts, ok := t.store.(store.Accounts)
	if !ok {
		return "", fmt.Errorf("store %T cannot pin movies: it does not implement store.Accounts", t.store)
	}
	return t.track(ctx, input, accounts.PinMovie)
}

func (t *Tracker) track(ctx context.Context, input string, write func(ctx context.Context, id string, at time.Time) (bool, error)) (string, error) {
	id, err := imdb.ParseID(input)
	if err != nil {
		return "", err
	}
	created, err := write(ctx, id, t.now())
	if err != nil {
		return "", fmt.Errorf("track %s: %w", id, err)
	}
	t.logger.Info("Movie tracked", "movie_id", id, "new", created)

	if t.queue != nil {
		if err := t.queue.QueueCheck(ctx, id); err != nil {
			return id, fmt.Errorf("movie %s is tracked but its first check could not be queued (it runs at the next scheduled check): %w", id, err)
		}
	}
	return id, nil
}

// Untrack stops following a movie for everyone, unpins it and keeps its
// data.
func (t *Tracker) Untrack(ctx context.Context, movieID string) error {
	if err := t.store.UntrackMovie(ctx, movieID); err != nil {
		return fmt.Errorf("untrack %s: %w", movieID, err)
	}
	t.logger.Info("Movie untracked", "movie_id", movieID)
	return nil
}

// Unpark puts a parked movie back on the schedule and queues its check,
// which queues a review pass when one is due. Unparking a movie that is not
// parked restarts its count of failed passes.
func (t *Tracker) Unpark(ctx context.Context, movieID string) error {
	if err := t.store.UnparkMovie(ctx, movieID, t.now()); err != nil {
		return fmt.Errorf("unpark %s: %w", movieID, err)
	}
	t.logger.Info("Movie unparked", "movie_id", movieID)
	if t.queue != nil {
		if err := t.queue.QueueCheck(ctx, movieID); err != nil {
			return fmt.Errorf("movie %s is unparked but its check could not be queued (it runs at the next scheduled check): %w", movieID, err)
		}
	}
	return nil
}
