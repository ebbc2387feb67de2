package sync

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/reelpulse/reelpulse/internal/fetch"
	"github.com/reelpulse/reelpulse/internal/imdb"
	"github.com/reelpulse/reelpulse/internal/replay"
	"github.com/reelpulse/reelpulse/internal/store"
	"github.com/reelpulse/reelpulse/internal/store/sqlite"
)

const (
	replayMovieID   = "tt9000002"
	replayReviews   = 2000
	replayAnalyzer  = "lexicon"
	replayVersion   = "v1"
	replayBlockPage = 40
)

// replayRig syncs generated movies through the real IMDb client and a
// replay server into a SQLite store.
type replayRig struct {
	store  *sqlite.Store
	dbPath string
	logger *slog.Logger
	now    time.Time
}

func newReplayRig(t *testing.T) *replayRig {
	t.Helper()
	ctx := context.Background()
	rig := &replayRig{
		dbPath: filepath.Join(t.TempDir(), "replay.db"),
		logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		now:    time.Date(2026, 4, 1, 6, 0, 0, 0, time.UTC),
	}

	st, err := sqlite.Open(ctx, rig.dbPath, rig.logger)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	if _, err := st.TrackMovie(ctx, replayMovieID, rig.now); err != nil {
		t.Fatalf("track: %v", err)
	}
	rig.store = st
	return rig
}

// client returns an IMDb client for a new replay server of site. block
// wraps the server's handler; nil serves the site as it is.
func (rig *replayRig) client(t *testing.T, site *replay.Site, block func(http.Handler) http.Handler) *imdb.Client {
	t.Helper()
	handler := replay.NewServer(site, replay.Options{})
	if block != nil {
		handler = block(handler)
	}
	server := httptest.NewServer(handler)
	t.Cleanup(server.Close)

	cfg := fetch.DefaultConfig()
	cfg.RequestsPerSecond = 1000
	cfg.Burst = 100
	cfg.AllowedPrivateHosts = []string{"127.0.0.1"}
	return imdb.NewClient(fetch.New(cfg, rig.logger), imdb.Config{BaseURL: server.URL, GraphQLURL: server.URL + replay.GraphQLPath})
}

// sync runs one pass an hour after the previous one.
func (rig *replayRig) sync(t *testing.T, client *imdb.Client) (Result, error) {
	t.Helper()
	rig.now = rig.now.Add(time.Hour)
	syncer := New(client, rig.store, rig.logger, func() time.Time { return rig.now })
	return syncer.Sync(context.Background(), replayMovieID, nil)
}

// voteRows counts the vote-history rows of the movie through a separate
// connection, because no Store method returns them.
func (rig *replayRig) voteRows(t *testing.T) int {
	t.Helper()
	db, err := sql.Open("sqlite", rig.dbPath)
	if err != nil {
		t.Fatalf("open %s: %v", rig.dbPath, err)
	}
	defer db.Close()

	var n int
	err = db.QueryRow(`SELECT count(*) FROM review_votes v JOIN reviews r ON r.id = v.review_id
		WHERE r.movie_id = ?`, replayMovieID).Scan(&n)
	if err != nil {
		t.Fatalf("count vote rows: %v", err)
	}
	return n
}

func (rig *replayRig) reviews(t *testing.T) []store.Review {
	t.Helper()
	list, err := rig.store.ListReviews(context.Background(), store.ReviewQuery{MovieID: replayMovieID, IncludeDeleted: true})
	if err != nil {
		t.Fatalf("list reviews: %v", err)
	}
	return list
}

// analyzeAll marks every pending review analyzed, as the analyzer would.
func (rig *replayRig) analyzeAll(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	pending, err := rig.store.PendingAnalysis(ctx, store.PendingQuery{MovieID: replayMovieID, Analyzer: replayAnalyzer, AnalyzerVersion: replayVersion})
	if err != nil {
		t.Fatalf("pending analysis: %v", err)
	}

	analyses := make([]store.Analysis, 0, len(pending))
	for _, r := range pending {
		analyses = append(analyses, store.Analysis{
			ReviewID: r.ID, Analyzer: replayAnalyzer, AnalyzerVersion: replayVersion,
			ContentHash: r.ContentHash, AnalyzedAt: rig.now,
		})
	}
	if err := rig.store.SaveAnalyses(ctx, analyses); err != nil {
		t.Fatalf("save analyses: %v", err)
	}
}

func (rig *replayRig) pendingIDs(t *testing.T) []string {
	t.Helper()
	pending, err := rig.store.PendingAnalysis(context.Background(), store.PendingQuery{MovieID: replayMovieID, Analyzer: replayAnalyzer, AnalyzerVersion: replayVersion})
	if err != nil {
		t.Fatalf("pending analysis: %v", err)
	}
	ids := []string{}
	for _, r := range pending {
		ids = append(ids, r.ID)
	}
	return ids
}

// revision is the second version of a replay movie and what changed.
type revision struct {
	movie   replay.Movie
	added   []string
	edited  []string
	revoted []string
	removed string
}

// revise returns a version of m with 3 new reviews, 2 edited ones, 50 with
// new votes and 1 removed, each change on its own review.
func revise(m replay.Movie) revision {
	reviews := slices.Clone(m.Reviews)
	var r revision

	for i := 10; i < 12; i++ {
		reviews[i].Text += " Edited after a second viewing."
		r.edited = append(r.edited, reviews[i].ID)
	}
	for i := 100; i < 150; i++ {
		reviews[i].Up += 7
		r.revoted = append(r.revoted, reviews[i].ID)
	}
	r.removed = reviews[500].ID
	reviews = slices.Delete(reviews, 500, 501)

	for i := range 3 {
		added := reviews[i]
		added.ID = fmt.Sprintf("rw%s%06d", strings.TrimPrefix(m.ID, "tt"), len(m.Reviews)+i)
		added.Text = fmt.Sprintf("A late review, number %d.", i+1)
		reviews = append(reviews, added)
		r.added = append(r.added, added.ID)
	}

	r.movie = m
	r.movie.Reviews = reviews
	return r
}

func siteOf(m replay.Movie) *replay.Site {
	site := replay.NewSite()
	site.AddMovie(m)
	return site
}

func TestSyncReplayRevision(t *testing.T) {
	rig := newReplayRig(t)
	first := replay.Synthetic(replayMovieID, replayReviews, 1)
	res, err := rig.sync(t, rig.client(t, siteOf(first), nil))
	if err != nil {
		t.Fatalf("first pass: %v", err)
	}
	if res.State != store.RunComplete || res.New != replayReviews || res.Fetched != replayReviews {
		t.Fatalf("first pass = %+v, want %d new reviews in a complete pass", res, replayReviews)
	}
	rig.analyzeAll(t)
	rowsBefore := rig.voteRows(t)

	second := revise(first)
	client := rig.client(t, siteOf(second.movie), nil)
	res1, err := rig.sync(t, client)
	if err != nil {
		t.Fatalf("first pass over the revision: %v", err)
	}
	res2, err := rig.sync(t, client)
	if err != nil {
		t.Fatalf("second pass over the revision: %v", err)
	}

	for _, res := range []Result{res1, res2} {
		if res.State != store.RunComplete || res.Fetched != replayReviews+2 {
			t.Errorf("pass = %+v, want a complete pass of %d reviews", res, replayReviews+2)
		}
	}
	if res1.Deleted != 0 {
		t.Errorf("first pass without %s deleted %d reviews, want 0", second.removed, res1.Deleted)
	}
	got := [3]int{res1.New + res2.New, res1.Edited + res2.Edited, res1.Deleted + res2.Deleted}
	if got != [3]int{3, 2, 1} {
		t.Errorf("new, edited, deleted over both passes = %v, want [3 2 1]", got)
	}
	if res1.Analyze != 5 || res2.Analyze != 0 {
		t.Errorf("reviews to analyze = %d then %d, want 5 then 0", res1.Analyze, res2.Analyze)
	}

	// 50 rows for the new votes, plus the first row of each new review.
	if added := rig.voteRows(t) - rowsBefore; added != 50+3 {
		t.Errorf("vote-history rows added = %d, want 50 for new votes and 3 for new reviews", added)
	}
	checkRevisionStored(t, rig, second)

	want := slices.Concat(second.added, second.edited)
	slices.Sort(want)
	if pending := rig.pendingIDs(t); !slices.Equal(pending, want) {
		t.Errorf("pending analysis = %v, want %v", pending, want)
	}
}

func checkRevisionStored(t *testing.T, rig *replayRig, r revision) {
	t.Helper()
	edited, deleted := []string{}, []string{}
	for _, review := range rig.reviews(t) {
		if review.EditedAt != nil {
			edited = append(edited, review.ID)
		}
		if review.DeletedAt != nil {
			deleted = append(deleted, review.ID)
		}
	}
	slices.Sort(edited)

	if !slices.Equal(edited, r.edited) {
		t.Errorf("edited reviews = %v, want %v", edited, r.edited)
	}
	if !slices.Equal(deleted, []string{r.removed}) {
		t.Errorf("deleted reviews = %v, want [%s]", deleted, r.removed)
	}

	run, err := rig.store.LastRun(context.Background(), replayMovieID)
	if err != nil {
		t.Fatalf("last run: %v", err)
	}
	if run.State != store.RunComplete || run.Deleted != 1 || run.Declared != replayReviews+2 {
		t.Errorf("last run = %+v, want a complete run that deleted 1 review", run)
	}
}

// blockAfter returns HTTP 403 to GraphQL requests for the page after the
// given cursor, as IMDb does once it blocks a client midway.
func blockAfter(cursor string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, err := io.ReadAll(r.Body)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))

			query := r.URL.Query().Get("variables")
			if r.URL.Path == replay.GraphQLPath && (bytes.Contains(body, []byte(cursor)) || strings.Contains(query, cursor)) {
				http.Error(w, "Forbidden", http.StatusForbidden)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// cursorBefore returns the end cursor of the page before the given one,
// which the request for that page carries.
func cursorBefore(t *testing.T, client *imdb.Client, page int) string {
	t.Helper()
	ctx := context.Background()
	_, current, err := client.FirstReviews(ctx, replayMovieID)
	for n := 2; err == nil && n < page; n++ {
		current, err = client.NextReviews(ctx, replayMovieID, current.EndCursor)
	}
	if err != nil || current.EndCursor == "" {
		t.Fatalf("walk to page %d: cursor %q, error %v", page-1, current.EndCursor, err)
	}
	return current.EndCursor
}

func TestSyncReplayBlockedMidway(t *testing.T) {
	rig := newReplayRig(t)
	first := replay.Synthetic(replayMovieID, replayReviews, 1)
	if _, err := rig.sync(t, rig.client(t, siteOf(first), nil)); err != nil {
		t.Fatalf("first pass: %v", err)
	}
	before := rig.reviews(t)
	movieBefore, err := rig.store.GetMovie(context.Background(), replayMovieID)
	if err != nil {
		t.Fatal(err)
	}

	second := siteOf(revise(first).movie)
	cursor := cursorBefore(t, rig.client(t, second, nil), replayBlockPage)
	res, err := rig.sync(t, rig.client(t, second, blockAfter(cursor)))
	if !errors.Is(err, fetch.ErrBlocked) || !strings.Contains(err.Error(), fmt.Sprintf("page %d", replayBlockPage)) {
		t.Fatalf("blocked pass error = %v, want fetch.ErrBlocked naming page %d", err, replayBlockPage)
	}
	if res.State != store.RunBlocked {
		t.Errorf("blocked pass state = %q, want %q", res.State, store.RunBlocked)
	}

	if after := rig.reviews(t); !slices.EqualFunc(before, after, sameStoredReview) {
		t.Error("blocked pass changed the stored reviews or votes")
	}
	checkBlockedRun(t, rig, movieBefore)

	res, err = rig.sync(t, rig.client(t, second, nil))
	if err != nil {
		t.Fatalf("pass after the block: %v", err)
	}
	if res.State != store.RunComplete || res.New != 3 || res.Edited != 2 {
		t.Errorf("pass after the block = %+v, want a complete pass with 3 new and 2 edited", res)
	}
}

func sameStoredReview(a, b store.Review) bool {
	return a.ID == b.ID && a.ContentHash == b.ContentHash && a.Text == b.Text &&
		a.HelpfulUp == b.HelpfulUp && a.HelpfulDown == b.HelpfulDown &&
		a.LastSeenAt.Equal(b.LastSeenAt) && a.DeletedAt == nil && b.DeletedAt == nil
}

func checkBlockedRun(t *testing.T, rig *replayRig, movieBefore store.Movie) {
	t.Helper()
	ctx := context.Background()
	run, err := rig.store.LastRun(ctx, replayMovieID)
	if err != nil {
		t.Fatalf("last run: %v", err)
	}
	if run.State != store.RunBlocked || !strings.Contains(run.Error, fmt.Sprintf("page %d", replayBlockPage)) {
		t.Errorf("run = %+v, want a blocked run whose error names page %d", run, replayBlockPage)
	}
	if run.Pages != replayBlockPage-1 {
		t.Errorf("blocked run read %d pages, want %d", run.Pages, replayBlockPage-1)
	}

	movie, err := rig.store.GetMovie(ctx, replayMovieID)
	if err != nil {
		t.Fatal(err)
	}
	if movie.LastError == "" || !movie.ScrapedAt.Equal(*movieBefore.ScrapedAt) {
		t.Errorf("movie after the block: error %q, scraped at %v; want an error and the earlier scrape time", movie.LastError, movie.ScrapedAt)
	}
}
