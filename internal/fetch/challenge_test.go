package fetch

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// challengePage returns an HTML page that carries marker in its head.
func challengePage(marker string) string {
	return "<!DOCTYPE html><html><head><meta charset=\"utf-8\">" +
		"<script>var settings = '" + marker + "';</script></head>" +
		"<body><div id=\"root\"></div></body></html>"
}

func TestDoChallengePages(t *testing.T) {
	for _, m := range challengeMarkers {
		t.Run(m.marker, func(t *testing.T) {
			var calls atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				_, _ = w.Write([]byte(challengePage(m.marker)))
			}))
			defer srv.Close()
			c, _ := newTestClient(t, testConfig())
			url := srv.URL + "/title/tt0111161/reviews"

			resp, err := c.Get(t.Context(), url, nil)

			if resp != nil {
				t.Errorf("response = %+v, want nil", resp)
			}
			if !errors.Is(err, ErrChallenged) {
				t.Fatalf("error = %v, want ErrChallenged", err)
			}
			var fetchErr *Error
			if errors.As(err, &fetchErr) && fetchErr.Status != http.StatusOK {
				t.Errorf("status = %d, want 200", fetchErr.Status)
			}
			for _, want := range []string{"bot challenge page (HTTP 200)", url, m.source, "retry later"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("message %q does not contain %q", err, want)
				}
			}
			if got := calls.Load(); got != 1 {
				t.Errorf("calls = %d, want 1", got)
			}
		})
	}
}

func TestDoChallengeClassification(t *testing.T) {
	tests := []struct {
		name        string
		status      int
		contentType string
		body        string
		want        error // nil for a successful response
	}{
		{"captcha with 405", http.StatusMethodNotAllowed, "text/html", challengePage(`id="captcha-container"`), ErrChallenged},
		{"Next.js page quoting markers", http.StatusOK, "text/html",
			`<html><body><div>I saw a id="captcha-container" and gokuProps in a /challenge.js" film</div>` +
				`<script id="__NEXT_DATA__" type="application/json">{}</script></body></html>`, nil},
		{"robot check without content type", http.StatusOK, "", "<html><head><title>Robot Check</title></head></html>", ErrChallenged},
		{"403 with marker stays blocked", http.StatusForbidden, "text/html", challengePage("gokuProps"), ErrBlocked},
		{"JSON quoting a marker", http.StatusOK, "application/json", `{"text":"I love challenge.js"}`, nil},
		{"marker after 64 KiB", http.StatusOK, "text/html", strings.Repeat("x", challengeScanBytes) + "gokuProps", nil},
		{"ordinary page", http.StatusOK, "text/html", "<html><head><title>Reviews</title></head></html>", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			header := http.Header{}
			if tt.contentType != "" {
				header.Set("Content-Type", tt.contentType)
			}
			resp := &http.Response{StatusCode: tt.status, Header: header}

			err := classify("https://www.imdb.com/title/tt0111161/", resp, []byte(tt.body))

			if tt.want == nil && err != nil {
				t.Errorf("classify = %v, want nil", err)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("classify = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestChallengeMarker(t *testing.T) {
	if marker, found := ChallengeMarker([]byte(challengePage("window.__RP_CHALLENGE__"))); !found || marker != "window.__RP_CHALLENGE__" {
		t.Errorf("ChallengeMarker = %q, %v, want window.__RP_CHALLENGE__", marker, found)
	}
	if marker, found := ChallengeMarker(bytes.ToUpper([]byte("gokuprops"))); found {
		t.Errorf("ChallengeMarker matched %q in an unrelated word", marker)
	}
	if _, found := ChallengeMarker(nil); found {
		t.Error("ChallengeMarker matched an empty body")
	}
}
