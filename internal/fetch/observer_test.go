package fetch

import (
	"net/http"
	"net/http/httptest"
	neturl "net/url"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// recordingObserver keeps every observed attempt.
type recordingObserver struct {
	mu       sync.Mutex
	hosts    []string
	statuses []string
}

func (r *recordingObserver) ObserveRequest(host, status string, d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if d < 0 {
		status += " (negative duration)"
	}
	r.hosts = append(r.hosts, host)
	r.statuses = append(r.statuses, status)
}

func (r *recordingObserver) seen() (hosts, statuses []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.hosts), slices.Clone(r.statuses)
}

func TestObserverSeesEveryAttempt(t *testing.T) {
	tests := []struct {
		name       string
		statuses   []int // served in order, then 200
		hang       bool  // the server never replies
		closed     bool  // nothing listens on the port
		maxRetries int
		want       []string
	}{
		{name: "retried 503 then success", statuses: []int{503, 503}, maxRetries: 3, want: []string{"503", "503", "200"}},
		{name: "404 is not retried", statuses: []int{404}, maxRetries: 3, want: []string{"404"}},
		{name: "500 until retries run out", statuses: []int{500, 500, 500}, maxRetries: 2, want: []string{"500", "500", "500"}},
		{name: "timeout", hang: true, maxRetries: 1, want: []string{"timeout", "timeout"}},
		{name: "connection refused", closed: true, maxRetries: 1, want: []string{"error", "error"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := observedServer(t, tt.statuses, tt.hang)
			if tt.closed {
				srv.Close()
			}
			observer := &recordingObserver{}
			cfg := testConfig()
			cfg.MaxRetries = tt.maxRetries
			cfg.Timeout = 100 * time.Millisecond
			cfg.Observer = observer
			c, _ := newTestClient(t, cfg)

			_, _ = c.Get(t.Context(), srv.URL+"/x", nil)

			hosts, statuses := observer.seen()
			if !slices.Equal(statuses, tt.want) {
				t.Errorf("observed statuses %v, want %v", statuses, tt.want)
			}
			u, err := neturl.Parse(srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range hosts {
				if h != u.Host {
					t.Errorf("observed host %q, want %q", h, u.Host)
				}
			}
		})
	}
}

// observedServer serves statuses in order and then 200, or never replies
// when hang is set.
func observedServer(t *testing.T, statuses []int, hang bool) *httptest.Server {
	t.Helper()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hang {
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
			return
		}
		n := int(calls.Add(1)) - 1
		if n < len(statuses) {
			w.WriteHeader(statuses[n])
			return
		}
		_, _ = w.Write([]byte("ok"))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestNilObserver(t *testing.T) {
	var calls atomic.Int32
	srv := statusSequence(t, &calls, 503)
	c, _ := newTestClient(t, testConfig())

	if _, err := c.Get(t.Context(), srv.URL, nil); err != nil {
		t.Fatalf("Get without an observer: %v", err)
	}
}
