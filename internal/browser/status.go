package browser

import (
	"bytes"
	"net/http"

	"github.com/reelpulse/reelpulse/internal/fetch"
)

// statusBodyLimit is how much of an unexpected-status body an *Error keeps,
// as in fetch.Client.
const statusBodyLimit = 4 << 10

// classify returns the *fetch.Error for a response that must not count as a
// success, or nil. It maps statuses as fetch.Client does, so callers handle
// both Doers alike.
func classify(target string, status int, header http.Header, body []byte) error {
	// AWS WAF replies to a challenged request with 202 and an empty body, or
	// marks it with this header whatever the status.
	if header.Get("X-Amzn-Waf-Action") != "" || (status == http.StatusAccepted && len(bytes.TrimSpace(body)) == 0) {
		return &fetch.Error{Kind: fetch.Challenged, URL: target, Status: status}
	}

	switch {
	case status >= 200 && status < 400:
		return nil
	case status == http.StatusForbidden:
		return &fetch.Error{Kind: fetch.Blocked, URL: target, Status: status}
	case status == http.StatusNotFound:
		return &fetch.Error{Kind: fetch.NotFound, URL: target, Status: status}
	case status == http.StatusTooManyRequests:
		return &fetch.Error{Kind: fetch.RateLimited, URL: target, Status: status}
	case status >= 500:
		return &fetch.Error{Kind: fetch.Server, URL: target, Status: status}
	}
	return &fetch.Error{Kind: fetch.Status, URL: target, Status: status, Body: body[:min(len(body), statusBodyLimit)]}
}
