package fetch

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeClock replaces time.Now and sleeping: sleeping advances the
// clock at once and records the duration.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func (f *fakeClock) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sleeps = append(f.sleeps, d)
	f.now = f.now.Add(d)
	return nil
}

func (f *fakeClock) Sleeps() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Duration(nil), f.sleeps...)
}

// testConfig allows bursts large enough that the rate limiter never waits,
// so recorded sleeps are back-off delays only, and allows the loopback
// address of httptest servers.
func testConfig() Config {
	cfg := DefaultConfig()
	cfg.AllowedPrivateHosts = []string{"127.0.0.1"}
	cfg.RequestsPerSecond = 1000
	cfg.Burst = 100
	cfg.Timeout = 5 * time.Second
	cfg.BaseBackoff = 100 * time.Millisecond
	cfg.MaxBackoff = 10 * time.Second
	return cfg
}

func newTestClient(t *testing.T, cfg Config) (*Client, *fakeClock) {
	t.Helper()
	clock := &fakeClock{now: time.Date(2026, 1, 6, 12, 0, 0, 0, time.UTC)}
	c := New(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	c.now = clock.Now
	c.sleep = clock.Sleep
	c.jitter = func(time.Duration) time.Duration { return 0 }
	return c, clock
}

// statusSequence serves the given statuses in order, then 200 "ok".
func statusSequence(t *testing.T, calls *atomic.Int32, statuses ...int) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(calls.Add(1)) - 1
		if n < len(statuses) {
			w.WriteHeader(statuses[n])
			return
		}
		_, _ = io.WriteString(w, "ok")
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestDoRetriesThenSucceeds(t *testing.T) {
	var calls atomic.Int32
	srv := statusSequence(t, &calls, 503, 500)
	c, clock := newTestClient(t, testConfig())

	resp, err := c.Get(t.Context(), srv.URL+"/x", nil)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}

	if string(resp.Body) != "ok" {
		t.Errorf("body = %q, want %q", resp.Body, "ok")
	}
	if resp.Status != 200 {
		t.Errorf("status = %d, want 200", resp.Status)
	}
	if got := calls.Load(); got != 3 {
		t.Errorf("calls = %d, want 3", got)
	}
	want := []time.Duration{100 * time.Millisecond, 200 * time.Millisecond}
	if got := clock.Sleeps(); !slices.Equal(got, want) {
		t.Errorf("back-off sleeps = %v, want %v", got, want)
	}
}

func TestDoRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 6, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name       string
		retryAfter string
		maxBackoff time.Duration
		want       time.Duration
	}{
		{"seconds", "2", 10 * time.Second, 2 * time.Second},
		{"http date", now.Add(3 * time.Second).Format(http.TimeFormat), 10 * time.Second, 3 * time.Second},
		{"longer than max backoff", "20", 5 * time.Second, 20 * time.Second},
		{"invalid falls back to backoff", "soon", 10 * time.Second, 100 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if calls.Add(1) == 1 {
					w.Header().Set("Retry-After", tt.retryAfter)
					w.WriteHeader(http.StatusTooManyRequests)
					return
				}
				_, _ = io.WriteString(w, "ok")
			}))
			defer srv.Close()
			cfg := testConfig()
			cfg.MaxBackoff = tt.maxBackoff
			c, clock := newTestClient(t, cfg)

			if _, err := c.Get(t.Context(), srv.URL, nil); err != nil {
				t.Fatalf("Get: %v", err)
			}

			if got := clock.Sleeps(); !slices.Equal(got, []time.Duration{tt.want}) {
				t.Errorf("sleeps = %v, want [%v]", got, tt.want)
			}
		})
	}
}

func TestDoFailureKinds(t *testing.T) {
	tests := []struct {
		name      string
		handler   http.HandlerFunc
		sentinel  error
		kind      Kind
		wantCalls int32
		message   string
	}{
		{
			name:      "202 empty is challenge",
			handler:   func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusAccepted) },
			sentinel:  ErrChallenged,
			kind:      Challenged,
			wantCalls: 1,
			message:   "bot challenge (HTTP 202, empty body)",
		},
		{
			name: "waf header is challenge",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("x-amzn-waf-action", "challenge")
				_, _ = io.WriteString(w, "<html>verify you are human</html>")
			},
			sentinel:  ErrChallenged,
			kind:      Challenged,
			wantCalls: 1,
			message:   "x-amzn-waf-action",
		},
		{
			name:      "403 is blocked",
			handler:   func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusForbidden) },
			sentinel:  ErrBlocked,
			kind:      Blocked,
			wantCalls: 1,
			message:   "HTTP 403",
		},
		{
			name:      "404 is not found",
			handler:   func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNotFound) },
			sentinel:  ErrNotFound,
			kind:      NotFound,
			wantCalls: 1,
			message:   "HTTP 404",
		},
		{
			name:      "429 persists",
			handler:   func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTooManyRequests) },
			sentinel:  ErrRateLimited,
			kind:      RateLimited,
			wantCalls: 4,
			message:   "after 4 attempts",
		},
		{
			name:      "502 persists",
			handler:   func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusBadGateway) },
			sentinel:  ErrServer,
			kind:      Server,
			wantCalls: 4,
			message:   "HTTP 502) from %s after 4 attempts",
		},
		{
			name:      "501 is not retried",
			handler:   func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNotImplemented) },
			sentinel:  ErrServer,
			kind:      Server,
			wantCalls: 1,
			message:   "HTTP 501) from %s; retry later",
		},
		{
			name: "400 keeps body",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusBadRequest)
				_, _ = io.WriteString(w, `{"errors":[{"message":"bad"}]}`)
			},
			sentinel:  ErrStatus,
			kind:      Status,
			wantCalls: 1,
			message:   "unexpected HTTP status 400",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				tt.handler(w, r)
			}))
			defer srv.Close()
			c, _ := newTestClient(t, testConfig())
			url := srv.URL + "/title/tt0111161/"

			resp, err := c.Get(t.Context(), url, nil)

			if resp != nil {
				t.Errorf("response = %+v, want nil", resp)
			}
			if !errors.Is(err, tt.sentinel) {
				t.Fatalf("error = %v, want errors.Is %v", err, tt.sentinel)
			}
			var fetchErr *Error
			if !errors.As(err, &fetchErr) {
				t.Fatalf("error %T is not *Error", err)
			}
			if fetchErr.Kind != tt.kind {
				t.Errorf("kind = %v, want %v", fetchErr.Kind, tt.kind)
			}
			if fetchErr.URL != url {
				t.Errorf("URL = %q, want %q", fetchErr.URL, url)
			}
			if !strings.Contains(err.Error(), url) {
				t.Errorf("message %q does not name the URL", err)
			}
			if message := strings.ReplaceAll(tt.message, "%s", url); !strings.Contains(err.Error(), message) {
				t.Errorf("message %q does not contain %q", err, tt.message)
			}
			if got := calls.Load(); got != tt.wantCalls {
				t.Errorf("calls = %d, want %d", got, tt.wantCalls)
			}
		})
	}
}

func TestStatusErrorKeepsBody(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, `{"errors":[]}`)
	}))
	defer srv.Close()
	c, _ := newTestClient(t, testConfig())

	_, err := c.Get(t.Context(), srv.URL, nil)

	var fetchErr *Error
	if !errors.As(err, &fetchErr) {
		t.Fatalf("error %v is not *Error", err)
	}
	if string(fetchErr.Body) != `{"errors":[]}` {
		t.Errorf("body = %q", fetchErr.Body)
	}
}

func TestDoBodyLimit(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, strings.Repeat("x", 10+len(r.URL.Query().Get("extra"))))
	}))
	defer srv.Close()
	cfg := testConfig()
	cfg.MaxBodyBytes = 10
	c, _ := newTestClient(t, cfg)

	resp, err := c.Get(t.Context(), srv.URL, nil)
	if err != nil {
		t.Fatalf("body at the limit: %v", err)
	}
	if len(resp.Body) != 10 {
		t.Errorf("body length = %d, want 10", len(resp.Body))
	}

	_, err = c.Get(t.Context(), srv.URL+"?extra=y", nil)
	if !errors.Is(err, ErrTooLarge) {
		t.Errorf("body over the limit: error = %v, want ErrTooLarge", err)
	}
}

func TestDoRateLimitSpacing(t *testing.T) {
	var calls atomic.Int32
	srv := statusSequence(t, &calls)
	other := statusSequence(t, &calls)
	cfg := testConfig()
	cfg.RequestsPerSecond = 2
	cfg.Burst = 1
	c, clock := newTestClient(t, cfg)

	for range 3 {
		if _, err := c.Get(t.Context(), srv.URL, nil); err != nil {
			t.Fatalf("Get: %v", err)
		}
	}
	want := []time.Duration{500 * time.Millisecond, 500 * time.Millisecond}
	if got := clock.Sleeps(); !slices.Equal(got, want) {
		t.Errorf("waits on one host = %v, want %v", got, want)
	}

	if _, err := c.Get(t.Context(), other.URL, nil); err != nil {
		t.Fatalf("Get other host: %v", err)
	}
	if got := clock.Sleeps(); len(got) != 2 {
		t.Errorf("first request to another host waited: sleeps = %v", got)
	}
}

func TestDoRateLimitRealClock(t *testing.T) {
	var calls atomic.Int32
	srv := statusSequence(t, &calls)
	cfg := testConfig()
	cfg.RequestsPerSecond = 20
	cfg.Burst = 1
	c := New(cfg, nil)

	start := time.Now()
	for range 3 {
		if _, err := c.Get(t.Context(), srv.URL, nil); err != nil {
			t.Fatalf("Get: %v", err)
		}
	}

	// Three requests at 20/s need at least two 50 ms gaps; the limiter may
	// round each wait down by well under a millisecond.
	if elapsed := time.Since(start); elapsed < 95*time.Millisecond {
		t.Errorf("3 requests took %v, want at least 100ms", elapsed)
	}
}

func TestDoContextCancelStopsRetries(t *testing.T) {
	var calls atomic.Int32
	srv := statusSequence(t, &calls, 503, 503, 503, 503)
	c, _ := newTestClient(t, testConfig())
	ctx, cancel := context.WithCancel(t.Context())
	c.sleep = func(ctx context.Context, d time.Duration) error {
		cancel()
		return ctx.Err()
	}

	_, err := c.Get(ctx, srv.URL, nil)

	if !errors.Is(err, context.Canceled) {
		t.Errorf("error = %v, want context.Canceled", err)
	}
	if got := calls.Load(); got != 1 {
		t.Errorf("calls = %d, want 1", got)
	}
}

func TestDoAttemptTimeout(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}))
	defer srv.Close()
	cfg := testConfig()
	cfg.Timeout = 50 * time.Millisecond
	cfg.MaxRetries = 1
	c, _ := newTestClient(t, cfg)
	// Attempts are counted as they leave the client: on a loaded machine
	// the 50 ms can run out before the second one reaches the handler.
	attempts := &countingTransport{base: c.http.Transport}
	c.http.Transport = attempts

	_, err := c.Get(t.Context(), srv.URL, nil)

	if !errors.Is(err, ErrTimeout) {
		t.Errorf("error = %v, want ErrTimeout", err)
	}
	if got := attempts.count.Load(); got != 2 {
		t.Errorf("attempts = %d, want 2", got)
	}
	if got := calls.Load(); got < 1 || got > 2 {
		t.Errorf("calls = %d, want 1 or 2", got)
	}
}

// countingTransport counts the requests sent through base.
type countingTransport struct {
	base  http.RoundTripper
	count atomic.Int32
}

func (c *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	c.count.Add(1)
	return c.base.RoundTrip(req)
}

func TestPostJSONResendsBody(t *testing.T) {
	var mu sync.Mutex
	var bodies []string
	var types []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, string(b))
		types = append(types, r.Header.Get("Content-Type"))
		n := len(bodies)
		mu.Unlock()
		if n == 1 {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		_, _ = io.WriteString(w, `{"ok":true}`)
	}))
	defer srv.Close()
	c, _ := newTestClient(t, testConfig())

	_, err := c.PostJSON(t.Context(), srv.URL, map[string]int{"first": 25}, http.Header{"X-Test": {"1"}})
	if err != nil {
		t.Fatalf("PostJSON: %v", err)
	}

	mu.Lock()
	defer mu.Unlock()
	if len(bodies) != 2 {
		t.Fatalf("requests = %d, want 2", len(bodies))
	}
	for i, b := range bodies {
		if b != `{"first":25}` {
			t.Errorf("attempt %d body = %q", i+1, b)
		}
		if types[i] != "application/json" {
			t.Errorf("attempt %d content type = %q", i+1, types[i])
		}
	}
}

func TestDoSetsDefaultHeaders(t *testing.T) {
	var userAgent, custom string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		userAgent = r.Header.Get("User-Agent")
		custom = r.Header.Get("X-Imdb-Client-Name")
	}))
	defer srv.Close()
	c, _ := newTestClient(t, testConfig())

	_, err := c.Get(t.Context(), srv.URL, http.Header{"X-Imdb-Client-Name": {"imdb-web-next"}})
	if err != nil {
		t.Fatalf("Get: %v", err)
	}

	if userAgent != defaultUserAgent {
		t.Errorf("User-Agent = %q", userAgent)
	}
	if custom != "imdb-web-next" {
		t.Errorf("custom header = %q", custom)
	}
}

func TestDoLogsRetries(t *testing.T) {
	var calls atomic.Int32
	srv := statusSequence(t, &calls, 503)
	c, _ := newTestClient(t, testConfig())
	var buf bytes.Buffer
	c.logger = slog.New(slog.NewJSONHandler(&buf, nil))

	if _, err := c.Get(t.Context(), srv.URL, nil); err != nil {
		t.Fatalf("Get: %v", err)
	}

	var record map[string]any
	if err := json.Unmarshal(buf.Bytes(), &record); err != nil {
		t.Fatalf("log is not one JSON record: %v\n%s", err, buf.String())
	}
	for _, key := range []string{"host", "status", "attempt", "delay", "error"} {
		if _, ok := record[key]; !ok {
			t.Errorf("retry log lacks key %q: %s", key, buf.String())
		}
	}
	if record["status"] != float64(503) {
		t.Errorf("status = %v, want 503", record["status"])
	}
	// The first attempt failed but a retry follows: the message must not
	// claim that the retries are used up.
	if message, _ := record["error"].(string); strings.Contains(message, "after") || strings.Contains(message, "retries") {
		t.Errorf("retry log error %q speaks of used-up retries at the first attempt", message)
	}
}

func TestConfigValidate(t *testing.T) {
	if err := DefaultConfig().Validate(); err != nil {
		t.Fatalf("DefaultConfig: %v", err)
	}

	tests := []struct {
		field  string
		change func(*Config)
	}{
		{"UserAgent", func(c *Config) { c.UserAgent = "" }},
		{"Timeout", func(c *Config) { c.Timeout = 0 }},
		{"RequestsPerSecond", func(c *Config) { c.RequestsPerSecond = -1 }},
		{"Burst", func(c *Config) { c.Burst = 0 }},
		{"MaxRetries", func(c *Config) { c.MaxRetries = -1 }},
		{"MaxBodyBytes", func(c *Config) { c.MaxBodyBytes = 0 }},
		{"BaseBackoff", func(c *Config) { c.BaseBackoff = 0 }},
		{"MaxBackoff", func(c *Config) { c.MaxBackoff = time.Millisecond }},
		{"MaxTotalTime", func(c *Config) { c.MaxTotalTime = 0 }},
		{"MaxConcurrentPerHost", func(c *Config) { c.MaxConcurrentPerHost = 0 }},
		{"ConnectTimeout", func(c *Config) { c.ConnectTimeout = 0 }},
		{"TLSHandshakeTimeout", func(c *Config) { c.TLSHandshakeTimeout = -time.Second }},
		{"ResponseHeaderTimeout", func(c *Config) { c.ResponseHeaderTimeout = 0 }},
		{"AllowedPrivateHosts", func(c *Config) { c.AllowedPrivateHosts = []string{"http://127.0.0.1/"} }},
		{"AllowedPrivateHosts", func(c *Config) { c.AllowedPrivateHosts = []string{""} }},
	}
	for _, tt := range tests {
		t.Run(tt.field, func(t *testing.T) {
			cfg := DefaultConfig()
			tt.change(&cfg)

			err := cfg.Validate()

			if err == nil {
				t.Fatal("Validate returned nil")
			}
			if !strings.Contains(err.Error(), tt.field) {
				t.Errorf("error %q does not name %s", err, tt.field)
			}
		})
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 6, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		value string
		want  time.Duration
	}{
		{"", 0},
		{"3", 3 * time.Second},
		{"-1", 0},
		{"99999999999999", 24 * time.Hour},
		{now.Add(time.Minute).Format(http.TimeFormat), time.Minute},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0},
		{"later", 0},
	}
	for _, tt := range tests {
		if got := parseRetryAfter(tt.value, now); got != tt.want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", tt.value, got, tt.want)
		}
	}
}

func TestBackoffCapped(t *testing.T) {
	cfg := testConfig()
	cfg.BaseBackoff = time.Second
	cfg.MaxBackoff = 5 * time.Second
	c, _ := newTestClient(t, cfg)
	c.jitter = func(d time.Duration) time.Duration { return d / 2 }

	want := []time.Duration{1500 * time.Millisecond, 3 * time.Second, 5 * time.Second, 5 * time.Second}
	for attempt, w := range want {
		if got := c.backoff(attempt, 0); got != w {
			t.Errorf("backoff(%d) = %v, want %v", attempt, got, w)
		}
	}
}

func TestDoRetryAfterPastTotalTime(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	c, clock := newTestClient(t, testConfig())

	_, err := c.Get(t.Context(), srv.URL, nil)
	if !errors.Is(err, ErrRateLimited) && !errors.Is(err, ErrTimeout) {
		t.Fatalf("error = %v, want a rate-limit or total-time error", err)
	}
	if got := calls.Load(); got != 1 {
		t.Errorf("%d requests, want 1: a Retry-After past the total time ends the request", got)
	}
	if got := clock.Sleeps(); len(got) != 0 {
		t.Errorf("slept %v before giving up", got)
	}
}

func TestErrorHidesURLPassword(t *testing.T) {
	tests := []struct {
		url, want string
	}{
		{"http://u:secretpw@127.0.0.1:1/title/tt0013442/", "http://u:xxxxx@127.0.0.1:1/title/tt0013442/"},
		{"http://u:sec%ZZretpw@127.0.0.1:1/", "http://u:xxxxx@127.0.0.1:1/"},
		{"http://127.0.0.1:1/title/tt0013442/", "http://127.0.0.1:1/title/tt0013442/"},
	}
	for _, tt := range tests {
		for _, kind := range []Kind{Network, Timeout, NotFound, Challenged, Forbidden} {
			msg := (&Error{Kind: kind, URL: tt.url, Err: errors.New("cause")}).Error()
			if strings.Contains(msg, "secretpw") || strings.Contains(msg, "retpw") || !strings.Contains(msg, tt.want) {
				t.Errorf("%v error for %s = %q, want %q in it and no password", kind, tt.url, msg, tt.want)
			}
		}
	}
}
