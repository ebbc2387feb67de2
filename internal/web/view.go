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
	// Progress is shown until the movie's reviews are analyzed.
	Progress progressView
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
	Progress progressView // shown until the movie's reviews are analyzed
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
	// BucketNote explains why the timeline charts do not show the chosen
	// bucket, and AspectNote why the aspect charts show years. Both are
	// empty when the charts show the requested bucket.
	BucketNote string
	AspectNote string
	// Completeness is the share of the declared reviews that are stored,
	// 0..100, or -1 when IMDb declares no total.
	Completeness int
	Helpful      []helpfulView
	// Explorer lists the reviews that the page's filter selects.
	Explorer explorerData
	// NotOnList is set when the viewer's list lacks the movie, which only
	// an admin can see then.
	NotOnList bool
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
		return analyze.OverallDescription
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

// sentiment names the side of a -2..+2 average, as analyze.Sentiment does.
func sentiment(average *float64) string {
	return analyze.Sentiment(average)
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

// loadCards returns a card per tracked movie that the request's user may see:
// those of their list, or every one for an admin when all is set.
func (s *server) loadCards(ctx context.Context, all bool) ([]movieCard, error) {
	movies, err := s.listedMovies(ctx, all)
	if err != nil {
		return nil, err
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

	var running map[string]map[string]bool
	for _, m := range movies {
		if m.CheckedAt == nil || m.ScrapedAt == nil {
			running = s.runningJobs(ctx)
			break
		}
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
		if card.Progress, err = s.loadProgress(ctx, m, stats, run, running); err != nil {
			return nil, err
		}
		for _, a := range s.aspectViews(stats) {
			if a.Name == store.Overall {
				card.Overall = a
			}
		}
		cards = append(cards, card)
	}
	return cards, nil
}

// loadMoviePage returns the data of the movie page with the timeline by
// bucket and the review explorer of the query. A missing movie returns an error
// wrapping store.ErrNotFound.
func (s *server) loadMoviePage(ctx context.Context, id string, bucket store.Bucket, query url.Values) (moviePageData, error) {
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
	explorer, err := s.loadExplorer(ctx, id, query)
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
	var running map[string]map[string]bool
	if movie.CheckedAt == nil || movie.ScrapedAt == nil {
		running = s.runningJobs(ctx)
	}
	progress, err := s.loadProgress(ctx, movie, stats, run, running)
	if err != nil {
		return moviePageData{}, err
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
		Progress:        progress,
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
		Buckets:         bucketLinks(id, bucket, query),
		Completeness:    completeness(stats.ScrapedReviewCount, movie.DeclaredReviewCount),
		Helpful: []helpfulView{
			helpfulOf("positive", "Most helpful positive review", agg.MostHelpfulPositive),
			helpfulOf("negative", "Most helpful negative review", agg.MostHelpfulNegative),
		},
		Explorer: explorer,
	}
	for _, a := range aspects {
		data.Analyzed = max(data.Analyzed, a.Analyzed)
	}
	if axis.Yearly {
		data.BucketNote = fmt.Sprintf("Month is chosen, but these reviews span more than %d years, so the timeline shows one bar per year.", maxPeriods/12)
	} else if axis.Hidden > 0 {
		data.BucketNote = fmt.Sprintf("These reviews span more than %s, so the timeline shows the latest %s only.",
			plural(maxPeriods, axis.unit()), plural(maxPeriods, axis.unit()))
	}
	switch {
	case yearly:
		data.AspectNote = fmt.Sprintf("The charts by time below show one point per year of publication: these reviews span more than %d years, and like the timeline they use months for spans of up to %d years.",
			maxPeriods/12, maxPeriods/12)
	case len(starts) > 0:
		data.AspectNote = fmt.Sprintf("The charts by time below show one point per month of publication; spans of more than %d years are shown by year, as in the timeline.", maxPeriods/12)
	}
	return data, nil
}

// bucketLinks returns the day, week and month links of the timeline
// switch, which keep the page's other parameters, such as the review
// explorer's filters. Month is the default, so its link has no bucket.
func bucketLinks(movieID string, current store.Bucket, query url.Values) []bucketLink {
	var links []bucketLink
	for _, b := range []store.Bucket{store.BucketDay, store.BucketWeek, store.BucketMonth} {
		params := cloneValues(query)
		params.Del("bucket")
		if b != store.BucketMonth {
			params.Set("bucket", string(b))
		}
		link := bucketLink{Label: strings.ToUpper(string(b[:1])) + string(b[1:]), URL: "/movies/" + url.PathEscape(movieID), Current: b == current}
		if len(params) > 0 {
			link.URL += "?" + params.Encode()
		}
		link.URL += "#timeline-heading"
		links = append(links, link)
	}
	return links
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
