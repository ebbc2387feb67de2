package fetch

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// statusBodyLimit is how much of an unexpected-status body an *Error keeps.
const statusBodyLimit = 4 << 10

// Response is a successful HTTP response with its whole body read.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
	URL    string // final URL, after redirects
}

// Client sends HTTP requests with per-host rate limiting and retries. It is
// safe for concurrent use.
type Client struct {
	config Config
	http   *http.Client
	logger *slog.Logger

	mu       sync.Mutex
	limiters map[string]*rate.Limiter

	// now, sleep and jitter are replaced by tests to avoid real waiting.
	now    func() time.Time
	sleep  func(ctx context.Context, d time.Duration) error
	jitter func(d time.Duration) time.Duration
}

// New returns a Client with the given limits. It panics if cfg.Validate
// fails, so check the configuration where it is loaded. A nil logger
// discards log records.
func New(cfg Config, logger *slog.Logger) *Client {
	if err := cfg.Validate(); err != nil {
		panic(err)
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}

	return &Client{
		config:   cfg,
		http:     &http.Client{},
		logger:   logger,
		limiters: make(map[string]*rate.Limiter),
		now:      time.Now,
		sleep:    sleepContext,
		jitter:   randomJitter,
	}
}

// Get sends a GET request for url with the extra header fields.
func (c *Client) Get(ctx context.Context, url string, header http.Header) (*Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("build GET request for %q: %w", url, err)
	}
	addHeader(req, header)
	return c.Do(ctx, req)
}

// PostJSON sends body encoded as JSON in a POST request to url. A body of
// type []byte or json.RawMessage is sent unchanged.
func (c *Client) PostJSON(ctx context.Context, url string, body any, header http.Header) (*Response, error) {
	payload, err := encodeJSON(body)
	if err != nil {
		return nil, fmt.Errorf("encode JSON body for %s: %w", url, err)
	}

	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(payload))
	if err != nil {
		return nil, fmt.Errorf("build POST request for %q: %w", url, err)
	}
	req.Header.Set("Content-Type", "application/json")
	addHeader(req, header)
	return c.Do(ctx, req)
}

func encodeJSON(body any) ([]byte, error) {
	switch b := body.(type) {
	case []byte:
		return b, nil
	case json.RawMessage:
		return b, nil
	}
	return json.Marshal(body)
}

func addHeader(req *http.Request, header http.Header) {
	for key, values := range header {
		req.Header.Del(key)
		for _, v := range values {
			req.Header.Add(key, v)
		}
	}
}

// Do sends req, waiting for the host's rate limiter before every attempt.
// It retries timeouts, network errors and HTTP 429, 500, 502, 503 and 504,
// and reads the whole body. Any status outside 200–399, a bot challenge or a
// body over the limit returns an *Error, never a Response. If ctx ends, Do
// stops at once and returns an error wrapping ctx.Err().
//
// A request with a body is retried only if req.GetBody is set, as
// http.NewRequest does for in-memory bodies.
func (c *Client) Do(ctx context.Context, req *http.Request) (*Response, error) {
	url := req.URL.String()
	host := req.URL.Host
	maxRetries := c.config.MaxRetries
	if req.Body != nil && req.Body != http.NoBody && req.GetBody == nil {
		maxRetries = 0
	}

	for attempt := 0; ; attempt++ {
		if err := c.waitForHost(ctx, host); err != nil {
			return nil, fmt.Errorf("wait for rate limit of %s: %w", host, err)
		}

		resp, retryAfter, err := c.attempt(ctx, req, attempt)
		if err == nil {
			return resp, nil
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("request %s: %w", url, ctx.Err())
		}

		var fetchErr *Error
		if !errors.As(err, &fetchErr) || !retryable(fetchErr) || attempt >= maxRetries {
			return nil, err
		}

		delay := c.backoff(attempt, retryAfter)
		c.logger.Warn("retrying request",
			"host", host,
			"status", fetchErr.Status,
			"attempt", attempt+1,
			"delay", delay,
			"error", err)
		if err := c.sleep(ctx, delay); err != nil {
			return nil, fmt.Errorf("request %s: %w", url, err)
		}
	}
}

// attempt sends one copy of req. It returns the Retry-After delay of the
// response, or zero when there is none.
func (c *Client) attempt(ctx context.Context, req *http.Request, number int) (*Response, time.Duration, error) {
	url := req.URL.String()
	attemptCtx, cancel := context.WithTimeout(ctx, c.config.Timeout)
	defer cancel()

	out, err := c.prepare(attemptCtx, req, number)
	if err != nil {
		return nil, 0, &Error{Kind: Network, URL: url, Err: err}
	}

	resp, err := c.http.Do(out)
	if err != nil {
		return nil, 0, transportError(url, err)
	}
	defer resp.Body.Close()

	body, err := io.ReadAll(io.LimitReader(resp.Body, c.config.MaxBodyBytes+1))
	if err != nil {
		return nil, 0, transportError(url, err)
	}
	if int64(len(body)) > c.config.MaxBodyBytes {
		return nil, 0, &Error{Kind: TooLarge, URL: url, Status: resp.StatusCode,
			Err: fmt.Errorf("body exceeds %d bytes", c.config.MaxBodyBytes)}
	}

	retryAfter := parseRetryAfter(resp.Header.Get("Retry-After"), c.now())
	if err := classify(url, resp, body); err != nil {
		return nil, retryAfter, err
	}

	return &Response{
		Status: resp.StatusCode,
		Header: resp.Header,
		Body:   body,
		URL:    resp.Request.URL.String(),
	}, 0, nil
}

// prepare copies req for one attempt, with a fresh body and default headers.
func (c *Client) prepare(ctx context.Context, req *http.Request, attempt int) (*http.Request, error) {
	out := req.Clone(ctx)
	if attempt > 0 && req.GetBody != nil {
		body, err := req.GetBody()
		if err != nil {
			return nil, fmt.Errorf("rewind request body: %w", err)
		}
		out.Body = body
	}

	if out.Header.Get("User-Agent") == "" {
		out.Header.Set("User-Agent", c.config.UserAgent)
	}
	if out.Header.Get("Accept-Language") == "" {
		out.Header.Set("Accept-Language", "en-US,en;q=0.9")
	}
	return out, nil
}

func transportError(url string, err error) error {
	var netErr net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout()) {
		return &Error{Kind: Timeout, URL: url, Err: err}
	}
	return &Error{Kind: Network, URL: url, Err: err}
}

// classify returns the *Error for a response that must not count as a
// success, or nil.
func classify(url string, resp *http.Response, body []byte) error {
	status := resp.StatusCode
	// AWS WAF answers a challenged request with 202 and an empty body, or
	// marks it with this header whatever the status.
	if resp.Header.Get("X-Amzn-Waf-Action") != "" || (status == http.StatusAccepted && len(bytes.TrimSpace(body)) == 0) {
		return &Error{Kind: Challenged, URL: url, Status: status}
	}

	switch {
	case status >= 200 && status < 400:
		return nil
	case status == http.StatusForbidden:
		return &Error{Kind: Blocked, URL: url, Status: status}
	case status == http.StatusNotFound:
		return &Error{Kind: NotFound, URL: url, Status: status}
	case status == http.StatusTooManyRequests:
		return &Error{Kind: RateLimited, URL: url, Status: status}
	case status >= 500:
		return &Error{Kind: Server, URL: url, Status: status}
	}

	return &Error{Kind: Status, URL: url, Status: status, Body: body[:min(len(body), statusBodyLimit)]}
}

func retryable(err *Error) bool {
	switch err.Kind {
	case Timeout, Network, RateLimited:
		return true
	case Server:
		switch err.Status {
		case http.StatusInternalServerError, http.StatusBadGateway,
			http.StatusServiceUnavailable, http.StatusGatewayTimeout:
			return true
		}
	}
	return false
}
