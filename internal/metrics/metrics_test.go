package metrics

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/reelpulse/reelpulse/internal/fetch"
	"github.com/reelpulse/reelpulse/internal/store"
)

func TestNewKeepsItsOwnRegistry(t *testing.T) {
	first, second := New(), New()
	first.ReviewsFetched(3)

	if got := testutil.ToFloat64(second.reviewsFetched); got != 0 {
		t.Errorf("second Metrics counted %v fetched reviews, want 0", got)
	}
	families, err := prometheus.DefaultGatherer.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if strings.HasPrefix(f.GetName(), namespace+"_") {
			t.Errorf("%s is in the default registry", f.GetName())
		}
	}
}

func TestObserveJob(t *testing.T) {
	tests := []struct {
		name         string
		event        *river.Event
		wantOutcome  string // "" when the event is not counted
		wantFailures float64
	}{
		{name: "completed", event: jobEvent(river.EventKindJobCompleted, rivertype.JobStateCompleted), wantOutcome: JobCompleted},
		{name: "failed, retried later", event: jobEvent(river.EventKindJobFailed, rivertype.JobStateRetryable), wantOutcome: JobFailed, wantFailures: 1},
		{name: "failed for good", event: jobEvent(river.EventKindJobFailed, rivertype.JobStateDiscarded), wantOutcome: JobDiscarded, wantFailures: 1},
		{name: "cancelled", event: jobEvent(river.EventKindJobCancelled, rivertype.JobStateCancelled), wantOutcome: JobCancelled, wantFailures: 1},
		{name: "snoozed", event: jobEvent(river.EventKindJobSnoozed, rivertype.JobStateScheduled), wantOutcome: JobSnoozed},
		{name: "queue paused", event: &river.Event{Kind: river.EventKindQueuePaused}},
		{name: "nil event", event: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := New()

			m.observeJob(tt.event)

			wantJobs, wantDurations := 0, 0
			if tt.wantOutcome != "" {
				wantJobs, wantDurations = 1, 1
				if got := testutil.ToFloat64(m.jobs.WithLabelValues("sync_movie", tt.wantOutcome)); got != 1 {
					t.Errorf("jobs_total{outcome=%q} = %v, want 1", tt.wantOutcome, got)
				}
			}
			if got := testutil.CollectAndCount(m.jobs); got != wantJobs {
				t.Errorf("jobs_total has %d series, want %d", got, wantJobs)
			}
			if got := testutil.CollectAndCount(m.jobDuration); got != wantDurations {
				t.Errorf("job_duration_seconds has %d series, want %d", got, wantDurations)
			}
			if got := testutil.ToFloat64(m.jobFailures.WithLabelValues("sync_movie")); got != tt.wantFailures {
				t.Errorf("job_failures_total = %v, want %v", got, tt.wantFailures)
			}
		})
	}
}

func jobEvent(kind river.EventKind, state rivertype.JobState) *river.Event {
	return &river.Event{
		Kind:     kind,
		Job:      &rivertype.JobRow{Kind: "sync_movie", State: state},
		JobStats: &river.JobStatistics{RunDuration: 1500 * time.Millisecond},
	}
}

func TestWatchJobsReturns(t *testing.T) {
	tests := []struct {
		name string
		end  func(cancel context.CancelFunc, events chan *river.Event)
	}{
		{name: "channel closed", end: func(_ context.CancelFunc, events chan *river.Event) { close(events) }},
		{name: "context done", end: func(cancel context.CancelFunc, _ chan *river.Event) { cancel() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := New()
			events := make(chan *river.Event, 1)
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			done := make(chan struct{})
			go func() {
				m.WatchJobs(ctx, events)
				close(done)
			}()

			events <- jobEvent(river.EventKindJobCompleted, rivertype.JobStateCompleted)
			tt.end(cancel, events)

			select {
			case <-done:
			case <-time.After(5 * time.Second):
				t.Fatal("WatchJobs did not return")
			}
		})
	}
}

func TestReviewCounters(t *testing.T) {
	m := New()

	m.ReviewsFetched(25)
	m.ReviewsFetched(0)
	m.ReviewsStored(3, 1, 0)
	m.ReviewsStored(2, 0, 4)
	m.ReviewsAnalyzed("lexicon", 5, 0)
	m.ReviewsAnalyzed("openai", 7, 2)

	want := `
# HELP reelpulse_reviews_fetched_total Distinct reviews read from IMDb by review passes, stored or not.
# TYPE reelpulse_reviews_fetched_total counter
reelpulse_reviews_fetched_total 25
# HELP reelpulse_reviews_stored_total Review changes stored by review passes, by change (new, edited, deleted).
# TYPE reelpulse_reviews_stored_total counter
reelpulse_reviews_stored_total{change="deleted"} 4
reelpulse_reviews_stored_total{change="edited"} 1
reelpulse_reviews_stored_total{change="new"} 5
# HELP reelpulse_reviews_analyzed_total Reviews whose analysis was stored, by analyzer and outcome (ok: scores stored; failed: marked failed).
# TYPE reelpulse_reviews_analyzed_total counter
reelpulse_reviews_analyzed_total{analyzer="lexicon",outcome="failed"} 0
reelpulse_reviews_analyzed_total{analyzer="lexicon",outcome="ok"} 5
reelpulse_reviews_analyzed_total{analyzer="openai",outcome="failed"} 2
reelpulse_reviews_analyzed_total{analyzer="openai",outcome="ok"} 7
`
	names := []string{"reelpulse_reviews_fetched_total", "reelpulse_reviews_stored_total", "reelpulse_reviews_analyzed_total"}
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(want), names...); err != nil {
		t.Error(err)
	}
}

func TestFetchObserverCountsRetries(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if calls.Add(1) == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		_, _ = io.WriteString(w, "ok")
	}))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")

	m := New()
	cfg := fetch.DefaultConfig()
	cfg.AllowedPrivateHosts = []string{"127.0.0.1"}
	cfg.RequestsPerSecond, cfg.Burst = 1000, 10
	cfg.BaseBackoff, cfg.MaxBackoff = time.Millisecond, 10*time.Millisecond
	cfg.Observer = m
	if _, err := fetch.New(cfg, nil).Get(t.Context(), srv.URL, nil); err != nil {
		t.Fatalf("Get: %v", err)
	}

	tests := []struct {
		status string
		want   float64
	}{
		{"503", 1},
		{"200", 1},
		{"timeout", 0},
	}
	for _, tt := range tests {
		if got := testutil.ToFloat64(m.fetchRequests.WithLabelValues(host, tt.status)); got != tt.want {
			t.Errorf("fetch_requests_total{status=%q} = %v, want %v", tt.status, got, tt.want)
		}
	}
	if got := histogramCount(t, m.fetchDuration.WithLabelValues(host)); got != 2 {
		t.Errorf("fetch_duration_seconds count = %d, want 2", got)
	}
}

// histogramCount returns the number of observations of one histogram.
func histogramCount(t *testing.T, o prometheus.Observer) uint64 {
	t.Helper()
	metric, ok := o.(prometheus.Metric)
	if !ok {
		t.Fatalf("%T is not a metric", o)
	}
	var out dto.Metric
	if err := metric.Write(&out); err != nil {
		t.Fatal(err)
	}
	return out.GetHistogram().GetSampleCount()
}

func TestHandlerServesTheRegistry(t *testing.T) {
	m := New()
	m.ReviewsFetched(2)
	_ = m.Handler() // a second handler on the same registry must not panic
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()

	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}

	if resp.StatusCode != http.StatusOK {
		t.Errorf("status = %d, want 200", resp.StatusCode)
	}
	for _, want := range []string{
		"reelpulse_reviews_fetched_total 2",
		`reelpulse_reviews_stored_total{change="new"} 0`,
		"# HELP reelpulse_reviews_stored_total Review changes",
		"go_goroutines ",
		"promhttp_metric_handler_requests_total",
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("reply lacks %q", want)
		}
	}
}

func TestNilMetricsRecordsNothing(t *testing.T) {
	var m *Metrics

	m.ReviewsFetched(1)
	m.ReviewsStored(1, 1, 1)
	m.ReviewsAnalyzed("lexicon", 1, 1)
	m.ObserveRequest("www.imdb.com", "200", time.Second)
	m.observeJob(jobEvent(river.EventKindJobCompleted, rivertype.JobStateCompleted))
	m.CountQueues(func(context.Context) (map[[2]string]int, error) { return nil, nil })
	CountingUsage{}.Metrics.LLMCall(store.LLMCall{Model: "m"})
}
