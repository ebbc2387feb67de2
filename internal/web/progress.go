package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"

	"github.com/reelpulse/reelpulse/internal/jobs"
	"github.com/reelpulse/reelpulse/internal/store"
)

// Stages of a movie's way from being added to being analyzed, in order.
// StageFailed and StageUntracked end the way early.
const (
	StageQueued    = "queued"
	StageChecking  = "checking"
	StageScraping  = "scraping"
	StageAnalyzing = "analyzing"
	StageAnalyzed  = "analyzed"
	StageFailed    = "failed"
	StageUntracked = "untracked"
)

// progressSteps are the stages that the progress bar shows, in order.
var progressSteps = []struct{ Stage, Label string }{
	{StageQueued, "Queued"},
	{StageChecking, "Checking title"},
	{StageScraping, "Scraping reviews"},
	{StageAnalyzing, "Analyzing"},
	{StageAnalyzed, "Analyzed"},
}

// progressView is how far a movie's data has come: the stage, a sentence
// for people and the counts behind it. GET /movies/{id}/progress serves it
// as JSON, and the movie card and page show it until the movie is analyzed.
type progressView struct {
	MovieID string `json:"movie_id"`
	Stage   string `json:"stage"`
	Label   string `json:"label"`
	Text    string `json:"text"`
	// Step is the stage's position in progressSteps, 1-based, and Steps
	// their number. A failed or untracked movie keeps the step it reached.
	Step  int `json:"step"`
	Steps int `json:"steps"`
	// Done is true once every stored review is analyzed (or failed to be).
	Done bool `json:"done"`
	// Poll is true while the stage is expected to change without a user
	// doing anything.
	Poll     bool `json:"poll"`
	Reviews  int  `json:"reviews"`
	Declared *int `json:"declared"`
	Analyzed int  `json:"analyzed"`
	Failed   int  `json:"failed"`
}

// StepViews returns the steps for the template with their state: "done",
// "current" or "todo".
func (p progressView) StepViews() []progressStep {
	steps := make([]progressStep, len(progressSteps))
	for i, s := range progressSteps {
		state := "todo"
		switch {
		case i+1 < p.Step || p.Done:
			state = "done"
		case i+1 == p.Step:
			state = "current"
		}
		steps[i] = progressStep{Stage: s.Stage, Label: s.Label, State: state}
	}
	return steps
}

// URL is the address of the progress JSON.
func (p progressView) URL() string { return "/movies/" + url.PathEscape(p.MovieID) + "/progress" }

type progressStep struct {
	Stage, Label, State string
}

// progressTemplate renders a progressView. It is parsed on its own because
// the list and the movie page show it, and pages share no template file of
// their own.
var progressTemplate = template.Must(template.ParseFS(templateFiles, "templates/progress.html"))

// HTML renders the progress box: the steps, a status line that screen
// readers announce when the script updates it, and a Refresh link for
// browsers without JavaScript.
func (p progressView) HTML() (template.HTML, error) {
	var buf bytes.Buffer
	if err := progressTemplate.ExecuteTemplate(&buf, "progress", p); err != nil {
		return "", fmt.Errorf("render the progress of movie %s: %w", p.MovieID, err)
	}
	return template.HTML(buf.String()), nil // html/template output, escaped already
}

// progressInput is the data behind a progressView: the stored movie, its
// figures for the dashboard's analyzer, its latest review pass and the
// kinds of its jobs that are running now.
type progressInput struct {
	Movie store.Movie
	Stats store.MovieStats
	Run   *store.SyncRun
	// Failed is the number of reviews that the analyzer gave up on.
	Failed int
	// Running holds the kinds of the movie's running jobs; nil when
	// unknown.
	Running map[string]bool
}

// analyzedCount is the number of reviews that the analyzer has scored, as
// the overall aspect counts them.
func analyzedCount(stats store.MovieStats) int {
	n := 0
	for _, a := range stats.Aspects {
		n = max(n, a.Analyzed)
	}
	return n
}

// progressOf returns the stage of a movie. Its data counts as analyzed when
// a review pass has stored its result and every stored review is scored or
// failed to be, so that a movie with a few new reviews goes back to
// "analyzing" until they are scored.
func progressOf(in progressInput) progressView {
	m := in.Movie
	p := progressView{
		MovieID:  m.ID,
		Steps:    len(progressSteps),
		Reviews:  in.Stats.ScrapedReviewCount,
		Declared: m.DeclaredReviewCount,
		Analyzed: analyzedCount(in.Stats),
		Failed:   in.Failed,
	}
	running := func(kind string) bool { return in.Running[kind] }

	switch {
	case m.ScrapedAt == nil && m.CheckedAt == nil:
		p.Stage, p.Step = StageQueued, 1
		if running(jobs.CheckMovieArgs{}.Kind()) {
			p.Stage, p.Step = StageChecking, 2
		}
	case m.ScrapedAt == nil:
		p.Stage, p.Step = StageScraping, 3
	case p.Analyzed+p.Failed < p.Reviews:
		p.Stage, p.Step = StageAnalyzing, 4
	default:
		p.Stage, p.Step, p.Done = StageAnalyzed, 5, true
	}

	failure := failureOf(m, in.Run)
	switch {
	case p.Done:
	case !m.Tracked:
		p.Stage = StageUntracked
	case failure != "" && !running(jobs.CheckMovieArgs{}.Kind()) && !running(jobs.SyncMovieArgs{}.Kind()):
		p.Stage = StageFailed
		p.Text = failure
	default:
		p.Poll = true
	}
	p.Label, p.Text = progressText(p, in.Running, p.Text)
	return p
}

// failureOf returns why a movie's data stopped short, or "" when nothing
// failed: a parked movie, a failed latest pass or a failed check.
func failureOf(m store.Movie, run *store.SyncRun) string {
	if m.ParkedAt != nil {
		return sentence("Parked: "+m.ParkedReason) + " Unpark it to try again."
	}
	if run != nil {
		switch run.State {
		case store.RunBlocked, store.RunChallenged, store.RunFailed:
			return sentence("The review pass failed: "+run.Error) + " It is retried automatically."
		}
	}
	if m.LastError != "" {
		return sentence("The last check failed: "+m.LastError) + " It is retried automatically."
	}
	return ""
}

// progressText returns the label and sentence of a stage. A failure keeps
// the text it has.
func progressText(p progressView, running map[string]bool, text string) (string, string) {
	declared := ""
	if p.Declared != nil {
		declared = fmt.Sprintf("IMDb declares %s.", plural(*p.Declared, "review"))
	}
	switch p.Stage {
	case StageFailed:
		return "Stopped", text
	case StageUntracked:
		return "Not tracked", "The movie is no longer tracked; add it again to resume."
	case StageQueued:
		return "Queued", "Waiting for a worker to check the title on IMDb."
	case StageChecking:
		return "Checking title", "Reading the title page on IMDb."
	case StageScraping:
		if running != nil && !running[jobs.SyncMovieArgs{}.Kind()] {
			return "Scraping reviews", joinSentences("Waiting for a worker to read the reviews.", declared)
		}
		return "Scraping reviews", joinSentences("Reading the reviews on IMDb.", declared)
	case StageAnalyzing:
		return "Analyzing", fmt.Sprintf("%s of %s analyzed.", formatNumber(p.Analyzed), plural(p.Reviews, "review"))
	default:
		return "Analyzed", fmt.Sprintf("%s of %s analyzed.", formatNumber(p.Analyzed), plural(p.Reviews, "review"))
	}
}

func joinSentences(a, b string) string {
	if b == "" {
		return a
	}
	return a + " " + b
}

// runningJobs returns, by movie id, the kinds of the movie jobs that are
// running now, or nil when the dashboard has no job list or it failed.
// Running jobs are few (one per busy worker), so one listing serves a page.
func (s *server) runningJobs(ctx context.Context) map[string]map[string]bool {
	if s.jobs == nil {
		return nil
	}
	list, err := s.jobs.List(ctx, jobs.JobFilter{State: "running", Limit: jobs.MaxListLimit})
	if err != nil {
		s.logger.Warn("Listing running jobs for the progress failed", "error", err)
		return nil
	}
	byMovie := map[string]map[string]bool{}
	for _, j := range list {
		if j.State != "running" || j.MovieID == "" {
			continue
		}
		if byMovie[j.MovieID] == nil {
			byMovie[j.MovieID] = map[string]bool{}
		}
		byMovie[j.MovieID][j.Kind] = true
	}
	return byMovie
}

// loadProgress returns the progress of a movie whose stats and latest run
// are loaded; running is the result of runningJobs.
func (s *server) loadProgress(ctx context.Context, m store.Movie, stats store.MovieStats, run *store.SyncRun,
	running map[string]map[string]bool,
) (progressView, error) {
	in := progressInput{Movie: m, Stats: stats, Run: run}
	if running != nil {
		in.Running = running[m.ID]
		if in.Running == nil {
			in.Running = map[string]bool{}
		}
	}
	if m.ScrapedAt != nil && analyzedCount(stats) < stats.ScrapedReviewCount {
		failures, err := s.store.AnalysisFailures(ctx, m.ID, s.analyzer, 0)
		if err != nil {
			return progressView{}, fmt.Errorf("list %s analysis failures of movie %s: %w", s.analyzer, m.ID, err)
		}
		in.Failed = len(failures)
	}
	return progressOf(in), nil
}

// progress serves GET /movies/{id}/progress, which the movie card and
// page poll until the movie is analyzed.
func (s *server) progress(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	ctx := r.Context()
	movie, err := s.store.GetMovie(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		s.writeJSON(w, http.StatusNotFound, errorReply{"No movie with id " + id + " is stored; add it from the movie list first."})
		return
	}
	var p progressView
	if err == nil {
		p, err = s.movieProgress(ctx, movie)
	}
	if err != nil {
		s.logger.Error("Reading a movie's progress failed", "movie_id", id, "error", err)
		s.writeJSON(w, http.StatusInternalServerError, errorReply{"The progress could not be read because of a server error; try again in a moment."})
		return
	}
	s.writeJSON(w, http.StatusOK, p)
}

// movieProgress loads what progressOf needs for one movie and returns its
// progress.
func (s *server) movieProgress(ctx context.Context, movie store.Movie) (progressView, error) {
	stats, err := s.store.Stats(ctx, movie.ID, s.analyzer)
	if err != nil {
		return progressView{}, fmt.Errorf("load statistics of movie %s: %w", movie.ID, err)
	}
	run, err := store.LatestRun(ctx, s.store, movie.ID)
	if err != nil {
		return progressView{}, err
	}
	var running map[string]map[string]bool
	if movie.CheckedAt == nil || movie.ScrapedAt == nil {
		running = s.runningJobs(ctx)
	}
	return s.loadProgress(ctx, movie, stats, run, running)
}
