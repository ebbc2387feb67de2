package web_test

import (
	"context"
	"errors"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/reelpulse/reelpulse/internal/store"
	"github.com/reelpulse/reelpulse/internal/web"
	"github.com/reelpulse/reelpulse/internal/web/webtest"
)

type fixture struct {
	store   *webtest.Store
	tracker *webtest.Tracker
	handler http.Handler
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	st := webtest.NewStore()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	if _, err := webtest.Seed(context.Background(), st, now); err != nil {
		t.Fatalf("seed store: %v", err)
	}
	tracker := &webtest.Tracker{Store: st}
	signedIn := webtest.NewAccounts(t, nil)
	signedIn.TrackAll(t, st)
	handler, err := web.New(web.Config{Accounts: signedIn.Store, Auth: signedIn.Auth,
		Store:    st,
		Tracker:  tracker,
		Analyzer: webtest.Analyzer,
		Logger:   slog.New(slog.DiscardHandler),
		Now:      func() time.Time { return now },
		Searcher: fakeSearcher{},
	})
	if err != nil {
		t.Fatalf("web.New: %v", err)
	}
	handler = webtest.AsMember(handler, signedIn.Admin)
	return &fixture{store: st, tracker: tracker, handler: handler}
}

// fakeSearcher returns one title for "nosferatu" and fails for "offline".
type fakeSearcher struct{}

func (fakeSearcher) Search(_ context.Context, query string) ([]web.Suggestion, error) {
	switch strings.ToLower(query) {
	case "offline":
		return nil, errors.New("connection refused")
	case "nosferatu":
		return []web.Suggestion{{ID: "tt0013442", Title: "Nosferatu <1922>", Year: 1922, Kind: "feature", Stars: "Max Schreck"}}, nil
	}
	return nil, nil
}

func (f *fixture) get(t *testing.T, target string) (*http.Response, string) {
	t.Helper()
	return f.serve(t, httptest.NewRequest(http.MethodGet, target, nil))
}

func (f *fixture) postForm(t *testing.T, target string, form url.Values) (*http.Response, string) {
	t.Helper()
	request := httptest.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	request.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return f.serve(t, request)
}

func (f *fixture) serve(t *testing.T, request *http.Request) (*http.Response, string) {
	t.Helper()
	recorder := httptest.NewRecorder()
	f.handler.ServeHTTP(recorder, request)
	response := recorder.Result()
	body, err := io.ReadAll(response.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return response, string(body)
}

func TestPagesStatusAndHeaders(t *testing.T) {
	cases := []struct {
		name        string
		target      string
		status      int
		contentType string
		contains    string
	}{
		{"movie list", "/", http.StatusOK, "text/html; charset=utf-8", "Nosferatu"},
		{"movie page", "/movies/" + webtest.MovieID, http.StatusOK, "text/html; charset=utf-8", "Nosferatu, eine Symphonie des Grauens"},
		{"pending movie page", "/movies/" + webtest.PendingMovieID, http.StatusOK, "text/html; charset=utf-8", "No reviews are stored"},
		{"filtered reviews", "/movies/" + webtest.MovieID + "?spoiler=only", http.StatusOK, "text/html; charset=utf-8", "2 reviews match these filters."},
		{"remove confirmation", "/movies/" + webtest.MovieID + "/remove", http.StatusOK, "text/html; charset=utf-8", "Remove Nosferatu from your list?"},
		{"unknown movie", "/movies/tt9999999", http.StatusNotFound, "text/html; charset=utf-8", "tt9999999"},
		{"unknown movie removal", "/movies/tt9999999/remove", http.StatusNotFound, "text/html; charset=utf-8", "Movie not found"},
		{"movie id not UTF-8", "/movies/%ff", http.StatusNotFound, "text/html; charset=utf-8", `No movie with id &#34;\xff&#34; is stored`},
		{"poster id with NUL", "/posters/tt%00", http.StatusNotFound, "text/html; charset=utf-8", "Movie not found"},
		{"unknown page", "/nothing/here", http.StatusNotFound, "text/html; charset=utf-8", "Page not found"},
		{"invalid review filter", "/movies/" + webtest.MovieID + "?min_rating=11", http.StatusBadRequest, "text/html; charset=utf-8", "min_rating"},
		{"style sheet", "/static/style.css", http.StatusOK, "text/css; charset=utf-8", ".chart-svg"},
		{"script", "/static/app.js", http.StatusOK, "text/javascript; charset=utf-8", "data-relative"},
		{"static directory", "/static/", http.StatusNotFound, "text/plain; charset=utf-8", "404 page not found"},
		{"static file missing", "/static/none.css", http.StatusNotFound, "text/plain; charset=utf-8", "404 page not found"},
		{"health", "/healthz", http.StatusOK, "text/plain; charset=utf-8", "ok"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			response, body := f.get(t, c.target)

			if response.StatusCode != c.status {
				t.Errorf("status = %d, want %d", response.StatusCode, c.status)
			}
			if got := response.Header.Get("Content-Type"); got != c.contentType {
				t.Errorf("Content-Type = %q, want %q", got, c.contentType)
			}
			if !strings.Contains(body, c.contains) {
				t.Errorf("body does not contain %q", c.contains)
			}
			if got := response.Header.Get("Content-Security-Policy"); got != web.ContentSecurityPolicy {
				t.Errorf("Content-Security-Policy = %q, want %q", got, web.ContentSecurityPolicy)
			}
			if got := response.Header.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options = %q, want nosniff", got)
			}
		})
	}
}

func TestContentSecurityPolicyIsStrict(t *testing.T) {
	for _, directive := range []string{"default-src 'self'", "script-src 'self'", "style-src 'self'",
		"img-src 'self' data:", "frame-ancestors 'none'"} {
		if policy := web.ContentSecurityPolicy; !strings.Contains(policy, directive) {
			t.Errorf("policy %q lacks %q", web.ContentSecurityPolicy, directive)
		}
	}
	if strings.Contains(web.ContentSecurityPolicy, "https:") {
		t.Errorf("policy %q lets pages load images from other sites; posters are served by the dashboard", web.ContentSecurityPolicy)
	}
	if strings.Contains(web.ContentSecurityPolicy, "unsafe") {
		t.Errorf("policy %q allows unsafe sources", web.ContentSecurityPolicy)
	}
}

// TestPagesHaveNoInlineCode checks what the policy would block in a browser:
// inline scripts, style attributes and event handler attributes.
func TestPagesHaveNoInlineCode(t *testing.T) {
	inline := regexp.MustCompile(`<script>|<script [^>]*>[^<]|<style|<[a-zA-Z][^>]*\s(style|on[a-z]+)=`)
	f := newFixture(t)
	for _, target := range []string{"/", "/movies/" + webtest.MovieID, "/movies/" + webtest.MovieID + "/remove"} {
		_, body := f.get(t, target)
		// The seeded malicious review is escaped, so its markup cannot match.
		if match := inline.FindString(body); match != "" {
			t.Errorf("%s contains inline code %q", target, match)
		}
	}
}

func TestReviewTextEscaped(t *testing.T) {
	f := newFixture(t)
	_, body := f.get(t, "/movies/"+webtest.MovieID)

	if strings.Contains(body, `<script>alert("xss")</script>`) {
		t.Error("review markup is rendered as HTML")
	}
	if strings.Contains(body, "<img src=x") {
		t.Error("review image tag is rendered as HTML")
	}
	if !strings.Contains(body, `&lt;script&gt;alert(&#34;xss&#34;)&lt;/script&gt;`) {
		t.Error("escaped review text is missing")
	}
}

func TestMoviePageCharts(t *testing.T) {
	f := newFixture(t)
	_, body := f.get(t, "/movies/"+webtest.MovieID)

	charts := []struct {
		testID string
		bars   int
	}{
		{"chart-reviews-by-month", 6},
		{"chart-rating-distribution", 10},
		{"chart-aspect-averages", 6},
		{"chart-aspect-storytelling", 5},
		{"chart-aspect-overall", 5},
	}
	for _, c := range charts {
		svg := svgByTestID(t, body, c.testID)
		if !strings.Contains(svg, `role="img"`) {
			t.Errorf("%s has no role=img", c.testID)
		}
		if !strings.Contains(svg, `<title id="`+c.testID+`-title">`) {
			t.Errorf("%s has no title", c.testID)
		}
		if got := strings.Count(svg, `<rect class="bar`); got != c.bars {
			t.Errorf("%s has %d bars, want %d", c.testID, got, c.bars)
		}
		if got := strings.Count(svg, `<rect class="bar`); strings.Count(svg, "</title></rect>") != got {
			t.Errorf("%s has bars without a tooltip title", c.testID)
		}
	}

	evolution := svgByTestID(t, body, "chart-rating-evolution")
	// Five months have ratings and carry a monthly point; the rolling and
	// cumulative averages have a point in each of the six months.
	if got := strings.Count(evolution, `<circle class="point"`); got != 5+6+6 {
		t.Errorf("chart-rating-evolution has %d points, want 17", got)
	}
	if got := strings.Count(body, `<details class="data-table">`); got != 3+2+6*2+1 {
		t.Errorf("page has %d data tables, want one per chart (18)", got)
	}
}

func svgByTestID(t *testing.T, body, testID string) string {
	t.Helper()
	start := strings.Index(body, `data-testid="`+testID+`"`)
	if start < 0 {
		t.Fatalf("no element with data-testid %s", testID)
	}
	end := strings.Index(body[start:], "</svg>")
	if end < 0 {
		t.Fatalf("svg %s is not closed", testID)
	}
	return body[start : start+end]
}

func TestMoviePageFigures(t *testing.T) {
	f := newFixture(t)
	_, body := f.get(t, "/movies/"+webtest.MovieID)

	wants := []string{
		`data-testid="aspect-storytelling-average">+0.43<`,
		`data-testid="aspect-overall-average">+0.91<`,
		`data-testid="aspect-sound-average">+0.75<`,
		"of 15 declared on IMDb",
		"<strong>7.5</strong>/10",
		"https://www.imdb.com/title/tt0013442/",
		"Contains spoilers",
		"Not analyzed yet.",
		"2 hours ago",
	}
	text := html.UnescapeString(body)
	for _, want := range wants {
		if !strings.Contains(text, want) {
			t.Errorf("movie page lacks %q", want)
		}
	}
}

func TestListPageStates(t *testing.T) {
	f := newFixture(t)
	_, body := f.get(t, "/")

	wants := []string{
		`class="badge badge-ok"`,
		`class="badge badge-error"`,
		"IMDb returned 503",
		`class="badge badge-pending"`,
		"12 <span class=\"muted\">of 15 declared</span>",
		`alt="Poster of Nosferatu"`,
		`href="/movies/tt0013442/remove"`,
	}
	for _, want := range wants {
		if !strings.Contains(body, want) {
			t.Errorf("list page lacks %q", want)
		}
	}
}

func TestAddMovie(t *testing.T) {
	cases := []struct {
		name     string
		input    string
		status   int
		location string
		message  string
	}{
		{"IMDb id", "tt0063350", http.StatusSeeOther, "/movies/tt0063350", ""},
		{"IMDb URL", " https://www.imdb.com/title/tt0063350/?ref_=nv ", http.StatusSeeOther, "/movies/tt0063350", ""},
		{"invalid id", "tt12", http.StatusBadRequest, "", "invalid IMDb id"},
		{"non-IMDb URL", "https://example.com/title/tt0063350/", http.StatusBadRequest, "", "invalid IMDb id"},
		{"empty input", "", http.StatusBadRequest, "", "Enter an IMDb id"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			response, body := f.postForm(t, "/movies", url.Values{"movie": {c.input}})

			if response.StatusCode != c.status {
				t.Fatalf("status = %d, want %d", response.StatusCode, c.status)
			}
			if got := response.Header.Get("Location"); got != c.location {
				t.Errorf("Location = %q, want %q", got, c.location)
			}
			if c.message != "" && !strings.Contains(body, c.message) {
				t.Errorf("page does not show the error %q", c.message)
			}
			if c.message != "" && !strings.Contains(body, `role="alert"`) {
				t.Error("error is not announced with role=alert")
			}
			if c.location != "" && !slices.Equal(f.tracker.Tracked(), []string{"tt0063350"}) {
				t.Errorf("Tracker.Track calls = %v, want [tt0063350]", f.tracker.Tracked())
			}
		})
	}
}

func TestAddMovieServerError(t *testing.T) {
	f := newFixture(t)
	f.tracker.TrackError = errors.New("database is locked")
	response, body := f.postForm(t, "/movies", url.Values{"movie": {"tt0063350"}})

	if response.StatusCode != http.StatusInternalServerError {
		t.Errorf("status = %d, want 500", response.StatusCode)
	}
	if !strings.Contains(body, "server error") || strings.Contains(body, "locked") {
		t.Errorf("page should show a generic server error without internal details")
	}
	if !strings.Contains(body, `value="tt0063350"`) {
		t.Error("form does not keep the input")
	}
}

func TestRemoveMovie(t *testing.T) {
	f := newFixture(t)
	response, _ := f.postForm(t, "/movies/"+webtest.MovieID+"/remove", nil)

	if response.StatusCode != http.StatusSeeOther {
		t.Fatalf("status = %d, want 303", response.StatusCode)
	}
	if got := response.Header.Get("Location"); got != "/" {
		t.Errorf("Location = %q, want /", got)
	}
	// The movie leaves the user's list. The store stops checking it once no
	// list contains it, so the Tracker is not asked to stop it for everyone.
	if got := f.tracker.Untracked(); len(got) != 0 {
		t.Errorf("Tracker.Untrack calls = %v, want none", got)
	}
	if _, body := f.get(t, "/"); strings.Contains(body, "Nosferatu") {
		t.Error("removed movie is still listed")
	}
}

func TestRemoveUnknownMovie(t *testing.T) {
	f := newFixture(t)
	response, _ := f.postForm(t, "/movies/tt9999999/remove", nil)

	if response.StatusCode != http.StatusNotFound {
		t.Errorf("status = %d, want 404", response.StatusCode)
	}
	if got := f.tracker.Untracked(); len(got) != 0 {
		t.Errorf("Tracker.Untrack was called with %v", got)
	}
}

func TestCrossOriginFormRejected(t *testing.T) {
	f := newFixture(t)
	request := httptest.NewRequest(http.MethodPost, "/movies/"+webtest.MovieID+"/remove", nil)
	request.Header.Set("Sec-Fetch-Site", "cross-site")
	response, _ := f.serve(t, request)

	if response.StatusCode != http.StatusForbidden {
		t.Errorf("status = %d, want 403", response.StatusCode)
	}
	if got := f.tracker.Untracked(); len(got) != 0 {
		t.Errorf("Tracker.Untrack was called with %v", got)
	}
}

func TestHealthz(t *testing.T) {
	cases := []struct {
		name    string
		pingErr error
		status  int
		body    string
	}{
		{"database answers", nil, http.StatusOK, "ok"},
		{"database down", errors.New("connection refused"), http.StatusServiceUnavailable, "database unavailable"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			f.store.SetPingError(c.pingErr)
			response, body := f.get(t, "/healthz")

			if response.StatusCode != c.status {
				t.Errorf("status = %d, want %d", response.StatusCode, c.status)
			}
			if body != c.body {
				t.Errorf("body = %q, want %q", body, c.body)
			}
		})
	}
}

func TestNewRejectsMissingDependencies(t *testing.T) {
	st := webtest.NewStore()
	cases := []struct {
		name    string
		config  web.Config
		mention string
	}{
		{"store", web.Config{Tracker: &webtest.Tracker{}, Analyzer: "lexicon"}, "Store"},
		{"tracker", web.Config{Store: st, Analyzer: "lexicon"}, "Tracker"},
		{"analyzer", web.Config{Store: st, Tracker: &webtest.Tracker{}}, "Analyzer"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := web.New(c.config)
			if err == nil || !strings.Contains(err.Error(), c.mention) {
				t.Errorf("web.New error = %v, want one naming %s", err, c.mention)
			}
		})
	}
}

func TestAddFormSearchesTitles(t *testing.T) {
	tests := []struct {
		input  string
		status int
		want   []string
	}{
		// Nosferatu is on the admin's list, so it links to its page.
		{"nosferatu", http.StatusOK, []string{`data-testid="suggestions"`, "Nosferatu &lt;1922&gt;", `href="/movies/tt0013442"`, "on your list", "Max Schreck"}},
		{"Zzyzx Road", http.StatusOK, []string{"No title matches", "Zzyzx Road"}},
		{"offline", http.StatusBadGateway, []string{"title search failed"}},
		// Over the suggestion client's limit: the user's input, not IMDb, is at fault.
		{strings.Repeat("ö", 101), http.StatusBadRequest, []string{"202 bytes long", "at most 200", strings.Repeat("ö", 101)}},
	}
	for _, tt := range tests {
		t.Run(tt.input, func(t *testing.T) {
			f := newFixture(t)
			response, body := f.postForm(t, "/movies", url.Values{"movie": {tt.input}})
			if response.StatusCode != tt.status {
				t.Fatalf("status = %d, want %d", response.StatusCode, tt.status)
			}
			for _, want := range tt.want {
				if !strings.Contains(body, want) {
					t.Errorf("page lacks %q", want)
				}
			}
			if got := f.tracker.Tracked(); len(got) != 0 {
				t.Errorf("a search tracked %v", got)
			}
		})
	}
}

func TestPosterRoute(t *testing.T) {
	f := newFixture(t)
	response, body := f.get(t, "/posters/"+webtest.MovieID)
	if response.StatusCode != http.StatusOK || !strings.Contains(body, "No poster yet") {
		t.Fatalf("poster before download: %d %q, want the placeholder", response.StatusCode, body)
	}

	data := []byte("\x89PNG\r\n\x1a\nfake")
	poster := store.Poster{MovieID: webtest.MovieID, SourceURL: "https://example.test/p.png", ContentType: "image/png", Data: data, FetchedAt: time.Now()}
	if err := f.store.SavePoster(context.Background(), poster); err != nil {
		t.Fatal(err)
	}
	response, body = f.get(t, "/posters/"+webtest.MovieID)
	if response.StatusCode != http.StatusOK || body != string(data) {
		t.Fatalf("stored poster: %d, %d bytes, want the stored bytes", response.StatusCode, len(body))
	}
	if got := response.Header.Get("Content-Type"); got != "image/png" {
		t.Errorf("Content-Type = %q, want image/png", got)
	}
	// Who may see a poster depends on their list: no shared cache may keep it.
	if got := response.Header.Get("Cache-Control"); !strings.HasPrefix(got, "private,") {
		t.Errorf("Cache-Control = %q, want private", got)
	}
	if got := response.Header.Get("Content-Security-Policy"); !strings.Contains(got, "sandbox") {
		t.Errorf("poster policy = %q, want a sandbox", got)
	}
}
