package browser

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/reelpulse/reelpulse/internal/fetch"
	"github.com/reelpulse/reelpulse/internal/imdb"
	"github.com/reelpulse/reelpulse/internal/replay"
	"github.com/reelpulse/reelpulse/internal/testutil"
)

// movieID is the title that startChallengedReplay serves.
const movieID = replay.ExampleTitleID

// startChallengedReplay serves the example movie with 30 reviews behind
// replay.JSChallenge on 127.0.0.1, so that Chromium only reaches this
// machine.
func startChallengedReplay(t testing.TB) *httptest.Server {
	t.Helper()
	site := replay.NewSite()
	site.AddMovie(replay.ExampleMovie(30))
	srv := httptest.NewServer(replay.JSChallenge(replay.NewServer(site, replay.Options{})))
	t.Cleanup(srv.Close)
	return srv
}

// newBrowser starts no Chromium yet: it returns a Browser for the test's
// Chromium, closed when the test ends. Each test gets its own, because
// cookies do not tell ports apart, so a challenge passed for one test
// server would count for every other one on 127.0.0.1.
func newBrowser(t testing.TB, timeout time.Duration) *Browser {
	t.Helper()
	b := New(Config{Path: testutil.ChromiumPath(t), Timeout: timeout})
	t.Cleanup(func() {
		if err := b.Close(); err != nil {
			t.Errorf("close browser: %v", err)
		}
	})
	return b
}

func newPlainClient() *fetch.Client {
	cfg := fetch.DefaultConfig()
	cfg.RequestsPerSecond = 1000
	cfg.Burst = 100
	cfg.MaxRetries = 0
	cfg.Timeout = 5 * time.Second
	cfg.AllowedPrivateHosts = []string{"127.0.0.1"}
	return fetch.New(cfg, nil)
}

func newIMDbClient(doer fetch.Doer, srv *httptest.Server) *imdb.Client {
	return imdb.NewClient(doer, imdb.Config{BaseURL: srv.URL, GraphQLURL: srv.URL + replay.GraphQLPath})
}

// cookieDoer sends every request with the cookie of a passed challenge, so
// a plain client sees what replay.JSChallenge hides. Going to the same
// server keeps the URLs in the pages identical.
type cookieDoer struct{ next fetch.Doer }

func (d cookieDoer) Do(ctx context.Context, req *http.Request) (*fetch.Response, error) {
	req.Header.Set("Cookie", replay.ChallengeCookie+"=passed")
	return d.next.Do(ctx, req)
}

// titleReviews is everything the IMDb client reads about one title.
type titleReviews struct {
	ReviewsTitle imdb.Title
	Pages        []imdb.ReviewPage
	Title        imdb.Title
}

// readAll reads the reviews page, every later GraphQL page and the title
// page of movieID.
func readAll(ctx context.Context, client *imdb.Client) (titleReviews, error) {
	var all titleReviews
	title, page, err := client.FirstReviews(ctx, movieID)
	if err != nil {
		return all, err
	}
	all.ReviewsTitle = title
	all.Pages = append(all.Pages, page)

	for page.HasNextPage {
		page, err = client.NextReviews(ctx, movieID, page.EndCursor)
		if err != nil {
			return all, err
		}
		all.Pages = append(all.Pages, page)
	}

	all.Title, err = client.Title(ctx, movieID)
	return all, err
}

// readReference reads movieID from srv with a plain client that carries
// the challenge cookie.
func readReference(t testing.TB, srv *httptest.Server) titleReviews {
	t.Helper()
	want, err := readAll(context.Background(), newIMDbClient(cookieDoer{newPlainClient()}, srv))
	if err != nil {
		t.Fatalf("read reference reviews with the challenge cookie: %v", err)
	}
	if len(want.Pages) < 2 {
		t.Fatalf("reference has %d review pages; the test needs GraphQL pages too", len(want.Pages))
	}
	return want
}

// countingDoer counts the requests that reach a Doer.
type countingDoer struct {
	next     fetch.Doer
	requests atomic.Int64
}

func (d *countingDoer) Do(ctx context.Context, req *http.Request) (*fetch.Response, error) {
	d.requests.Add(1)
	return d.next.Do(ctx, req)
}
