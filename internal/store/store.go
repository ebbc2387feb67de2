// Package store defines reelpulse's domain records and the Store interface
// that the SQLite and PostgreSQL back ends implement with hand-written SQL.
package store

import (
	"context"
	"errors"
	"maps"
	"slices"
	"time"
)

// ErrNotFound is returned (wrapped) when a movie or review does not exist.
var ErrNotFound = errors.New("not found")

// ErrExists is returned (wrapped) when a record with the same unique name,
// such as a user name, is already stored.
var ErrExists = errors.New("already exists")

// ErrLastAdmin is wrapped by the errors of the account changes that would
// leave no enabled admin.
var ErrLastAdmin = errors.New("the last enabled admin")

// Movie is a title that reelpulse follows, with the metadata read from IMDb.
type Movie struct {
	ID                  string // IMDb title id, e.g. "tt0013442"
	Title               string
	OriginalTitle       string
	Year                int        // 0 when unknown
	ReleaseDate         *time.Time // UTC midnight of the release day; nil when unknown
	PosterURL           string
	AggregateRating     *float64 // IMDb star average over all ratings, 1..10
	RatingCount         *int64   // number of star ratings behind AggregateRating
	DeclaredReviewCount *int     // user review total that IMDb declares
	Tracked             bool     // false once untracked; the data is kept
	Pinned              bool     // tracked by the deployment (PinMovie), whatever the users' lists hold
	AddedAt             time.Time
	CheckedAt           *time.Time // last metadata check
	ScrapedAt           *time.Time // last review pass that stored its result
	FullScrapeAt        *time.Time // last review pass that reached the final page
	LastError           string     // empty when the last check or sync succeeded
	LastErrorAt         *time.Time
	ScrapeWarning       string // e.g. an incomplete pass; empty when none
	// ParkedAt is set when the movie's review passes kept failing; the
	// schedule leaves a parked movie out until it is unparked.
	ParkedAt     *time.Time
	ParkedReason string     // the error that parked the movie; empty when not parked
	UnparkedAt   *time.Time // last unpark; failed passes before it no longer count
}

// MovieMetadata is the metadata a title check reads for a movie. Zero fields are
// left unchanged in the store, so a page that lacks a field does not erase it.
type MovieMetadata struct {
	Title               string
	OriginalTitle       string
	Year                int
	ReleaseDate         *time.Time
	PosterURL           string
	AggregateRating     *float64
	RatingCount         *int64
	DeclaredReviewCount *int
}

// Review is one user review of a movie as stored.
type Review struct {
	ID          string // IMDb review id, e.g. "rw11005262"
	MovieID     string
	AuthorName  string
	AuthorID    string // IMDb user id, e.g. "ur00000001"; empty when unknown
	Title       string
	Text        string
	TextHTML    string // the HTML as served, kept for audit; empty when unknown
	Rating      *int   // 1..10; nil when the author gave no rating
	Spoiler     bool
	SubmittedAt time.Time // UTC midnight of the submission day
	HelpfulUp   int
	HelpfulDown int
	// VotesInexact is true when the votes came from rounded display text
	// ("1.2K") instead of exact integers.
	VotesInexact bool
	ContentHash  string // hash of normalised title, text, rating and spoiler flag
	FirstSeenAt  time.Time
	LastSeenAt   time.Time
	EditedAt     *time.Time // when a changed content hash was last detected
	// DeletedAt is set once the review was missing from two consecutive
	// complete passes; nil while IMDb lists it.
	DeletedAt *time.Time
}

// SyncResult is the outcome of one complete review pass over a movie, applied
// by Store.ApplySync in one transaction.
type SyncResult struct {
	MovieID string
	// Upserts holds new reviews and reviews whose content hash changed.
	Upserts []Review
	// Seen holds the votes of every review found in the pass, so that votes
	// and last-seen times are refreshed without rewriting unchanged text.
	Seen []ReviewVotes
	// Unreadable holds the ids of reviews that the pass listed but could
	// not read. They change nothing, and they are not counted as missing.
	Unreadable []string
	// Metadata refreshes the movie's metadata; nil leaves it unchanged.
	Metadata *MovieMetadata
	// Complete is true when the pass reached the last page and its count
	// matches the declared total. It sets the movie's FullScrapeAt, and
	// only complete passes count reviews missing from them: a review
	// missing from two consecutive complete passes is marked deleted.
	Complete bool
	// Warning is stored as the movie's ScrapeWarning ("" clears it).
	Warning string
	At      time.Time
	// ApplyEdits stores changed content of known reviews; false keeps the
	// stored text (an incomplete pass may carry truncated pages).
	ApplyEdits bool
	// KeepMissing stops a complete pass from counting unlisted reviews as
	// missing, as for a pass that lacks some of the declared reviews.
	KeepMissing bool
	// Run is stored with the pass. ApplySync fills in Deleted and the vote
	// totals.
	Run SyncRun
}

// SyncOutcome is the set of changes ApplySync made besides the upserts.
type SyncOutcome struct {
	Deleted  int // reviews marked deleted: missing from this and the previous complete pass
	Restored int // reviews listed again after being marked deleted
	RunID    int64
	// Conflicts lists, in the order of the upserts, those that were not
	// stored because their review id belongs to another movie.
	Conflicts []ReviewConflict
	// Adopted counts the reviews moved to the movie from an untracked or
	// parked one, as after IMDb merged that title into this one.
	Adopted int
}

// LeftDays collects the reviews that moved away from other movies: for
// each movie that a review left, the submission days whose rollups must be
// recomputed. The zero value is empty and ready to use.
type LeftDays struct {
	days    map[string][]time.Time
	reviews int
}

// Add records that a review submitted on day left owner.
func (l *LeftDays) Add(owner string, day time.Time) {
	if l.days == nil {
		l.days = map[string][]time.Time{}
	}
	if !slices.ContainsFunc(l.days[owner], day.Equal) {
		l.days[owner] = append(l.days[owner], day)
	}
	l.reviews++
}

// Owners returns the movies that reviews left, sorted.
func (l *LeftDays) Owners() []string { return slices.Sorted(maps.Keys(l.days)) }

// Days returns the days of the reviews that left owner.
func (l *LeftDays) Days(owner string) []time.Time { return l.days[owner] }

// Reviews counts the reviews recorded.
func (l *LeftDays) Reviews() int { return l.reviews }

// ReviewConflict is a review that a pass of MovieID listed but that is
// stored under OwnerID. Review ids are unique across movies, so the review
// keeps its owner. It happens when IMDb moves reviews between titles, or
// serves one title's reviews under another id.
type ReviewConflict struct {
	ReviewID string
	MovieID  string // the movie whose pass listed the review
	OwnerID  string // the movie that the stored review belongs to
}

// ErrReviewConflict is wrapped by the error of a write that would move a
// stored review to another movie.
var ErrReviewConflict = errors.New("review belongs to another movie")

// ReviewVotes is the helpful-vote count of one review seen in a pass.
type ReviewVotes struct {
	ReviewID     string
	HelpfulUp    int
	HelpfulDown  int
	VotesInexact bool
}

// Run states: how a review pass ended.
const (
	RunComplete   = "complete"   // every page read and the count matches the declared total
	RunIncomplete = "incomplete" // every page read, but fewer reviews than declared
	RunBlocked    = "blocked"    // IMDb refused the requests (HTTP 403)
	RunChallenged = "challenged" // IMDb served a bot challenge
	RunFailed     = "failed"     // any other error: not found, layout changed, network
)

// SyncRun is the record of one review pass, kept for the dashboard's scrape
// health and the API's last_sync.
type SyncRun struct {
	ID         int64
	MovieID    string
	StartedAt  time.Time
	FinishedAt time.Time
	State      string // one of the Run* constants
	Error      string // empty for complete runs
	Pages      int
	Fetched    int // distinct reviews fetched
	Declared   int // declared total; 0 when unknown
	Shortfall  int // declared minus fetched, when positive
	New        int
	Edited     int
	Deleted    int // reviews marked deleted by this run
	// Skipped counts the reviews left out: malformed ones, and those whose
	// id belongs to another movie (SyncOutcome.Conflicts).
	Skipped int
	// HelpfulUpTotal and HelpfulDownTotal sum the votes of the movie's
	// listed reviews after a complete or incomplete run, for the
	// helpfulness-over-time chart.
	HelpfulUpTotal   int
	HelpfulDownTotal int
}

// Poster is a movie's poster image as downloaded, served by the dashboard.
type Poster struct {
	MovieID     string
	SourceURL   string // the URL it was downloaded from
	ContentType string // e.g. "image/jpeg"
	Data        []byte
	FetchedAt   time.Time
}

// Overall is the aspect name under which an analysis stores its overall score.
const Overall = "overall"

// Analysis is an analyzer's result for one version of a review's content.
type Analysis struct {
	ReviewID        string
	Analyzer        string // e.g. "lexicon"
	AnalyzerVersion string
	ContentHash     string // the review content hash that was analyzed
	AnalyzedAt      time.Time
	// Aspects holds one entry per aspect, including Overall. An aspect that
	// the review does not mention has a nil Score.
	Aspects []AspectScore
	// Trimmed is set when only the start of a long text was analyzed.
	Trimmed bool
}

// AnalysisFailure records that an analyzer could not score one version of a
// review's content. Saving an analysis of the review by the same analyzer
// clears it.
type AnalysisFailure struct {
	ReviewID        string
	Analyzer        string
	AnalyzerVersion string
	ContentHash     string
	Reason          string
	FailedAt        time.Time
}

// Analyzer versions of the results that `reelpulse import` stores: scores
// from the Python tracker and from reelpulse's own JSONL export. A pending
// query counts them as current whatever the analyzer's version, so that an
// analyzer does not score imported reviews again until their text changes.
const (
	VersionImportedTracker = "python-tracker"
	VersionImportedExport  = "reelpulse-export"
)

// PendingQuery selects the reviews of a movie that an analyzer has still to
// score: those whose current content has neither a result from the
// analyzer at this version or an imported one, nor a failure at this
// version.
type PendingQuery struct {
	MovieID         string
	Analyzer        string
	AnalyzerVersion string
	Limit           int // 0 means no limit
	// Since, when set, also selects reviews whose result or failure is
	// older than it, so that a run started at Since scores every review
	// once more and can resume after an interruption.
	Since time.Time
}

// AnalysisLease marks the analysis of a movie by an analyzer as running in
// one process, so that two processes do not score the same reviews.
type AnalysisLease struct {
	MovieID   string
	Analyzer  string
	Holder    string // random per run
	ExpiresAt time.Time
	Now       time.Time // the time against which other leases expire
}

// LLMCall is the record of one request to a language model, kept for cost
// accounting whether or not the reply was usable.
type LLMCall struct {
	At               time.Time
	Analyzer         string // e.g. "openai"
	Model            string
	MovieID          string
	Reviews          int // reviews sent in the request
	PromptTokens     int64
	CompletionTokens int64
	CostUSD          float64
	Outcome          string // "ok", or what was wrong with the reply
}

// LLMUsage sums the calls of one UTC day, model and movie.
type LLMUsage struct {
	Day              string // YYYY-MM-DD in UTC
	Analyzer         string
	Model            string
	MovieID          string
	Calls            int
	Reviews          int
	PromptTokens     int64
	CompletionTokens int64
	CostUSD          float64
}

// AspectScore is the score of one aspect in one review.
type AspectScore struct {
	Aspect   string
	Score    *int   // -2..+2; nil when the aspect is not mentioned
	Evidence string // the sentence that supports the score
}

// Snapshot is a point of a movie's time series, taken at each check.
type Snapshot struct {
	MovieID             string
	TakenAt             time.Time
	DeclaredReviewCount *int
	ScrapedReviewCount  int
	AverageRating       *float64 // mean of the stored reviews' ratings
	AspectAverages      map[string]float64
}

// ReviewQuery selects reviews of one movie. Zero fields do not filter.
type ReviewQuery struct {
	MovieID        string
	Limit          int // 0 means no limit
	Offset         int
	IncludeDeleted bool
}

// MovieStats aggregates a movie's stored reviews and analyses.
type MovieStats struct {
	MovieID            string
	ScrapedReviewCount int
	RatedReviewCount   int
	AverageRating      *float64
	// RatingHistogram[i] counts reviews rated i+1 stars.
	RatingHistogram [10]int
	// ReviewsByMonth counts reviews by submission month ("2006-01"), ordered.
	ReviewsByMonth []MonthCount
	// Aspects summarizes every analyzed aspect, Overall included, ordered
	// by aspect name.
	Aspects []AspectStats
}

// MonthCount is the number of reviews submitted in one month, with the mean
// rating of those that carry one.
type MonthCount struct {
	Month         string // "2006-01"
	Reviews       int
	RatedReviews  int      // reviews of the month that carry a rating
	AverageRating *float64 // mean of those ratings; nil when none has one
}

// AspectStats summarizes one aspect over a movie's analyzed reviews.
type AspectStats struct {
	Aspect    string
	Mentioned int      // reviews with a score for the aspect
	Analyzed  int      // reviews analyzed
	Average   *float64 // nil when no review mentions the aspect
	// Histogram[i] counts scores equal to i-2.
	Histogram [5]int
}

// Store is the persistence layer. Implementations must be safe for
// concurrent use.
type Store interface {
	// Migrate applies the pending embedded migrations in order.
	Migrate(ctx context.Context) error
	// Ping checks that the database responds.
	Ping(ctx context.Context) error
	Close() error

	// TrackMovie adds a movie (or re-tracks an untracked one) and reports
	// whether the row is new. It does not pin the movie: see
	// Accounts.PinMovie.
	TrackMovie(ctx context.Context, id string, at time.Time) (created bool, err error)
	// UntrackMovie stops following a movie for everyone, unpins it and
	// keeps its data.
	UntrackMovie(ctx context.Context, id string) error
	GetMovie(ctx context.Context, id string) (Movie, error)
	// ListMovies returns movies ordered by title then id; trackedOnly
	// leaves out untracked movies.
	ListMovies(ctx context.Context, trackedOnly bool) ([]Movie, error)
	// SchedulableMovieIDs returns, ordered by id, up to limit ids of
	// tracked movies that are not parked and whose id sorts after after,
	// so that a schedule can page through any number of movies.
	SchedulableMovieIDs(ctx context.Context, after string, limit int) ([]string, error)
	// RecordCheck stores a title check: metadata, CheckedAt, and clears
	// LastError unless the latest review pass failed (blocked, challenged
	// or failed), whose error stays until a pass succeeds.
	RecordCheck(ctx context.Context, id string, meta MovieMetadata, at time.Time) error
	// RecordError stores the last error of a check or sync on the movie
	// without touching its reviews.
	RecordError(ctx context.Context, id string, message string, at time.Time) error
	// ParkMovie sets the movie's ParkedAt and ParkedReason. Parking a
	// parked movie replaces its reason and keeps its ParkedAt.
	ParkMovie(ctx context.Context, id, reason string, at time.Time) error
	// UnparkMovie clears ParkedAt and ParkedReason and sets UnparkedAt, so
	// that earlier failed passes no longer count towards parking.
	UnparkMovie(ctx context.Context, id string, at time.Time) error

	// ReviewHashes maps each stored review id of a movie to its content hash.
	ReviewHashes(ctx context.Context, movieID string) (map[string]string, error)
	// ApplySync stores a review pass and its run record in one transaction
	// and clears the movie's LastError. An upsert whose review id is stored
	// under another movie is left out and reported in
	// SyncOutcome.Conflicts; the stored run counts it as skipped, not new.
	ApplySync(ctx context.Context, result SyncResult) (SyncOutcome, error)
	// RecordRun stores the record of a pass that stored nothing, such as a
	// blocked or failed one.
	RecordRun(ctx context.Context, run SyncRun) (int64, error)
	// LastRun returns the movie's latest run, or ErrNotFound.
	LastRun(ctx context.Context, movieID string) (SyncRun, error)
	// ListRuns returns the movie's runs, newest first, at most limit.
	ListRuns(ctx context.Context, movieID string, limit int) ([]SyncRun, error)

	// SavePoster stores or replaces a movie's poster.
	SavePoster(ctx context.Context, p Poster) error
	// GetPoster returns a movie's poster, or ErrNotFound.
	GetPoster(ctx context.Context, movieID string) (Poster, error)
	// ListReviews returns reviews newest first (submission date, then id),
	// without deleted ones unless q.IncludeDeleted is set.
	ListReviews(ctx context.Context, q ReviewQuery) ([]Review, error)
	// QueryReviews returns the page of reviews that the filter selects
	// (see query.go), or an error wrapping ErrInvalidFilter.
	QueryReviews(ctx context.Context, f ReviewFilter) (ReviewPage, error)

	// PendingAnalysis returns, ordered by id, the reviews that q selects,
	// deleted ones left out.
	PendingAnalysis(ctx context.Context, q PendingQuery) ([]Review, error)
	// SaveAnalyses stores analyses, replacing an earlier result or failure
	// of the same analyzer for the same review.
	SaveAnalyses(ctx context.Context, analyses []Analysis) error
	// SaveAnalysisFailures stores failures, replacing an earlier failure of
	// the same analyzer for the same review. Results are kept.
	SaveAnalysisFailures(ctx context.Context, failures []AnalysisFailure) error
	// AnalysisFailures returns a movie's current failures by the analyzer,
	// newest first, at most limit (all when limit is 0).
	AnalysisFailures(ctx context.Context, movieID, analyzer string, limit int) ([]AnalysisFailure, error)
	// AcquireAnalysisLease takes or renews the lease on the analysis of
	// l.MovieID by l.Analyzer for l.Holder until l.ExpiresAt. It reports
	// false when another holder's lease runs past l.Now.
	AcquireAnalysisLease(ctx context.Context, l AnalysisLease) (bool, error)
	// ReleaseAnalysisLease ends l.Holder's lease; another holder's lease
	// is kept.
	ReleaseAnalysisLease(ctx context.Context, l AnalysisLease) error
	// RecordLLMCall stores the record of one language model request.
	RecordLLMCall(ctx context.Context, call LLMCall) error
	// LLMUsage sums the calls made at or after since by UTC day, analyzer,
	// model and movie, newest day first.
	LLMUsage(ctx context.Context, since time.Time) ([]LLMUsage, error)
	// LLMSpend returns the cost in US dollars of the calls made at or after
	// since.
	LLMSpend(ctx context.Context, since time.Time) (float64, error)
	// ReviewAnalyses returns the latest analysis by the named analyzer of
	// each listed review, keyed by review id.
	ReviewAnalyses(ctx context.Context, analyzer string, reviewIDs []string) (map[string]Analysis, error)

	// Stats aggregates a movie's reviews and the named analyzer's results
	// for their current content.
	Stats(ctx context.Context, movieID, analyzer string) (MovieStats, error)
	AddSnapshot(ctx context.Context, s Snapshot) error
	// ListSnapshots returns a movie's snapshots oldest first.
	ListSnapshots(ctx context.Context, movieID string) ([]Snapshot, error)

	// Aggregates computes a movie's timeline, aspect evolution, recent
	// counts and most helpful reviews (see aggregates.go), or returns
	// ErrNotFound.
	Aggregates(ctx context.Context, q AggregateQuery) (Aggregates, error)
	// DailyReviewCounts counts the reviews of each listed movie published
	// on each UTC day from since on, oldest first. Days without reviews are
	// left out.
	DailyReviewCounts(ctx context.Context, movieIDs []string, since time.Time) (map[string][]DayCount, error)
}
