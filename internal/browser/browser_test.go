package browser

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/reelpulse/reelpulse/internal/fetch"
	"github.com/reelpulse/reelpulse/internal/replay"
)

func TestPlainClientChallenged(t *testing.T) {
	srv := startChallengedReplay(t)
	want := readReference(t, srv)
	client := newIMDbClient(newPlainClient(), srv)
	ctx := context.Background()

	_, _, err := client.FirstReviews(ctx, movieID)
	if !errors.Is(err, fetch.ErrChallenged) {
		t.Errorf("FirstReviews error = %v, want fetch.ErrChallenged for the challenge page", err)
	}

	_, err = client.NextReviews(ctx, movieID, want.Pages[0].EndCursor)
	if !errors.Is(err, fetch.ErrChallenged) {
		t.Errorf("NextReviews error = %v, want fetch.ErrChallenged for the GraphQL challenge", err)
	}
}

func TestFallbackAutoMatchesPlainReviews(t *testing.T) {
	srv := startChallengedReplay(t)
	want := readReference(t, srv)
	browser := &countingDoer{next: newBrowser(t, 20*time.Second)}
	client := newIMDbClient(NewFallback(newPlainClient(), browser, Auto, nil), srv)

	got, err := readAll(context.Background(), client)
	if err != nil {
		t.Fatalf("read reviews through the fallback: %v", err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("reviews through the fallback differ from plain HTTP with the cookie:\ngot  %+v\nwant %+v", got, want)
	}
	if n := browser.requests.Load(); n == 0 {
		t.Error("the browser served no request")
	}
}

func TestFallbackNeverFails(t *testing.T) {
	srv := startChallengedReplay(t)
	want := readReference(t, srv)
	browser := &countingDoer{next: newBrowser(t, 20*time.Second)}
	client := newIMDbClient(NewFallback(newPlainClient(), browser, Never, nil), srv)
	ctx := context.Background()

	if _, _, err := client.FirstReviews(ctx, movieID); err == nil {
		t.Error("FirstReviews succeeded through mode never")
	}
	_, err := client.NextReviews(ctx, movieID, want.Pages[0].EndCursor)
	if !errors.Is(err, fetch.ErrChallenged) {
		t.Errorf("NextReviews error = %v, want fetch.ErrChallenged", err)
	}
	if n := browser.requests.Load(); n != 0 {
		t.Errorf("mode never sent %d requests to the browser", n)
	}
}

func TestFallbackAlwaysSucceeds(t *testing.T) {
	srv := startChallengedReplay(t)
	want := readReference(t, srv)
	primary := &countingDoer{next: newPlainClient()}
	client := newIMDbClient(NewFallback(primary, newBrowser(t, 20*time.Second), Always, nil), srv)

	got, err := readAll(context.Background(), client)
	if err != nil {
		t.Fatalf("read reviews through mode always: %v", err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("reviews through mode always differ from plain HTTP with the cookie:\ngot  %+v\nwant %+v", got, want)
	}
	if n := primary.requests.Load(); n != 0 {
		t.Errorf("mode always sent %d requests over plain HTTP", n)
	}
}

func TestBrowserNextReviewsWithoutPage(t *testing.T) {
	// A GraphQL call as the first request: the tab must load the Referer
	// page, which passes the challenge, before fetch() can succeed.
	srv := startChallengedReplay(t)
	want := readReference(t, srv)
	client := newIMDbClient(newBrowser(t, 20*time.Second), srv)

	got, err := client.NextReviews(context.Background(), movieID, want.Pages[0].EndCursor)
	if err != nil {
		t.Fatalf("NextReviews through the browser: %v", err)
	}
	if !reflect.DeepEqual(got, want.Pages[1]) {
		t.Errorf("NextReviews page = %+v, want %+v", got, want.Pages[1])
	}
}

func TestBrowserNotFound(t *testing.T) {
	srv := startChallengedReplay(t)
	client := newIMDbClient(newBrowser(t, 20*time.Second), srv)

	_, _, err := client.FirstReviews(context.Background(), "tt9999999")
	if !errors.Is(err, fetch.ErrNotFound) {
		t.Fatalf("FirstReviews of a missing title: error = %v, want fetch.ErrNotFound", err)
	}
	var fetchErr *fetch.Error
	if !errors.As(err, &fetchErr) || fetchErr.Status != http.StatusNotFound {
		t.Errorf("error = %#v, want a *fetch.Error with status 404", err)
	}
}

func TestBrowserBlocked(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "request blocked", http.StatusForbidden)
	}))
	t.Cleanup(srv.Close)
	b := newBrowser(t, 20*time.Second)

	_, err := fetch.Get(context.Background(), b, srv.URL+"/title/tt0013442/", nil)
	if !errors.Is(err, fetch.ErrBlocked) {
		t.Errorf("GET of a 403 page: error = %v, want fetch.ErrBlocked", err)
	}
}

func TestBrowserChallengeNeverPasses(t *testing.T) {
	// The cookie of this challenge is never accepted, so the page stays a
	// challenge until the timeout.
	never := replay.JSChallenge(http.NotFoundHandler())
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Header.Del("Cookie")
		never.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	// Start Chromium with a long timeout, so that a slow start on a busy
	// machine does not use up the short one this test waits for.
	b := newBrowser(t, 30*time.Second)
	if _, err := b.running(context.Background()); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	b.config.Timeout = 3 * time.Second

	_, err := fetch.Get(context.Background(), b, srv.URL+"/title/tt0013442/", nil)
	if !errors.Is(err, fetch.ErrChallenged) {
		t.Errorf("GET of a challenge that never passes: error = %v, want fetch.ErrChallenged", err)
	}

	_, err = fetch.PostJSON(context.Background(), b, srv.URL+replay.GraphQLPath, map[string]string{}, nil)
	if !errors.Is(err, fetch.ErrChallenged) {
		t.Errorf("POST to a GraphQL endpoint that always challenges: error = %v, want fetch.ErrChallenged", err)
	}
}

func TestBrowserPostStatusBody(t *testing.T) {
	const reply = `{"errors":[{"message":"Cannot query field \"nope\""}]}`
	var gotHeader http.Header
	var gotBody string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			_, _ = io.WriteString(w, "<!DOCTYPE html><html><body><p>home</p></body></html>")
			return
		}
		body, _ := io.ReadAll(r.Body)
		gotHeader, gotBody = r.Header.Clone(), string(body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, reply)
	}))
	t.Cleanup(srv.Close)
	b := newBrowser(t, 20*time.Second)

	header := http.Header{"X-Imdb-Client-Name": {"imdb-web-next"}, "Referer": {srv.URL + "/title/tt0013442/reviews/"}}
	_, err := fetch.PostJSON(context.Background(), b, srv.URL+"/graphql", map[string]string{"query": "{ nope }"}, header)

	var fetchErr *fetch.Error
	if !errors.As(err, &fetchErr) || fetchErr.Kind != fetch.Status || fetchErr.Status != http.StatusBadRequest {
		t.Fatalf("POST answered with 400: error = %v, want a *fetch.Error of kind Status with status 400", err)
	}
	if string(fetchErr.Body) != reply {
		t.Errorf("error body = %q, want %q", fetchErr.Body, reply)
	}
	if gotBody != `{"query":"{ nope }"}` {
		t.Errorf("server received body %q", gotBody)
	}
	if got := gotHeader.Get("X-Imdb-Client-Name"); got != "imdb-web-next" {
		t.Errorf("server received X-Imdb-Client-Name %q, want imdb-web-next", got)
	}
	if got := gotHeader.Get("Content-Type"); got != "application/json" {
		t.Errorf("server received Content-Type %q, want application/json", got)
	}
	if got := gotHeader.Get("Referer"); got != srv.URL+"/title/tt0013442/reviews/" {
		t.Errorf("server received Referer %q, want the reviews page", got)
	}
}

func TestBrowserCanceledContext(t *testing.T) {
	srv := startChallengedReplay(t)
	b := newBrowser(t, 20*time.Second)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()

	_, err := fetch.Get(ctx, b, srv.URL+"/title/tt0013442/", nil)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("GET with a canceled context: error = %v, want context.Canceled", err)
	}
}

func TestBrowserCloseRemovesProfile(t *testing.T) {
	temp := t.TempDir()
	t.Setenv("TMPDIR", temp)
	srv := startChallengedReplay(t)
	b := newBrowser(t, 20*time.Second)

	if _, err := fetch.Get(context.Background(), b, srv.URL+"/title/tt0013442/", nil); err != nil {
		t.Fatalf("GET title page: %v", err)
	}
	pid := b.PID()
	if pid == 0 {
		t.Fatal("PID is 0 while Chromium runs")
	}
	entries, _ := os.ReadDir(temp)
	profiles := 0
	for _, entry := range entries {
		if strings.HasPrefix(entry.Name(), "reelpulse-chromium-") {
			profiles++
		}
	}
	if profiles != 1 {
		t.Errorf("temporary folder holds %v, want one Chromium profile", entries)
	}

	if err := b.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if entries, _ := os.ReadDir(temp); len(entries) != 0 {
		t.Errorf("temporary folder holds %v after Close, want nothing", entries)
	}
	if _, err := os.Stat("/proc/" + strconv.Itoa(pid)); err == nil {
		t.Errorf("Chromium process %d still exists after Close", pid)
	}

	// A request after Close starts Chromium again.
	if _, err := fetch.Get(context.Background(), b, srv.URL+"/title/tt0013442/", nil); err != nil {
		t.Fatalf("GET after Close: %v", err)
	}
}
