package web_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/reelpulse/reelpulse/internal/analyze"
	"github.com/reelpulse/reelpulse/internal/store"
	"github.com/reelpulse/reelpulse/internal/web"
	"github.com/reelpulse/reelpulse/internal/web/webtest"
)

// Every page shows that analysis is paused once today's language model
// spend reaches the daily budget, and shows no notice before.
func TestBudgetNotice(t *testing.T) {
	st := webtest.NewStore()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	if _, err := webtest.Seed(context.Background(), st, now); err != nil {
		t.Fatalf("seed store: %v", err)
	}
	signedIn := webtest.NewAccounts(t, nil)
	signedIn.TrackAll(t, st)
	handler, err := web.New(web.Config{Accounts: signedIn.Store, Auth: signedIn.Auth,
		Store: st, Tracker: &webtest.Tracker{Store: st}, Analyzer: webtest.Analyzer,
		Logger: slog.New(slog.DiscardHandler), Now: func() time.Time { return now },
		DailyBudgetUSD: 1,
	})
	if err != nil {
		t.Fatalf("web.New: %v", err)
	}
	handler = webtest.AsMember(handler, signedIn.Admin)
	page := func(target string) string {
		t.Helper()
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s: status %d", target, rec.Code)
		}
		return rec.Body.String()
	}
	record := func(at time.Time, cost float64) {
		t.Helper()
		call := store.LLMCall{At: at, Analyzer: "openai", Model: "gpt-4o-mini", Reviews: 8, CostUSD: cost, Outcome: "ok"}
		if err := st.RecordLLMCall(context.Background(), call); err != nil {
			t.Fatal(err)
		}
	}

	record(now.Add(-24*time.Hour), 5) // yesterday's spend does not count
	record(now.Add(-time.Hour), 0.6)
	if body := page("/"); strings.Contains(body, "site-notice") {
		t.Errorf("overview shows a notice below the budget:\n%s", body)
	}

	record(now.Add(-time.Minute), 0.4)
	for _, target := range []string{"/", "/movies/" + webtest.MovieID} {
		body := page(target)
		if !strings.Contains(body, `data-testid="site-notice"`) || !strings.Contains(body, "$1.00 has reached the daily budget of $1.00") {
			t.Errorf("GET %s does not say that analysis is paused", target)
		}
	}
}

// User-defined aspects get their own figures on the movie page.
func TestCustomAspectsShown(t *testing.T) {
	st := webtest.NewStore()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	if _, err := webtest.Seed(context.Background(), st, now); err != nil {
		t.Fatalf("seed store: %v", err)
	}
	aspects := append(append([]analyze.Aspect{}, analyze.Aspects...), analyze.Aspect{Name: "dark_humor", Description: "jokes about grim things"})
	signedIn := webtest.NewAccounts(t, nil)
	signedIn.TrackAll(t, st)
	handler, err := web.New(web.Config{Accounts: signedIn.Store, Auth: signedIn.Auth,
		Store: st, Tracker: &webtest.Tracker{Store: st}, Analyzer: webtest.Analyzer,
		Logger: slog.New(slog.DiscardHandler), Now: func() time.Time { return now }, Aspects: aspects,
	})
	if err != nil {
		t.Fatalf("web.New: %v", err)
	}
	handler = webtest.AsMember(handler, signedIn.Admin)
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/movies/"+webtest.MovieID, nil))
	if body := rec.Body.String(); !strings.Contains(body, "Dark humor") || !strings.Contains(body, "jokes about grim things") {
		t.Errorf("movie page does not show the user-defined aspect")
	}
}
