// Package metrics exposes reelpulse's Prometheus metrics and its readiness
// check. Metrics keeps its own registry, never the global default one, so
// tests and several instances in one process do not share counters.
//
// Every recording method is safe for concurrent use and does nothing on a
// nil *Metrics, so callers can hold one unconditionally.
package metrics

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// namespace prefixes every reelpulse metric name.
const namespace = "reelpulse"

// Review changes counted by reelpulse_reviews_stored_total.
const (
	ChangeNew     = "new"
	ChangeEdited  = "edited"
	ChangeDeleted = "deleted"
)

// Analysis outcomes counted by reelpulse_reviews_analyzed_total.
const (
	OutcomeOK     = "ok"
	OutcomeFailed = "failed"
)

// Metrics holds reelpulse's collectors and the registry that serves them.
type Metrics struct {
	registry *prometheus.Registry

	jobs        *prometheus.CounterVec
	jobDuration *prometheus.HistogramVec
	jobFailures *prometheus.CounterVec
	queues      *queueCollector

	reviewsFetched  prometheus.Counter
	reviewsStored   *prometheus.CounterVec
	reviewsAnalyzed *prometheus.CounterVec

	fetchRequests *prometheus.CounterVec
	fetchDuration *prometheus.HistogramVec

	llmTokens   *prometheus.CounterVec
	llmCost     *prometheus.CounterVec
	llmRequests *prometheus.CounterVec
}

// New returns Metrics on a new registry that also carries the Go runtime
// and process collectors.
func New() *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),

		jobs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "jobs_total",
			Help: "Job attempts that this process finished, by job kind and outcome (completed, failed, cancelled, snoozed, discarded).",
		}, []string{"kind", "outcome"}),
		jobDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Name: "job_duration_seconds",
			Help:    "Time in seconds that a job attempt ran in its worker, by job kind, whatever its outcome.",
			Buckets: []float64{0.1, 0.5, 1, 5, 15, 30, 60, 300, 900, 1800, 3600},
		}, []string{"kind"}),
		jobFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "job_failures_total",
			Help: "Job attempts that ended in an error, by job kind: failed (retried later), discarded (out of attempts) and cancelled (an error that a retry cannot fix).",
		}, []string{"kind"}),
		queues: newQueueCollector(),

		reviewsFetched: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: namespace, Name: "reviews_fetched_total",
			Help: "Distinct reviews read from IMDb by review passes, stored or not.",
		}),
		reviewsStored: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "reviews_stored_total",
			Help: "Review changes stored by review passes, by change (new, edited, deleted).",
		}, []string{"change"}),
		reviewsAnalyzed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "reviews_analyzed_total",
			Help: "Reviews whose analysis was stored, by analyzer and outcome (ok: scores stored; failed: marked failed).",
		}, []string{"analyzer", "outcome"}),

		fetchRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "fetch_requests_total",
			Help: "Outbound HTTP request attempts, retries included, by host and status (HTTP status code, timeout or error).",
		}, []string{"host", "status"}),
		fetchDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Name: "fetch_duration_seconds",
			Help:    "Time in seconds of one outbound HTTP request attempt, from sending it to reading the whole body, by host.",
			Buckets: []float64{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60},
		}, []string{"host"}),

		llmTokens: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "llm_tokens_total",
			Help: "Language model tokens billed, by model and direction (input: prompt; output: completion).",
		}, []string{"model", "direction"}),
		llmCost: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "llm_cost_usd_total",
			Help: "Cost in US dollars of language model requests, by model, at the configured prices.",
		}, []string{"model"}),
		llmRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "llm_requests_total",
			Help: "Language model replies received, by model and outcome (ok, invalid, unreadable, cut_off, refused, content_filter, no_choices, other).",
		}, []string{"model", "outcome"}),
	}

	for _, change := range []string{ChangeNew, ChangeEdited, ChangeDeleted} {
		m.reviewsStored.WithLabelValues(change)
	}
	m.registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.jobs, m.jobDuration, m.jobFailures, m.queues, m.queues.errors,
		m.reviewsFetched, m.reviewsStored, m.reviewsAnalyzed,
		m.fetchRequests, m.fetchDuration,
		m.llmTokens, m.llmCost, m.llmRequests,
	)
	return m
}

// Registry returns the registry that Handler serves, for tests and for
// collectors that other packages add.
func (m *Metrics) Registry() *prometheus.Registry {
	return m.registry
}

// Handler serves the registry in the Prometheus text or protobuf format. A
// collector that fails leaves its metrics out of the reply, and the others
// are still served.
func (m *Metrics) Handler() http.Handler {
	return promhttp.InstrumentMetricHandler(m.registry, promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{
		ErrorHandling: promhttp.ContinueOnError,
		Registry:      m.registry,
		Timeout:       10 * time.Second,
	}))
}

// ReviewsFetched counts n reviews read from IMDb by a review pass.
func (m *Metrics) ReviewsFetched(n int) {
	if m == nil || n <= 0 {
		return
	}
	m.reviewsFetched.Add(float64(n))
}

// ReviewsStored counts the changes that a review pass stored.
func (m *Metrics) ReviewsStored(added, edited, deleted int) {
	if m == nil {
		return
	}
	addPositive(m.reviewsStored.WithLabelValues(ChangeNew), added)
	addPositive(m.reviewsStored.WithLabelValues(ChangeEdited), edited)
	addPositive(m.reviewsStored.WithLabelValues(ChangeDeleted), deleted)
}

// ReviewsAnalyzed counts the reviews of one analysis run: ok is the number
// with stored scores, failed the number marked failed.
func (m *Metrics) ReviewsAnalyzed(analyzer string, ok, failed int) {
	if m == nil {
		return
	}
	addPositive(m.reviewsAnalyzed.WithLabelValues(analyzer, OutcomeOK), ok)
	addPositive(m.reviewsAnalyzed.WithLabelValues(analyzer, OutcomeFailed), failed)
}

// ObserveRequest counts one outbound request attempt. It implements
// fetch.Observer.
func (m *Metrics) ObserveRequest(host, status string, d time.Duration) {
	if m == nil {
		return
	}
	m.fetchRequests.WithLabelValues(host, status).Inc()
	m.fetchDuration.WithLabelValues(host).Observe(d.Seconds())
}

// addPositive adds n to c when n is positive, because a counter must not
// go down.
func addPositive(c prometheus.Counter, n int) {
	if n > 0 {
		c.Add(float64(n))
	}
}
