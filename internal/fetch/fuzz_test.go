package fetch

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

func FuzzParseRetryAfter(f *testing.F) {
	now := time.Date(2026, 1, 6, 12, 0, 0, 0, time.UTC)
	for _, seed := range []string{
		"", "0", "3", "-1", "+5", " 120 ", "1e3", "99999999999999999999",
		"Tue, 06 Jan 2026 12:00:30 GMT", "Sun, 06 Nov 1994 08:49:37 GMT",
		"Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994",
		"Fri, 31 Dec 9999 23:59:59 GMT",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, value string) {
		got := parseRetryAfter(value, now)

		if got < 0 {
			t.Fatalf("parseRetryAfter(%q) = %v, want a non-negative delay", value, got)
		}
		seconds, err := strconv.ParseInt(strings.TrimSpace(value), 10, 64)
		if err == nil && got > 24*time.Hour {
			t.Fatalf("parseRetryAfter(%q) = %v, want at most 24h", value, got)
		}
		if err == nil && seconds > 0 && seconds < 86400 && got != time.Duration(seconds)*time.Second {
			t.Fatalf("parseRetryAfter(%q) = %v, want %ds", value, got, seconds)
		}
	})
}

func FuzzChallengeMarker(f *testing.F) {
	for _, m := range challengeMarkers {
		f.Add([]byte(challengePage(m.marker)))
	}
	f.Add([]byte("<html><head><title>Reviews</title></head></html>"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, body []byte) {
		marker, found := ChallengeMarker(body)

		head := body[:min(len(body), challengeScanBytes)]
		var want string
		for _, m := range challengeMarkers {
			if bytes.Contains(head, []byte(m.marker)) {
				want = m.marker
				break
			}
		}
		if found != (want != "") || marker != want {
			t.Fatalf("ChallengeMarker = %q, %v, want %q", marker, found, want)
		}

		resp := &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"text/html"}}}
		err := classify("https://www.imdb.com/", resp, body)
		if found != (err != nil) {
			t.Fatalf("classify = %v, but ChallengeMarker found = %v", err, found)
		}
	})
}
