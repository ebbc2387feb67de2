// Package sync brings a movie's stored reviews up to date with IMDb: it
// fetches every page of reviews, checks that the pass is usable, diffs it
// against the store by review id and applies the changes in one transaction.
package sync

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/reelpulse/reelpulse/internal/fetch"
	"github.com/reelpulse/reelpulse/internal/imdb"
	"github.com/reelpulse/reelpulse/internal/store"
)

// Source fetches a movie's pages; *imdb.Client implements it.
type Source interface {
	Title(ctx context.Context, id string) (imdb.Title, error)
	FirstReviews(ctx context.Context, id string) (imdb.Title, imdb.ReviewPage, error)
	NextReviews(ctx context.Context, id, after string) (imdb.ReviewPage, error)
}

// maxPages bounds one pass: a cursor loop that never ends is a server bug,
// not a reason to fetch forever. At 25 reviews a page it allows 250,000
// reviews.
const maxPages = 10000

// Syncer runs checks and review passes.
type Syncer struct {
	source Source
	store  store.Store
	logger *slog.Logger
	now    func() time.Time
}

// New returns a Syncer. A nil now uses time.Now.
func New(source Source, st store.Store, logger *slog.Logger, now func() time.Time) *Syncer {
	if now == nil {
		now = time.Now
	}
	return &Syncer{source: source, store: st, logger: logger, now: now}
}

// Progress reports a pass after each page.
type Progress struct {
	MovieID  string
	Pages    int
	Reviews  int // distinct reviews fetched so far
	Declared int // declared total, 0 when unknown
}

// Result is the summary of a review pass.
type Result struct {
	MovieID   string
	RunID     int64  // id of the pass's run record, or 0 when it could not be stored
	State     string // end state of the pass, one of the store.Run* states
	Pages     int
	Fetched   int // distinct reviews in the pass
	Declared  int // total declared on the first page, or 0 when unknown
	Shortfall int // declared minus fetched, when positive
	New       int
	// Edited counts the edits stored. An incomplete pass stores none: its
	// edited reviews keep their text, count as Unchanged, and the next
	// complete pass stores them.
	Edited    int
	Unchanged int
	Deleted   int // reviews marked deleted by this pass
	// LeftOut counts the reviews not stored because their ids belong to
	// another movie.
	LeftOut int
	// Analyze is the number of reviews whose content must be analyzed
	// again: the new ones and the stored edits.
	Analyze  int
	Complete bool   // State is store.RunComplete
	Warning  string // set when the pass is incomplete or skipped malformed reviews
}

// CheckResult is the outcome of a title check.
type CheckResult struct {
	Metadata store.MovieMetadata
	// SyncReason is the reason a review pass is due, or empty when none is.
	SyncReason string
}

// Check reads the movie's metadata and declared review count, stores them,
// and reports whether a review pass is due. The title page is preferred; when
// it is missing, the first reviews page supplies the same fields.
func (s *Syncer) Check(ctx context.Context, movieID string, fullSyncInterval time.Duration) (CheckResult, error) {
	before, err := s.store.GetMovie(ctx, movieID)
	if err != nil {
		return CheckResult{}, fmt.Errorf("check %s: %w", movieID, err)
	}

	title, err := s.source.Title(ctx, movieID)
	if errors.Is(err, fetch.ErrNotFound) {
		s.logger.Info("Title page not found, reading metadata from the reviews page", "movie_id", movieID)
		title, _, err = s.source.FirstReviews(ctx, movieID)
	}
	if err != nil {
		return CheckResult{}, s.fail(ctx, movieID, fmt.Errorf("check %s: %w", movieID, err))
	}

	meta := metadata(title)
	at := s.now()
	if err := s.store.RecordCheck(ctx, movieID, meta, at); err != nil {
		return CheckResult{}, fmt.Errorf("store check of %s: %w", movieID, err)
	}
	return CheckResult{Metadata: meta, SyncReason: syncReason(before, meta, at, fullSyncInterval)}, nil
}

// syncReason decides whether a check queues a review pass.
func syncReason(before store.Movie, meta store.MovieMetadata, at time.Time, fullSyncInterval time.Duration) string {
	switch {
	case before.FullScrapeAt == nil:
		return "no complete review pass yet"
	case meta.DeclaredReviewCount != nil && before.DeclaredReviewCount != nil &&
		*meta.DeclaredReviewCount > *before.DeclaredReviewCount:
		return fmt.Sprintf("declared review count grew from %d to %d", *before.DeclaredReviewCount, *meta.DeclaredReviewCount)
	case at.Sub(*before.FullScrapeAt) >= fullSyncInterval:
		return fmt.Sprintf("last complete pass is older than %s", fullSyncInterval)
	}
	return ""
}

// Sync fetches every page of the movie's reviews and stores new reviews and
// everyone's current votes, and, when the pass is complete, the edits and
// the reviews missing from it. A pass that fails midway, or that finds no
// reviews where the store has some, changes no review and records the error
// on the movie. Every pass leaves a run record.
func (s *Syncer) Sync(ctx context.Context, movieID string, progress func(Progress)) (Result, error) {
	started := s.now()
	pass, err := s.fetchAll(ctx, movieID, progress)
	if err != nil {
		return s.failPass(ctx, pass, started, fmt.Errorf("%w (stored reviews are kept; the next check retries)", err))
	}

	stored, err := s.store.ReviewHashes(ctx, movieID)
	if err != nil {
		return s.failPass(ctx, pass, started, fmt.Errorf("read stored reviews of %s: %w", movieID, err))
	}
	if len(pass.reviews) == 0 && len(stored) > 0 {
		err := fmt.Errorf("sync %s: IMDb returned no reviews but %d are stored; keeping them and retrying at the next check", movieID, len(stored))
		return s.failPass(ctx, pass, started, err)
	}

	if last, err := s.store.LastRun(ctx, movieID); err == nil {
		pass.tolerance = max(pass.tolerance, repeatedShortfall(last, pass))
	}
	result, apply, deferred := diff(pass, stored, started, s.now())
	outcome, err := s.store.ApplySync(ctx, apply)
	if err != nil {
		return s.failPass(ctx, pass, started, fmt.Errorf("store reviews of %s: %w", movieID, err))
	}

	result.Deleted, result.RunID = outcome.Deleted, outcome.RunID
	// The store left out the reviews that another movie owns; the diff,
	// which saw only this movie's reviews, counted them as new.
	conflicts := len(outcome.Conflicts)
	result.LeftOut = conflicts
	result.New -= min(conflicts, result.New)
	result.Analyze -= min(conflicts, result.Analyze)
	if outcome.Adopted > 0 {
		s.logger.Info("Reviews taken over from an untracked or parked movie", "movie_id", movieID, "reviews", outcome.Adopted)
	}
	for _, c := range outcome.Conflicts {
		s.logger.Warn("Review left out: its id belongs to another movie", "review_id", c.ReviewID,
			"movie_id", c.MovieID, "owner_movie_id", c.OwnerID)
	}
	s.logPass(result, outcome, deferred)
	return result, nil
}

// diff compares the pass with the stored content hashes and returns its
// summary, what to store, and the number of edits left for a later pass.
// Edits are stored only when the pass is complete, because an incomplete
// pass may carry truncated pages.
func diff(p pass, stored map[string]string, started, at time.Time) (result Result, apply store.SyncResult, deferred int) {
	result = Result{MovieID: p.movieID, Pages: p.pages, Fetched: len(p.reviews), Declared: p.declared}
	// A malformed review is still one of the declared reviews, so it
	// counts towards completeness, and it is not taken for deleted.
	unreadable := p.unreadable
	result.State, result.Shortfall = completeness(result.Fetched+len(unreadable), p.declared, p.tolerance)
	result.Complete = result.State == store.RunComplete
	result.Warning = completenessWarning(result, len(unreadable), p.skipped)

	meta := metadata(p.title)
	apply = store.SyncResult{
		MovieID: p.movieID, Metadata: &meta, Complete: result.Complete, ApplyEdits: result.Complete,
		Warning: result.Warning, At: at, Unreadable: unreadable,
		// A pass that lacks declared reviews cannot tell which ones, so
		// none of the stored ones it does not list counts as missing.
		KeepMissing: result.Shortfall > 0,
	}
	for _, r := range p.reviews {
		rec := toStore(p.movieID, r)
		apply.Seen = append(apply.Seen, store.ReviewVotes{
			ReviewID: r.ID, HelpfulUp: r.HelpfulUp, HelpfulDown: r.HelpfulDown, VotesInexact: r.VotesInexact,
		})
		hash, known := stored[r.ID]
		switch {
		case !known:
			result.New++
			apply.Upserts = append(apply.Upserts, rec)
		case hash != rec.ContentHash && apply.ApplyEdits:
			result.Edited++
			apply.Upserts = append(apply.Upserts, rec)
		case hash != rec.ContentHash:
			deferred++
			result.Unchanged++
		default:
			result.Unchanged++
		}
	}

	result.Analyze = result.New + result.Edited
	apply.Run = store.SyncRun{
		MovieID: p.movieID, StartedAt: started, FinishedAt: at, State: result.State,
		Pages: p.pages, Fetched: result.Fetched, Declared: p.declared, Shortfall: result.Shortfall,
		New: result.New, Edited: result.Edited, Skipped: p.skipped,
	}
	return result, apply, deferred
}

// maxRepeatedShortfall returns how many declared reviews a pass may lack
// and still count as complete when the last pass lacked as many: 1, or 1 %
// of the declared total when that is more.
func maxRepeatedShortfall(declared int) int {
	return max(1, declared/100)
}

// repeatedShortfall returns the shortfall that the pass may have and still
// count as complete: the last pass's, when that pass reached the last page
// against the same declared total and lacked the same small number of
// reviews. IMDb then declares reviews it does not list, and without this
// every pass would stay incomplete, storing no edit and noticing no
// deletion. It returns 0 otherwise.
func repeatedShortfall(last store.SyncRun, p pass) int {
	listed := len(p.reviews) + len(p.unreadable)
	shortfall := p.declared - listed
	// The last pass is complete when this rule accepted it already.
	if (last.State != store.RunIncomplete && last.State != store.RunComplete) || last.Declared != p.declared || last.Shortfall != shortfall ||
		shortfall <= 0 || shortfall > maxRepeatedShortfall(p.declared) {
		return 0
	}
	return shortfall
}

// completeness returns the state of a pass that reached the last page and
// how many declared reviews it lacks. The bar is the total declared on the
// first page: reviews posted during the pass can only raise later totals.
func completeness(fetched, declared, tolerance int) (state string, shortfall int) {
	shortfall = max(declared-fetched, 0)
	if shortfall > tolerance {
		return store.RunIncomplete, shortfall
	}
	return store.RunComplete, shortfall
}

// declaredTolerance returns how many reviews a pass may lack and still count
// as complete: none. JSON totals are exact, and IMDb truncates rounded
// display totals ("2.5K" stands for 2,500 to 2,599), so a rounded total is a
// lower bound that a complete pass always reaches. Only the reported
// shortfall of an incomplete pass can then be low, by less than the
// rounding unit.
func declaredTolerance(imdb.ReviewPage) int {
	return 0
}

func (s *Syncer) logPass(result Result, outcome store.SyncOutcome, deferred int) {
	s.logger.Info("Reviews synced", "movie_id", result.MovieID, "run_id", result.RunID, "state", result.State,
		"pages", result.Pages, "fetched", result.Fetched, "declared", result.Declared,
		"new", result.New, "edited", result.Edited, "deleted", result.Deleted, "restored", outcome.Restored)
	if result.Warning != "" {
		s.logger.Warn("Review pass incomplete", "movie_id", result.MovieID, "warning", result.Warning)
	}
	if deferred > 0 {
		s.logger.Info("Edits left for the next complete pass", "movie_id", result.MovieID, "edits", deferred)
	}
}

// failPass records the run of a pass that stored nothing and the error on
// the movie, and returns err.
func (s *Syncer) failPass(ctx context.Context, p pass, started time.Time, err error) (Result, error) {
	// A pass stopped by its caller (a shutdown, a job cancelled by hand)
	// is no evidence about the movie, so it leaves no run and no error. A
	// pass that ran out of time is a failure.
	if errors.Is(err, context.Canceled) && errors.Is(ctx.Err(), context.Canceled) {
		s.logger.Info("Review pass interrupted; nothing stored", "movie_id", p.movieID, "pages", p.pages)
		return Result{MovieID: p.movieID, Pages: p.pages, Fetched: len(p.reviews), Declared: p.declared}, err
	}
	run := store.SyncRun{
		MovieID: p.movieID, StartedAt: started, FinishedAt: s.now(), State: runState(err), Error: err.Error(),
		Pages: p.pages, Fetched: len(p.reviews), Declared: p.declared, Skipped: p.skipped,
	}
	recordCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()

	id, recErr := s.store.RecordRun(recordCtx, run)
	if recErr != nil {
		s.logger.Error("Recording the failed run failed", "movie_id", p.movieID, "error", recErr)
	}
	result := Result{MovieID: p.movieID, RunID: id, State: run.State, Pages: p.pages, Fetched: run.Fetched, Declared: p.declared}
	return result, s.fail(ctx, p.movieID, err)
}

// runState classifies the error of a failed pass.
func runState(err error) string {
	switch {
	case errors.Is(err, fetch.ErrBlocked):
		return store.RunBlocked
	case errors.Is(err, fetch.ErrChallenged):
		return store.RunChallenged
	}
	return store.RunFailed
}

// pass is the result of walking the pages of a movie's reviews. A pass that
// failed midway holds the pages read before the failure.
type pass struct {
	movieID  string
	title    imdb.Title
	reviews  []imdb.Review // without duplicates, in the order first seen
	pages    int
	declared int // total declared on the first page, or 0 when unknown
	// tolerance is how many declared reviews the pass may lack and still
	// be complete.
	tolerance int
	skipped   int // malformed reviews left out
	// unreadable holds the ids of malformed reviews, distinct and without
	// those that another page listed readably once the last page is read.
	// They count towards the declared total.
	unreadable []string
}

// fetchAll walks the pages of a movie's reviews to the last one.
func (s *Syncer) fetchAll(ctx context.Context, movieID string, progress func(Progress)) (pass, error) {
	p := pass{movieID: movieID}
	title, page, err := s.source.FirstReviews(ctx, movieID)
	if err != nil {
		return p, fmt.Errorf("sync %s: %w", movieID, err)
	}
	// The reviews list declares its own total, which is the count that the
	// pass is measured against.
	if page.Total > 0 {
		total := page.Total
		title.DeclaredReviewCount = &total
		p.declared = total
	}
	p.title = title
	p.tolerance = declaredTolerance(page)

	seen := make(map[string]bool)
	cursors := make(map[string]bool)
	for {
		p.addPage(page, seen, s.logger)
		if progress != nil {
			progress(Progress{MovieID: movieID, Pages: p.pages, Reviews: len(p.reviews), Declared: page.Total})
		}
		if !page.HasNextPage {
			p.unreadable = p.unreadableIDs()
			return p, nil
		}
		if page.EndCursor == "" {
			return p, fmt.Errorf("sync %s: page %d has hasNextPage true but no endCursor; the reply layout may have changed", movieID, p.pages)
		}
		if cursors[page.EndCursor] {
			return p, fmt.Errorf("sync %s: page %d repeats the cursor %q of an earlier page; stopped to avoid a loop", movieID, p.pages, page.EndCursor)
		}
		cursors[page.EndCursor] = true
		if p.pages >= maxPages {
			return p, fmt.Errorf("sync %s: stopped after %d pages; the review cursor does not end", movieID, p.pages)
		}

		cursor := page.EndCursor
		page, err = s.source.NextReviews(ctx, movieID, cursor)
		if err != nil {
			return p, fmt.Errorf("sync %s: page %d: %w", movieID, p.pages+1, err)
		}
	}
}

// addPage adds the reviews of a page that the pass has not seen yet.
func (p *pass) addPage(page imdb.ReviewPage, seen map[string]bool, logger *slog.Logger) {
	p.pages++
	for _, reason := range page.Skipped {
		logger.Warn("Malformed review skipped", "movie_id", p.movieID, "page", p.pages, "reason", reason)
	}
	p.skipped += len(page.Skipped)
	p.unreadable = append(p.unreadable, page.SkippedIDs...)

	for _, r := range page.Reviews {
		if r.ID == "" || seen[r.ID] {
			continue
		}
		seen[r.ID] = true
		p.reviews = append(p.reviews, r)
	}
}

// unreadableIDs returns the distinct ids of the malformed reviews that the
// pass did not also read on another page.
func (p *pass) unreadableIDs() []string {
	read := make(map[string]bool, len(p.reviews))
	for _, r := range p.reviews {
		read[r.ID] = true
	}
	var ids []string
	for _, id := range p.unreadable {
		if !read[id] && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return ids
}

func completenessWarning(r Result, unreadable, skipped int) string {
	var parts []string
	if r.State == store.RunIncomplete {
		parts = append(parts, fmt.Sprintf("incomplete: %d of %d declared reviews scraped", r.Fetched+unreadable, r.Declared))
	}
	if r.State == store.RunComplete && r.Shortfall > 0 {
		parts = append(parts, fmt.Sprintf("IMDb declares %d reviews but lists %d, as in the last pass; counted complete",
			r.Declared, r.Declared-r.Shortfall))
	}
	if skipped > 0 {
		parts = append(parts, fmt.Sprintf("%d malformed reviews skipped", skipped))
	}
	return strings.Join(parts, "; ")
}

// fail records err on the movie and returns it. The error is recorded even
// when ctx was cancelled, because a cancelled pass is one to report.
func (s *Syncer) fail(ctx context.Context, movieID string, err error) error {
	s.logger.Error("Movie update failed", "movie_id", movieID, "error", err)
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if recErr := s.store.RecordError(ctx, movieID, err.Error(), s.now()); recErr != nil {
		s.logger.Error("Recording the movie error failed", "movie_id", movieID, "error", recErr)
	}
	return err
}

// metadata converts a parsed title, leaving out values that cannot be
// right (a rating outside 1..10, a year before 1870 or after 3000, counts
// above the 32-bit range the store holds), so that one odd value cannot
// fail every pass.
func metadata(t imdb.Title) store.MovieMetadata {
	if t.AggregateRating != nil && (*t.AggregateRating < 1 || *t.AggregateRating > 10) {
		t.AggregateRating = nil
	}
	if t.Year < 1870 || t.Year > 3000 {
		t.Year = 0
	}
	if t.RatingCount != nil && (*t.RatingCount < 0 || *t.RatingCount > math.MaxInt32) {
		t.RatingCount = nil
	}
	if t.DeclaredReviewCount != nil && (*t.DeclaredReviewCount < 0 || *t.DeclaredReviewCount > math.MaxInt32) {
		t.DeclaredReviewCount = nil
	}
	return store.MovieMetadata{
		Title:               t.Title,
		OriginalTitle:       t.OriginalTitle,
		Year:                t.Year,
		ReleaseDate:         t.ReleaseDate,
		PosterURL:           t.PosterURL,
		AggregateRating:     t.AggregateRating,
		RatingCount:         t.RatingCount,
		DeclaredReviewCount: t.DeclaredReviewCount,
	}
}

func toStore(movieID string, r imdb.Review) store.Review {
	return store.Review{
		ID:           r.ID,
		MovieID:      movieID,
		AuthorName:   r.AuthorName,
		AuthorID:     r.AuthorID,
		Title:        r.Title,
		Text:         r.Text,
		TextHTML:     r.TextHTML,
		Rating:       r.Rating,
		Spoiler:      r.Spoiler,
		SubmittedAt:  r.SubmittedAt,
		HelpfulUp:    r.HelpfulUp,
		HelpfulDown:  r.HelpfulDown,
		VotesInexact: r.VotesInexact,
		ContentHash:  ContentHash(r.Title, r.Text, r.Rating, r.Spoiler),
	}
}

// ContentHash identifies the content of a review that an edit can change:
// the title, text, rating and spoiler flag, with whitespace normalised.
// Votes are left out because they change every day without an edit.
func ContentHash(title, text string, rating *int, spoiler bool) string {
	h := sha256.New()
	for _, part := range []string{normalize(title), normalize(text), ratingString(rating), strconv.FormatBool(spoiler)} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

func normalize(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func ratingString(r *int) string {
	if r == nil {
		return "-"
	}
	return strconv.Itoa(*r)
}
