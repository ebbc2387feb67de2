package fetch

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// waitFor polls condition until it holds or five seconds pass.
func waitFor(t *testing.T, what string, condition func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if condition() {
			return
		}
	}
	t.Fatalf("timed out waiting until %s", what)
}

// blockingServer holds every request until release is closed, counting
// the requests in flight and the largest such count.
type blockingServer struct {
	*httptest.Server
	release  chan struct{}
	inFlight atomic.Int32
	peak     atomic.Int32
	arrived  atomic.Int32
}

func newBlockingServer(t *testing.T) *blockingServer {
	t.Helper()
	s := &blockingServer{release: make(chan struct{})}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.arrived.Add(1)
		n := s.inFlight.Add(1)
		defer s.inFlight.Add(-1)
		for peak := s.peak.Load(); n > peak && !s.peak.CompareAndSwap(peak, n); peak = s.peak.Load() {
		}
		select {
		case <-s.release:
			_, _ = io.WriteString(w, "ok")
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(s.Close)
	t.Cleanup(s.unblock)
	return s
}

func (s *blockingServer) unblock() {
	select {
	case <-s.release:
	default:
		close(s.release)
	}
}

func TestDoConcurrencyCap(t *testing.T) {
	srv := newBlockingServer(t)
	cfg := testConfig()
	cfg.MaxConcurrentPerHost = 2
	c, _ := newTestClient(t, cfg)

	const requests = 6
	errs := make(chan error, requests)
	for range requests {
		go func() {
			_, err := c.Get(t.Context(), srv.URL, nil)
			errs <- err
		}()
	}
	waitFor(t, "two requests are in flight", func() bool { return srv.inFlight.Load() == 2 })
	// A client without the cap would let the other four arrive meanwhile.
	time.Sleep(100 * time.Millisecond)
	if got := srv.arrived.Load(); got != 2 {
		t.Errorf("requests arrived while two were held = %d, want 2", got)
	}
	srv.unblock()

	for range requests {
		if err := <-errs; err != nil {
			t.Errorf("Get: %v", err)
		}
	}
	if got := srv.peak.Load(); got != 2 {
		t.Errorf("peak requests in flight = %d, want 2", got)
	}
}

func TestDoSlotWaitRespectsContext(t *testing.T) {
	srv := newBlockingServer(t)
	cfg := testConfig()
	cfg.MaxConcurrentPerHost = 1
	c, _ := newTestClient(t, cfg)
	var wg sync.WaitGroup
	wg.Go(func() { _, _ = c.Get(t.Context(), srv.URL, nil) })
	waitFor(t, "the first request is in flight", func() bool { return srv.inFlight.Load() == 1 })
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()

	_, err := c.Get(ctx, srv.URL, nil)

	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error = %v, want context.DeadlineExceeded", err)
	}
	if got := srv.arrived.Load(); got != 1 {
		t.Errorf("requests arrived = %d, want 1", got)
	}
	srv.unblock()
	wg.Wait()
}

func TestDoMaxTotalTimeStopsRetries(t *testing.T) {
	var calls atomic.Int32
	srv := statusSequence(t, &calls, slices.Repeat([]int{http.StatusServiceUnavailable}, 20)...)
	cfg := testConfig()
	cfg.MaxRetries = 10
	cfg.BaseBackoff = time.Second
	cfg.MaxBackoff = 10 * time.Second
	cfg.MaxTotalTime = 5 * time.Second
	c, clock := newTestClient(t, cfg)

	_, err := c.Get(t.Context(), srv.URL, nil)

	// Waits of 1 s and 2 s fit into 5 s; the next wait of 4 s would not.
	if got, want := clock.Sleeps(), []time.Duration{time.Second, 2 * time.Second}; !slices.Equal(got, want) {
		t.Errorf("sleeps = %v, want %v", got, want)
	}
	if got := calls.Load(); got != 3 {
		t.Errorf("calls = %d, want 3", got)
	}
	assertTotalTimeout(t, err, "MaxTotalTime (5s)")
	if !errors.Is(err, ErrServer) {
		t.Errorf("error %v does not keep the last attempt's ErrServer", err)
	}
}

func TestDoMaxTotalTimeCutsAttempt(t *testing.T) {
	srv := newBlockingServer(t)
	cfg := testConfig()
	cfg.Timeout = 10 * time.Second
	cfg.MaxTotalTime = 200 * time.Millisecond
	c := New(cfg, nil)

	start := time.Now()
	_, err := c.Get(t.Context(), srv.URL, nil)
	elapsed := time.Since(start)

	assertTotalTimeout(t, err, "MaxTotalTime (200ms)")
	if elapsed > 3*time.Second {
		t.Errorf("Get took %v, want about 200ms", elapsed)
	}
	if got := srv.arrived.Load(); got > 1 {
		t.Errorf("requests arrived = %d, want at most 1 (no retry)", got)
	}
}

func assertTotalTimeout(t *testing.T, err error, want string) {
	t.Helper()
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("error = %v, want ErrTimeout", err)
	}
	var fetchErr *Error
	if !errors.As(err, &fetchErr) || fetchErr.Kind != Timeout {
		t.Fatalf("error %v is not a Timeout *Error", err)
	}
	if !strings.Contains(err.Error(), want) {
		t.Errorf("message %q does not contain %q", err, want)
	}
}
