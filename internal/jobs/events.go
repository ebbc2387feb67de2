package jobs

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/rivertype"
)

// clientView is the part of a Queue's River client that Subscribe, Ready
// and CountByQueueAndState use, captured without its transaction type.
type clientView struct {
	working   bool // the client runs workers, so it emits job events
	subscribe func(kinds ...river.EventKind) (<-chan *river.Event, func())
	stopped   func() <-chan struct{}
	executor  func() riverdriver.Executor
}

// clientViews maps each Queue to its client's view. It lives beside Queue
// instead of in it, so that this file adds Queue methods without changing
// the struct. newQueue fills it through attachClient.
var clientViews = struct {
	sync.Mutex
	byQueue map[*Queue]*clientView
}{byQueue: map[*Queue]*clientView{}}

// attachClient lets q's event, readiness and queue depth methods reach
// client. working is true when the client runs workers (mode Work).
func attachClient[TTx any](q *Queue, client *river.Client[TTx], working bool) {
	view := &clientView{
		working:   working,
		subscribe: client.Subscribe,
		stopped:   client.Stopped,
		executor:  client.Driver().GetExecutor,
	}
	clientViews.Lock()
	defer clientViews.Unlock()
	clientViews.byQueue[q] = view
}

func (q *Queue) view() *clientView {
	clientViews.Lock()
	defer clientViews.Unlock()
	return clientViews.byQueue[q]
}

// errNotAttached marks a Queue whose constructor did not call attachClient.
var errNotAttached = errors.New("the job queue does not expose its River client (newQueue must call attachClient)")

// Subscribe returns the events of the given kinds that this process emits
// as it works jobs, and a function that ends the subscription. River drops
// events that the subscriber does not read in time, so read the channel
// in a goroutine of its own. Only a queue in Work mode has events.
func (q *Queue) Subscribe(kinds ...river.EventKind) (<-chan *river.Event, func(), error) {
	view := q.view()
	switch {
	case view == nil:
		return nil, nil, fmt.Errorf("subscribe to job events: %w", errNotAttached)
	case !view.working:
		return nil, nil, errors.New("subscribe to job events: the job queue only inserts jobs, and only a queue in Work mode emits events")
	}
	events, cancel := view.subscribe(kinds...)
	return events, cancel, nil
}

// Ready reports whether the job queue can serve: a queue in Work mode must
// be started and not stopped, and every queue must be able to read River's
// job table.
func (q *Queue) Ready(ctx context.Context) error {
	if view := q.view(); view != nil && view.working {
		stopped := view.stopped()
		if stopped == nil {
			return errors.New("job workers are not started")
		}
		select {
		case <-stopped:
			return errors.New("job workers are stopped")
		default:
		}
	}
	if _, err := q.list(ctx, river.NewJobListParams().First(1)); err != nil {
		return fmt.Errorf("read the job table: %w", err)
	}
	return nil
}

// depthQueues are the queues that CountByQueueAndState counts: every queue
// that this package inserts into. A new queue must be added here.
var depthQueues = []string{QueueCheck, QueueSync, QueueAnalyze}

// depthStates are the states of jobs that wait or run. Finished jobs
// (completed, cancelled, discarded) stay in the table until River cleans
// them out and are not counted.
var depthStates = []rivertype.JobState{
	rivertype.JobStateAvailable,
	rivertype.JobStatePending,
	rivertype.JobStateRetryable,
	rivertype.JobStateRunning,
	rivertype.JobStateScheduled,
}

// depthQuery counts the jobs of every queue and state in one row, one
// column per pair, in SQL that SQLite and PostgreSQL both run. The state
// filter lets both use River's (state, queue, ...) index. The literals
// come from the constants above, never from input.
var depthQuery = func() string {
	var columns, states []string
	for _, queue := range depthQueues {
		for _, state := range depthStates {
			columns = append(columns, fmt.Sprintf("count(CASE WHEN queue = '%s' AND state = '%s' THEN 1 END)", queue, state))
		}
	}
	for _, state := range depthStates {
		states = append(states, "'"+string(state)+"'")
	}
	return "SELECT " + strings.Join(columns, ", ") + " FROM river_job WHERE state IN (" + strings.Join(states, ", ") + ")"
}()

// CountByQueueAndState counts the jobs that wait or run, by {queue, state},
// with every pair of the package's queues and the waiting and running
// states present, zero included. It runs one query, so bound it with ctx.
// Its signature is metrics.QueueCounter's.
func (q *Queue) CountByQueueAndState(ctx context.Context) (map[[2]string]int, error) {
	view := q.view()
	if view == nil {
		return nil, fmt.Errorf("count queued jobs: %w", errNotAttached)
	}
	counts := make([]int64, len(depthQueues)*len(depthStates))
	targets := make([]any, len(counts))
	for i := range counts {
		targets[i] = &counts[i]
	}
	if err := view.executor().QueryRow(ctx, depthQuery).Scan(targets...); err != nil {
		return nil, fmt.Errorf("count queued jobs: %w", err)
	}

	byPair := make(map[[2]string]int, len(counts))
	for i, queue := range depthQueues {
		for j, state := range depthStates {
			byPair[[2]string{queue, string(state)}] = int(counts[i*len(depthStates)+j])
		}
	}
	return byPair, nil
}
