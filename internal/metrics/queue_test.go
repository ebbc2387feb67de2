package metrics

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestQueueCollector(t *testing.T) {
	tests := []struct {
		name       string
		count      QueueCounter // nil leaves CountQueues uncalled
		want       string       // expected reelpulse_queue_jobs in text format
		wantErrors float64
	}{
		{name: "no counter", want: ""},
		{
			name: "counts",
			count: func(context.Context) (map[[2]string]int, error) {
				return map[[2]string]int{{"sync", "available"}: 3, {"sync", "running"}: 1, {"check", "scheduled"}: 0}, nil
			},
			want: `
# HELP reelpulse_queue_jobs Jobs waiting or running, by queue and state (available, pending, retryable, running, scheduled), counted in the database at scrape time across all processes.
# TYPE reelpulse_queue_jobs gauge
reelpulse_queue_jobs{queue="check",state="scheduled"} 0
reelpulse_queue_jobs{queue="sync",state="available"} 3
reelpulse_queue_jobs{queue="sync",state="running"} 1
`,
		},
		{
			name: "count fails",
			count: func(context.Context) (map[[2]string]int, error) {
				return nil, errors.New("database is locked")
			},
			want:       "",
			wantErrors: 1,
		},
		{
			name: "count has a deadline",
			count: func(ctx context.Context) (map[[2]string]int, error) {
				if _, ok := ctx.Deadline(); !ok {
					return nil, errors.New("no deadline")
				}
				return map[[2]string]int{{"analyze", "pending"}: 2}, nil
			},
			want: `
# HELP reelpulse_queue_jobs Jobs waiting or running, by queue and state (available, pending, retryable, running, scheduled), counted in the database at scrape time across all processes.
# TYPE reelpulse_queue_jobs gauge
reelpulse_queue_jobs{queue="analyze",state="pending"} 2
`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := New()
			if tt.count != nil {
				m.CountQueues(tt.count)
			}

			if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(tt.want), "reelpulse_queue_jobs"); err != nil {
				t.Error(err)
			}
			if got := testutil.ToFloat64(m.queues.errors); got != tt.wantErrors {
				t.Errorf("queue_count_errors_total = %v, want %v", got, tt.wantErrors)
			}
		})
	}
}
