package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/reelpulse/reelpulse/internal/jobs"
	"github.com/reelpulse/reelpulse/internal/store"
	"github.com/reelpulse/reelpulse/internal/web"
	"github.com/reelpulse/reelpulse/internal/web/webtest"
)

// progressMovie is the movie that the progress tests take through the
// stages.
const progressMovie = "tt0063350"

// progressBody is the JSON of GET /movies/{id}/progress.
type progressBody struct {
	MovieID  string `json:"movie_id"`
	Stage    string `json:"stage"`
	Label    string `json:"label"`
	Text     string `json:"text"`
	Step     int    `json:"step"`
	Steps    int    `json:"steps"`
	Done     bool   `json:"done"`
	Poll     bool   `json:"poll"`
	Reviews  int    `json:"reviews"`
	Declared *int   `json:"declared"`
	Analyzed int    `json:"analyzed"`
	Failed   int    `json:"failed"`
	Error    string `json:"error"`
}

// progressState builds one state of progressMovie in a store.
type progressState struct {
	checked  bool
	reviews  int // stored by a review pass; -1 for no pass
	analyzed int
	failed   int
	run      string // state of a recorded review pass, when not ""
	lastErr  string
	parked   bool
	untrack  bool
}

func (p progressState) apply(t *testing.T, st *webtest.Store) {
	t.Helper()
	ctx := context.Background()
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := st.TrackMovie(ctx, progressMovie, at)
	must(err)

	if p.checked {
		declared := 3
		must(st.RecordCheck(ctx, progressMovie, store.MovieMetadata{Title: "Night of the Living Dead", Year: 1968, DeclaredReviewCount: &declared}, at.Add(time.Minute)))
	}
	if p.reviews >= 0 {
		result := store.SyncResult{MovieID: progressMovie, Complete: true, At: at.Add(2 * time.Minute)}
		for i := range p.reviews {
			id := fmt.Sprintf("rw990000%d", i)
			result.Upserts = append(result.Upserts, store.Review{ID: id, MovieID: progressMovie, Title: "Review", Text: "Text",
				SubmittedAt: at, ContentHash: "hash-" + id})
			result.Seen = append(result.Seen, store.ReviewVotes{ReviewID: id})
		}
		_, err := st.ApplySync(ctx, result)
		must(err)
	}

	var analyses []store.Analysis
	for i := range p.analyzed {
		id := fmt.Sprintf("rw990000%d", i)
		score := 1
		analyses = append(analyses, store.Analysis{ReviewID: id, Analyzer: webtest.Analyzer, AnalyzerVersion: "1", ContentHash: "hash-" + id,
			AnalyzedAt: at.Add(3 * time.Minute), Aspects: []store.AspectScore{{Aspect: store.Overall, Score: &score}}})
	}
	must(st.SaveAnalyses(ctx, analyses))

	var failures []store.AnalysisFailure
	for i := p.analyzed; i < p.analyzed+p.failed; i++ {
		id := fmt.Sprintf("rw990000%d", i)
		failures = append(failures, store.AnalysisFailure{ReviewID: id, Analyzer: webtest.Analyzer, AnalyzerVersion: "1",
			ContentHash: "hash-" + id, Reason: "no reply", FailedAt: at.Add(3 * time.Minute)})
	}
	must(st.SaveAnalysisFailures(ctx, failures))

	if p.run != "" {
		_, err := st.RecordRun(ctx, store.SyncRun{MovieID: progressMovie, StartedAt: at, FinishedAt: at.Add(time.Minute), State: p.run,
			Error: "IMDb returned 403 Forbidden"})
		must(err)
	}
	if p.lastErr != "" {
		must(st.RecordError(ctx, progressMovie, p.lastErr, at.Add(4*time.Minute)))
	}
	if p.parked {
		must(st.ParkMovie(ctx, progressMovie, "5 review passes failed in a row", at.Add(5*time.Minute)))
	}
	if p.untrack {
		must(st.UntrackMovie(ctx, progressMovie))
	}
}

// newProgressFixture returns a dashboard over an empty store whose job list
// has the given running jobs of progressMovie.
func newProgressFixture(t *testing.T, running ...string) *fixture {
	t.Helper()
	st := webtest.NewStore()
	list := &fakeJobs{}
	for i, kind := range running {
		list.list = append(list.list, jobs.JobInfo{ID: int64(i + 1), Kind: kind, MovieID: progressMovie, State: "running"})
	}
	// A running job of another movie and a waiting one of this movie
	// must not count.
	list.list = append(list.list,
		jobs.JobInfo{ID: 90, Kind: "check_movie", MovieID: "tt0000001", State: "running"},
		jobs.JobInfo{ID: 91, Kind: "sync_movie", MovieID: progressMovie, State: "available"})
	tracker := &webtest.Tracker{Store: st}
	signedIn := webtest.NewAccounts(t, nil)
	if _, err := signedIn.Store.TrackMovieForUser(context.Background(), signedIn.Admin.User.ID, progressMovie, time.Now()); err != nil {
		t.Fatal(err)
	}
	handler, err := web.New(web.Config{Accounts: signedIn.Store, Auth: signedIn.Auth, Store: st, Tracker: tracker, Analyzer: webtest.Analyzer,
		Logger: slog.New(slog.DiscardHandler), Jobs: list})
	if err != nil {
		t.Fatalf("web.New: %v", err)
	}
	handler = webtest.AsMember(handler, signedIn.Admin)
	return &fixture{store: st, tracker: tracker, handler: handler}
}

func TestProgressStages(t *testing.T) {
	tests := []struct {
		name    string
		state   progressState
		running []string
		stage   string
		step    int
		done    bool
		poll    bool
		text    string
	}{
		{"just added", progressState{reviews: -1}, nil, web.StageQueued, 1, false, true, "Waiting for a worker to check the title"},
		{"title check running", progressState{reviews: -1}, []string{"check_movie"}, web.StageChecking, 2, false, true, "Reading the title page"},
		{"checked, pass waiting", progressState{checked: true, reviews: -1}, nil, web.StageScraping, 3, false, true,
			"Waiting for a worker to read the reviews. IMDb declares 3 reviews."},
		{"pass running", progressState{checked: true, reviews: -1}, []string{"sync_movie"}, web.StageScraping, 3, false, true,
			"Reading the reviews on IMDb. IMDb declares 3 reviews."},
		{"analysis under way", progressState{checked: true, reviews: 3, analyzed: 1}, []string{"analyze_movie"}, web.StageAnalyzing, 4, false, true,
			"1 of 3 reviews analyzed."},
		{"nothing analyzed yet", progressState{checked: true, reviews: 3}, nil, web.StageAnalyzing, 4, false, true, "0 of 3 reviews analyzed."},
		{"analyzed", progressState{checked: true, reviews: 3, analyzed: 3}, nil, web.StageAnalyzed, 5, true, false, "3 of 3 reviews analyzed."},
		{"failures count as done", progressState{checked: true, reviews: 3, analyzed: 2, failed: 1}, nil, web.StageAnalyzed, 5, true, false,
			"2 of 3 reviews analyzed."},
		{"movie without reviews", progressState{checked: true, reviews: 0}, nil, web.StageAnalyzed, 5, true, false, "0 of 0 reviews analyzed."},
		{"title check failed", progressState{reviews: -1, lastErr: "IMDb returned 503"}, nil, web.StageFailed, 1, false, false,
			"The last check failed: IMDb returned 503. It is retried automatically."},
		{"failed check being retried", progressState{reviews: -1, lastErr: "IMDb returned 503"}, []string{"check_movie"}, web.StageChecking, 2, false, true,
			"Reading the title page"},
		{"review pass blocked", progressState{checked: true, reviews: -1, run: store.RunBlocked}, nil, web.StageFailed, 3, false, false,
			"The review pass failed: IMDb returned 403 Forbidden."},
		{"parked", progressState{checked: true, reviews: -1, run: store.RunFailed, parked: true}, nil, web.StageFailed, 3, false, false,
			"Parked: 5 review passes failed in a row. Unpark it"},
		{"untracked before its analysis", progressState{checked: true, reviews: -1, untrack: true}, nil, web.StageUntracked, 3, false, false,
			"no longer tracked"},
		{"untracked after its analysis", progressState{checked: true, reviews: 2, analyzed: 2, untrack: true}, nil, web.StageAnalyzed, 5, true, false,
			"2 of 2 reviews analyzed."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newProgressFixture(t, tt.running...)
			tt.state.apply(t, f.store)

			response, body := f.get(t, "/movies/"+progressMovie+"/progress")
			if response.StatusCode != http.StatusOK {
				t.Fatalf("status = %d: %s", response.StatusCode, body)
			}
			if got := response.Header.Get("Content-Type"); got != "application/json" {
				t.Errorf("Content-Type = %q", got)
			}
			if got := response.Header.Get("Cache-Control"); got != "no-store" {
				t.Errorf("Cache-Control = %q, want no-store", got)
			}
			var p progressBody
			if err := json.Unmarshal([]byte(body), &p); err != nil {
				t.Fatalf("decode %s: %v", body, err)
			}
			if p.Stage != tt.stage || p.Step != tt.step || p.Done != tt.done || p.Poll != tt.poll {
				t.Errorf("progress = %s step %d done %v poll %v, want %s step %d done %v poll %v",
					p.Stage, p.Step, p.Done, p.Poll, tt.stage, tt.step, tt.done, tt.poll)
			}
			if !strings.Contains(p.Text, tt.text) {
				t.Errorf("text = %q, want it to contain %q", p.Text, tt.text)
			}
			if p.MovieID != progressMovie || p.Steps != 5 || p.Label == "" {
				t.Errorf("progress = %+v", p)
			}

			_, page := f.get(t, "/movies/"+progressMovie)
			box := strings.Contains(page, `data-testid="progress"`)
			if box == tt.done {
				t.Errorf("movie page shows the progress box: %v, want %v", box, !tt.done)
			}
			if box && !strings.Contains(page, `data-stage="`+tt.stage+`"`) {
				t.Errorf("movie page's progress box is not at stage %s", tt.stage)
			}
			if polls := strings.Contains(page, "data-poll"); polls != tt.poll {
				t.Errorf("movie page polls: %v, want %v", polls, tt.poll)
			}
		})
	}
}

func TestProgressCounts(t *testing.T) {
	f := newProgressFixture(t)
	progressState{checked: true, reviews: 3, analyzed: 1, failed: 1}.apply(t, f.store)

	_, body := f.get(t, "/movies/"+progressMovie+"/progress")
	var p progressBody
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	if p.Reviews != 3 || p.Declared == nil || *p.Declared != 3 || p.Analyzed != 1 || p.Failed != 1 {
		t.Errorf("counts = %d reviews of %v declared, %d analyzed, %d failed; want 3 of 3, 1, 1", p.Reviews, p.Declared, p.Analyzed, p.Failed)
	}
}

func TestProgressUnknownMovie(t *testing.T) {
	f := newProgressFixture(t)
	response, body := f.get(t, "/movies/tt9999999/progress")
	if response.StatusCode != http.StatusNotFound || !strings.Contains(body, `"error":"No movie with id tt9999999`) {
		t.Errorf("status %d, body %s; want 404 naming the id", response.StatusCode, body)
	}
}

func TestProgressMarkup(t *testing.T) {
	f := newProgressFixture(t, "sync_movie")
	progressState{checked: true, reviews: -1}.apply(t, f.store)

	for _, target := range []string{"/", "/movies/" + progressMovie} {
		_, page := f.get(t, target)
		box := between(t, page, `data-testid="progress"`, "</div>")
		for _, want := range []string{
			`data-progress="/movies/` + progressMovie + `/progress"`,
			`<li class="step step-done" data-step="checking">Checking title</li>`,
			`<li class="step step-current" data-step="scraping">Scraping reviews</li>`,
			`<li class="step step-todo" data-step="analyzed">Analyzed</li>`,
			`role="status" aria-live="polite"`,
			`<a class="progress-refresh" href="/movies/` + progressMovie + `">Refresh</a>`,
		} {
			if !strings.Contains(box, want) {
				t.Errorf("%s: progress box lacks %q:\n%s", target, want, box)
			}
		}
	}
}

func TestListCardsShowProgressUntilAnalyzed(t *testing.T) {
	f := newFixture(t)
	_, page := f.get(t, "/")

	pending := between(t, page, `data-testid="movie-`+webtest.PendingMovieID+`"`, "</li>\n")
	if !strings.Contains(pending, `data-stage="queued"`) {
		t.Errorf("never-checked movie's card shows no queued progress:\n%s", pending)
	}
	failing := between(t, page, `data-testid="movie-`+webtest.FailingMovieID+`"`, "</li>\n")
	if !strings.Contains(failing, `data-stage="failed"`) || strings.Contains(failing, "data-poll") {
		t.Errorf("failing movie's card should show a stopped progress that does not poll:\n%s", failing)
	}
}

func TestRemoveGoesThroughConfirmation(t *testing.T) {
	f := newFixture(t)
	_, list := f.get(t, "/")
	_, movie := f.get(t, "/movies/"+webtest.MovieID)
	confirm := `href="/movies/` + webtest.MovieID + `/remove"`
	for name, page := range map[string]string{"card": list, "movie page": movie} {
		if !strings.Contains(page, confirm) {
			t.Errorf("%s has no link to the confirmation page", name)
		}
		if strings.Contains(page, `action="/movies/`+webtest.MovieID+`/remove"`) {
			t.Errorf("%s removes the movie without the confirmation page", name)
		}
	}

	_, page := f.get(t, "/movies/"+webtest.MovieID+"/remove")
	for _, want := range []string{
		"Remove Nosferatu from your list?",
		"stored reviews and analyses are kept",
		`<form method="post" action="/movies/` + webtest.MovieID + `/remove"`,
		`href="/movies/` + webtest.MovieID + `" data-testid="cancel-remove"`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("confirmation page lacks %q", want)
		}
	}
	if got := f.tracker.Untracked(); len(got) != 0 {
		t.Errorf("showing the confirmation untracked %v", got)
	}
}
