package sync

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/reelpulse/reelpulse/internal/fetch"
	"github.com/reelpulse/reelpulse/internal/imdb"
	"github.com/reelpulse/reelpulse/internal/store"
	"github.com/reelpulse/reelpulse/internal/store/sqlite"
)

const movieID = "tt0013442"

// fakeSource serves pages from memory. pages[0] is the first reviews page;
// each further page is returned for the previous page's cursor.
type fakeSource struct {
	title    imdb.Title
	titleErr error
	pages    []imdb.ReviewPage
	// failAt makes the request for pages[failAt] fail with err.
	failAt int
	err    error
}

func (f *fakeSource) Title(context.Context, string) (imdb.Title, error) {
	return f.title, f.titleErr
}

func (f *fakeSource) FirstReviews(context.Context, string) (imdb.Title, imdb.ReviewPage, error) {
	if f.failAt == 0 && f.err != nil {
		return imdb.Title{}, imdb.ReviewPage{}, f.err
	}
	return f.title, f.pages[0], nil
}

func (f *fakeSource) NextReviews(_ context.Context, _ string, after string) (imdb.ReviewPage, error) {
	for i, p := range f.pages[:len(f.pages)-1] {
		if p.EndCursor != after {
			continue
		}
		if f.failAt == i+1 && f.err != nil {
			return imdb.ReviewPage{}, f.err
		}
		return f.pages[i+1], nil
	}
	return imdb.ReviewPage{}, fmt.Errorf("unknown cursor %q", after)
}

func review(id string, rating int, text string, up int) imdb.Review {
	r := rating
	return imdb.Review{
		ID:          id,
		AuthorName:  "user " + id,
		AuthorID:    "ur" + id[2:],
		Title:       "Title of " + id,
		Text:        text,
		Rating:      &r,
		SubmittedAt: time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC),
		HelpfulUp:   up,
	}
}

// paged splits reviews into pages of size n chained by cursors.
func paged(total int, n int, reviews ...imdb.Review) []imdb.ReviewPage {
	var pages []imdb.ReviewPage
	for start := 0; start < len(reviews) || start == 0; start += n {
		end := min(start+n, len(reviews))
		p := imdb.ReviewPage{Total: total, Reviews: reviews[start:end]}
		if end < len(reviews) {
			p.HasNextPage = true
			p.EndCursor = fmt.Sprintf("cursor-%d", end)
		}
		pages = append(pages, p)
		if end >= len(reviews) {
			break
		}
	}
	return pages
}

type fixture struct {
	store  *sqlite.Store
	syncer *Syncer
	source *fakeSource
	now    time.Time
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "test.db"), logger)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	if _, err := st.TrackMovie(ctx, movieID, time.Now()); err != nil {
		t.Fatalf("track: %v", err)
	}

	f := &fixture{store: st, source: &fakeSource{failAt: -1}, now: time.Date(2026, 1, 2, 3, 0, 0, 0, time.UTC)}
	total := 3
	f.source.title = imdb.Title{ID: movieID, Title: "Nosferatu", Year: 1922, DeclaredReviewCount: &total}
	f.syncer = New(f.source, st, logger, func() time.Time { return f.now })
	return f
}

func (f *fixture) reviews(t *testing.T) map[string]store.Review {
	t.Helper()
	list, err := f.store.ListReviews(context.Background(), store.ReviewQuery{MovieID: movieID})
	if err != nil {
		t.Fatalf("list reviews: %v", err)
	}
	byID := make(map[string]store.Review, len(list))
	for _, r := range list {
		byID[r.ID] = r
	}
	return byID
}

func TestSyncStoresEveryPage(t *testing.T) {
	f := newFixture(t)
	f.source.pages = paged(3, 2,
		review("rw0000001", 9, "Haunting.", 10),
		review("rw0000002", 4, "Slow.", 2),
		review("rw0000003", 7, "Eerie.", 0),
	)

	var progress []Progress
	res, err := f.syncer.Sync(context.Background(), movieID, func(p Progress) { progress = append(progress, p) })
	if err != nil {
		t.Fatalf("Sync: %v", err)
	}
	if res.New != 3 || res.Fetched != 3 || res.Pages != 2 || !res.Complete {
		t.Errorf("result = %+v, want 3 new over 2 complete pages", res)
	}
	if res.Warning != "" {
		t.Errorf("warning = %q for a complete pass", res.Warning)
	}
	if len(progress) != 2 || progress[1].Reviews != 3 {
		t.Errorf("progress = %+v, want 2 reports ending at 3 reviews", progress)
	}
	if got := len(f.reviews(t)); got != 3 {
		t.Errorf("stored %d reviews, want 3", got)
	}

	movie, err := f.store.GetMovie(context.Background(), movieID)
	if err != nil {
		t.Fatal(err)
	}
	if movie.FullScrapeAt == nil || !movie.FullScrapeAt.Equal(f.now) {
		t.Errorf("FullScrapeAt = %v, want %v", movie.FullScrapeAt, f.now)
	}
}

func TestSyncDetectsEditsNotVotes(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	first := review("rw0000001", 9, "Haunting.", 10)
	second := review("rw0000002", 4, "Slow.", 2)
	f.source.pages = paged(2, 25, first, second)
	if _, err := f.syncer.Sync(ctx, movieID, nil); err != nil {
		t.Fatal(err)
	}

	f.now = f.now.Add(time.Hour)
	first.HelpfulUp = 50                     // votes only: not an edit
	second.Text = "Slow, but it grew on me." // an edit
	f.source.pages = paged(2, 25, first, second)
	res, err := f.syncer.Sync(ctx, movieID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.New != 0 || res.Edited != 1 || res.Unchanged != 1 {
		t.Errorf("result = %+v, want 1 edited and 1 unchanged", res)
	}

	stored := f.reviews(t)
	if stored["rw0000001"].HelpfulUp != 50 {
		t.Errorf("votes of rw0000001 = %d, want 50", stored["rw0000001"].HelpfulUp)
	}
	if stored["rw0000001"].EditedAt != nil {
		t.Errorf("rw0000001 marked edited after a vote change")
	}
	if stored["rw0000002"].EditedAt == nil || stored["rw0000002"].Text != second.Text {
		t.Errorf("rw0000002 = %+v, want the edited text with EditedAt set", stored["rw0000002"])
	}
}

func TestSyncFailureChangesNothing(t *testing.T) {
	challenge := &fetch.Error{Kind: fetch.Challenged, URL: "http://127.0.0.1/graphql", Status: 202}
	blocked := &fetch.Error{Kind: fetch.Blocked, URL: "http://127.0.0.1/graphql", Status: 403}
	tests := []struct {
		name   string
		pages  func(original []imdb.Review) []imdb.ReviewPage
		failAt int
		err    error
		want   string
		state  string
	}{
		{
			name:  "empty pass",
			pages: func([]imdb.Review) []imdb.ReviewPage { return paged(0, 25) },
			want:  "no reviews",
			state: store.RunFailed,
		},
		{
			name:   "challenge on second page",
			pages:  func(o []imdb.Review) []imdb.ReviewPage { return paged(2, 1, o...) },
			failAt: 1,
			err:    challenge,
			want:   "page 2",
			state:  store.RunChallenged,
		},
		{
			name:   "blocked on second page",
			pages:  func(o []imdb.Review) []imdb.ReviewPage { return paged(2, 1, o...) },
			failAt: 1,
			err:    blocked,
			want:   "page 2",
			state:  store.RunBlocked,
		},
		{
			name:   "first page not found",
			pages:  func(o []imdb.Review) []imdb.ReviewPage { return paged(2, 1, o...) },
			failAt: 0,
			err:    &fetch.Error{Kind: fetch.NotFound, URL: "http://127.0.0.1/title/tt0013442/reviews/", Status: 404},
			want:   movieID,
			state:  store.RunFailed,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			ctx := context.Background()
			original := []imdb.Review{review("rw0000001", 9, "Haunting.", 10), review("rw0000002", 4, "Slow.", 2)}
			f.source.pages = paged(2, 25, original...)
			if _, err := f.syncer.Sync(ctx, movieID, nil); err != nil {
				t.Fatal(err)
			}
			before := f.reviews(t)

			f.now = f.now.Add(time.Hour)
			changed := []imdb.Review{review("rw0000001", 1, "Edited away.", 99), review("rw0000002", 1, "Edited too.", 99)}
			f.source.pages = tt.pages(changed)
			f.source.failAt, f.source.err = tt.failAt, tt.err

			res, syncErr := f.syncer.Sync(ctx, movieID, nil)
			if syncErr == nil {
				t.Fatal("Sync succeeded, want an error")
			}
			if !strings.Contains(syncErr.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", syncErr, tt.want)
			}
			if tt.err != nil && !errors.Is(syncErr, tt.err) {
				t.Errorf("error %v does not wrap %v", syncErr, tt.err)
			}

			after := f.reviews(t)
			for id, r := range before {
				if after[id].Text != r.Text || after[id].HelpfulUp != r.HelpfulUp || !after[id].LastSeenAt.Equal(r.LastSeenAt) {
					t.Errorf("review %s changed after a failed pass: %+v", id, after[id])
				}
			}
			movie, err := f.store.GetMovie(ctx, movieID)
			if err != nil {
				t.Fatal(err)
			}
			if movie.LastError == "" {
				t.Error("failed pass left no error on the movie")
			}

			run := f.lastRun(t)
			if run.State != tt.state || run.ID != res.RunID || res.State != tt.state {
				t.Errorf("run %d in state %q, result %+v; want state %q", run.ID, run.State, res, tt.state)
			}
			if run.Error != syncErr.Error() || !strings.Contains(run.Error, tt.want) {
				t.Errorf("run error %q, want the pass error naming %q", run.Error, tt.want)
			}
		})
	}
}

func (f *fixture) lastRun(t *testing.T) store.SyncRun {
	t.Helper()
	run, err := f.store.LastRun(context.Background(), movieID)
	if err != nil {
		t.Fatalf("last run: %v", err)
	}
	return run
}

func TestSyncWarnsWhenIncomplete(t *testing.T) {
	f := newFixture(t)
	f.source.pages = paged(2561, 25, review("rw0000001", 9, "Haunting.", 10))
	res, err := f.syncer.Sync(context.Background(), movieID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Warning != "incomplete: 1 of 2561 declared reviews scraped" {
		t.Errorf("warning = %q", res.Warning)
	}
	if res.State != store.RunIncomplete || res.Complete || res.Shortfall != 2560 {
		t.Errorf("result = %+v, want an incomplete pass 2560 reviews short", res)
	}
	if run := f.lastRun(t); run.State != store.RunIncomplete || run.Shortfall != 2560 || run.Declared != 2561 {
		t.Errorf("run = %+v, want an incomplete run 2560 of 2561 reviews short", run)
	}
	movie, err := f.store.GetMovie(context.Background(), movieID)
	if err != nil {
		t.Fatal(err)
	}
	if movie.ScrapeWarning != res.Warning {
		t.Errorf("stored warning = %q, want %q", movie.ScrapeWarning, res.Warning)
	}
}

func TestCheckDecidesSync(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	day := 24 * time.Hour

	res, err := f.syncer.Check(ctx, movieID, day)
	if err != nil {
		t.Fatal(err)
	}
	if res.SyncReason == "" {
		t.Error("new movie: no sync queued")
	}

	f.source.pages = paged(3, 25,
		review("rw0000001", 9, "Haunting.", 10),
		review("rw0000002", 4, "Slow.", 2),
		review("rw0000003", 7, "Eerie.", 0),
	)
	if _, err := f.syncer.Sync(ctx, movieID, nil); err != nil {
		t.Fatal(err)
	}
	if res, err = f.syncer.Check(ctx, movieID, day); err != nil || res.SyncReason != "" {
		t.Errorf("right after a pass: reason %q, error %v; want none", res.SyncReason, err)
	}

	more := 4
	f.source.title.DeclaredReviewCount = &more
	if res, _ = f.syncer.Check(ctx, movieID, day); !strings.Contains(res.SyncReason, "grew") {
		t.Errorf("count grew: reason %q", res.SyncReason)
	}
	f.source.pages = paged(4, 25, review("rw0000001", 9, "Haunting.", 10))
	if _, err := f.syncer.Sync(ctx, movieID, nil); err != nil {
		t.Fatal(err)
	}

	f.now = f.now.Add(25 * time.Hour)
	if res, _ = f.syncer.Check(ctx, movieID, day); !strings.Contains(res.SyncReason, "older") {
		t.Errorf("stale pass: reason %q", res.SyncReason)
	}
}

func TestCheckFallsBackToReviewsPage(t *testing.T) {
	f := newFixture(t)
	f.source.titleErr = &fetch.Error{Kind: fetch.NotFound, Status: 404}
	f.source.pages = paged(3, 25, review("rw0000001", 9, "Haunting.", 10))

	res, err := f.syncer.Check(context.Background(), movieID, time.Hour)
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	if res.Metadata.Title != "Nosferatu" {
		t.Errorf("title = %q, want the reviews page's metadata", res.Metadata.Title)
	}
}

func TestContentHash(t *testing.T) {
	nine, eight := 9, 8
	base := ContentHash("Title", "Some  text\n", &nine, false)
	if base != ContentHash(" Title ", "Some text", &nine, false) {
		t.Error("whitespace changes the hash")
	}
	for name, other := range map[string]string{
		"text":    ContentHash("Title", "Other text", &nine, false),
		"title":   ContentHash("Other", "Some text", &nine, false),
		"rating":  ContentHash("Title", "Some text", &eight, false),
		"nil":     ContentHash("Title", "Some text", nil, false),
		"spoiler": ContentHash("Title", "Some text", &nine, true),
	} {
		if other == base {
			t.Errorf("changing the %s leaves the hash unchanged", name)
		}
	}
}

func TestSyncRejectsBrokenPagination(t *testing.T) {
	tests := []struct {
		name  string
		pages []imdb.ReviewPage
		want  string
	}{
		{
			name:  "next page without cursor",
			pages: []imdb.ReviewPage{{Total: 2, HasNextPage: true, Reviews: []imdb.Review{review("rw0000001", 9, "Haunting.", 1)}}},
			want:  "hasNextPage true but no endCursor",
		},
		{
			name: "repeated cursor",
			pages: []imdb.ReviewPage{
				{Total: 3, HasNextPage: true, EndCursor: "a", Reviews: []imdb.Review{review("rw0000001", 9, "Haunting.", 1)}},
				{Total: 3, HasNextPage: true, EndCursor: "b", Reviews: []imdb.Review{review("rw0000002", 9, "Eerie.", 1)}},
				{Total: 3, HasNextPage: true, EndCursor: "a", Reviews: []imdb.Review{review("rw0000003", 9, "Grim.", 1)}},
			},
			want: `repeats the cursor "a"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.source.pages = tt.pages
			_, err := f.syncer.Sync(context.Background(), movieID, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want one containing %q", err, tt.want)
			}
			if got := len(f.reviews(t)); got != 0 {
				t.Errorf("%d reviews stored from a broken pass", got)
			}
		})
	}
}

func TestSyncDropsImpossibleMetadata(t *testing.T) {
	f := newFixture(t)
	zero, huge := 0.0, int64(1)<<40
	f.source.title.AggregateRating = &zero
	f.source.title.RatingCount = &huge
	f.source.title.Year = -5
	f.source.pages = paged(1, 25, review("rw0000001", 9, "Haunting.", 1))
	page := f.source.pages[0]
	page.Skipped = []string{"review edge 1 has no node"}
	f.source.pages[0] = page

	res, err := f.syncer.Sync(context.Background(), movieID, nil)
	if err != nil {
		t.Fatalf("Sync: %v", err)
	}
	if !strings.Contains(res.Warning, "1 malformed reviews skipped") {
		t.Errorf("warning = %q, want it to count the skipped review", res.Warning)
	}
	movie, err := f.store.GetMovie(context.Background(), movieID)
	if err != nil {
		t.Fatal(err)
	}
	if movie.AggregateRating != nil || movie.RatingCount != nil || movie.Year != 1922 && movie.Year != 0 {
		t.Errorf("stored impossible metadata: rating %v, count %v, year %d", movie.AggregateRating, movie.RatingCount, movie.Year)
	}
}

// TestSyncMalformedReviewCounts lists a stored review in a form that no
// longer parses. It counts towards the declared total, so the passes stay
// complete and store the edit of another review, and it is never taken for
// deleted.
func TestSyncMalformedReviewCounts(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.source.pages = paged(3, 3, review("rw0000001", 9, "Haunting.", 1), review("rw0000002", 4, "Slow.", 2), review("rw0000003", 7, "Eerie.", 3))
	if _, err := f.syncer.Sync(ctx, movieID, nil); err != nil {
		t.Fatal(err)
	}

	f.source.pages = paged(3, 3, review("rw0000001", 9, "Haunting, and edited.", 1), review("rw0000003", 7, "Eerie.", 3))
	f.source.pages[0].Skipped = []string{"review edge 1: review rw0000002: authorRating 11 is outside 1–10"}
	f.source.pages[0].SkippedIDs = []string{"rw0000002"}
	for pass := range 3 {
		res, err := f.syncer.Sync(ctx, movieID, nil)
		if err != nil {
			t.Fatalf("pass %d: %v", pass, err)
		}
		if !res.Complete {
			t.Errorf("pass %d: state %s with warning %q, want complete", pass, res.State, res.Warning)
		}
		if !strings.Contains(res.Warning, "1 malformed reviews skipped") {
			t.Errorf("pass %d: warning %q does not count the malformed review", pass, res.Warning)
		}
	}

	reviews := f.reviews(t)
	if got := reviews["rw0000001"].Text; got != "Haunting, and edited." {
		t.Errorf("text of the edited review = %q, want the edit stored", got)
	}
	if r, ok := reviews["rw0000002"]; !ok || r.DeletedAt != nil {
		t.Errorf("the malformed review is deleted or gone (%+v), want it kept", r)
	}
}

// TestSyncRepeatedShortfall lets IMDb declare more reviews than it lists.
// The first pass is incomplete; a second one that lacks the same small
// number counts as complete, and so do the ones after it. A larger
// shortfall keeps every pass incomplete.
func TestSyncRepeatedShortfall(t *testing.T) {
	reviews := []imdb.Review{review("rw0000001", 9, "Haunting.", 1), review("rw0000002", 4, "Slow.", 2), review("rw0000003", 7, "Eerie.", 3)}
	tests := []struct {
		name     string
		declared int
		want     []bool // complete, pass by pass
	}{
		{"one review short", 4, []bool{false, true, true, true}},
		{"two reviews short", 5, []bool{false, false, false}},
		{"none short", 3, []bool{true, true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.source.pages = paged(tt.declared, 3, reviews...)
			for pass, want := range tt.want {
				res, err := f.syncer.Sync(context.Background(), movieID, nil)
				if err != nil {
					t.Fatalf("pass %d: %v", pass, err)
				}
				if res.Complete != want {
					t.Errorf("pass %d: complete %t (warning %q), want %t", pass, res.Complete, res.Warning, want)
				}
				if res.Complete && tt.declared > 3 && !strings.Contains(res.Warning, "as in the last pass; counted complete") {
					t.Errorf("pass %d: warning %q does not explain the shortfall", pass, res.Warning)
				}
			}
		})
	}
}

// TestSyncShortfallDeletesNothing lists one review short of the declared
// total in each pass, the same one and then others. The passes count
// complete, but no unlisted review is taken for deleted, since IMDb still
// declares it and a pass cannot tell which declared review it lacks.
func TestSyncShortfallDeletesNothing(t *testing.T) {
	f := newFixture(t)
	all := []imdb.Review{review("rw0000001", 9, "One.", 1), review("rw0000002", 8, "Two.", 1), review("rw0000003", 7, "Three.", 1),
		review("rw0000004", 6, "Four.", 1), review("rw0000005", 5, "Five.", 1)}
	passes := [][]int{{0, 1, 2, 3, 4}, {0, 1, 2, 3}, {0, 1, 2, 3}, {0, 1, 2, 3}, {0, 1, 2, 4}, {0, 1, 3, 4}, {0, 1, 3, 4}}
	for pass, listed := range passes {
		var reviews []imdb.Review
		for _, i := range listed {
			reviews = append(reviews, all[i])
		}
		f.source.pages = paged(5, 5, reviews...)
		res, err := f.syncer.Sync(context.Background(), movieID, nil)
		if err != nil {
			t.Fatalf("pass %d: %v", pass, err)
		}
		if res.Deleted != 0 {
			t.Errorf("pass %d deleted %d reviews, want none", pass, res.Deleted)
		}
	}
	// The list leaves deleted reviews out.
	if got := len(f.reviews(t)); got != len(all) {
		t.Errorf("%d reviews are listed, want all %d", got, len(all))
	}
}

// A pass whose caller cancels it (a shutdown, a job cancelled by hand)
// stores nothing and records neither a run nor an error on the movie,
// while a pass that runs out of time is recorded as failed.
func TestSyncInterruptedLeavesNoRun(t *testing.T) {
	f := newFixture(t)
	f.source.pages = paged(2, 1, review("rw0000001", 9, "Haunting.", 10), review("rw0000002", 4, "Slow.", 2))

	ctx, cancel := context.WithCancel(context.Background())
	f.source.failAt, f.source.err = 1, context.Canceled
	cancel()
	if _, err := f.syncer.Sync(ctx, movieID, nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("Sync error = %v, want context.Canceled", err)
	}
	if _, err := f.store.LastRun(context.Background(), movieID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("LastRun after an interrupted pass = %v, want no run", err)
	}
	movie, err := f.store.GetMovie(context.Background(), movieID)
	if err != nil {
		t.Fatal(err)
	}
	if movie.LastError != "" || len(f.reviews(t)) != 0 {
		t.Errorf("interrupted pass left error %q and %d reviews, want neither", movie.LastError, len(f.reviews(t)))
	}

	deadline, stop := context.WithTimeout(context.Background(), time.Nanosecond)
	defer stop()
	<-deadline.Done()
	f.source.err = context.DeadlineExceeded
	if _, err := f.syncer.Sync(deadline, movieID, nil); err == nil {
		t.Fatal("Sync succeeded after its deadline")
	}
	if run := f.lastRun(t); run.State != store.RunFailed {
		t.Errorf("run of a pass out of time in state %q, want %q", run.State, store.RunFailed)
	}
}
