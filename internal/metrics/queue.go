package metrics

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// QueueCountTimeout bounds the count of queued jobs in one scrape.
const QueueCountTimeout = 3 * time.Second

// QueueCounter counts jobs by queue and state. Each key is {queue, state}.
// It must return by the time ctx ends.
type QueueCounter func(ctx context.Context) (map[[2]string]int, error)

// CountQueues makes every scrape report reelpulse_queue_jobs from count,
// called with a timeout of QueueCountTimeout. Until it is called, and in
// scrapes where count fails, the metric is left out.
func (m *Metrics) CountQueues(count QueueCounter) {
	if m == nil || count == nil {
		return
	}
	m.queues.count.Store(&count)
}

// queueCollector reports the queue depth at scrape time.
type queueCollector struct {
	desc   *prometheus.Desc
	count  atomic.Pointer[QueueCounter]
	errors prometheus.Counter
}

func newQueueCollector() *queueCollector {
	return &queueCollector{
		desc: prometheus.NewDesc(
			prometheus.BuildFQName(namespace, "", "queue_jobs"),
			"Jobs waiting or running, by queue and state (available, pending, retryable, running, scheduled), counted in the database at scrape time across all processes.",
			[]string{"queue", "state"}, nil,
		),
		errors: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: namespace, Name: "queue_count_errors_total",
			Help: "Scrapes in which counting the queued jobs failed or took longer than its timeout; reelpulse_queue_jobs is missing from those scrapes.",
		}),
	}
}

// Describe implements prometheus.Collector.
func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.desc
}

// Collect implements prometheus.Collector.
func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	count := c.count.Load()
	if count == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), QueueCountTimeout)
	defer cancel()

	counts, err := (*count)(ctx)
	if err != nil {
		c.errors.Inc()
		return
	}
	for key, n := range counts {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n), key[0], key[1])
	}
}
