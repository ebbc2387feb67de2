package authn_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reelpulse/reelpulse/internal/auth"
	"github.com/reelpulse/reelpulse/internal/authn"
	"github.com/reelpulse/reelpulse/internal/store"
	"github.com/reelpulse/reelpulse/internal/web/webtest"
)

// clock is a settable time source.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func sessionRequest(id string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.AddCookie(&http.Cookie{Name: authn.CookieName, Value: id})
	return r
}

func TestSessionExpiry(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name  string
		steps []time.Duration // time between uses of the session
		valid bool
	}{
		{"fresh", []time.Duration{0}, true},
		{"used every 11 hours for 6 days", []time.Duration{11 * time.Hour, 11 * time.Hour, 11 * time.Hour, 11 * time.Hour, 11 * time.Hour, 11 * time.Hour, 11 * time.Hour, 11 * time.Hour, 11 * time.Hour, 11 * time.Hour, 11 * time.Hour, 11 * time.Hour, 11 * time.Hour}, true},
		{"idle 12 hours", []time.Duration{12 * time.Hour}, false},
		{"used every 11 hours past 7 days", []time.Duration{11 * time.Hour, 11 * time.Hour, 11 * time.Hour, 11 * time.Hour, 11 * time.Hour, 11 * time.Hour, 11 * time.Hour, 11 * time.Hour, 11 * time.Hour, 11 * time.Hour, 11 * time.Hour, 11 * time.Hour, 11 * time.Hour, 11 * time.Hour, 11 * time.Hour, 11 * time.Hour}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &clock{now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
			accounts := webtest.NewAccountsWith(t, authn.Config{Now: c.Now})
			id := accounts.Admin.Session
			var got *authn.Identity
			for i, step := range tt.steps {
				c.Advance(step)
				var err error
				got, err = accounts.Auth.Session(sessionRequest(id))
				if err != nil {
					t.Fatal(err)
				}
				if got == nil && i < len(tt.steps)-1 {
					t.Fatalf("the session ended at use %d", i+1)
				}
			}
			if (got != nil) != tt.valid {
				t.Errorf("session valid = %v, want %v", got != nil, tt.valid)
			}
			if !tt.valid {
				if _, _, err := accounts.Store.SessionUser(ctx, hashOf(id)); err == nil {
					t.Error("the ended session is still stored")
				}
			}
		})
	}
}

func TestSessionTouchedAtMostOncePerMinute(t *testing.T) {
	c := &clock{now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	accounts := webtest.NewAccountsWith(t, authn.Config{Now: c.Now})
	id := accounts.Admin.Session
	lastSeen := func() time.Time {
		s, _, err := accounts.Store.SessionUser(context.Background(), hashOf(id))
		if err != nil {
			t.Fatal(err)
		}
		return s.LastSeenAt
	}
	start := lastSeen()
	c.Advance(30 * time.Second)
	if _, err := accounts.Auth.Session(sessionRequest(id)); err != nil {
		t.Fatal(err)
	}
	if got := lastSeen(); !got.Equal(start) {
		t.Errorf("LastSeenAt moved to %v after 30 seconds, want %v", got, start)
	}
	c.Advance(31 * time.Second)
	if _, err := accounts.Auth.Session(sessionRequest(id)); err != nil {
		t.Fatal(err)
	}
	if got := lastSeen(); !got.Equal(c.Now()) {
		t.Errorf("LastSeenAt = %v after 61 seconds, want %v", got, c.Now())
	}
}

func TestDisabledUserSessionEnds(t *testing.T) {
	accounts := webtest.NewAccounts(t, nil)
	now := time.Now()
	if err := accounts.Store.SetUserDisabled(context.Background(), accounts.Analyst.User.ID, &now); err != nil {
		t.Fatal(err)
	}
	if got, err := accounts.Auth.Session(sessionRequest(accounts.Analyst.Session)); err != nil || got != nil {
		t.Errorf("session of a disabled user = %v, %v; want none", got, err)
	}
}

func TestSafeNext(t *testing.T) {
	tests := map[string]string{
		"":                                "/",
		"/":                               "/",
		"/movies/tt0013442?bucket=week":   "/movies/tt0013442?bucket=week",
		"//evil.example/":                 "/",
		"/\\evil.example":                 "/",
		"https://evil.example/":           "/",
		"javascript:alert(1)":             "/",
		"movies":                          "/",
		"/movies\r\nSet-Cookie: x=1":      "/",
		"/compare?id=tt1&id=tt2#overview": "/compare?id=tt1&id=tt2#overview",
	}
	for next, want := range tests {
		if got := authn.SafeNext(next); got != want {
			t.Errorf("SafeNext(%q) = %q, want %q", next, got, want)
		}
	}
}

func TestRequireAdmin(t *testing.T) {
	accounts := webtest.NewAccounts(t, nil)
	handler := accounts.Auth.RequireAdmin(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("metrics"))
	}))
	tests := []struct {
		name    string
		prepare func(r *http.Request)
		status  int
	}{
		{"anonymous", func(*http.Request) {}, http.StatusUnauthorized},
		{"analyst token", func(r *http.Request) { webtest.Bearer(r, accounts.Analyst) }, http.StatusForbidden},
		{"analyst session", func(r *http.Request) { r.AddCookie(accounts.Analyst.Cookie()) }, http.StatusForbidden},
		{"admin token", func(r *http.Request) { webtest.Bearer(r, accounts.Admin) }, http.StatusOK},
		{"admin session", func(r *http.Request) { r.AddCookie(accounts.Admin.Cookie()) }, http.StatusOK},
		{"bad token", func(r *http.Request) { r.Header.Set("Authorization", "Bearer rp_nope") }, http.StatusUnauthorized},
	}
	for _, tt := range tests {
		r := httptest.NewRequest(http.MethodGet, "/metrics", nil)
		tt.prepare(r)
		recorder := httptest.NewRecorder()
		handler.ServeHTTP(recorder, r)
		if recorder.Code != tt.status {
			t.Errorf("%s: status %d, want %d", tt.name, recorder.Code, tt.status)
		}
	}
}

func TestCSRFTokenPerSession(t *testing.T) {
	accounts := webtest.NewAccounts(t, nil)
	admin, analyst := accounts.Admin, accounts.Analyst
	if admin.CSRF() == analyst.CSRF() || admin.CSRF() == "" || admin.CSRF() == admin.Session {
		t.Errorf("CSRF tokens %q and %q: want distinct tokens, unlike the session id", admin.CSRF(), analyst.CSRF())
	}
	if (&authn.Identity{User: store.User{Name: "x"}}).CSRFToken() != "" {
		t.Error("a token request has a CSRF token")
	}
}

func hashOf(id string) string { return auth.HashSecret(id) }

func TestFilterMoviesAndCanSeeMovie(t *testing.T) {
	ctx := context.Background()
	accounts := webtest.NewAccounts(t, nil)
	admin := &authn.Identity{User: accounts.Admin.User}
	analyst := &authn.Identity{User: accounts.Analyst.User}
	if _, err := accounts.Store.TrackMovieForUser(ctx, analyst.User.ID, "tt0000002", time.Now()); err != nil {
		t.Fatal(err)
	}
	movies := []store.Movie{{ID: "tt0000001"}, {ID: "tt0000002"}, {ID: "tt0000003"}}
	tests := []struct {
		name     string
		identity *authn.Identity
		all      bool
		want     []string
	}{
		{"analyst", analyst, false, []string{"tt0000002"}},
		{"analyst asking for all", analyst, true, []string{"tt0000002"}},
		{"admin, own list", admin, false, nil},
		{"admin, all", admin, true, []string{"tt0000001", "tt0000002", "tt0000003"}},
		{"anonymous", nil, true, nil},
	}
	for _, tt := range tests {
		got, err := accounts.Auth.FilterMovies(ctx, tt.identity, tt.all, movies)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, m := range got {
			ids = append(ids, m.ID)
		}
		if strings.Join(ids, ",") != strings.Join(tt.want, ",") {
			t.Errorf("%s: movies %v, want %v", tt.name, ids, tt.want)
		}
	}
	for _, c := range []struct {
		identity *authn.Identity
		movie    string
		want     bool
	}{{analyst, "tt0000002", true}, {analyst, "tt0000001", false}, {admin, "tt0000001", true}, {nil, "tt0000002", false}} {
		if got, err := accounts.Auth.CanSeeMovie(ctx, c.identity, c.movie); err != nil || got != c.want {
			t.Errorf("CanSeeMovie(%v, %s) = %v, %v; want %v", c.identity != nil, c.movie, got, err, c.want)
		}
	}
}

func TestMovieIDInPath(t *testing.T) {
	tests := []struct {
		path string
		want string
		ok   bool
	}{
		{"/api/v1/movies/tt0013442", "tt0013442", true},
		{"/api/v1/movies/tt0013442/reviews/export", "tt0013442", true},
		{"/api/v1/movies/tt1%2Fx/runs", "tt1/x", true},
		{"/api/v1/movies", "", false},
		{"/api/v1/movies/", "", false},
		{"/api/v1/search", "", false},
	}
	for _, tt := range tests {
		if got, ok := authn.MovieIDInPath(tt.path, "/api/v1/movies/"); got != tt.want || ok != tt.ok {
			t.Errorf("MovieIDInPath(%q) = %q, %v; want %q, %v", tt.path, got, ok, tt.want, tt.ok)
		}
	}
}

// TestParallelSignInsThrottled checks that wrong passwords sent at once for
// one account are checked at most up to the throttle's limit, and that the
// rest are rejected before any password is checked.
func TestParallelSignInsThrottled(t *testing.T) {
	accounts := webtest.NewAccounts(t, nil)
	const attempts = 40

	var wg sync.WaitGroup
	results := make(chan error, attempts)
	for i := range attempts {
		wg.Go(func() {
			_, err := accounts.Auth.SignIn(t.Context(), "alan", fmt.Sprintf("wrong password %d", i), fmt.Sprintf("198.51.100.%d", i))
			results <- err
		})
	}
	wg.Wait()
	close(results)

	var bad, throttled int
	for err := range results {
		switch {
		case errors.Is(err, authn.ErrBadCredentials):
			bad++
		case errors.Is(err, auth.ErrThrottled):
			throttled++
		default:
			t.Errorf("sign-in: %v, want bad credentials or throttled", err)
		}
	}
	if bad > auth.DefaultFailureLimit {
		t.Errorf("%d passwords checked of %d attempts, want at most %d", bad, attempts, auth.DefaultFailureLimit)
	}
	if bad+throttled != attempts {
		t.Errorf("%d checked and %d throttled, want the %d attempts to add up", bad, throttled, attempts)
	}

	n, err := accounts.Store.CountAudit(t.Context(), store.AuditCount{Action: store.AuditSignInFailed, Target: "alan"})
	if err != nil {
		t.Fatal(err)
	}
	if n != bad {
		t.Errorf("%d sign_in_failed events, want %d", n, bad)
	}
}

// TestSignInNameWithoutCase signs in with the user name typed in another
// case, and fails with several spellings of it: they count as one account
// for the throttle and the audit log.
func TestSignInNameWithoutCase(t *testing.T) {
	accounts := webtest.NewAccounts(t, nil)
	user, err := accounts.Auth.SignIn(t.Context(), "ALAN", webtest.AnalystPassword, "198.51.100.1")
	if err != nil || user.Name != "alan" {
		t.Fatalf("sign-in as ALAN = %q, %v; want alan", user.Name, err)
	}

	spellings := []string{"alan", "Alan", "aLan", "alAn", "alaN", "ALan", "AlAn", "ALAN", "alAN", "aLAN", "ALAn", "aLaN"}
	throttled := false
	for i, name := range spellings {
		_, err := accounts.Auth.SignIn(t.Context(), name, "wrong password", fmt.Sprintf("198.51.100.%d", i+10))
		throttled = throttled || errors.Is(err, auth.ErrThrottled)
	}
	if !throttled {
		t.Errorf("%d failed sign-ins under different spellings were not throttled", len(spellings))
	}
	n, err := accounts.Store.CountAudit(t.Context(), store.AuditCount{Action: store.AuditSignInFailed, Target: "alan"})
	if err != nil {
		t.Fatal(err)
	}
	if n != auth.DefaultFailureLimit {
		t.Errorf("%d sign_in_failed events for alan, want %d under the stored name", n, auth.DefaultFailureLimit)
	}
}
