package fetch

import (
	"bytes"
	"fmt"
	"mime"
	"net/http"
	"strings"
)

// challengeScanBytes is how much of a body ChallengeMarker searches. The
// markers sit near the start of challenge pages, which are a few KiB long.
const challengeScanBytes = 64 << 10

// nextDataScript marks a page rendered by IMDb's Next.js site. Challenge
// pages never carry it, while IMDb's pages quote user text, such as a
// review that mentions a "captcha-container", early in their HTML.
var nextDataScript = []byte(`id="__NEXT_DATA__"`)

// challengeMarkers are strings found in bot-check pages and not expected
// in IMDb's own pages. The match is case-sensitive.
var challengeMarkers = []struct {
	marker string
	source string
}{
	{"awsWafCookieDomainList", "AWS WAF challenge script settings"},
	{"gokuProps", "AWS WAF challenge script settings"},
	{`id="captcha-container"`, "AWS WAF CAPTCHA page"},
	{"<title>Robot Check", "Amazon robot check page"},
	{`/challenge.js"`, "AWS WAF challenge script"},
	{"window.__RP_CHALLENGE__", "JavaScript challenge of the reelpulse replay server"},
}

// ChallengeMarker returns the first challenge marker found in the first
// 64 KiB of body, unless body is one of IMDb's Next.js pages. A Doer that
// loads pages by other means, such as a browser, can use it to classify a
// page the way Client does.
func ChallengeMarker(body []byte) (marker string, found bool) {
	if bytes.Contains(body, nextDataScript) {
		return "", false
	}
	head := body[:min(len(body), challengeScanBytes)]
	for _, m := range challengeMarkers {
		if bytes.Contains(head, []byte(m.marker)) {
			return m.marker, true
		}
	}
	return "", false
}

// challengePageError is the cause of a Challenged *Error raised for a
// body that contains a challenge marker.
type challengePageError struct {
	marker string
}

func (e *challengePageError) Error() string {
	for _, m := range challengeMarkers {
		if m.marker == e.marker {
			return fmt.Sprintf("body contains %q, a marker of the %s", e.marker, m.source)
		}
	}
	return fmt.Sprintf("body contains %q", e.marker)
}

// challenge returns a Challenged *Error if resp is a bot challenge, or nil.
// A 403 stays Blocked whatever its body, and a JSON body is not searched
// for markers, because an API reply can quote user text.
func challenge(url string, resp *http.Response, body []byte) error {
	status := resp.StatusCode
	// AWS WAF responds to a challenged request with 202 and an empty body,
	// or marks the response with this header whatever the status.
	if resp.Header.Get("X-Amzn-Waf-Action") != "" || (status == http.StatusAccepted && len(bytes.TrimSpace(body)) == 0) {
		return &Error{Kind: Challenged, URL: url, Status: status}
	}
	if status == http.StatusForbidden || isJSON(resp.Header.Get("Content-Type")) {
		return nil
	}
	if marker, found := ChallengeMarker(body); found {
		return &Error{Kind: Challenged, URL: url, Status: status, Err: &challengePageError{marker: marker}}
	}
	return nil
}

// isJSON reports whether contentType is application/json or a +json type.
func isJSON(contentType string) bool {
	mediaType, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	return mediaType == "application/json" || strings.HasSuffix(mediaType, "+json")
}
