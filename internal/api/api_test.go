package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/reelpulse/reelpulse/internal/api"
	"github.com/reelpulse/reelpulse/internal/store"
	"github.com/reelpulse/reelpulse/internal/web/webtest"
)

var listKeys = []string{"id", "title", "year", "review_count", "scraped_review_count", "average_rating",
	"imdb_rating", "last_scraped_at", "last_error", "poster_url", "tracked", "pinned", "parked_at", "parked_reason"}

var detailKeys = append(slices.Clone(listKeys), "release_date", "full_scrape_at", "scrape_warning", "aspects", "last_sync")

var aspectNames = []string{"storytelling", "acting", "visuals", "sound", "themes", "overall"}

type fixture struct {
	store   *webtest.Store
	tracker *webtest.Tracker
	handler http.Handler
	seeded  webtest.Seeded
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	st := webtest.NewStore()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	seeded, err := webtest.Seed(context.Background(), st, now)
	if err != nil {
		t.Fatalf("seed store: %v", err)
	}
	tracker := &webtest.Tracker{Store: st}
	signedIn := webtest.NewAccounts(t, nil)
	signedIn.TrackAll(t, st)
	handler := api.New(api.Config{
		Accounts: signedIn.Store,
		Auth:     signedIn.Auth,
		Store:    st,
		Tracker:  tracker,
		Analyzer: webtest.Analyzer,
		Logger:   slog.New(slog.DiscardHandler),
		Now:      func() time.Time { return now },
	})
	handler = webtest.AsMember(handler, signedIn.Admin)
	return &fixture{store: st, tracker: tracker, handler: handler, seeded: seeded}
}

// do sends a request and returns the response with its body read.
func (f *fixture) do(t *testing.T, method, target, body string) (*http.Response, []byte) {
	t.Helper()
	var reader io.Reader
	if body != "" {
		reader = strings.NewReader(body)
	}
	request := httptest.NewRequest(method, target, reader)
	if body != "" {
		request.Header.Set("Content-Type", "application/json")
	}
	recorder := httptest.NewRecorder()
	f.handler.ServeHTTP(recorder, request)
	response := recorder.Result()
	data, err := io.ReadAll(response.Body)
	if err != nil {
		t.Fatalf("read response body: %v", err)
	}
	return response, data
}

func decode[T any](t *testing.T, data []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatalf("decode %s: %v", data, err)
	}
	return v
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func checkKeys(t *testing.T, what string, got map[string]any, want []string) {
	t.Helper()
	want = slices.Sorted(slices.Values(want))
	if keys := sortedKeys(got); !slices.Equal(keys, want) {
		t.Errorf("%s keys = %v, want %v", what, keys, want)
	}
}

func TestListMoviesShape(t *testing.T) {
	f := newFixture(t)
	response, body := f.do(t, http.MethodGet, "/api/v1/movies", "")
	if response.StatusCode != http.StatusOK {
		t.Fatalf("status = %d, want 200; body %s", response.StatusCode, body)
	}
	if got := response.Header.Get("Content-Type"); got != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", got)
	}

	movies := decode[[]map[string]any](t, body)
	if len(movies) != 3 {
		t.Fatalf("got %d movies, want 3: %s", len(movies), body)
	}
	byID := map[string]map[string]any{}
	for _, m := range movies {
		checkKeys(t, "movie "+m["id"].(string), m, listKeys)
		byID[m["id"].(string)] = m
	}

	nosferatu := byID[webtest.MovieID]
	checks := []struct {
		key  string
		want any
	}{
		{"title", "Nosferatu"},
		{"year", 1922.0},
		{"review_count", 15.0},
		{"scraped_review_count", float64(f.seeded.Reviews)},
		{"average_rating", 82.0 / 11},
		{"imdb_rating", 7.8},
		{"last_scraped_at", "2026-03-01T10:00:00Z"},
		{"last_error", nil},
	}
	for _, c := range checks {
		if got := nosferatu[c.key]; got != c.want {
			t.Errorf("%s = %v, want %v", c.key, got, c.want)
		}
	}

	pending := byID[webtest.PendingMovieID]
	for _, key := range []string{"title", "year", "review_count", "average_rating", "last_scraped_at", "poster_url"} {
		if pending[key] != nil {
			t.Errorf("pending movie %s = %v, want null", key, pending[key])
		}
	}
	if got := byID[webtest.FailingMovieID]["last_error"]; got == nil || !strings.Contains(got.(string), "503") {
		t.Errorf("failing movie last_error = %v, want the recorded message", got)
	}
}

func TestListMoviesEmpty(t *testing.T) {
	signedIn := webtest.NewAccounts(t, nil)
	handler := api.New(api.Config{Store: webtest.NewStore(), Tracker: &webtest.Tracker{}, Analyzer: "lexicon",
		Logger: slog.New(slog.DiscardHandler), Accounts: signedIn.Store, Auth: signedIn.Auth})
	handler = webtest.AsMember(handler, signedIn.Admin)
	recorder := httptest.NewRecorder()
	handler.ServeHTTP(recorder, httptest.NewRequest(http.MethodGet, "/api/v1/movies", nil))

	if got := strings.TrimSpace(recorder.Body.String()); got != "[]" {
		t.Errorf("body = %q, want []", got)
	}
}

func TestGetMovieShape(t *testing.T) {
	f := newFixture(t)
	response, body := f.do(t, http.MethodGet, "/api/v1/movies/"+webtest.MovieID, "")
	if response.StatusCode != http.StatusOK {
		t.Fatalf("status = %d, want 200; body %s", response.StatusCode, body)
	}

	movie := decode[map[string]any](t, body)
	checkKeys(t, "movie", movie, detailKeys)
	if got := movie["release_date"]; got != "1922-03-04" {
		t.Errorf("release_date = %v, want 1922-03-04", got)
	}
	if got := movie["full_scrape_at"]; got != "2026-03-01T10:00:00Z" {
		t.Errorf("full_scrape_at = %v, want 2026-03-01T10:00:00Z", got)
	}

	aspects, ok := movie["aspects"].(map[string]any)
	if !ok {
		t.Fatalf("aspects = %v, want an object", movie["aspects"])
	}
	checkKeys(t, "aspects", aspects, aspectNames)
	for _, name := range aspectNames {
		aspect := aspects[name].(map[string]any)
		checkKeys(t, "aspect "+name, aspect, []string{"average", "mentioned", "analyzed", "histogram"})
		if got := aspect["average"]; got != f.seeded.AspectAverages[name] {
			t.Errorf("aspect %s average = %v, want %v", name, got, f.seeded.AspectAverages[name])
		}
		if histogram, _ := aspect["histogram"].([]any); len(histogram) != 5 {
			t.Errorf("aspect %s histogram = %v, want 5 counts", name, aspect["histogram"])
		}
	}
}

func TestGetMovieWithoutAnalyses(t *testing.T) {
	f := newFixture(t)
	_, body := f.do(t, http.MethodGet, "/api/v1/movies/"+webtest.PendingMovieID, "")

	movie := decode[map[string]any](t, body)
	aspects := movie["aspects"].(map[string]any)
	checkKeys(t, "aspects", aspects, aspectNames)
	for _, name := range aspectNames {
		if got := aspects[name].(map[string]any)["average"]; got != nil {
			t.Errorf("aspect %s average = %v, want null", name, got)
		}
	}
}

func TestErrors(t *testing.T) {
	cases := []struct {
		name    string
		method  string
		target  string
		body    string
		status  int
		mention string // text the error message must contain
	}{
		{"unknown movie", http.MethodGet, "/api/v1/movies/tt9999999", "", http.StatusNotFound, "tt9999999"},
		{"unknown movie reviews", http.MethodGet, "/api/v1/movies/tt9999999/reviews", "", http.StatusNotFound, "tt9999999"},
		{"unknown movie snapshots", http.MethodGet, "/api/v1/movies/tt9999999/snapshots", "", http.StatusNotFound, "tt9999999"},
		{"delete unknown movie", http.MethodDelete, "/api/v1/movies/tt9999999", "", http.StatusNotFound, "tt9999999"},
		{"invalid movie id", http.MethodGet, "/api/v1/movies/xyz", "", http.StatusBadRequest, `"xyz"`},
		{"delete invalid movie id", http.MethodDelete, "/api/v1/movies/tt12", "", http.StatusBadRequest, `"tt12"`},
		{"movie id not UTF-8", http.MethodGet, "/api/v1/movies/%ff/reviews", "", http.StatusBadRequest, `"\xff"`},
		{"movie id with NUL", http.MethodDelete, "/api/v1/movies/tt%00", "", http.StatusBadRequest, `"tt\x00"`},
		{"search not UTF-8", http.MethodGet, "/api/v1/search?q=%ff", "", http.StatusBadRequest, `"q"`},
		{"search with NUL", http.MethodGet, "/api/v1/search?q=a%00b", "", http.StatusBadRequest, `"q"`},
		{"search over the byte limit", http.MethodGet, "/api/v1/search?q=" + strings.Repeat("%E4%B8%AD", 100), "", http.StatusBadRequest, "300 bytes"},
		{"unknown endpoint", http.MethodGet, "/api/v1/nothing", "", http.StatusNotFound, "/api/v1/nothing"},
		{"limit not a number", http.MethodGet, "/api/v1/movies/" + webtest.MovieID + "/reviews?limit=ten", "", http.StatusBadRequest, `"limit"`},
		{"limit too large", http.MethodGet, "/api/v1/movies/" + webtest.MovieID + "/reviews?limit=100000", "", http.StatusBadRequest, `"limit"`},
		{"limit zero", http.MethodGet, "/api/v1/movies/" + webtest.MovieID + "/reviews?limit=0", "", http.StatusBadRequest, `"limit"`},
		{"negative offset", http.MethodGet, "/api/v1/movies/" + webtest.MovieID + "/reviews?offset=-1", "", http.StatusBadRequest, `"offset"`},
		{"invalid id", http.MethodPost, "/api/v1/movies", `{"id":"not-a-movie"}`, http.StatusBadRequest, `"id"`},
		{"foreign URL", http.MethodPost, "/api/v1/movies", `{"id":"https://example.com/title/tt0013442/"}`, http.StatusBadRequest, `"id"`},
		{"missing id", http.MethodPost, "/api/v1/movies", `{}`, http.StatusBadRequest, `"id"`},
		{"unknown field", http.MethodPost, "/api/v1/movies", `{"id":"tt0013442","name":"x"}`, http.StatusBadRequest, `"name"`},
		{"malformed JSON", http.MethodPost, "/api/v1/movies", `{"id":`, http.StatusBadRequest, "JSON"},
		{"two objects", http.MethodPost, "/api/v1/movies", `{"id":"tt0013442"}{}`, http.StatusBadRequest, "one JSON object"},
		{"empty body", http.MethodPost, "/api/v1/movies", ``, http.StatusBadRequest, "empty request body"},
		{"body too large", http.MethodPost, "/api/v1/movies", `{"id":"` + strings.Repeat("t", 20000) + `"}`, http.StatusRequestEntityTooLarge, "limit of 16384 bytes"},
		{"duplicate key", http.MethodPost, "/api/v1/movies", `{"id":"tt0013442","id":"tt0000002"}`, http.StatusBadRequest, `duplicate key "id"`},
		{"duplicate key in other case", http.MethodPost, "/api/v1/movies", `{"id":"tt0013442","ID":"tt0000002"}`, http.StatusBadRequest, `duplicate key "ID"`},
		{"duplicate nested key", http.MethodPost, "/api/v1/movies", `{"id":{"a":1,"a":2}}`, http.StatusBadRequest, `duplicate key "a"`},
		{"snapshots with a parameter", http.MethodGet, "/api/v1/movies/" + webtest.MovieID + "/snapshots?limit=5", "", http.StatusBadRequest, `unknown parameter "limit"`},
		{"runs with a parameter", http.MethodGet, "/api/v1/movies/" + webtest.MovieID + "/runs?limit=0", "", http.StatusBadRequest, `unknown parameter "limit"`},
		{"movie with a parameter", http.MethodGet, "/api/v1/movies/" + webtest.MovieID + "?x=1", "", http.StatusBadRequest, `unknown parameter "x"`},
		{"movies with an unknown parameter", http.MethodGet, "/api/v1/movies?al=true", "", http.StatusBadRequest, `unknown parameter "al"`},
		{"movies with an undecodable value", http.MethodGet, "/api/v1/movies?all=%zz", "", http.StatusBadRequest, "invalid query string"},
		{"movies with a semicolon", http.MethodGet, "/api/v1/movies?all=1;bogus=2", "", http.StatusBadRequest, "invalid query string"},
		{"movies with all twice", http.MethodGet, "/api/v1/movies?all=true&all=false", "", http.StatusBadRequest, `"all" given 2 times`},
		{"track with a parameter", http.MethodPost, "/api/v1/movies?id=tt0013442", `{"id":"tt0013442"}`, http.StatusBadRequest, `unknown parameter "id"`},
		{"search with an unknown parameter", http.MethodGet, "/api/v1/search?q=x&limit=5", "", http.StatusBadRequest, `unknown parameter "limit"`},
		{"export with a page parameter", http.MethodGet, "/api/v1/movies/" + webtest.MovieID + "/reviews/export?limit=5", "", http.StatusBadRequest, `unknown parameter "limit"`},
		{"method not allowed", http.MethodPut, "/api/v1/movies/" + webtest.MovieID, `{}`, http.StatusMethodNotAllowed, "GET, DELETE"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			response, body := f.do(t, c.method, c.target, c.body)

			if response.StatusCode != c.status {
				t.Errorf("status = %d, want %d; body %s", response.StatusCode, c.status, body)
			}
			if got := response.Header.Get("Content-Type"); got != "application/json" {
				t.Errorf("Content-Type = %q, want application/json", got)
			}
			message := decode[map[string]string](t, body)["error"]
			if !strings.Contains(message, c.mention) {
				t.Errorf("error message %q does not mention %s", message, c.mention)
			}
		})
	}
}

func TestTrackMovie(t *testing.T) {
	cases := []struct {
		name   string
		input  string
		status int
		id     string
	}{
		{"new id", "tt0063350", http.StatusCreated, "tt0063350"},
		{"new URL", "https://www.imdb.com/title/tt0063350/reviews", http.StatusCreated, "tt0063350"},
		{"already tracked", webtest.MovieID, http.StatusOK, webtest.MovieID},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			response, body := f.do(t, http.MethodPost, "/api/v1/movies", `{"id":"`+c.input+`"}`)

			if response.StatusCode != c.status {
				t.Fatalf("status = %d, want %d; body %s", response.StatusCode, c.status, body)
			}
			movie := decode[map[string]any](t, body)
			checkKeys(t, "movie", movie, detailKeys)
			if movie["id"] != c.id {
				t.Errorf("id = %v, want %s", movie["id"], c.id)
			}
			if got := f.tracker.Tracked(); !slices.Equal(got, []string{c.id}) {
				t.Errorf("Tracker.Track calls = %v, want [%s]", got, c.id)
			}
			if got := response.Header.Get("Location"); got != "/api/v1/movies/"+c.id {
				t.Errorf("Location = %q, want /api/v1/movies/%s", got, c.id)
			}
		})
	}
}

func TestTrackMovieStoreFailure(t *testing.T) {
	f := newFixture(t)
	f.tracker.TrackError = errors.New("database is locked")

	response, body := f.do(t, http.MethodPost, "/api/v1/movies", `{"id":"tt0063350"}`)
	if response.StatusCode != http.StatusInternalServerError {
		t.Errorf("status = %d, want 500; body %s", response.StatusCode, body)
	}
	if strings.Contains(string(body), "locked") {
		t.Errorf("body %s leaks the internal error", body)
	}
}

func TestCrossOriginPostRejected(t *testing.T) {
	f := newFixture(t)
	request := httptest.NewRequest(http.MethodPost, "/api/v1/movies", strings.NewReader(`{"id":"tt0063350"}`))
	request.Header.Set("Sec-Fetch-Site", "cross-site")
	recorder := httptest.NewRecorder()
	f.handler.ServeHTTP(recorder, request)

	if recorder.Code != http.StatusForbidden {
		t.Errorf("status = %d, want 403", recorder.Code)
	}
	if got := f.tracker.Tracked(); len(got) != 0 {
		t.Errorf("Tracker.Track was called with %v", got)
	}
}

func TestUntrackMovie(t *testing.T) {
	f := newFixture(t)
	response, body := f.do(t, http.MethodDelete, "/api/v1/movies/"+webtest.MovieID, "")

	if response.StatusCode != http.StatusNoContent {
		t.Fatalf("status = %d, want 204; body %s", response.StatusCode, body)
	}
	if len(body) != 0 {
		t.Errorf("body = %q, want empty", body)
	}
	// The movie leaves the user's list. The store stops checking it once no
	// list contains it, so the Tracker is not asked to stop it for everyone.
	if got := f.tracker.Untracked(); len(got) != 0 {
		t.Errorf("Tracker.Untrack calls = %v, want none", got)
	}

	_, list := f.do(t, http.MethodGet, "/api/v1/movies", "")
	if strings.Contains(string(list), webtest.MovieID) {
		t.Errorf("untracked movie still listed: %s", list)
	}
}

func TestListReviews(t *testing.T) {
	f := newFixture(t)
	response, body := f.do(t, http.MethodGet, "/api/v1/movies/"+webtest.MovieID+"/reviews?limit=5&offset=0", "")
	if response.StatusCode != http.StatusOK {
		t.Fatalf("status = %d, want 200; body %s", response.StatusCode, body)
	}

	page := decode[map[string]any](t, body)
	checkKeys(t, "page", page, []string{"movie_id", "analyzer", "total", "total_capped", "limit", "offset", "reviews", "next_cursor"})
	if page["total_capped"] != false {
		t.Errorf("total_capped = %v, want false for %d reviews", page["total_capped"], f.seeded.Reviews)
	}
	if page["total"] != float64(f.seeded.Reviews) {
		t.Errorf("total = %v, want %d", page["total"], f.seeded.Reviews)
	}
	reviews := page["reviews"].([]any)
	if len(reviews) != 5 {
		t.Fatalf("got %d reviews, want 5", len(reviews))
	}

	newest := reviews[0].(map[string]any)
	if newest["id"] != webtest.UnanalyzedReviewID {
		t.Errorf("newest review id = %v, want %s", newest["id"], webtest.UnanalyzedReviewID)
	}
	if newest["aspects"] != nil {
		t.Errorf("unanalyzed review aspects = %v, want null", newest["aspects"])
	}
	analyzed := reviews[1].(map[string]any)
	aspects, ok := analyzed["aspects"].(map[string]any)
	if !ok {
		t.Fatalf("review %v has no aspects object", analyzed["id"])
	}
	checkKeys(t, "review aspects", aspects, aspectNames)
	if aspects["overall"] != 2.0 {
		t.Errorf("review %v overall = %v, want 2", analyzed["id"], aspects["overall"])
	}
	if aspects["sound"] != nil {
		t.Errorf("review %v sound = %v, want null for an aspect it does not mention", analyzed["id"], aspects["sound"])
	}
}

func TestListReviewsOffsetPastEnd(t *testing.T) {
	f := newFixture(t)
	_, body := f.do(t, http.MethodGet, "/api/v1/movies/"+webtest.MovieID+"/reviews?offset=100", "")

	page := decode[map[string]any](t, body)
	if reviews, ok := page["reviews"].([]any); !ok || len(reviews) != 0 {
		t.Errorf("reviews = %v, want []", page["reviews"])
	}
}

func TestListSnapshots(t *testing.T) {
	f := newFixture(t)
	declared := 15
	average := 7.5
	snapshot := store.Snapshot{MovieID: webtest.MovieID, TakenAt: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC),
		DeclaredReviewCount: &declared, ScrapedReviewCount: 12, AverageRating: &average,
		AspectAverages: map[string]float64{"overall": 0.9}}
	if err := f.store.AddSnapshot(context.Background(), snapshot); err != nil {
		t.Fatal(err)
	}

	_, body := f.do(t, http.MethodGet, "/api/v1/movies/"+webtest.MovieID+"/snapshots", "")
	snapshots := decode[[]map[string]any](t, body)
	if len(snapshots) != 1 {
		t.Fatalf("got %d snapshots, want 1: %s", len(snapshots), body)
	}
	checkKeys(t, "snapshot", snapshots[0], []string{"taken_at", "review_count", "scraped_review_count", "average_rating", "aspect_averages"})
	if snapshots[0]["taken_at"] != "2026-02-01T00:00:00Z" {
		t.Errorf("taken_at = %v, want 2026-02-01T00:00:00Z", snapshots[0]["taken_at"])
	}

	_, empty := f.do(t, http.MethodGet, "/api/v1/movies/"+webtest.PendingMovieID+"/snapshots", "")
	if got := strings.TrimSpace(string(empty)); got != "[]" {
		t.Errorf("snapshots of a new movie = %s, want []", got)
	}
}

func TestUnparkMovie(t *testing.T) {
	f := newFixture(t)
	parkedAt := time.Date(2026, 3, 1, 11, 0, 0, 0, time.UTC)
	if err := f.store.ParkMovie(context.Background(), webtest.MovieID, "5 review passes failed in a row", parkedAt); err != nil {
		t.Fatal(err)
	}

	_, body := f.do(t, http.MethodGet, "/api/v1/movies/"+webtest.MovieID, "")
	movie := decode[map[string]any](t, body)
	if movie["parked_at"] != "2026-03-01T11:00:00Z" || movie["parked_reason"] != "5 review passes failed in a row" {
		t.Errorf("parked movie: parked_at %v, parked_reason %v", movie["parked_at"], movie["parked_reason"])
	}

	response, body := f.do(t, http.MethodPost, "/api/v1/movies/"+webtest.MovieID+"/unpark", "")
	if response.StatusCode != http.StatusOK {
		t.Fatalf("unpark: status %d, want 200; body %s", response.StatusCode, body)
	}
	movie = decode[map[string]any](t, body)
	if movie["parked_at"] != nil || movie["parked_reason"] != nil {
		t.Errorf("after unpark: parked_at %v, parked_reason %v; want null", movie["parked_at"], movie["parked_reason"])
	}
	if got := f.tracker.Unparked(); !slices.Equal(got, []string{webtest.MovieID}) {
		t.Errorf("Tracker.Unpark calls = %v", got)
	}

	tests := []struct {
		method, target string
		status         int
	}{
		{http.MethodPost, "/api/v1/movies/tt9999999/unpark", http.StatusNotFound},
		{http.MethodPost, "/api/v1/movies/nonsense/unpark", http.StatusBadRequest},
		{http.MethodGet, "/api/v1/movies/" + webtest.MovieID + "/unpark", http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		if response, body := f.do(t, tt.method, tt.target, ""); response.StatusCode != tt.status {
			t.Errorf("%s %s: status %d, want %d; body %s", tt.method, tt.target, response.StatusCode, tt.status, body)
		}
	}
}
