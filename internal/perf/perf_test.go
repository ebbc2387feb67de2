package perf

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/reelpulse/reelpulse/internal/analyze/lexicon"
	"github.com/reelpulse/reelpulse/internal/api"
	"github.com/reelpulse/reelpulse/internal/auth"
	"github.com/reelpulse/reelpulse/internal/authn"
	"github.com/reelpulse/reelpulse/internal/store"
	"github.com/reelpulse/reelpulse/internal/store/postgres"
	"github.com/reelpulse/reelpulse/internal/store/sqlite"
	"github.com/reelpulse/reelpulse/internal/testutil"
	"github.com/reelpulse/reelpulse/internal/web"
	"github.com/reelpulse/reelpulse/internal/web/webtest"
)

// call is one request of the benchmark. The cursor call's path is filled
// in from the next_cursor of the first reviews page.
type call struct {
	name string
	path string
	// want is text that a correct response body contains.
	want string
}

func calls(t testing.TB, h http.Handler) []call {
	movie := "/movies/" + BigMovie
	apiMovie := "/api/v1/movies/" + BigMovie
	list := []call{
		{"page/overview", "/", BigMovie},
		{"page/movie", movie, "Seeded movie " + BigMovie},
		{"page/movie-day", movie + "?bucket=day", "Seeded movie " + BigMovie},
		{"page/movie-week", movie + "?bucket=week", "Seeded movie " + BigMovie},
		{"page/movie-month", movie + "?bucket=month", "Seeded movie " + BigMovie},
		{"api/movie", apiMovie, `"id":"` + BigMovie + `"`},
		{"api/reviews", apiMovie + "/reviews", `"reviews":[{`},
		{"api/reviews-acting-negative", apiMovie + "/reviews?aspect=acting&polarity=negative", `"reviews":[{`},
		{"api/reviews-text", apiMovie + "/reviews?q=" + SearchWord, SearchWord},
		{"api/reviews-text-rare", apiMovie + "/reviews?q=" + url.QueryEscape(RareSearch), RareSearch},
		{"api/reviews-text-short", apiMovie + "/reviews?q=" + ShortSearch, `"reviews":[{`},
		{"api/reviews-helpful", apiMovie + "/reviews?sort=helpful", `"reviews":[{`},
		{"api/reviews-cursor", apiMovie + "/reviews?cursor=" + url.QueryEscape(nextCursor(t, h, apiMovie+"/reviews")), `"reviews":[{`},
	}
	// The time series and aspect endpoints are measured where the API
	// has them.
	for _, extra := range []call{
		{"api/timeseries-month", apiMovie + "/timeseries?bucket=month", BigMovie},
		{"api/aspects", apiMovie + "/aspects", "acting"},
	} {
		pattern := "/api/v1/movies/{id}" + strings.TrimPrefix(strings.SplitN(extra.path, "?", 2)[0], apiMovie)
		if slices.ContainsFunc(api.Routes(), func(r api.Route) bool { return r.Pattern == pattern }) {
			list = append(list, extra)
		}
	}
	return list
}

// handler builds the dashboard and the API the way `reelpulse serve`
// mounts them, with the clock at Now and the accounts in the same store,
// and signs every request in: pages with a session cookie, API calls with
// an API token.
func handler(t testing.TB, s store.Store, size Size) http.Handler {
	t.Helper()
	logger := slog.New(slog.DiscardHandler)
	now := func() time.Time { return Now }
	analyzer := lexicon.New().Name()
	tracker := &webtest.Tracker{Store: s}
	accounts, ok := s.(store.Accounts)
	if !ok {
		t.Fatalf("the %T store keeps no accounts", s)
	}
	authenticator, err := authn.New(authn.Config{Accounts: accounts, Logger: logger, Now: now})
	if err != nil {
		t.Fatalf("build the authenticator: %v", err)
	}
	session, token := signIn(t, accounts, size)

	dashboard, err := web.New(web.Config{Accounts: accounts, Auth: authenticator, Store: s, Tracker: tracker,
		Analyzer: analyzer, Logger: logger, Now: now})
	if err != nil {
		t.Fatalf("build the dashboard: %v", err)
	}
	jsonAPI := api.New(api.Config{Accounts: accounts, Auth: authenticator, Store: s, Tracker: tracker,
		Analyzer: analyzer, Logger: logger, Now: now})

	mux := http.NewServeMux()
	mux.Handle("/api/", jsonAPI)
	mux.Handle("/", dashboard)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/api/") {
			r.Header.Set("Authorization", "Bearer "+token)
		} else {
			r.AddCookie(&http.Cookie{Name: authn.CookieName, Value: session})
		}
		mux.ServeHTTP(w, r)
	})
}

// signIn creates an analyst who tracks the seeded movies, with a session
// and an API token, and returns the session id and the token.
func signIn(t testing.TB, accounts store.Accounts, size Size) (session, token string) {
	t.Helper()
	ctx := t.Context()
	hash, err := auth.HashPassword("benchmark password")
	if err != nil {
		t.Fatalf("hash a password: %v", err)
	}
	user, err := accounts.CreateUser(ctx, store.User{Name: "bench", Role: store.RoleAnalyst, PasswordHash: hash,
		CreatedAt: Now, PasswordChangedAt: Now})
	if err != nil {
		t.Fatalf("create a user: %v", err)
	}
	for _, id := range movieIDs(size) {
		if _, err := accounts.TrackMovieForUser(ctx, user.ID, id, Now); err != nil {
			t.Fatalf("track movie %s for the user: %v", id, err)
		}
	}

	session = auth.NewSessionID()
	err = accounts.CreateSession(ctx, store.Session{Hash: auth.HashSecret(session), UserID: user.ID,
		CreatedAt: Now, LastSeenAt: Now, ExpiresAt: Now.Add(authn.DefaultMaxAge)})
	if err != nil {
		t.Fatalf("create a session: %v", err)
	}
	token = auth.NewAPIToken()
	_, err = accounts.CreateToken(ctx, store.APIToken{UserID: user.ID, Name: "bench", Hash: auth.HashSecret(token),
		Prefix: auth.TokenDisplayPrefix(token), CreatedAt: Now})
	if err != nil {
		t.Fatalf("create an API token: %v", err)
	}
	return session, token
}

// get serves one request and fails unless the response is 200 with want in
// the body. It returns the body and the server time.
func get(t testing.TB, h http.Handler, c call) (string, time.Duration) {
	request := httptest.NewRequest(http.MethodGet, c.path, nil)
	recorder := httptest.NewRecorder()
	start := time.Now()
	h.ServeHTTP(recorder, request)
	elapsed := time.Since(start)

	body := recorder.Body.String()
	if recorder.Code != http.StatusOK {
		t.Fatalf("GET %s: status %d, want 200: %.300s", c.path, recorder.Code, body)
	}
	if !strings.Contains(body, c.want) {
		t.Fatalf("GET %s: body lacks %q: %.300s", c.path, c.want, body)
	}
	return body, elapsed
}

func nextCursor(t testing.TB, h http.Handler, path string) string {
	body, _ := get(t, h, call{path: path, want: `"next_cursor":"`})
	var page struct {
		NextCursor string `json:"next_cursor"`
	}
	if err := json.Unmarshal([]byte(body), &page); err != nil {
		t.Fatalf("decode the reviews page: %v", err)
	}
	return page.NextCursor
}

func openSQLite(t testing.TB) store.Store {
	t.Helper()
	s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "perf.db"), nil)
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// openPostgres opens a new database on the test server, and skips the
// test when REELPULSE_TEST_DATABASE_URL is unset.
func openPostgres(t testing.TB) store.Store {
	t.Helper()
	s, err := postgres.Open(t.Context(), testutil.PostgresURL(t), nil)
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func seeded(t testing.TB, open func(testing.TB) store.Store, size Size) store.Store {
	t.Helper()
	s := open(t)
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	start := time.Now()
	if err := Seed(t.Context(), s, size); err != nil {
		t.Fatalf("seed: %v", err)
	}
	if pg, ok := s.(*postgres.Store); ok {
		// Autovacuum analyzes the tables after a bulk load; doing it
		// now keeps it out of the measurements.
		if _, err := pg.Pool().Exec(t.Context(), `VACUUM ANALYZE`); err != nil {
			t.Fatalf("vacuum: %v", err)
		}
		logSizes(t, pg)
	}
	t.Logf("seeded %d reviews in %s", size.Reviews+size.SmallMovies*size.SmallReviews, time.Since(start).Round(time.Millisecond))
	return s
}

// logSizes logs the size of the reviews table, TOAST included, and of its
// trigram indexes, for docs/scaling.md.
func logSizes(t testing.TB, pg *postgres.Store) {
	t.Helper()
	var table, title, text int64
	err := pg.Pool().QueryRow(t.Context(), `SELECT pg_table_size('reviews'),
		pg_relation_size('reviews_title_trgm'), pg_relation_size('reviews_text_trgm')`).Scan(&table, &title, &text)
	if err != nil {
		t.Fatalf("read sizes: %v", err)
	}
	const mib = 1 << 20
	t.Logf("reviews table %.1f MiB, trigram indexes %.1f MiB (title) and %.1f MiB (text)",
		float64(table)/mib, float64(title)/mib, float64(text)/mib)
}

// TestCallsAnswer checks on a small seed that every measured call responds 200 with the expected content, and that the cursor reaches a second page.
func TestCallsAnswer(t *testing.T) {
	small := Size{Reviews: 3000, Years: 2, SmallMovies: 2, SmallReviews: 50}
	for _, db := range []struct {
		name string
		open func(testing.TB) store.Store
	}{{"sqlite", openSQLite}, {"postgres", openPostgres}} {
		t.Run(db.name, func(t *testing.T) {
			h := handler(t, seeded(t, db.open, small), small)
			bodies := map[string]string{}
			for _, c := range calls(t, h) {
				bodies[c.name], _ = get(t, h, c)
			}
			if bodies["api/reviews"] == bodies["api/reviews-cursor"] {
				t.Errorf("the page after the cursor repeats the first page")
			}
		})
	}
}

func BenchmarkPagesSQLite(b *testing.B) {
	benchmarkPages(b, openSQLite)
}

func BenchmarkPagesPostgres(b *testing.B) {
	benchmarkPages(b, openPostgres)
}

// benchmarkPages seeds a store of size Full once and measures each call in
// a sub-benchmark, reporting the median and 95th percentile server time.
// Run it with a fixed count of iterations, such as -benchtime 200x.
func benchmarkPages(b *testing.B, open func(testing.TB) store.Store) {
	h := handler(b, seeded(b, open, Full), Full)
	for _, c := range calls(b, h) {
		b.Run(c.name, func(b *testing.B) {
			var times []time.Duration
			for b.Loop() {
				_, elapsed := get(b, h, c)
				times = append(times, elapsed)
			}
			slices.Sort(times)
			b.ReportMetric(percentile(times, 0.50), "p50-ms")
			b.ReportMetric(percentile(times, 0.95), "p95-ms")
		})
	}
}

// percentile returns the nearest-rank percentile of sorted times in
// milliseconds.
func percentile(sorted []time.Duration, p float64) float64 {
	rank := max(int(float64(len(sorted))*p+0.999999)-1, 0)
	return float64(sorted[rank].Microseconds()) / 1000
}
