package storetest

import (
	"testing"
	"time"

	"github.com/reelpulse/reelpulse/internal/store"
)

func failure(reviewID, hash, version, reason string, at time.Time) store.AnalysisFailure {
	return store.AnalysisFailure{
		ReviewID: reviewID, Analyzer: "lexicon", AnalyzerVersion: version,
		ContentHash: hash, Reason: reason, FailedAt: at,
	}
}

// storeThreeReviews tracks tt0000001 and stores its reviews rw1, rw2 and
// rw3.
func storeThreeReviews(t *testing.T, s store.Store) {
	t.Helper()
	track(t, s, "tt0000001")
	applySync(t, s, store.SyncResult{Upserts: []store.Review{
		review("rw1", ptr(6), day(2025, 1, 2)),
		review("rw2", ptr(6), day(2025, 1, 3)),
		review("rw3", ptr(6), day(2025, 1, 4)),
	}, At: at(1)})
}

func testAnalysisFailures(t *testing.T, s store.Store) {
	ctx := t.Context()
	storeThreeReviews(t, s)

	err := s.SaveAnalysisFailures(ctx, []store.AnalysisFailure{
		failure("rw1", "hash-rw1", "v1", "reply cut off by the token limit", at(2)),
		failure("rw2", "stale", "v1", "evidence not in the text", at(2)),
	})
	if err != nil {
		t.Fatalf("save failures: %v", err)
	}
	equal(t, "pending after failures", pendingIDs(t, s, "lexicon", "v1", 10), []string{"rw2", "rw3"})
	equal(t, "pending for a new version", pendingIDs(t, s, "lexicon", "v2", 10), []string{"rw1", "rw2", "rw3"})

	got, err := s.AnalysisFailures(ctx, "tt0000001", "lexicon", 0)
	if err != nil {
		t.Fatalf("list failures: %v", err)
	}
	equal(t, "current failures", got, []store.AnalysisFailure{
		failure("rw1", "hash-rw1", "v1", "reply cut off by the token limit", at(2)),
	})

	err = s.SaveAnalysisFailures(ctx, []store.AnalysisFailure{
		failure("rw3", "hash-rw3", "v1", "refused by the safety filter", at(3)),
		failure("rw1", "hash-rw1", "v1", "label \"great\" is not one of the allowed ones", at(4)),
	})
	if err != nil {
		t.Fatalf("save failures again: %v", err)
	}
	got, _ = s.AnalysisFailures(ctx, "tt0000001", "lexicon", 1)
	equal(t, "newest failure", got, []store.AnalysisFailure{
		failure("rw1", "hash-rw1", "v1", "label \"great\" is not one of the allowed ones", at(4)),
	})

	trimmed := analysis("rw1", "hash-rw1", "v1", at(5), store.AspectScore{Aspect: store.Overall, Score: ptr(1)})
	trimmed.Trimmed = true
	save(t, s, trimmed)
	got, _ = s.AnalysisFailures(ctx, "tt0000001", "lexicon", 0)
	equal(t, "failures after a result", got, []store.AnalysisFailure{
		failure("rw3", "hash-rw3", "v1", "refused by the safety filter", at(3)),
	})
	results, err := s.ReviewAnalyses(ctx, "lexicon", []string{"rw1"})
	if err != nil {
		t.Fatalf("review analyses: %v", err)
	}
	equal(t, "trimmed analysis", results, map[string]store.Analysis{"rw1": trimmed})
	equal(t, "pending at the end", pendingIDs(t, s, "lexicon", "v1", 10), []string{"rw2"})

	err = s.SaveAnalysisFailures(ctx, []store.AnalysisFailure{failure("rw9", "hash-rw9", "v1", "no such review", at(6))})
	if err == nil {
		t.Fatalf("saved a failure of a review that is not stored")
	}
}

func testPendingAnalysisSince(t *testing.T, s store.Store) {
	ctx := t.Context()
	storeThreeReviews(t, s)
	save(t, s, analysis("rw1", "hash-rw1", "v1", at(2)), analysis("rw2", "hash-rw2", "v1", at(2)))
	if err := s.SaveAnalysisFailures(ctx, []store.AnalysisFailure{failure("rw3", "hash-rw3", "v1", "refused", at(2))}); err != nil {
		t.Fatalf("save failure: %v", err)
	}

	pending := func(since time.Time) []string {
		t.Helper()
		list, err := s.PendingAnalysis(ctx, store.PendingQuery{MovieID: "tt0000001", Analyzer: "lexicon", AnalyzerVersion: "v1", Since: since})
		if err != nil {
			t.Fatalf("pending since %s: %v", since, err)
		}
		ids := []string{}
		for _, r := range list {
			ids = append(ids, r.ID)
		}
		return ids
	}
	equal(t, "pending without since", pending(time.Time{}), []string{})
	equal(t, "pending since the results", pending(at(2)), []string{})
	equal(t, "pending since a later start", pending(at(3)), []string{"rw1", "rw2", "rw3"})

	save(t, s, analysis("rw2", "hash-rw2", "v1", at(4)))
	equal(t, "pending after part of a reanalysis", pending(at(3)), []string{"rw1", "rw3"})
}

func testLLMUsage(t *testing.T, s store.Store) {
	ctx := t.Context()
	day1 := time.Date(2026, 3, 1, 23, 59, 0, 0, time.UTC)
	day2 := day1.Add(2 * time.Minute)
	calls := []store.LLMCall{
		{At: day1, Analyzer: "openai", Model: "gpt-4o-mini", MovieID: "tt0000001", Reviews: 8, PromptTokens: 4000, CompletionTokens: 900, CostUSD: 0.00114, Outcome: "ok"},
		{At: day1, Analyzer: "openai", Model: "gpt-4o-mini", MovieID: "tt0000001", Reviews: 1, PromptTokens: 600, CompletionTokens: 0, CostUSD: 0.00009, Outcome: "cut off by the token limit"},
		{At: day2, Analyzer: "openai", Model: "gpt-4o-mini", MovieID: "tt0000002", Reviews: 2, PromptTokens: 1000, CompletionTokens: 200, CostUSD: 0.00027, Outcome: "ok"},
		{At: day2, Analyzer: "openai-compatible", Model: "llama3.1", Reviews: 1, PromptTokens: 500, CompletionTokens: 100, Outcome: "ok"},
	}
	for _, c := range calls {
		if err := s.RecordLLMCall(ctx, c); err != nil {
			t.Fatalf("record call: %v", err)
		}
	}

	usage, err := s.LLMUsage(ctx, day1.Add(-time.Hour))
	if err != nil {
		t.Fatalf("usage: %v", err)
	}
	for i := range usage {
		usage[i].CostUSD = round(usage[i].CostUSD)
	}
	equal(t, "usage by day, model and movie", usage, []store.LLMUsage{
		{Day: "2026-03-02", Analyzer: "openai", Model: "gpt-4o-mini", MovieID: "tt0000002", Calls: 1, Reviews: 2, PromptTokens: 1000, CompletionTokens: 200, CostUSD: 0.00027},
		{Day: "2026-03-02", Analyzer: "openai-compatible", Model: "llama3.1", Calls: 1, Reviews: 1, PromptTokens: 500, CompletionTokens: 100},
		{Day: "2026-03-01", Analyzer: "openai", Model: "gpt-4o-mini", MovieID: "tt0000001", Calls: 2, Reviews: 9, PromptTokens: 4600, CompletionTokens: 900, CostUSD: 0.00123},
	})

	spend, err := s.LLMSpend(ctx, day2.Truncate(24*time.Hour))
	if err != nil {
		t.Fatalf("spend: %v", err)
	}
	equal(t, "spend of the second day", round(spend), 0.00027)

	spend, err = s.LLMSpend(ctx, day2.Add(time.Hour))
	if err != nil {
		t.Fatalf("spend: %v", err)
	}
	equal(t, "spend with no calls", spend, 0.0)
}

// round drops the float noise of sums to ten decimal places.
func round(v float64) float64 {
	const scale = 1e10
	return float64(int64(v*scale+0.5)) / scale
}

func testSchedulableMovieIDs(t *testing.T, s store.Store) {
	ctx := t.Context()
	for _, id := range []string{"tt0000005", "tt0000001", "tt0000004", "tt0000003", "tt0000002"} {
		track(t, s, id)
	}
	if err := s.UntrackMovie(ctx, "tt0000003"); err != nil {
		t.Fatal(err)
	}
	if err := s.ParkMovie(ctx, "tt0000004", "failed", at(1)); err != nil {
		t.Fatal(err)
	}

	page := func(after string, limit int) []string {
		t.Helper()
		ids, err := s.SchedulableMovieIDs(ctx, after, limit)
		if err != nil {
			t.Fatalf("schedulable movies after %q: %v", after, err)
		}
		return ids
	}
	equal(t, "first page", page("", 2), []string{"tt0000001", "tt0000002"})
	equal(t, "second page", page("tt0000002", 2), []string{"tt0000005"})
	equal(t, "after the last", page("tt0000005", 2), []string{})
}
