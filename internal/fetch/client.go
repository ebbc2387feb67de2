package fetch

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	neturl "net/url"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/time/rate"
)

// statusBodyLimit is how much of an unexpected-status body an *Error keeps.
const statusBodyLimit = 4 << 10

// Response is a successful HTTP response with its whole body read. Body is
// decompressed, and converted to UTF-8 if it is HTML or JSON with a
// declared charset. Header then describes Body: Client removes
// Content-Encoding and Content-Length and sets charset=utf-8 in
// Content-Type when it changed the bytes.
type Response struct {
	Status  int
	Header  http.Header
	Body    []byte
	URL     string // final URL, after redirects
	Charset string // WHATWG name of the body's charset before conversion, or "" if the body is neither HTML nor JSON with a declared charset
}

// Client sends HTTP requests with per-host rate and concurrency limits and
// retries. It connects only to public addresses, apart from the hosts in
// Config.AllowedPrivateHosts, and ignores proxy settings such as
// HTTP_PROXY. It is safe for concurrent use.
type Client struct {
	config Config
	http   *http.Client
	logger *slog.Logger

	policy *addressPolicy

	mu       sync.Mutex
	limiters map[string]*rate.Limiter
	slots    map[string]chan struct{} // per host, with MaxConcurrentPerHost capacity

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

	policy := newAddressPolicy(cfg.AllowedPrivateHosts)
	return &Client{
		config:   cfg,
		http:     newHTTPClient(cfg, policy),
		logger:   logger,
		policy:   policy,
		limiters: make(map[string]*rate.Limiter),
		slots:    make(map[string]chan struct{}),
		now:      time.Now,
		sleep:    sleepContext,
		jitter:   randomJitter,
	}
}

// Doer sends a request and returns the whole response or a typed *Error.
// *Client implements it over plain HTTP; the browser fallback implements it
// through headless Chromium.
type Doer interface {
	Do(ctx context.Context, req *http.Request) (*Response, error)
}

// Get sends a GET request for url with the extra header fields.
func (c *Client) Get(ctx context.Context, url string, header http.Header) (*Response, error) {
	return Get(ctx, c, url, header)
}

// PostJSON sends body encoded as JSON in a POST request to url. A body of
// type []byte or json.RawMessage is sent unchanged.
func (c *Client) PostJSON(ctx context.Context, url string, body any, header http.Header) (*Response, error) {
	return PostJSON(ctx, c, url, body, header)
}

// Get sends a GET request for url with the extra header fields through d.
func Get(ctx context.Context, d Doer, url string, header http.Header) (*Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("build GET request for %q: %w", url, err)
	}
	addHeader(req, header)
	return d.Do(ctx, req)
}

// PostJSON sends body encoded as JSON in a POST request to url through d.
// A body of type []byte or json.RawMessage is sent unchanged.
func PostJSON(ctx context.Context, d Doer, url string, body any, header http.Header) (*Response, error) {
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
	return d.Do(ctx, req)
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

// Do sends req, waiting for a free slot of the host and for its rate
// limiter before every attempt. It retries timeouts, network errors and
// HTTP 429, 500, 502, 503 and 504, and reads, decompresses and converts to
// UTF-8 the whole body. Any status outside 200–399, a bot challenge, a
// destination outside the address policy or a body over the limit returns
// an *Error, never a Response. If ctx ends, Do stops at once and returns an
// error wrapping ctx.Err(). If Config.MaxTotalTime runs out first, or would
// run out during the next back-off wait, Do returns a Timeout *Error.
//
// A request with a body is retried only if req.GetBody is set, as
// http.NewRequest does for in-memory bodies.
func (c *Client) Do(ctx context.Context, req *http.Request) (*Response, error) {
	url := req.URL.String()
	if err := c.policy.checkURL(req.URL); err != nil {
		return nil, &Error{Kind: Forbidden, URL: url, Err: err}
	}
	maxRetries := c.config.MaxRetries
	if req.Body != nil && req.Body != http.NoBody && req.GetBody == nil {
		maxRetries = 0
	}

	// deadline follows c.now, so tests on a fake clock can exhaust it, and
	// totalCtx enforces the same bound in real time.
	deadline := c.now().Add(c.config.MaxTotalTime)
	totalCtx, cancel := context.WithTimeoutCause(ctx, c.config.MaxTotalTime, errTotalTime)
	defer cancel()

	var lastErr *Error
	for attempt := 0; ; attempt++ {
		resp, retryAfter, err := c.limitedAttempt(totalCtx, req, attempt, deadline)
		if err == nil {
			return resp, nil
		}
		var fetchErr *Error
		if errors.As(err, &fetchErr) {
			lastErr = fetchErr
		}
		if stop := c.interruption(ctx, totalCtx, url, err, lastErr); stop != nil {
			return nil, stop
		}
		if fetchErr == nil || !retryable(fetchErr) || attempt >= maxRetries {
			if fetchErr != nil {
				fetchErr.Attempts = attempt + 1
			}
			return nil, err
		}

		if err := c.waitToRetry(totalCtx, req.URL.Host, fetchErr, attempt, retryAfter, deadline); err != nil {
			if stop := c.interruption(ctx, totalCtx, url, err, lastErr); stop != nil {
				return nil, stop
			}
			return nil, fmt.Errorf("request %s: %w", url, err)
		}
	}
}

// errTotalTime marks a Do call that ran out of Config.MaxTotalTime.
var errTotalTime = errors.New("total time ran out")

// interruption returns the error that ends a Do call whose context ended or
// whose total time ran out, or nil if neither happened. last is the error
// of the last attempt that got that far, or nil.
func (c *Client) interruption(ctx, totalCtx context.Context, url string, err error, last *Error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("request %s: %w", url, ctx.Err())
	}
	if totalCtx.Err() == nil && !errors.Is(err, errTotalTime) {
		return nil
	}
	var cause error
	if last != nil {
		cause = last
	}
	return &Error{Kind: Timeout, URL: url, Err: &totalTimeError{limit: c.config.MaxTotalTime, last: cause}}
}

// waitToRetry logs the failed attempt and sleeps for its back-off delay. It
// returns errTotalTime without sleeping if the delay would end past
// deadline.
func (c *Client) waitToRetry(ctx context.Context, host string, failure *Error, attempt int, retryAfter time.Duration, deadline time.Time) error {
	delay := c.backoff(attempt, retryAfter)
	if c.now().Add(delay).After(deadline) {
		return errTotalTime
	}

	c.logger.Warn("retrying request",
		"host", host,
		"status", failure.Status,
		"attempt", attempt+1,
		"delay", delay,
		"error", failure)
	return c.sleep(ctx, delay)
}

// limitedAttempt runs one attempt once the host has a free slot and its
// rate limiter allows, with the per-attempt timeout cut to what is left
// before deadline.
//
// NOTE: redirect hops count against the slot and rate of the original
// host only, even when they go to another host.
func (c *Client) limitedAttempt(ctx context.Context, req *http.Request, number int, deadline time.Time) (*Response, time.Duration, error) {
	host := req.URL.Host
	release, err := c.acquireSlot(ctx, host)
	if err != nil {
		return nil, 0, fmt.Errorf("wait for a free connection slot of %s: %w", host, err)
	}
	defer release()

	if err := c.waitForHost(ctx, host); err != nil {
		return nil, 0, fmt.Errorf("wait for rate limit of %s: %w", host, err)
	}
	remaining := deadline.Sub(c.now())
	if remaining <= 0 {
		return nil, 0, errTotalTime
	}
	return c.attempt(ctx, req, number, min(c.config.Timeout, remaining))
}

// attempt sends one copy of req. It returns the Retry-After delay of the
// response, or zero when there is none.
func (c *Client) attempt(ctx context.Context, req *http.Request, number int, timeout time.Duration) (*Response, time.Duration, error) {
	url := req.URL.String()
	attemptCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	out, err := c.prepare(attemptCtx, req, number)
	if err != nil {
		return nil, 0, &Error{Kind: Network, URL: url, Err: err}
	}

	started := time.Now()
	resp, retryAfter, err := c.exchange(out)
	c.observe(req.URL.Host, resp, err, time.Since(started))
	return resp, retryAfter, err
}

// exchange sends a prepared request and reads the whole response.
func (c *Client) exchange(out *http.Request) (*Response, time.Duration, error) {
	url := out.URL.String()
	resp, err := c.http.Do(out)
	if err != nil {
		return nil, 0, transportError(url, err)
	}
	defer resp.Body.Close()

	body, charsetName, err := readBody(url, resp, c.config.MaxBodyBytes)
	if err != nil {
		return nil, 0, err
	}
	if isText(resp.Header.Get("Content-Type")) && !utf8.Valid(body) {
		// The parsers replace invalid bytes with U+FFFD, and this log line names the URL.
		c.logger.Warn("Response body is not valid UTF-8; invalid bytes will be replaced", "url", url)
	}

	retryAfter := parseRetryAfter(resp.Header.Get("Retry-After"), c.now())
	if err := classify(url, resp, body); err != nil {
		return nil, retryAfter, err
	}

	return &Response{
		Status:  resp.StatusCode,
		Header:  resp.Header,
		Body:    body,
		URL:     resp.Request.URL.String(),
		Charset: charsetName,
	}, 0, nil
}

// observe reports one attempt to Config.Observer, if any.
func (c *Client) observe(host string, resp *Response, err error, d time.Duration) {
	if c.config.Observer == nil {
		return
	}
	c.config.Observer.ObserveRequest(host, attemptOutcome(resp, err), d)
}

// attemptOutcome is the status that an Observer receives: the HTTP status
// code, "timeout" or "error".
func attemptOutcome(resp *Response, err error) string {
	if err == nil {
		return strconv.Itoa(resp.Status)
	}
	var fetchErr *Error
	switch {
	case !errors.As(err, &fetchErr):
		return "error"
	case fetchErr.Kind == Timeout:
		return "timeout"
	case fetchErr.Status > 0:
		return strconv.Itoa(fetchErr.Status)
	}
	return "error"
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
	if out.Header.Get("Accept-Encoding") == "" {
		out.Header.Set("Accept-Encoding", acceptEncoding)
	}
	return out, nil
}

// transportError returns the *Error for a failed round trip or body read.
func transportError(url string, err error) error {
	var policyErr *policyError
	if errors.As(err, &policyErr) {
		return &Error{Kind: Forbidden, URL: url, Err: redirectContext(url, err, policyErr)}
	}
	var redirectErr *redirectLimitError
	if errors.As(err, &redirectErr) {
		return &Error{Kind: Status, URL: url, Status: redirectErr.status, Err: redirectErr}
	}

	var netErr net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout()) {
		return &Error{Kind: Timeout, URL: url, Err: err}
	}
	return &Error{Kind: Network, URL: url, Err: err}
}

// redirectContext names the redirect target in cause when the rejected
// request was a redirect from url.
func redirectContext(url string, err error, cause *policyError) error {
	var urlErr *neturl.Error
	if errors.As(err, &urlErr) && urlErr.URL != url {
		return fmt.Errorf("redirect to %s: %w", urlErr.URL, cause)
	}
	return cause
}

// classify returns the *Error for a response that must not count as a
// success, or nil.
func classify(url string, resp *http.Response, body []byte) error {
	if err := challenge(url, resp, body); err != nil {
		return err
	}

	status := resp.StatusCode
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

// isText reports whether a Content-Type names HTML, JSON or other text.
func isText(contentType string) bool {
	return strings.HasPrefix(contentType, "text/") || strings.Contains(contentType, "json") || strings.Contains(contentType, "html")
}
