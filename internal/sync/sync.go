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
	Pages     int
	Fetched   int // distinct reviews in the pass
	New       int
	Edited    int
	Unchanged int
	Declared  int
	Complete  bool   // the pass reached the last page
	Warning   string // set when fewer reviews were fetched than declared
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

// Sync fetches every page of the movie's reviews and stores new and edited
// reviews and everyone's current votes. A pass that fails midway, or that
// finds no reviews where the store has some, changes no review and records
// the error on the movie.
func (s *Syncer) Sync(ctx context.Context, movieID string, progress func(Progress)) (Result, error) {
	pass, err := s.fetchAll(ctx, movieID, progress)
	if err != nil {
		return Result{}, s.fail(ctx, movieID, fmt.Errorf("%w (stored reviews are kept; the next check retries)", err))
	}
	title, reviews, pages, complete := pass.title, pass.reviews, pass.pages, pass.complete

	stored, err := s.store.ReviewHashes(ctx, movieID)
	if err != nil {
		return Result{}, fmt.Errorf("read stored reviews of %s: %w", movieID, err)
	}
	if len(reviews) == 0 && len(stored) > 0 {
		err := fmt.Errorf("sync %s: IMDb returned no reviews but %d are stored; keeping them and retrying at the next check", movieID, len(stored))
		return Result{}, s.fail(ctx, movieID, err)
	}

	at := s.now()
	meta := metadata(title)
	result := Result{MovieID: movieID, Pages: pages, Fetched: len(reviews), Complete: complete}
	if meta.DeclaredReviewCount != nil {
		result.Declared = *meta.DeclaredReviewCount
	}
	result.Warning = completenessWarning(result, pass.skipped)

	apply := store.SyncResult{MovieID: movieID, Metadata: &meta, Complete: complete, Warning: result.Warning, At: at}
	for _, r := range reviews {
		rec := toStore(movieID, r)
		apply.Seen = append(apply.Seen, store.ReviewVotes{ReviewID: r.ID, HelpfulUp: r.HelpfulUp, HelpfulDown: r.HelpfulDown})
		hash, known := stored[r.ID]
		switch {
		case !known:
			result.New++
			apply.Upserts = append(apply.Upserts, rec)
		case hash != rec.ContentHash:
			result.Edited++
			apply.Upserts = append(apply.Upserts, rec)
		default:
			result.Unchanged++
		}
	}

	if err := s.store.ApplySync(ctx, apply); err != nil {
		return Result{}, s.fail(ctx, movieID, fmt.Errorf("store reviews of %s: %w", movieID, err))
	}
	s.logger.Info("Reviews synced", "movie_id", movieID, "pages", pages, "fetched", result.Fetched,
		"new", result.New, "edited", result.Edited, "declared", result.Declared, "complete", complete)
	if result.Warning != "" {
		s.logger.Warn("Review pass incomplete", "movie_id", movieID, "warning", result.Warning)
	}
	return result, nil
}

// pass is the outcome of walking every page of a movie's reviews.
type pass struct {
	title    imdb.Title
	reviews  []imdb.Review // without duplicates, in the order first seen
	pages    int
	complete bool // the last page was reached
	skipped  int  // malformed reviews left out
}

// fetchAll walks the pages of a movie's reviews.
func (s *Syncer) fetchAll(ctx context.Context, movieID string, progress func(Progress)) (pass, error) {
	title, page, err := s.source.FirstReviews(ctx, movieID)
	if err != nil {
		return pass{}, fmt.Errorf("sync %s: %w", movieID, err)
	}
	// The reviews list declares its own total, which is the count that the
	// pass is measured against.
	if page.Total > 0 {
		total := page.Total
		title.DeclaredReviewCount = &total
	}

	seen := make(map[string]bool)
	cursors := make(map[string]bool)
	var reviews []imdb.Review
	pages, skipped := 0, 0
	for {
		pages++
		for _, reason := range page.Skipped {
			s.logger.Warn("Malformed review skipped", "movie_id", movieID, "page", pages, "reason", reason)
		}
		skipped += len(page.Skipped)
		for _, r := range page.Reviews {
			if r.ID == "" || seen[r.ID] {
				continue
			}
			seen[r.ID] = true
			reviews = append(reviews, r)
		}
		if progress != nil {
			progress(Progress{MovieID: movieID, Pages: pages, Reviews: len(reviews), Declared: page.Total})
		}
		if !page.HasNextPage {
			return pass{title: title, reviews: reviews, pages: pages, complete: true, skipped: skipped}, nil
		}
		if page.EndCursor == "" {
			return pass{}, fmt.Errorf("sync %s: page %d says more reviews follow but gives no cursor; the reply layout may have changed", movieID, pages)
		}
		if cursors[page.EndCursor] {
			return pass{}, fmt.Errorf("sync %s: page %d repeats the cursor %q of an earlier page; stopped to avoid a loop", movieID, pages, page.EndCursor)
		}
		cursors[page.EndCursor] = true
		if pages >= maxPages {
			return pass{}, fmt.Errorf("sync %s: stopped after %d pages; the review cursor does not end", movieID, pages)
		}

		cursor := page.EndCursor
		page, err = s.source.NextReviews(ctx, movieID, cursor)
		if err != nil {
			return pass{}, fmt.Errorf("sync %s: page %d: %w", movieID, pages+1, err)
		}
	}
}

func completenessWarning(r Result, skipped int) string {
	var parts []string
	if r.Declared > 0 && r.Fetched < r.Declared {
		parts = append(parts, fmt.Sprintf("incomplete: %d of %d declared reviews scraped", r.Fetched, r.Declared))
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
// right (a rating outside 1..10, a year before cinema, counts beyond what
// the store holds), so that one odd value cannot fail every pass.
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
		ID:          r.ID,
		MovieID:     movieID,
		AuthorName:  r.AuthorName,
		AuthorID:    r.AuthorID,
		Title:       r.Title,
		Text:        r.Text,
		Rating:      r.Rating,
		Spoiler:     r.Spoiler,
		SubmittedAt: r.SubmittedAt,
		HelpfulUp:   r.HelpfulUp,
		HelpfulDown: r.HelpfulDown,
		ContentHash: ContentHash(r.Title, r.Text, r.Rating, r.Spoiler),
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
