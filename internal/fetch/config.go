// Package fetch is the one outbound HTTP client of reelpulse. It spaces
// requests per host, retries transient failures with back-off, caps response
// bodies and turns IMDb's bot defenses into typed errors.
package fetch

import (
	"fmt"
	"strings"
	"time"
)

// defaultUserAgent is a desktop Chrome User-Agent, so requests look like
// those of the browsers that IMDb's pages are built for.
const defaultUserAgent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 " +
	"(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"

// Config sets the limits of a Client.
type Config struct {
	// UserAgent is sent on every request that does not set its own.
	UserAgent string

	// Timeout bounds one attempt, from sending the request to reading the
	// whole body. Retries each get a fresh timeout.
	Timeout time.Duration

	// RequestsPerSecond is the steady request rate allowed to each host.
	RequestsPerSecond float64

	// Burst is the number of requests a host may receive at once before the
	// rate applies.
	Burst int

	// MaxRetries is the number of attempts after the first one.
	MaxRetries int

	// MaxBodyBytes is the largest response body accepted; a longer one fails
	// with ErrTooLarge.
	MaxBodyBytes int64

	// BaseBackoff is the delay before the first retry. It doubles with each
	// further retry, up to MaxBackoff. A server's Retry-After is waited in
	// full, unless it reaches past MaxTotalTime, which ends the request.
	BaseBackoff time.Duration
	MaxBackoff  time.Duration

	// MaxConcurrentPerHost is the number of requests to one host that may
	// be in flight at once, on top of the rate limit.
	MaxConcurrentPerHost int

	// MaxTotalTime bounds one Do call: every attempt, rate-limit wait,
	// wait for a free slot and back-off delay together.
	MaxTotalTime time.Duration

	// ConnectTimeout bounds opening a TCP connection, TLSHandshakeTimeout
	// the TLS handshake after it, and ResponseHeaderTimeout the wait for
	// the response header once the request is sent.
	ConnectTimeout        time.Duration
	TLSHandshakeTimeout   time.Duration
	ResponseHeaderTimeout time.Duration

	// AllowedPrivateHosts lists the host names and IP addresses that may
	// resolve to loopback, private or other non-public addresses, such as
	// a replay server on 127.0.0.1. A port in an entry is ignored. Every
	// other host must resolve to public addresses only.
	AllowedPrivateHosts []string

	// Observer, when set, receives every attempt that sent a request,
	// retries included. Nil observes nothing.
	Observer Observer
}

// Observer receives one call per attempt that sent a request: the host of
// the request URL (before redirects), the outcome and the time from sending
// the request to reading the whole body. The outcome is the HTTP status
// code as a decimal string when a response arrived, "timeout" when the
// attempt timed out, and "error" for any other failure. It is called from
// the goroutine of the request, so it must be safe for concurrent use and
// return quickly.
type Observer interface {
	ObserveRequest(host, status string, d time.Duration)
}

// DefaultConfig returns a browser-like User-Agent, one request per second
// and at most two requests in flight per host, three retries within two
// minutes, a 10 MiB body limit and no private hosts allowed.
func DefaultConfig() Config {
	return Config{
		UserAgent:         defaultUserAgent,
		Timeout:           30 * time.Second,
		RequestsPerSecond: 1,
		Burst:             1,
		MaxRetries:        3,
		MaxBodyBytes:      10 << 20,
		BaseBackoff:       time.Second,
		MaxBackoff:        30 * time.Second,

		MaxConcurrentPerHost:  2,
		MaxTotalTime:          2 * time.Minute,
		ConnectTimeout:        10 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 20 * time.Second,
	}
}

// Validate returns an error naming the first field that is out of range.
func (c Config) Validate() error {
	if err := c.validateLimits(); err != nil {
		return err
	}
	if err := c.validateConnection(); err != nil {
		return err
	}
	return validateAllowedHosts(c.AllowedPrivateHosts)
}

func (c Config) validateLimits() error {
	switch {
	case c.UserAgent == "":
		return fmt.Errorf("invalid fetch config: UserAgent is empty")
	case c.Timeout <= 0:
		return fmt.Errorf("invalid fetch config: Timeout must be positive, got %s", c.Timeout)
	case c.RequestsPerSecond <= 0:
		return fmt.Errorf("invalid fetch config: RequestsPerSecond must be positive, got %g", c.RequestsPerSecond)
	case c.Burst < 1:
		return fmt.Errorf("invalid fetch config: Burst must be at least 1, got %d", c.Burst)
	case c.MaxRetries < 0:
		return fmt.Errorf("invalid fetch config: MaxRetries must not be negative, got %d", c.MaxRetries)
	case c.MaxBodyBytes <= 0:
		return fmt.Errorf("invalid fetch config: MaxBodyBytes must be positive, got %d", c.MaxBodyBytes)
	case c.BaseBackoff <= 0:
		return fmt.Errorf("invalid fetch config: BaseBackoff must be positive, got %s", c.BaseBackoff)
	case c.MaxBackoff < c.BaseBackoff:
		return fmt.Errorf("invalid fetch config: MaxBackoff (%s) must not be less than BaseBackoff (%s)", c.MaxBackoff, c.BaseBackoff)
	case c.MaxTotalTime <= 0:
		return fmt.Errorf("invalid fetch config: MaxTotalTime must be positive, got %s", c.MaxTotalTime)
	}
	return nil
}

func (c Config) validateConnection() error {
	switch {
	case c.MaxConcurrentPerHost < 1:
		return fmt.Errorf("invalid fetch config: MaxConcurrentPerHost must be at least 1, got %d", c.MaxConcurrentPerHost)
	case c.ConnectTimeout <= 0:
		return fmt.Errorf("invalid fetch config: ConnectTimeout must be positive, got %s", c.ConnectTimeout)
	case c.TLSHandshakeTimeout <= 0:
		return fmt.Errorf("invalid fetch config: TLSHandshakeTimeout must be positive, got %s", c.TLSHandshakeTimeout)
	case c.ResponseHeaderTimeout <= 0:
		return fmt.Errorf("invalid fetch config: ResponseHeaderTimeout must be positive, got %s", c.ResponseHeaderTimeout)
	}
	return nil
}

func validateAllowedHosts(hosts []string) error {
	for _, host := range hosts {
		if normalizeHost(host) == "" || strings.ContainsAny(strings.TrimSpace(host), "/?#@ ") {
			return fmt.Errorf("invalid fetch config: AllowedPrivateHosts entry %q must be a host name or IP address, not a URL", host)
		}
	}
	return nil
}
