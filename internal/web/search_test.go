package web_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/reelpulse/reelpulse/internal/authn"
	"github.com/reelpulse/reelpulse/internal/fetch"
	"github.com/reelpulse/reelpulse/internal/poster"
	"github.com/reelpulse/reelpulse/internal/web"
	"github.com/reelpulse/reelpulse/internal/web/webtest"
)

// pngPoster is the start of a PNG file, enough for content sniffing.
const pngPoster = "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDRposter"

// imageServer is a loopback stand-in for IMDb's image host. It serves
// /ok.png, responds 404 to anything else and counts the requests.
type imageServer struct {
	*httptest.Server
	requests atomic.Int32
}

func newImageServer(t *testing.T) *imageServer {
	t.Helper()
	s := &imageServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		if r.URL.Path != "/ok.png" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "image/png")
		_, _ = w.Write([]byte(pngPoster))
	}))
	t.Cleanup(s.Close)
	return s
}

// posterSearcher suggests, for "nosfer" and "nosferatu", one title per entry
// of posters, keyed by id, with that image URL. It counts its calls.
type posterSearcher struct {
	posters map[string]string
	mu      sync.Mutex
	calls   int
}

func (p *posterSearcher) Search(_ context.Context, query string) ([]web.Suggestion, error) {
	p.mu.Lock()
	p.calls++
	p.mu.Unlock()
	if query == "offline" {
		return nil, errors.New("connection refused")
	}
	switch strings.ToLower(strings.TrimSpace(query)) {
	case "nosfer", "nosferatu":
	default:
		return []web.Suggestion{}, nil
	}
	var out []web.Suggestion
	for _, id := range []string{"tt0013442", "tt5040012", "tt0079641"} {
		if u, ok := p.posters[id]; ok {
			out = append(out, web.Suggestion{ID: id, Title: "Nosferatu " + id, Year: 1922, Kind: "movie", PosterURL: u})
		}
	}
	return out, nil
}

func (p *posterSearcher) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.calls
}

// newSearchFixture returns a dashboard whose suggestions have posters on
// images, which is the only allowed image host, fetched through the real
// fetch layer and poster.Download.
func newSearchFixture(t *testing.T, images *imageServer, posters map[string]string) (*fixture, *posterSearcher) {
	t.Helper()
	cfg := fetch.DefaultConfig()
	cfg.RequestsPerSecond = 1000
	cfg.Burst = 100
	cfg.MaxRetries = 0
	cfg.Timeout = 5 * time.Second
	cfg.AllowedPrivateHosts = []string{"127.0.0.1"}
	doer := fetch.New(cfg, nil)

	st := webtest.NewStore()
	searcher := &posterSearcher{posters: posters}
	signedIn := webtest.NewAccounts(t, nil)
	signedIn.TrackAll(t, st)
	handler, err := web.New(web.Config{Accounts: signedIn.Store, Auth: signedIn.Auth,
		Store:    st,
		Tracker:  &webtest.Tracker{Store: st},
		Analyzer: webtest.Analyzer,
		Logger:   slog.New(slog.DiscardHandler),
		Searcher: searcher,
		SuggestionImages: func(ctx context.Context, u string) (string, []byte, error) {
			return poster.Download(ctx, doer, u)
		},
		ImageHosts: []string{strings.TrimPrefix(images.URL, "http://")},
	})
	if err != nil {
		t.Fatalf("web.New: %v", err)
	}
	handler = webtest.AsMember(handler, signedIn.Admin)
	return &fixture{store: st, handler: handler}, searcher
}

type suggestionsBody struct {
	Query       string `json:"query"`
	Suggestions []struct {
		ID     string `json:"id"`
		Title  string `json:"title"`
		Year   int    `json:"year"`
		Poster string `json:"poster"`
	} `json:"suggestions"`
	Error string `json:"error"`
}

func TestSuggestionsEndpoint(t *testing.T) {
	images := newImageServer(t)
	posters := map[string]string{
		"tt0013442": images.URL + "/ok.png",
		"tt5040012": "https://evil.example/poster.png",
		"tt0079641": "",
	}
	tests := []struct {
		query   string
		status  int
		ids     []string
		posters []string
		error   string
	}{
		{"Nosfer", http.StatusOK, []string{"tt0013442", "tt5040012", "tt0079641"},
			[]string{"/suggestions/tt0013442/poster", "", ""}, ""},
		{"zzyzx", http.StatusOK, []string{}, nil, ""},
		{"n", http.StatusBadRequest, nil, nil, `"n" is too short`},
		{"", http.StatusBadRequest, nil, nil, "at least 2 characters"},
		{"tt0013442", http.StatusBadRequest, nil, nil, "IMDb id or URL"},
		{"https://www.imdb.com/title/tt0013442/", http.StatusBadRequest, nil, nil, "IMDb id or URL"},
		{strings.Repeat("a", 201), http.StatusBadRequest, nil, nil, "at most 200"},
		{"offline", http.StatusBadGateway, nil, nil, "IMDb did not respond"},
	}
	for _, tt := range tests {
		t.Run(tt.query[:min(len(tt.query), 20)], func(t *testing.T) {
			f, _ := newSearchFixture(t, images, posters)
			response, body := f.get(t, "/suggestions?q="+url.QueryEscape(tt.query))
			if response.StatusCode != tt.status {
				t.Fatalf("status = %d, want %d: %s", response.StatusCode, tt.status, body)
			}
			if got := response.Header.Get("Content-Type"); got != "application/json" {
				t.Errorf("Content-Type = %q, want application/json", got)
			}
			var reply suggestionsBody
			if err := json.Unmarshal([]byte(body), &reply); err != nil {
				t.Fatalf("decode %s: %v", body, err)
			}
			if tt.error != "" {
				if !strings.Contains(reply.Error, tt.error) {
					t.Errorf("error = %q, want it to contain %q", reply.Error, tt.error)
				}
				return
			}
			if len(reply.Suggestions) != len(tt.ids) {
				t.Fatalf("suggestions = %+v, want ids %v", reply.Suggestions, tt.ids)
			}
			for i, s := range reply.Suggestions {
				if s.ID != tt.ids[i] || s.Poster != tt.posters[i] {
					t.Errorf("suggestion %d = %s with poster %q, want %s with %q", i, s.ID, s.Poster, tt.ids[i], tt.posters[i])
				}
			}
			if tt.status == http.StatusOK && !strings.Contains(body, `"suggestions":[`) {
				t.Errorf("body %s has no suggestions array", body)
			}
			if strings.Contains(body, "evil.example") || strings.Contains(body, images.URL) {
				t.Errorf("body leaks an image URL: %s", body)
			}
		})
	}
}

func TestSuggestionsWithoutSearcher(t *testing.T) {
	f := newFixtureWithoutSearcher(t)
	response, body := f.get(t, "/suggestions?q=nosferatu")
	if response.StatusCode != http.StatusNotFound || !strings.Contains(body, "not configured") {
		t.Errorf("status %d, body %s; want 404 saying the search is not configured", response.StatusCode, body)
	}
}

func newFixtureWithoutSearcher(t *testing.T) *fixture {
	t.Helper()
	st := webtest.NewStore()
	signedIn := webtest.NewAccounts(t, nil)
	signedIn.TrackAll(t, st)
	handler, err := web.New(web.Config{Accounts: signedIn.Store, Auth: signedIn.Auth, Store: st, Tracker: &webtest.Tracker{Store: st}, Analyzer: webtest.Analyzer,
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatalf("web.New: %v", err)
	}
	handler = webtest.AsMember(handler, signedIn.Admin)
	return &fixture{store: st, handler: handler}
}

func TestSuggestionsCached(t *testing.T) {
	images := newImageServer(t)
	f, searcher := newSearchFixture(t, images, map[string]string{"tt0013442": images.URL + "/ok.png"})
	for _, q := range []string{"Nosfer", "nosfer", " NOSFER "} {
		if response, body := f.get(t, "/suggestions?q="+url.QueryEscape(q)); response.StatusCode != http.StatusOK {
			t.Fatalf("q=%q: status %d: %s", q, response.StatusCode, body)
		}
	}
	if got := searcher.count(); got != 1 {
		t.Errorf("searcher called %d times for one query in three spellings, want 1", got)
	}
}

func TestSuggestionPosterRoute(t *testing.T) {
	images := newImageServer(t)
	// A second loopback server on another port stands for any other host.
	other := newImageServer(t)
	f, _ := newSearchFixture(t, images, map[string]string{
		"tt0013442": images.URL + "/ok.png",
		"tt5040012": other.URL + "/ok.png",
		"tt0079641": images.URL + "/missing.png",
	})
	if response, body := f.get(t, "/suggestions?q=nosferatu"); response.StatusCode != http.StatusOK {
		t.Fatalf("search: status %d: %s", response.StatusCode, body)
	}

	tests := []struct {
		name     string
		id       string
		status   int
		fetches  int32 // image requests after this case, in total
		wantBody string
	}{
		{"allowed host", "tt0013442", http.StatusOK, 1, pngPoster},
		{"served from the cache", "tt0013442", http.StatusOK, 1, pngPoster},
		{"other host", "tt5040012", http.StatusNotFound, 1, ""},
		{"image missing on the host", "tt0079641", http.StatusNotFound, 2, ""},
		{"title never suggested", "tt0000001", http.StatusNotFound, 2, ""},
		{"id not canonical", "tt013442", http.StatusNotFound, 2, ""},
		{"not an id", "nosferatu", http.StatusNotFound, 2, ""},
	}
	for _, tt := range tests {
		response, body := f.get(t, "/suggestions/"+url.PathEscape(tt.id)+"/poster")
		if response.StatusCode != tt.status {
			t.Errorf("%s: status = %d, want %d (%s)", tt.name, response.StatusCode, tt.status, body)
		}
		if tt.wantBody != "" && body != tt.wantBody {
			t.Errorf("%s: body = %q, want the image", tt.name, body)
		}
		if tt.status == http.StatusOK {
			if got := response.Header.Get("Content-Type"); got != "image/png" {
				t.Errorf("%s: Content-Type = %q, want image/png", tt.name, got)
			}
			if got := response.Header.Get("Content-Security-Policy"); !strings.Contains(got, "sandbox") {
				t.Errorf("%s: policy = %q, want a sandbox", tt.name, got)
			}
		}
		if got := images.requests.Load(); got != tt.fetches {
			t.Errorf("%s: image host got %d requests in total, want %d", tt.name, got, tt.fetches)
		}
		if got := other.requests.Load(); got != 0 {
			t.Errorf("%s: the host that is not allowed got %d requests", tt.name, got)
		}
	}
}

func TestSuggestionPosterWithoutFetcher(t *testing.T) {
	images := newImageServer(t)
	st := webtest.NewStore()
	signedIn := webtest.NewAccounts(t, nil)
	signedIn.TrackAll(t, st)
	handler, err := web.New(web.Config{Accounts: signedIn.Store, Auth: signedIn.Auth, Store: st, Tracker: &webtest.Tracker{Store: st}, Analyzer: webtest.Analyzer,
		Logger:     slog.New(slog.DiscardHandler),
		Searcher:   &posterSearcher{posters: map[string]string{"tt0013442": images.URL + "/ok.png"}},
		ImageHosts: []string{strings.TrimPrefix(images.URL, "http://")}})
	if err != nil {
		t.Fatalf("web.New: %v", err)
	}
	handler = webtest.AsMember(handler, signedIn.Admin)
	f := &fixture{store: st, handler: handler}

	_, body := f.get(t, "/suggestions?q=nosferatu")
	if strings.Contains(body, `"poster"`) {
		t.Errorf("suggestions offer a poster without an image fetcher: %s", body)
	}
	if response, _ := f.get(t, "/suggestions/tt0013442/poster"); response.StatusCode != http.StatusNotFound {
		t.Errorf("poster status = %d, want 404", response.StatusCode)
	}
	if got := images.requests.Load(); got != 0 {
		t.Errorf("image host got %d requests, want none", got)
	}
}

func TestSearchPageShowsSuggestionPosters(t *testing.T) {
	images := newImageServer(t)
	f, _ := newSearchFixture(t, images, map[string]string{
		"tt0013442": images.URL + "/ok.png",
		"tt5040012": "https://evil.example/poster.png",
	})
	response, body := f.postForm(t, "/movies", url.Values{"movie": {"nosferatu"}})
	if response.StatusCode != http.StatusOK {
		t.Fatalf("status = %d", response.StatusCode)
	}
	for _, want := range []string{
		`<img class="suggestion-poster" src="/suggestions/tt0013442/poster"`,
		`name="movie" value="tt5040012"`,
		`<span class="suggestion-poster poster-missing" aria-hidden="true"></span>`,
		`role="listbox"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("search page lacks %q", want)
		}
	}
	if strings.Contains(body, "evil.example") || strings.Contains(body, images.URL) {
		t.Error("search page links to an image host")
	}
	if response, _ := f.get(t, "/suggestions/tt0013442/poster"); response.StatusCode != http.StatusOK {
		t.Errorf("poster of a title on the search page: status %d, want 200", response.StatusCode)
	}
}

// fixedSearcher suggests the same titles for any query.
type fixedSearcher []web.Suggestion

func (s fixedSearcher) Search(context.Context, string) ([]web.Suggestion, error) {
	return append([]web.Suggestion(nil), s...), nil
}

// TestSuggestionsMarkTrackedTitles checks that the type-ahead and the
// search page mark the titles the user already tracks and link them to
// their movie page instead of offering Track. The admin gets every tracked
// movie marked, and the analyst only the titles on the analyst's list.
func TestSuggestionsMarkTrackedTitles(t *testing.T) {
	ctx := context.Background()
	st := webtest.NewStore()
	if _, err := webtest.Seed(ctx, st, time.Now().UTC()); err != nil {
		t.Fatalf("seed store: %v", err)
	}
	accounts := webtest.NewAccountsWith(t, authn.Config{})
	for member, id := range map[*webtest.Member]string{&accounts.Admin: webtest.FailingMovieID, &accounts.Analyst: webtest.MovieID} {
		if _, err := accounts.Store.TrackMovieForUser(ctx, member.User.ID, id, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	searcher := fixedSearcher{
		{ID: webtest.MovieID, Title: "Nosferatu", Year: 1922},
		{ID: webtest.FailingMovieID, Title: "Nosferatu the Failing", Year: 1923},
		{ID: "tt5040012", Title: "Nosferatu", Year: 2024},
	}
	handler, err := web.New(web.Config{Store: st, Tracker: &webtest.Tracker{Store: st}, Analyzer: webtest.Analyzer,
		Logger: slog.New(slog.DiscardHandler), Accounts: accounts.Store, Auth: accounts.Auth, Searcher: searcher})
	if err != nil {
		t.Fatalf("web.New: %v", err)
	}
	f := &authFixture{store: st, accounts: accounts, handler: handler}

	tests := []struct {
		name   string
		member webtest.Member
		want   map[string]string // id to mark; "" offers Track
	}{
		{"admin", accounts.Admin, map[string]string{webtest.MovieID: "tracked", webtest.FailingMovieID: "on your list", "tt5040012": ""}},
		{"analyst", accounts.Analyst, map[string]string{webtest.MovieID: "on your list", webtest.FailingMovieID: "", "tt5040012": ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			response, body := f.do(t, request{target: "/suggestions?q=nosferatu", cookie: tt.member.Session})
			if response.StatusCode != http.StatusOK {
				t.Fatalf("suggestions: status %d: %s", response.StatusCode, body)
			}
			var reply struct {
				Suggestions []struct{ ID, Tracked, URL string } `json:"suggestions"`
			}
			if err := json.Unmarshal([]byte(body), &reply); err != nil {
				t.Fatalf("decode %s: %v", body, err)
			}
			for _, s := range reply.Suggestions {
				wantURL := ""
				if tt.want[s.ID] != "" {
					wantURL = "/movies/" + s.ID
				}
				if s.Tracked != tt.want[s.ID] || s.URL != wantURL {
					t.Errorf("type-ahead %s: tracked %q at %q, want %q at %q", s.ID, s.Tracked, s.URL, tt.want[s.ID], wantURL)
				}
			}

			response, page := f.do(t, request{method: http.MethodPost, target: "/movies", cookie: tt.member.Session,
				csrf: tt.member.CSRF(), form: url.Values{"movie": {"nosferatu"}}})
			if response.StatusCode != http.StatusOK {
				t.Fatalf("search page: status %d", response.StatusCode)
			}
			for id, mark := range tt.want {
				item := between(t, page, `data-testid="suggestion-`+id+`"`, "</li>")
				offersTrack := strings.Contains(item, `name="movie" value="`+id+`"`)
				links := strings.Contains(item, `href="/movies/`+id+`"`)
				marked := strings.Contains(item, `data-testid="suggestion-tracked">`+mark+`<`)
				if mark == "" && (!offersTrack || links) || mark != "" && (offersTrack || !links || !marked) {
					t.Errorf("search page %s: Track %v, link %v, mark %q shown %v; want mark %q", id, offersTrack, links, mark, marked, mark)
				}
			}
		})
	}
}
