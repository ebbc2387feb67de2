package metrics

import (
	"context"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// Job outcomes counted by reelpulse_jobs_total.
const (
	JobCompleted = "completed"
	JobFailed    = "failed"
	JobCancelled = "cancelled"
	JobSnoozed   = "snoozed"
	JobDiscarded = "discarded"
)

// JobEventKinds are the River event kinds that WatchJobs counts. Pass them
// to the subscription.
var JobEventKinds = []river.EventKind{
	river.EventKindJobCompleted,
	river.EventKindJobFailed,
	river.EventKindJobCancelled,
	river.EventKindJobSnoozed,
}

// WatchJobs counts the job events of a River subscription until ctx is done
// or events is closed, which River v0.51.2 does when the client stops or
// the subscription is cancelled. River drops events that a full
// subscription buffer cannot take, so run it in its own goroutine as soon
// as the subscription exists.
func (m *Metrics) WatchJobs(ctx context.Context, events <-chan *river.Event) {
	for {
		select {
		case <-ctx.Done():
			return
		case event, ok := <-events:
			if !ok {
				return
			}
			m.observeJob(event)
		}
	}
}

// observeJob counts one job event and ignores events of other kinds.
func (m *Metrics) observeJob(event *river.Event) {
	if m == nil || event == nil || event.Job == nil {
		return
	}
	outcome := jobOutcome(event)
	if outcome == "" {
		return
	}

	kind := event.Job.Kind
	m.jobs.WithLabelValues(kind, outcome).Inc()
	if event.JobStats != nil {
		m.jobDuration.WithLabelValues(kind).Observe(event.JobStats.RunDuration.Seconds())
	}
	switch outcome {
	case JobFailed, JobDiscarded, JobCancelled:
		m.jobFailures.WithLabelValues(kind).Inc()
	}
}

// jobOutcome is the outcome label of an event, or "" for an event that
// WatchJobs does not count. A failed attempt whose job has no attempt left
// is discarded.
func jobOutcome(event *river.Event) string {
	switch event.Kind {
	case river.EventKindJobCompleted:
		return JobCompleted
	case river.EventKindJobCancelled:
		return JobCancelled
	case river.EventKindJobSnoozed:
		return JobSnoozed
	case river.EventKindJobFailed:
		if event.Job.State == rivertype.JobStateDiscarded {
			return JobDiscarded
		}
		return JobFailed
	}
	return ""
}
