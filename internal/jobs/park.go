package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/reelpulse/reelpulse/internal/store"
)

// isParked reports whether the movie is parked. The workers skip parked
// movies, whose jobs may have been queued before the movie was parked.
func isParked(ctx context.Context, st store.Store, movieID string) (bool, error) {
	movie, err := st.GetMovie(ctx, movieID)
	if err != nil {
		return false, err
	}
	return movie.ParkedAt != nil, nil
}

// park parks the movie with the reason and logs the outcome. It writes even
// when ctx is done, because a job that timed out is one to record.
func park(ctx context.Context, deps Deps, movieID, reason string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := deps.Store.ParkMovie(ctx, movieID, reason, deps.Now()); err != nil {
		deps.Logger.Error("Parking the movie failed", "movie_id", movieID, "error", err)
		return
	}
	deps.Logger.Warn("Movie parked: it is no longer checked until it is unparked", "movie_id", movieID, "reason", reason)
}

// failedPasses counts the movie's latest review passes that failed (failed,
// blocked or challenged), up to limit, back to the first pass that stored
// its result or to the last unpark. Passes cancelled at shutdown or by a
// user leave no run (see sync.Syncer), so they neither count nor end it.
func failedPasses(ctx context.Context, st store.Store, movieID string, limit int) (int, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	movie, err := st.GetMovie(ctx, movieID)
	if err != nil {
		return 0, err
	}
	runs, err := st.ListRuns(ctx, movieID, limit)
	if err != nil {
		return 0, err
	}

	count := 0
	for _, run := range runs {
		if movie.UnparkedAt != nil && run.StartedAt.Before(*movie.UnparkedAt) {
			break
		}
		if !failedRun(run) {
			break
		}
		count++
		if count >= limit {
			break
		}
	}
	return count, nil
}

// passCompletedSince reports whether the movie's newest run is a complete
// review pass that started after since.
func passCompletedSince(ctx context.Context, st store.Store, movieID string, since time.Time) (bool, error) {
	runs, err := st.ListRuns(ctx, movieID, 1)
	if err != nil {
		return false, fmt.Errorf("read the runs of movie %s: %w", movieID, err)
	}
	return len(runs) == 1 && runs[0].State == store.RunComplete && runs[0].StartedAt.After(since), nil
}

func failedRun(run store.SyncRun) bool {
	switch run.State {
	case store.RunFailed, store.RunBlocked, store.RunChallenged:
		return true
	}
	return false
}
