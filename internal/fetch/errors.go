package fetch

import (
	"errors"
	"fmt"
	"time"

	"github.com/reelpulse/reelpulse/internal/config"
)

// Kind classifies a failed request.
type Kind int

// The kinds of failure. Each has a sentinel error for errors.Is.
const (
	Blocked     Kind = iota + 1 // HTTP 403
	Challenged                  // bot challenge: HTTP 202 with an empty body, an x-amzn-waf-action header or a challenge page (see challengeMarkers)
	NotFound                    // HTTP 404
	RateLimited                 // HTTP 429 on the last attempt
	Server                      // HTTP 5xx on the last attempt
	Timeout                     // the per-attempt timeout expired on the last attempt, or Config.MaxTotalTime ran out
	TooLarge                    // the body, before or after decoding, exceeded Config.MaxBodyBytes
	Network                     // connection or protocol failure on the last attempt
	Status                      // any other status outside 200–399, or too many redirects
	Forbidden                   // the outbound address policy rejected the destination before connecting
	Malformed                   // undecodable body, from an unsupported or corrupt Content-Encoding
)

// Sentinel errors matched by errors.Is against an *Error of the same kind.
var (
	ErrBlocked     = errors.New("blocked")
	ErrChallenged  = errors.New("bot challenge")
	ErrNotFound    = errors.New("not found")
	ErrRateLimited = errors.New("rate limited")
	ErrServer      = errors.New("server error")
	ErrTimeout     = errors.New("timed out")
	ErrTooLarge    = errors.New("response too large")
	ErrNetwork     = errors.New("network error")
	ErrStatus      = errors.New("unexpected HTTP status")
	ErrForbidden   = errors.New("destination not allowed")
	ErrMalformed   = errors.New("malformed response body")
)

var sentinels = map[Kind]error{
	Blocked:     ErrBlocked,
	Challenged:  ErrChallenged,
	NotFound:    ErrNotFound,
	RateLimited: ErrRateLimited,
	Server:      ErrServer,
	Timeout:     ErrTimeout,
	TooLarge:    ErrTooLarge,
	Network:     ErrNetwork,
	Status:      ErrStatus,
	Forbidden:   ErrForbidden,
	Malformed:   ErrMalformed,
}

// String returns the text of the kind's sentinel error.
func (k Kind) String() string {
	if err, ok := sentinels[k]; ok {
		return err.Error()
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Error is the error Client.Do returns for a request that failed for good.
type Error struct {
	Kind   Kind
	URL    string
	Status int    // HTTP status of the last response; 0 when none arrived
	Err    error  // underlying cause, if any
	Body   []byte // start of the body, for Kind Status only, so callers can read an API's error reply
	// Attempts is the number of requests that Client.Do sent before it
	// gave up, retries included. It is zero on the error of one attempt
	// that Do retries, which waitToRetry logs.
	Attempts int
}

// Error describes the failure and what the caller can do about it.
func (e *Error) Error() string {
	msg := e.describe()
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) describe() string {
	target := config.Mask(e.URL) // no password in messages and logs
	switch e.Kind {
	case Blocked:
		return fmt.Sprintf("IMDb blocked the request (HTTP 403) for %s; lower REELPULSE_REQUESTS_PER_SECOND and retry later", target)
	case Challenged:
		var page *challengePageError
		switch {
		case errors.As(e.Err, &page):
			return fmt.Sprintf("IMDb returned a bot challenge page (HTTP %d) for %s; retry later", e.Status, target)
		case e.Status == 202:
			return fmt.Sprintf("IMDb returned a bot challenge (HTTP 202, empty body) for %s; retry later", target)
		}
		return fmt.Sprintf("IMDb returned a bot challenge (HTTP %d, x-amzn-waf-action header) for %s; retry later", e.Status, target)
	case NotFound:
		return fmt.Sprintf("not found (HTTP 404): %s; check the IMDb id", target)
	case RateLimited:
		return fmt.Sprintf("rate limited (HTTP 429) by %s%s; lower RequestsPerSecond or retry later", target, e.tries())
	case Server:
		return fmt.Sprintf("server error (HTTP %d) from %s%s; retry later", e.Status, target, e.tries())
	case Timeout:
		var total *totalTimeError
		if errors.As(e.Err, &total) {
			return fmt.Sprintf("request to %s did not finish within MaxTotalTime (%s), counting retries and back-off waits; retry later or raise MaxTotalTime", target, total.limit)
		}
		return fmt.Sprintf("request to %s timed out%s; retry later or raise Timeout", target, e.tries())
	case TooLarge:
		return fmt.Sprintf("response from %s is larger than the body limit; raise MaxBodyBytes if the page is expected to be this large", target)
	case Network:
		return fmt.Sprintf("request to %s failed%s; check the network connection", target, e.tries())
	case Status:
		return fmt.Sprintf("unexpected HTTP status %d from %s", e.Status, target)
	case Forbidden:
		return fmt.Sprintf("rejected request to %s because its destination is not a public http or https address", target)
	case Malformed:
		return fmt.Sprintf("failed to decode the response body from %s; retry later, and if it persists check the server's Content-Encoding", target)
	}
	return fmt.Sprintf("request to %s failed (%s)", target, e.Kind)
}

// tries names the number of attempts when Do sent more than one, so that
// only the error that ends the retries speaks of them.
func (e *Error) tries() string {
	if e.Attempts < 2 {
		return ""
	}
	return fmt.Sprintf(" after %d attempts", e.Attempts)
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is the sentinel error of e's kind.
func (e *Error) Is(target error) bool {
	sentinel, ok := sentinels[e.Kind]
	return ok && target == sentinel
}

// totalTimeError is the cause of a Timeout *Error raised because
// Config.MaxTotalTime ran out.
type totalTimeError struct {
	limit time.Duration
	last  error // error of the last attempt, or nil if none finished
}

func (e *totalTimeError) Error() string {
	if e.last == nil {
		return "no attempt finished in time"
	}
	return "last attempt: " + e.last.Error()
}

func (e *totalTimeError) Unwrap() error { return e.last }
