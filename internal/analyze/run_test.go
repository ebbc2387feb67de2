package analyze_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/reelpulse/reelpulse/internal/analyze"
	"github.com/reelpulse/reelpulse/internal/store"
	"github.com/reelpulse/reelpulse/internal/store/sqlite"
)

const movieID = "tt0000001"

// scripted scores every review as +1 overall, except those it fails or
// trims, hands results over in groups of groupSize, and stops with stopErr
// after stopAfter groups when stopAfter is positive.
type scripted struct {
	version   string
	groupSize int
	fail      map[string]string
	trim      map[string]bool
	stopAfter int
	stopErr   error
	seen      []string // review ids it was given, across runs
}

func (s *scripted) Name() string    { return "scripted" }
func (s *scripted) Version() string { return s.version }

func (s *scripted) Analyze(_ context.Context, reviews []analyze.Input, save func([]analyze.Result) error) error {
	for group := 0; len(reviews) > 0; group++ {
		if s.stopAfter > 0 && group == s.stopAfter {
			return s.stopErr
		}
		n := min(s.groupSize, len(reviews))
		results := make([]analyze.Result, n)
		for i, in := range reviews[:n] {
			s.seen = append(s.seen, in.ReviewID)
			results[i].ReviewID = in.ReviewID
			if reason, ok := s.fail[in.ReviewID]; ok {
				results[i].Failure = reason
				continue
			}
			one := 1
			results[i].Aspects = []store.AspectScore{{Aspect: store.Overall, Score: &one, Evidence: in.Text}}
			results[i].Trimmed = s.trim[in.ReviewID]
		}
		if err := save(results); err != nil {
			return err
		}
		reviews = reviews[n:]
	}
	return nil
}

func openStore(t *testing.T, reviews int) store.Store {
	t.Helper()
	ctx := t.Context()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "run.db"), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if _, err := st.TrackMovie(ctx, movieID, start); err != nil {
		t.Fatal(err)
	}
	var upserts []store.Review
	for i := range reviews {
		id := fmt.Sprintf("rw%02d", i)
		upserts = append(upserts, store.Review{
			ID: id, MovieID: movieID, Title: "Title " + id, Text: "Text of " + id,
			SubmittedAt: start, ContentHash: "hash-" + id,
		})
	}
	if _, err := st.ApplySync(ctx, store.SyncResult{MovieID: movieID, Upserts: upserts, At: start}); err != nil {
		t.Fatal(err)
	}
	return st
}

func clock() func() time.Time {
	now := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	return func() time.Time {
		now = now.Add(time.Second)
		return now
	}
}

func TestRunPendingStoresResultsAndFailures(t *testing.T) {
	st := openStore(t, 5)
	a := &scripted{version: "v1", groupSize: 2, fail: map[string]string{"rw01": "reply cut off by the token limit"}, trim: map[string]bool{"rw03": true}}

	progress, err := analyze.RunPending(t.Context(), st, a, analyze.Run{MovieID: movieID, BatchSize: 3, Now: clock()})
	if err != nil {
		t.Fatalf("RunPending: %v", err)
	}
	if progress != (analyze.Progress{Analyzed: 4, Failed: 1}) {
		t.Errorf("progress = %+v, want 4 analyzed and 1 failed", progress)
	}

	results, err := st.ReviewAnalyses(t.Context(), "scripted", []string{"rw00", "rw01", "rw02", "rw03", "rw04"})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := results["rw01"]; ok || len(results) != 4 {
		t.Errorf("stored results for %d reviews (rw01 included: %v), want 4 without the failed one", len(results), ok)
	}
	if !results["rw03"].Trimmed || results["rw02"].Trimmed {
		t.Errorf("Trimmed: rw03 %v, rw02 %v, want true and false", results["rw03"].Trimmed, results["rw02"].Trimmed)
	}
	failures, err := st.AnalysisFailures(t.Context(), movieID, "scripted", 0)
	if err != nil || len(failures) != 1 || failures[0].Reason != "reply cut off by the token limit" {
		t.Errorf("failures = %+v, %v, want the failure of rw01", failures, err)
	}

	// A failed review is not sent again: it would fail and cost again.
	a.seen = nil
	progress, err = analyze.RunPending(t.Context(), st, a, analyze.Run{MovieID: movieID, Now: clock()})
	if err != nil || progress != (analyze.Progress{}) || len(a.seen) != 0 {
		t.Errorf("second run = %+v, %v, sent %v, want nothing to do", progress, err, a.seen)
	}
}

// An interrupted run keeps what was saved, and the next run sends only the
// rest.
func TestRunPendingResumes(t *testing.T) {
	st := openStore(t, 6)
	stop := errors.New("interrupted")
	a := &scripted{version: "v1", groupSize: 2, stopAfter: 2, stopErr: stop}

	progress, err := analyze.RunPending(t.Context(), st, a, analyze.Run{MovieID: movieID, Now: clock()})
	if !errors.Is(err, stop) {
		t.Fatalf("RunPending error = %v, want the interruption", err)
	}
	if progress.Analyzed != 4 {
		t.Errorf("analyzed before the interruption = %d, want 4", progress.Analyzed)
	}

	a.stopAfter, a.seen = 0, nil
	progress, err = analyze.RunPending(t.Context(), st, a, analyze.Run{MovieID: movieID, Now: clock()})
	if err != nil {
		t.Fatalf("resumed run: %v", err)
	}
	if progress.Analyzed != 2 || !slices.Equal(a.seen, []string{"rw04", "rw05"}) {
		t.Errorf("resumed run analyzed %d and sent %v, want only rw04 and rw05", progress.Analyzed, a.seen)
	}
}

// A reanalysis sends every review again, failed ones included, and resumes
// after an interruption when given the same start.
func TestRunPendingReanalyze(t *testing.T) {
	st := openStore(t, 4)
	now := clock()
	a := &scripted{version: "v1", groupSize: 1, fail: map[string]string{"rw02": "refused"}}
	if _, err := analyze.RunPending(t.Context(), st, a, analyze.Run{MovieID: movieID, Now: now}); err != nil {
		t.Fatal(err)
	}

	since := now()
	a.seen, a.fail, a.stopAfter, a.stopErr = nil, nil, 3, errors.New("interrupted")
	run := analyze.Run{MovieID: movieID, Reanalyze: true, Since: since, Now: now}
	if _, err := analyze.RunPending(t.Context(), st, a, run); err == nil {
		t.Fatal("the interrupted reanalysis returned no error")
	}
	a.stopAfter = 0
	progress, err := analyze.RunPending(t.Context(), st, a, run)
	if err != nil {
		t.Fatal(err)
	}
	if progress.Analyzed != 1 || !slices.Equal(a.seen, []string{"rw00", "rw01", "rw02", "rw03"}) {
		t.Errorf("reanalysis analyzed %d at the end and sent %v, want every review once", progress.Analyzed, a.seen)
	}
	failures, _ := st.AnalysisFailures(t.Context(), movieID, "scripted", 0)
	if len(failures) != 0 {
		t.Errorf("failures after a successful reanalysis = %+v, want none", failures)
	}
}

// An analyzer that returns a result for a review it was not given stores
// nothing of that group.
func TestRunPendingRejectsForeignResults(t *testing.T) {
	st := openStore(t, 2)
	_, err := analyze.RunPending(t.Context(), st, foreign{}, analyze.Run{MovieID: movieID})
	if err == nil {
		t.Fatal("RunPending accepted a result for a review it did not send")
	}
	results, _ := st.ReviewAnalyses(t.Context(), "foreign", []string{"rw00", "rw01", "rw99"})
	if len(results) != 0 {
		t.Errorf("stored %d results, want none", len(results))
	}
}

type foreign struct{}

func (foreign) Name() string    { return "foreign" }
func (foreign) Version() string { return "1" }

func (foreign) Analyze(_ context.Context, reviews []analyze.Input, save func([]analyze.Result) error) error {
	one := 1
	scores := []store.AspectScore{{Aspect: store.Overall, Score: &one}}
	return save([]analyze.Result{{ReviewID: reviews[0].ReviewID, Aspects: scores}, {ReviewID: "rw99", Aspects: scores}})
}

// TestRunPendingLease lets another process hold the movie's lease: the run
// sends nothing and reports ErrBusy. Once that lease has run out, a run
// takes it over, and it releases the lease when it ends.
func TestRunPendingLease(t *testing.T) {
	st := openStore(t, 3)
	a := &scripted{version: "v1", groupSize: 3}
	start := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	other := store.AnalysisLease{MovieID: movieID, Analyzer: a.Name(), Holder: "other process", Now: start, ExpiresAt: start.Add(10 * time.Minute)}
	if ok, err := st.AcquireAnalysisLease(t.Context(), other); err != nil || !ok {
		t.Fatalf("lease of the other process: %t, %v", ok, err)
	}

	progress, err := analyze.RunPending(t.Context(), st, a, analyze.Run{MovieID: movieID, Now: clock()})
	if !errors.Is(err, analyze.ErrBusy) {
		t.Fatalf("RunPending while another process holds the lease: error %v, want ErrBusy", err)
	}
	if progress != (analyze.Progress{}) || len(a.seen) != 0 {
		t.Errorf("busy run = %+v and sent %v, want nothing", progress, a.seen)
	}

	later := func() time.Time { return start.Add(time.Hour) }
	progress, err = analyze.RunPending(t.Context(), st, a, analyze.Run{MovieID: movieID, Now: later})
	if err != nil || progress.Analyzed != 3 {
		t.Fatalf("run after the lease ran out = %+v, %v; want 3 analyzed", progress, err)
	}
	other.Now, other.ExpiresAt = later(), later().Add(time.Minute)
	if ok, err := st.AcquireAnalysisLease(t.Context(), other); err != nil || !ok {
		t.Errorf("lease after the run ended: %t, %v; want it released", ok, err)
	}
}
