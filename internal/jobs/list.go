package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// ErrJobNotFound is returned (wrapped) by Retry and Cancel for an unknown
// job id.
var ErrJobNotFound = errors.New("job not found")

// DefaultListLimit and MaxListLimit bound JobFilter.Limit.
const (
	DefaultListLimit = 50
	MaxListLimit     = 1000
)

// States lists the job states that JobFilter.State accepts, in the order a
// job usually moves through them.
func States() []string {
	return []string{
		string(rivertype.JobStateScheduled),
		string(rivertype.JobStatePending),
		string(rivertype.JobStateAvailable),
		string(rivertype.JobStateRunning),
		string(rivertype.JobStateRetryable),
		string(rivertype.JobStateCompleted),
		string(rivertype.JobStateCancelled),
		string(rivertype.JobStateDiscarded),
	}
}

// StateFailed is a filter that selects the jobs whose latest attempt
// failed: retryable ones, which River runs again after a back-off, and
// discarded ones, which ran out of attempts.
const StateFailed = "failed"

// FilterStates lists the values of JobFilter.State: StateFailed and the
// River job states.
func FilterStates() []string {
	return append([]string{StateFailed}, States()...)
}

// Kinds lists the job kinds that reelpulse queues.
func Kinds() []string {
	return []string{
		ScheduleChecksArgs{}.Kind(),
		CheckMovieArgs{}.Kind(),
		SyncMovieArgs{}.Kind(),
		AnalyzeMovieArgs{}.Kind(),
		BackupArgs{}.Kind(),
	}
}

// JobFilter selects jobs for List. Zero fields do not filter.
type JobFilter struct {
	State string // one of FilterStates()
	Kind  string // one of Kinds()
	Limit int    // DefaultListLimit when 0; at most MaxListLimit
}

// Validate checks the filter's values and names the accepted ones.
func (f JobFilter) Validate() error {
	if f.State != "" && !slices.Contains(FilterStates(), f.State) {
		return fmt.Errorf("unknown job state %q; expected one of %s", f.State, strings.Join(FilterStates(), ", "))
	}
	if f.Kind != "" && !slices.Contains(Kinds(), f.Kind) {
		return fmt.Errorf("unknown job kind %q; expected one of %s", f.Kind, strings.Join(Kinds(), ", "))
	}
	if f.Limit < 0 || f.Limit > MaxListLimit {
		return fmt.Errorf("job limit %d out of range; expected 1 to %d", f.Limit, MaxListLimit)
	}
	return nil
}

// JobInfo is a job as the job list shows it.
type JobInfo struct {
	ID          int64         `json:"id"`
	Kind        string        `json:"kind"`
	Queue       string        `json:"queue"`
	MovieID     string        `json:"movie_id,omitempty"`
	State       string        `json:"state"`
	Attempt     int           `json:"attempt"`
	MaxAttempts int           `json:"max_attempts"`
	LastError   string        `json:"last_error,omitempty"`
	CreatedAt   time.Time     `json:"created_at"`
	ScheduledAt time.Time     `json:"scheduled_at"`
	AttemptedAt *time.Time    `json:"attempted_at,omitempty"`
	FinalizedAt *time.Time    `json:"finished_at,omitempty"`
	Duration    time.Duration `json:"duration_ns"` // of the latest attempt, so far when running; 0 when none
}

// CanRetry reports whether Retry applies: the job is not running or
// waiting to run.
func (j JobInfo) CanRetry() bool {
	switch rivertype.JobState(j.State) {
	case rivertype.JobStateRetryable, rivertype.JobStateDiscarded, rivertype.JobStateCancelled:
		return true
	}
	return false
}

// CanCancel reports whether Cancel applies: the job is not finished.
func (j JobInfo) CanCancel() bool {
	switch rivertype.JobState(j.State) {
	case rivertype.JobStateRunning, rivertype.JobStateRetryable, rivertype.JobStateScheduled,
		rivertype.JobStateAvailable, rivertype.JobStatePending:
		return true
	}
	return false
}

// List returns the jobs that f selects, newest first. It works on every
// client, insert-only ones included.
func (q *Queue) List(ctx context.Context, f JobFilter) ([]JobInfo, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	limit := f.Limit
	if limit == 0 {
		limit = DefaultListLimit
	}
	params := river.NewJobListParams().First(limit).OrderBy(river.JobListOrderByID, river.SortOrderDesc)
	switch f.State {
	case StateFailed:
		params = params.States(rivertype.JobStateRetryable, rivertype.JobStateDiscarded)
	case "":
		params = params.States(allStates()...)
	default:
		params = params.States(rivertype.JobState(f.State))
	}
	if f.Kind != "" {
		params = params.Kinds(f.Kind)
	}
	result, err := q.list(ctx, params)
	if err != nil {
		return nil, fmt.Errorf("list jobs: %w", err)
	}

	now := q.now()
	infos := make([]JobInfo, 0, len(result.Jobs))
	for _, row := range result.Jobs {
		infos = append(infos, jobInfo(row, now))
	}
	return infos, nil
}

func allStates() []rivertype.JobState {
	var states []rivertype.JobState
	for _, s := range States() {
		states = append(states, rivertype.JobState(s))
	}
	return states
}

func jobInfo(row *rivertype.JobRow, now time.Time) JobInfo {
	info := JobInfo{
		ID:          row.ID,
		Kind:        row.Kind,
		Queue:       row.Queue,
		State:       string(row.State),
		Attempt:     row.Attempt,
		MaxAttempts: row.MaxAttempts,
		CreatedAt:   row.CreatedAt.UTC(),
		ScheduledAt: row.ScheduledAt.UTC(),
	}
	var args struct {
		MovieID string `json:"movie_id"`
	}
	if json.Unmarshal(row.EncodedArgs, &args) == nil {
		info.MovieID = args.MovieID
	}
	if n := len(row.Errors); n > 0 {
		info.LastError = row.Errors[n-1].Error
	}
	if row.AttemptedAt != nil {
		at := row.AttemptedAt.UTC()
		info.AttemptedAt = &at
		switch {
		case row.FinalizedAt != nil:
			info.Duration = row.FinalizedAt.Sub(at)
		case row.State == rivertype.JobStateRunning:
			info.Duration = now.Sub(at)
		}
	}
	if row.FinalizedAt != nil {
		at := row.FinalizedAt.UTC()
		info.FinalizedAt = &at
	}
	info.Duration = max(info.Duration, 0)
	return info
}

// Retry makes a failed, cancelled or discarded job available to run again
// at once. River leaves running jobs alone.
func (q *Queue) Retry(ctx context.Context, id int64) (JobInfo, error) {
	row, err := q.retry(ctx, id)
	if errors.Is(err, rivertype.ErrNotFound) {
		return JobInfo{}, fmt.Errorf("retry job %d: %w", id, ErrJobNotFound)
	}
	if err != nil {
		return JobInfo{}, fmt.Errorf("retry job %d: %w", id, err)
	}
	q.logger.Info("Job retried", "job_id", id, "kind", row.Kind)
	return jobInfo(row, q.now()), nil
}

// Cancel cancels a job that has not finished. A running job has its context
// cancelled by the process that works it; a finished job is left as it is.
func (q *Queue) Cancel(ctx context.Context, id int64) (JobInfo, error) {
	row, err := q.cancelJob(ctx, id)
	if errors.Is(err, rivertype.ErrNotFound) {
		return JobInfo{}, fmt.Errorf("cancel job %d: %w", id, ErrJobNotFound)
	}
	if err != nil {
		return JobInfo{}, fmt.Errorf("cancel job %d: %w", id, err)
	}
	q.logger.Info("Job cancelled", "job_id", id, "kind", row.Kind)
	return jobInfo(row, q.now()), nil
}
