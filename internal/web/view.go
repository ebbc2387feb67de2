package web

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/reelpulse/reelpulse/internal/analyze"
	"github.com/reelpulse/reelpulse/internal/store"
)

// reviewsPerPage is the number of reviews that the movie page lists.
const reviewsPerPage = 20

// movieCard is one tracked movie in the list page.
type movieCard struct {
	Movie     store.Movie
	Stats     store.MovieStats
	Overall   aspectView
	State     movieState
	Sparkline sparkline
}

// movieState summarises the health of a movie's data for a badge.
type movieState struct {
	Class   string // "ok", "pending", "warning" or "error"
	Label   string
	Message string
}

// aspectView is one aspect's figures as the pages show them.
type aspectView struct {
	Name        string
	Label       string
	Description string
	Average     *float64
	Mentioned   int
	Analyzed    int
	Histogram   [5]int
	Sentiment   string // "positive", "mixed", "negative" or "no data"
	Chart       chart
	Evolution   chart
}

// Share is the percentage of analyzed reviews that mention the aspect.
func (a aspectView) Share() string { return percent(a.Mentioned, a.Analyzed) }

// moviePageData is everything the movie page template reads.
type moviePageData struct {
	Movie    store.Movie
	State    movieState
	Stats    store.MovieStats
	IMDbURL  string
	Aspects  []aspectView
	Analyzer string
	// Analyzed is the number of reviews that the analyzer has scored.
	Analyzed        int
	ReviewsByMonth  chart
	RatingEvolution chart
	RatingChart     chart
	AspectAverages  chart
	AspectRadar     chart
	Votes           chart
	Aggregates      store.Aggregates
	// Buckets are the links of the timeline's day, week and month switch.
	Buckets []bucketLink
	// Completeness is the share of the declared reviews that are stored,
	// 0..100, or -1 when IMDb declares no total.
	Completeness int
	Helpful      []helpfulView
	// BucketParam keeps a non-default bucket in the pager's links.
	BucketParam    string
	Reviews        []reviewView
	Offset         int
	NextOffset     int // 0 when there is no older page
	PreviousOffset int // -1 when this is the first page
}

// bucketLink is one choice of the timeline's bucket switch.
type bucketLink struct {
	Label   string
	URL     string
	Current bool
}

// helpfulView is a most helpful review of one side.
type helpfulView struct {
	Side    string // "positive" or "negative"
	Heading string
	Review  *store.HelpfulReview
	Class   string // score class of the overall score
}

// reviewView is a review with its aspect scores.
type reviewView struct {
	Review  store.Review
	IMDbURL string
	Scores  []scoreView
	// Analyzed is false when the analyzer has not scored the current text.
	Analyzed bool
}

type scoreView struct {
	Name     string
	Label    string
	Score    *int
	Evidence string
	Class    string
}

func aspectLabel(name string) string {
	if name == "" {
		return ""
	}
	return strings.ToUpper(name[:1]) + strings.ReplaceAll(name[1:], "_", " ")
}

func (s *server) aspectDescription(name string) string {
	for _, a := range s.aspects {
		if a.Name == name {
			return a.Description
		}
	}
	if name == store.Overall {
		return "the review's verdict on the film as a whole"
	}
	return ""
}

// aspectViews returns one view per configured aspect and overall, in that
// order, with zero figures for aspects that stats lacks.
func (s *server) aspectViews(stats store.MovieStats) []aspectView {
	byName := map[string]store.AspectStats{}
	for _, a := range stats.Aspects {
		byName[a.Aspect] = a
	}

	var views []aspectView
	for _, name := range analyze.Names(s.aspects) {
		a := byName[name]
		view := aspectView{
			Name:        name,
			Label:       aspectLabel(name),
			Description: s.aspectDescription(name),
			Average:     a.Average,
			Mentioned:   a.Mentioned,
			Analyzed:    a.Analyzed,
			Histogram:   a.Histogram,
			Sentiment:   sentiment(a.Average),
		}
		view.Chart = aspectDistributionChart(view)
		views = append(views, view)
	}
	return views
}

// sentiment names the side of a -2..+2 average. Averages within ±0.5 are
// "mixed".
func sentiment(average *float64) string {
	switch {
	case average == nil:
		return "no data"
	case *average >= 0.5:
		return "positive"
	case *average <= -0.5:
		return "negative"
	default:
		return "mixed"
	}
}

// stateOf summarises a movie's health from its latest review pass, when
// there is one, and its latest check.
func stateOf(m store.Movie, run *store.SyncRun) movieState {
	if m.ParkedAt != nil {
		return movieState{Class: "error", Label: "Parked", Message: fmt.Sprintf(
			"Parked on %s and no longer checked: %s Unpark it to try again.",
			m.ParkedAt.UTC().Format("2 Jan 2006 15:04 UTC"), sentence(m.ParkedReason))}
	}
	if run != nil {
		switch run.State {
		case store.RunBlocked:
			return movieState{Class: "error", Label: "Blocked", Message: run.Error}
		case store.RunChallenged:
			return movieState{Class: "error", Label: "Challenged", Message: run.Error}
		case store.RunFailed:
			return movieState{Class: "error", Label: "Failed", Message: run.Error}
		case store.RunIncomplete:
			return movieState{Class: "warning", Label: "Incomplete", Message: fmt.Sprintf(
				"The last pass read %s of %s declared reviews (%s missing).",
				formatNumber(run.Fetched), formatNumber(run.Declared), formatNumber(run.Shortfall))}
		}
	}
	switch {
	case m.LastError != "":
		return movieState{Class: "error", Label: "Error", Message: m.LastError}
	case m.ScrapeWarning != "":
		return movieState{Class: "warning", Label: "Incomplete", Message: m.ScrapeWarning}
	case m.ScrapedAt == nil:
		return movieState{Class: "pending", Label: "Waiting", Message: "No review pass has completed yet."}
	default:
		return movieState{Class: "ok", Label: "OK"}
	}
}

// sentence ends text with a full stop unless it ends with punctuation.
func sentence(text string) string {
	text = strings.TrimSpace(text)
	if text == "" || strings.HasSuffix(text, ".") || strings.HasSuffix(text, "!") || strings.HasSuffix(text, "?") {
		return text
	}
	return text + "."
}

func imdbTitleURL(id string) string { return "https://www.imdb.com/title/" + id + "/" }

// loadCards returns a card per tracked movie.
func (s *server) loadCards(ctx context.Context) ([]movieCard, error) {
	movies, err := s.store.ListMovies(ctx, true)
	if err != nil {
		return nil, fmt.Errorf("list tracked movies: %w", err)
	}

	ids := make([]string, len(movies))
	for i, m := range movies {
		ids[i] = m.ID
	}
	today := s.now().UTC()
	daily, err := s.store.DailyReviewCounts(ctx, ids, today.AddDate(0, 0, -(sparklineDays-1)))
	if err != nil {
		return nil, fmt.Errorf("count daily reviews of tracked movies: %w", err)
	}

	cards := make([]movieCard, 0, len(movies))
	for _, m := range movies {
		stats, err := s.store.Stats(ctx, m.ID, s.analyzer)
		if err != nil {
			return nil, fmt.Errorf("load statistics of movie %s: %w", m.ID, err)
		}
		run, err := store.LatestRun(ctx, s.store, m.ID)
		if err != nil {
			return nil, err
		}
		card := movieCard{Movie: m, Stats: stats, State: stateOf(m, run), Sparkline: newSparkline(m.ID, daily[m.ID], today)}
		for _, a := range s.aspectViews(stats) {
			if a.Name == store.Overall {
				card.Overall = a
			}
		}
		cards = append(cards, card)
	}
	return cards, nil
}

// loadMoviePage returns the data of the movie page with the reviews from
// offset on and the timeline by bucket. A missing movie returns an error
// wrapping store.ErrNotFound.
func (s *server) loadMoviePage(ctx context.Context, id string, offset int, bucket store.Bucket) (moviePageData, error) {
	movie, err := s.store.GetMovie(ctx, id)
	if err != nil {
		return moviePageData{}, fmt.Errorf("load movie %s: %w", id, err)
	}
	stats, err := s.store.Stats(ctx, id, s.analyzer)
	if err != nil {
		return moviePageData{}, fmt.Errorf("load statistics of movie %s: %w", id, err)
	}
	agg, err := s.store.Aggregates(ctx, store.AggregateQuery{MovieID: id, Analyzer: s.analyzer, Bucket: bucket, Now: s.now()})
	if err != nil {
		return moviePageData{}, fmt.Errorf("load aggregates of movie %s: %w", id, err)
	}
	reviews, err := s.loadReviews(ctx, id, offset)
	if err != nil {
		return moviePageData{}, err
	}
	run, err := store.LatestRun(ctx, s.store, id)
	if err != nil {
		return moviePageData{}, err
	}
	runs, err := s.store.ListRuns(ctx, id, maxVoteRuns)
	if err != nil {
		return moviePageData{}, fmt.Errorf("list review passes of movie %s: %w", id, err)
	}

	axis := newTimeAxis(agg.Timeline, bucket)
	aspects := s.aspectViews(stats)
	starts, yearly := monthAxis(agg.AspectMonths)
	for i := range aspects {
		aspects[i].Evolution = aspectEvolutionChart(aspects[i], agg.AspectMonths, starts, yearly)
	}
	data := moviePageData{
		Movie:           movie,
		State:           stateOf(movie, run),
		Stats:           stats,
		IMDbURL:         imdbTitleURL(id),
		Aspects:         aspects,
		Analyzer:        s.analyzer,
		ReviewsByMonth:  reviewsTimelineChart(axis),
		RatingEvolution: ratingEvolutionChart(axis),
		RatingChart:     ratingDistributionChart(stats.RatingHistogram),
		AspectAverages:  aspectAveragesChart(aspects),
		AspectRadar:     radarChart(aspects),
		Votes:           votesChart(runs),
		Aggregates:      agg,
		Buckets:         bucketLinks(id, bucket),
		Completeness:    completeness(stats.ScrapedReviewCount, movie.DeclaredReviewCount),
		Helpful: []helpfulView{
			helpfulOf("positive", "Most helpful positive review", agg.MostHelpfulPositive),
			helpfulOf("negative", "Most helpful negative review", agg.MostHelpfulNegative),
		},
		Reviews:        reviews,
		BucketParam:    bucketParam(bucket),
		Offset:         offset,
		PreviousOffset: -1,
	}
	for _, a := range aspects {
		data.Analyzed = max(data.Analyzed, a.Analyzed)
	}
	if offset > 0 {
		data.PreviousOffset = max(0, offset-reviewsPerPage)
	}
	if offset+len(reviews) < stats.ScrapedReviewCount {
		data.NextOffset = offset + len(reviews)
	}
	return data, nil
}

// bucketLinks returns the day, week and month links of the timeline
// switch. Month is the default, so its link has no parameter.
func bucketLinks(movieID string, current store.Bucket) []bucketLink {
	var links []bucketLink
	for _, b := range []store.Bucket{store.BucketDay, store.BucketWeek, store.BucketMonth} {
		link := bucketLink{Label: strings.ToUpper(string(b[:1])) + string(b[1:]), URL: "/movies/" + url.PathEscape(movieID), Current: b == current}
		if b != store.BucketMonth {
			link.URL += "?bucket=" + string(b)
		}
		link.URL += "#timeline-heading"
		links = append(links, link)
	}
	return links
}

func bucketParam(b store.Bucket) string {
	if b == store.BucketMonth {
		return ""
	}
	return "&bucket=" + string(b)
}

// completeness returns the stored share of the declared reviews, 0..100,
// or -1 when none is declared.
func completeness(scraped int, declared *int) int {
	if declared == nil || *declared <= 0 {
		return -1
	}
	return min(100, scraped*100 / *declared)
}

func helpfulOf(side, heading string, review *store.HelpfulReview) helpfulView {
	view := helpfulView{Side: side, Heading: heading, Review: review, Class: "score-none"}
	if review != nil && review.Overall >= -2 && review.Overall <= 2 {
		view.Class = scoreClasses[review.Overall+2]
	}
	return view
}

// loadReviews returns a page of the movie's newest reviews with the scores
// of the configured analyzer.
func (s *server) loadReviews(ctx context.Context, movieID string, offset int) ([]reviewView, error) {
	reviews, err := s.store.ListReviews(ctx, store.ReviewQuery{MovieID: movieID, Limit: reviewsPerPage, Offset: offset})
	if err != nil {
		return nil, fmt.Errorf("list reviews of movie %s: %w", movieID, err)
	}
	ids := make([]string, len(reviews))
	for i, r := range reviews {
		ids[i] = r.ID
	}
	analyses, err := s.store.ReviewAnalyses(ctx, s.analyzer, ids)
	if err != nil {
		return nil, fmt.Errorf("load %s analyses of movie %s: %w", s.analyzer, movieID, err)
	}

	views := make([]reviewView, 0, len(reviews))
	for _, r := range reviews {
		view := reviewView{Review: r, IMDbURL: "https://www.imdb.com/review/" + r.ID + "/"}
		if a, ok := analyses[r.ID]; ok && (a.ContentHash == "" || a.ContentHash == r.ContentHash) {
			view.Analyzed = true
			view.Scores = s.scoreViews(a)
		}
		views = append(views, view)
	}
	return views, nil
}

func (s *server) scoreViews(a store.Analysis) []scoreView {
	byName := map[string]store.AspectScore{}
	for _, score := range a.Aspects {
		byName[score.Aspect] = score
	}

	var views []scoreView
	for _, name := range analyze.Names(s.aspects) {
		score := byName[name]
		view := scoreView{Name: name, Label: aspectLabel(name), Score: score.Score, Evidence: score.Evidence, Class: "score-none"}
		if score.Score != nil && *score.Score >= -2 && *score.Score <= 2 {
			view.Class = scoreClasses[*score.Score+2]
		}
		views = append(views, view)
	}
	return views
}
