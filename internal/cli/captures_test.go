package cli

import (
	"context"
	"encoding/json"
	"html"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/reelpulse/reelpulse/internal/jobs"
	"github.com/reelpulse/reelpulse/internal/replay"
	"github.com/reelpulse/reelpulse/internal/store"
	"github.com/reelpulse/reelpulse/internal/testutil"
)

const (
	capturedReviewsID = "tt33014583" // reviews page and three GraphQL pages, no title page
	capturedTitleID   = "tt0111161"  // title page only
)

// capturedNode is a review as the captured JSON holds it.
type capturedNode struct {
	ID     string `json:"id"`
	Author struct {
		Username struct {
			Text string `json:"text"`
		} `json:"username"`
		UserID string `json:"userId"`
	} `json:"author"`
	Summary struct {
		OriginalText string `json:"originalText"`
	} `json:"summary"`
	Text struct {
		OriginalText struct {
			PlaidHTML string `json:"plaidHtml"`
		} `json:"originalText"`
	} `json:"text"`
	AuthorRating   *int   `json:"authorRating"`
	SubmissionDate string `json:"submissionDate"`
	Helpfulness    struct {
		UpVotes   int `json:"upVotes"`
		DownVotes int `json:"downVotes"`
	} `json:"helpfulness"`
	Spoiler bool `json:"spoiler"`
}

type capturedReviews struct {
	Total int `json:"total"`
	Edges []struct {
		Node capturedNode `json:"node"`
	} `json:"edges"`
}

var nextData = regexp.MustCompile(`(?s)<script id="__NEXT_DATA__" type="application/json">(.*?)</script>`)

// capturedNodes reads every review of the captured pages as a sync reads
// them: the first 25 from the reviews page, the rest from GraphQL pages 4
// and 103. GraphQL page 1 holds the same reviews as the reviews page, but
// the captures replaced author names per file, so it is not used.
func capturedNodes(t *testing.T, samples string) (map[string]capturedNode, int) {
	t.Helper()
	page, err := os.ReadFile(filepath.Join(samples, "reviews-next-ssr-tt33014583.html"))
	if err != nil {
		t.Fatal(err)
	}
	match := nextData.FindSubmatch(page)
	if match == nil {
		t.Fatal("reviews page capture has no __NEXT_DATA__")
	}
	var next struct {
		Props struct {
			PageProps struct {
				ContentData struct {
					Data struct {
						Title struct {
							Reviews capturedReviews `json:"reviews"`
						} `json:"title"`
					} `json:"data"`
				} `json:"contentData"`
			} `json:"pageProps"`
		} `json:"props"`
	}
	if err := json.Unmarshal(match[1], &next); err != nil {
		t.Fatalf("decode reviews page data: %v", err)
	}
	nodes := map[string]capturedNode{}
	for _, e := range next.Props.PageProps.ContentData.Data.Title.Reviews.Edges {
		nodes[e.Node.ID] = e.Node
	}

	total := 0
	for _, name := range []string{"page004", "page103-last"} {
		body, err := os.ReadFile(filepath.Join(samples, "graphql-reviews-tt33014583-"+name+".json"))
		if err != nil {
			t.Fatal(err)
		}
		var reply struct {
			Data struct {
				Title struct {
					Reviews capturedReviews `json:"reviews"`
				} `json:"title"`
			} `json:"data"`
		}
		if err := json.Unmarshal(body, &reply); err != nil {
			t.Fatalf("decode %s: %v", name, err)
		}
		total = reply.Data.Title.Reviews.Total
		for _, e := range reply.Data.Title.Reviews.Edges {
			nodes[e.Node.ID] = e.Node
		}
	}
	return nodes, total
}

var (
	lineBreak = regexp.MustCompile(`(?i)<br\s*/?>`)
	anyTag    = regexp.MustCompile(`<[^>]*>`)
)

// plainText is the expected clean text of a review's HTML: line breaks for
// <br>, no other tags, entities decoded.
func plainText(fragment string) string {
	text := lineBreak.ReplaceAllString(fragment, "\n")
	text = anyTag.ReplaceAllString(text, "\n")
	return strings.TrimSpace(html.UnescapeString(text))
}

// words splits text at white space; line structure is checked by the
// parser's own tests.
func words(text string) string {
	return strings.Join(strings.Fields(text), " ")
}

func TestRealCaptures(t *testing.T) {
	dir, samples := testutil.CaptureReplayDir(t)
	site, err := replay.LoadDir(dir)
	if err != nil {
		t.Fatalf("LoadDir: %v", err)
	}
	ctx := context.Background()
	a := testApp(t, site, "")
	env := &environment{stdout: io.Discard, stderr: io.Discard}
	tracker := jobs.NewTracker(a.store, nil, a.logger, time.Now)
	for _, id := range []string{capturedReviewsID, capturedTitleID} {
		if _, err := tracker.Track(ctx, id); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("reviews", func(t *testing.T) {
		// The captures hold 61 of the 2,561 declared reviews, so the pass
		// stores them and reports itself incomplete.
		err := a.syncOne(ctx, env, capturedReviewsID)
		if err == nil || !strings.Contains(err.Error(), "incomplete: 61 of 2561 declared reviews scraped (2500 missing)") {
			t.Fatalf("sync %s: error %v, want it to report the shortfall", capturedReviewsID, err)
		}
		checkCapturedReviews(t, a, samples)
	})

	t.Run("title", func(t *testing.T) {
		err := a.syncOne(ctx, env, capturedTitleID)
		if err == nil || !strings.Contains(err.Error(), capturedTitleID) {
			t.Fatalf("sync of a title without a reviews page: error %v, want one naming %s", err, capturedTitleID)
		}
		checkCapturedTitle(t, a)
	})
}

func checkCapturedReviews(t *testing.T, a *app, samples string) {
	ctx := context.Background()
	want, total := capturedNodes(t, samples)
	if len(want) != 61 || total != 2561 {
		t.Fatalf("captures hold %d reviews of %d; expected 61 of 2561", len(want), total)
	}

	stored, err := a.store.ListReviews(ctx, store.ReviewQuery{MovieID: capturedReviewsID})
	if err != nil {
		t.Fatal(err)
	}
	if len(stored) != len(want) {
		t.Errorf("stored %d reviews, want %d", len(stored), len(want))
	}
	nullRatings := 0
	for _, got := range stored {
		w, ok := want[got.ID]
		if !ok {
			t.Errorf("stored review %s is not in the captures", got.ID)
			continue
		}
		checkCapturedReview(t, got, w)
		if got.Rating == nil {
			nullRatings++
		}
	}
	if nullRatings == 0 {
		t.Error("no review without a rating stored; the last page has several")
	}

	movie, err := a.store.GetMovie(ctx, capturedReviewsID)
	if err != nil {
		t.Fatal(err)
	}
	if movie.DeclaredReviewCount == nil || *movie.DeclaredReviewCount != 2561 {
		t.Errorf("declared review count = %v, want 2561", movie.DeclaredReviewCount)
	}
	if !strings.Contains(movie.ScrapeWarning, "61 of 2561") {
		t.Errorf("scrape warning = %q, want it to say 61 of 2561", movie.ScrapeWarning)
	}
	run, err := a.store.LastRun(ctx, capturedReviewsID)
	if err != nil {
		t.Fatal(err)
	}
	if run.State != store.RunIncomplete || run.Fetched != 61 || run.Declared != 2561 || run.Shortfall != 2500 {
		t.Errorf("last run = %+v, want incomplete with 61 of 2561", run)
	}
	if movie.Title != "Dhurandhar" || movie.Year != 2025 || movie.PosterURL == "" {
		t.Errorf("metadata from the reviews page = %q %d %q", movie.Title, movie.Year, movie.PosterURL)
	}

	pending, err := a.store.PendingAnalysis(ctx, store.PendingQuery{MovieID: capturedReviewsID, Analyzer: a.analyzer.Name(), AnalyzerVersion: a.analyzer.Version(), Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != 0 {
		t.Errorf("%d reviews left unanalyzed", len(pending))
	}
}

func checkCapturedReview(t *testing.T, got store.Review, want capturedNode) {
	t.Helper()
	if got.HelpfulUp != want.Helpfulness.UpVotes || got.HelpfulDown != want.Helpfulness.DownVotes {
		t.Errorf("%s votes = %d/%d, want %d/%d", got.ID, got.HelpfulUp, got.HelpfulDown, want.Helpfulness.UpVotes, want.Helpfulness.DownVotes)
	}
	if (got.Rating == nil) != (want.AuthorRating == nil) || (got.Rating != nil && *got.Rating != *want.AuthorRating) {
		t.Errorf("%s rating = %v, want %v", got.ID, got.Rating, want.AuthorRating)
	}
	if got.Spoiler != want.Spoiler {
		t.Errorf("%s spoiler = %v, want %v", got.ID, got.Spoiler, want.Spoiler)
	}
	if date := got.SubmittedAt.UTC().Format("2006-01-02"); date != want.SubmissionDate {
		t.Errorf("%s date = %s, want %s", got.ID, date, want.SubmissionDate)
	}
	if got.AuthorName != want.Author.Username.Text || got.AuthorID != want.Author.UserID {
		t.Errorf("%s author = %q %q, want %q %q", got.ID, got.AuthorName, got.AuthorID, want.Author.Username.Text, want.Author.UserID)
	}
	if got.Title != strings.TrimSpace(html.UnescapeString(want.Summary.OriginalText)) {
		t.Errorf("%s title = %q, want %q", got.ID, got.Title, want.Summary.OriginalText)
	}
	if wantText := plainText(want.Text.OriginalText.PlaidHTML); words(got.Text) != words(wantText) {
		t.Errorf("%s text:\n got %q\nwant %q", got.ID, got.Text, wantText)
	}
}

func checkCapturedTitle(t *testing.T, a *app) {
	movie, err := a.store.GetMovie(context.Background(), capturedTitleID)
	if err != nil {
		t.Fatal(err)
	}
	if movie.Title != "The Shawshank Redemption" {
		t.Errorf("title = %q", movie.Title)
	}
	if movie.ReleaseDate == nil || movie.ReleaseDate.Format("2006-01-02") != "1994-09-23" {
		t.Errorf("release date = %v, want 1994-09-23", movie.ReleaseDate)
	}
	if !strings.HasPrefix(movie.PosterURL, "https://m.media-amazon.com/images/") {
		t.Errorf("poster URL = %q", movie.PosterURL)
	}
	if movie.DeclaredReviewCount == nil || *movie.DeclaredReviewCount != 11467 {
		t.Errorf("declared review count = %v, want 11467", movie.DeclaredReviewCount)
	}
	if movie.LastError == "" {
		t.Error("the missing reviews page left no error on the movie")
	}
	if movie.ScrapedAt != nil {
		t.Errorf("scraped_at = %v after a failed pass", movie.ScrapedAt)
	}
}
