package browser

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reelpulse/reelpulse/internal/fetch"
)

// fakeDoer returns err for every request, or with a response naming
// itself, and records the bodies it received.
type fakeDoer struct {
	name string
	err  error

	mu     sync.Mutex
	bodies []string
}

func (d *fakeDoer) Do(_ context.Context, req *http.Request) (*fetch.Response, error) {
	body := ""
	if req.Body != nil {
		data, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		body = string(data)
	}
	d.mu.Lock()
	d.bodies = append(d.bodies, body)
	d.mu.Unlock()

	if d.err != nil {
		return nil, d.err
	}
	return &fetch.Response{Status: http.StatusOK, Body: []byte(d.name), URL: req.URL.String()}, nil
}

func (d *fakeDoer) requests() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.bodies)
}

func challengedError(url string) error {
	return &fetch.Error{Kind: fetch.Challenged, URL: url, Status: http.StatusAccepted}
}

func postRequest(t *testing.T, url, body string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func getRequest(t *testing.T, url string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func TestParseMode(t *testing.T) {
	for value, want := range map[string]Mode{"auto": Auto, "never": Never, "always": Always} {
		got, err := ParseMode(value)
		if err != nil || got != want {
			t.Errorf("ParseMode(%q) = %v, %v; want %v", value, got, err, want)
		}
		if got.String() != value {
			t.Errorf("Mode(%d).String() = %q, want %q", got, got.String(), value)
		}
	}

	_, err := ParseMode("sometimes")
	if err == nil || !strings.Contains(err.Error(), "REELPULSE_BROWSER") || !strings.Contains(err.Error(), "sometimes") {
		t.Errorf("ParseMode(sometimes) error = %v, want one naming REELPULSE_BROWSER and the value", err)
	}
}

func TestFallbackAutoRetriesChallenge(t *testing.T) {
	for _, primaryErr := range []error{
		challengedError("http://127.0.0.1/graphql"),
		&fetch.Error{Kind: fetch.Blocked, URL: "http://127.0.0.1/graphql", Status: http.StatusForbidden},
	} {
		primary := &fakeDoer{name: "primary", err: primaryErr}
		browser := &fakeDoer{name: "browser"}
		doer := NewFallback(primary, browser, Auto, nil)

		resp, err := doer.Do(context.Background(), postRequest(t, "http://127.0.0.1/graphql", `{"a":1}`))
		if err != nil {
			t.Fatalf("primary failing with %v: Do error = %v", primaryErr, err)
		}
		if string(resp.Body) != "browser" {
			t.Errorf("primary failing with %v: response from %q, want browser", primaryErr, resp.Body)
		}
		if len(browser.bodies) != 1 || browser.bodies[0] != `{"a":1}` {
			t.Errorf("browser received bodies %q, want the whole request body once", browser.bodies)
		}
	}
}

func TestFallbackAutoKeepsOtherErrors(t *testing.T) {
	notFound := &fetch.Error{Kind: fetch.NotFound, URL: "http://127.0.0.1/title/tt1/", Status: http.StatusNotFound}
	primary := &fakeDoer{name: "primary", err: notFound}
	browser := &fakeDoer{name: "browser"}
	doer := NewFallback(primary, browser, Auto, nil)

	_, err := doer.Do(context.Background(), getRequest(t, "http://127.0.0.1/title/tt1/"))
	if !errors.Is(err, fetch.ErrNotFound) {
		t.Errorf("Do error = %v, want fetch.ErrNotFound", err)
	}
	if browser.requests() != 0 {
		t.Errorf("a 404 was retried in the browser %d times", browser.requests())
	}
}

func TestFallbackAutoSticksToBrowser(t *testing.T) {
	primary := &fakeDoer{name: "primary", err: challengedError("http://127.0.0.1/title/tt1/")}
	browser := &fakeDoer{name: "browser"}
	doer := NewFallback(primary, browser, Auto, nil).(*fallback)
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	doer.now = func() time.Time { return now }
	ctx := context.Background()

	for range 3 {
		if _, err := doer.Do(ctx, getRequest(t, "http://127.0.0.1/title/tt1/")); err != nil {
			t.Fatalf("Do: %v", err)
		}
	}
	if primary.requests() != 1 || browser.requests() != 3 {
		t.Errorf("within the sticky time: primary got %d requests and browser %d, want 1 and 3",
			primary.requests(), browser.requests())
	}

	if _, err := doer.Do(ctx, getRequest(t, "http://other.test/title/tt1/")); err != nil {
		t.Fatalf("Do for another host: %v", err)
	}
	if primary.requests() != 2 {
		t.Errorf("another host skipped plain HTTP: primary got %d requests, want 2", primary.requests())
	}

	now = now.Add(StickyDuration + time.Second)
	if _, err := doer.Do(ctx, getRequest(t, "http://127.0.0.1/title/tt1/")); err != nil {
		t.Fatalf("Do after the sticky time: %v", err)
	}
	if primary.requests() != 3 {
		t.Errorf("after the sticky time plain HTTP was not tried first: primary got %d requests, want 3", primary.requests())
	}
}

func TestFallbackAutoForgetsFailedBrowser(t *testing.T) {
	primary := &fakeDoer{name: "primary", err: challengedError("http://127.0.0.1/title/tt1/")}
	browser := &fakeDoer{name: "browser"}
	doer := NewFallback(primary, browser, Auto, nil)
	ctx := context.Background()

	if _, err := doer.Do(ctx, getRequest(t, "http://127.0.0.1/title/tt1/")); err != nil {
		t.Fatalf("Do: %v", err)
	}
	browser.err = &fetch.Error{Kind: fetch.Timeout, URL: "http://127.0.0.1/title/tt1/"}
	if _, err := doer.Do(ctx, getRequest(t, "http://127.0.0.1/title/tt1/")); !errors.Is(err, fetch.ErrTimeout) {
		t.Fatalf("Do with a failing browser: error = %v, want fetch.ErrTimeout", err)
	}
	browser.err = nil
	if _, err := doer.Do(ctx, getRequest(t, "http://127.0.0.1/title/tt1/")); err != nil {
		t.Fatalf("Do: %v", err)
	}
	if primary.requests() != 2 {
		t.Errorf("after a browser failure plain HTTP was not tried first: primary got %d requests, want 2", primary.requests())
	}
}

func TestFallbackAutoBodyNotRewindable(t *testing.T) {
	primary := &fakeDoer{name: "primary", err: challengedError("http://127.0.0.1/graphql")}
	browser := &fakeDoer{name: "browser"}
	doer := NewFallback(primary, browser, Auto, nil)
	req := postRequest(t, "http://127.0.0.1/graphql", "{}")
	req.Body = io.NopCloser(bytes.NewReader([]byte("{}")))
	req.GetBody = nil

	_, err := doer.Do(context.Background(), req)
	if !errors.Is(err, fetch.ErrChallenged) || !strings.Contains(err.Error(), "GetBody") {
		t.Errorf("Do error = %v, want the challenge and the reason the browser cannot retry", err)
	}
	if browser.requests() != 0 {
		t.Errorf("browser got %d requests, want none", browser.requests())
	}
}

func TestFallbackModes(t *testing.T) {
	for _, mode := range []Mode{Never, Always} {
		primary := &fakeDoer{name: "primary", err: challengedError("http://127.0.0.1/")}
		browser := &fakeDoer{name: "browser"}
		doer := NewFallback(primary, browser, mode, nil)

		resp, err := doer.Do(context.Background(), getRequest(t, "http://127.0.0.1/"))
		switch mode {
		case Never:
			if !errors.Is(err, fetch.ErrChallenged) || browser.requests() != 0 {
				t.Errorf("mode never: error = %v and %d browser requests, want the challenge and none", err, browser.requests())
			}
		case Always:
			if err != nil || string(resp.Body) != "browser" || primary.requests() != 0 {
				t.Errorf("mode always: error = %v and %d plain requests, want a browser response and none", err, primary.requests())
			}
		}
	}
}
