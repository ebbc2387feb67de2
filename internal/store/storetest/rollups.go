package storetest

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/reelpulse/reelpulse/internal/store"
)

// rollupAspects are the aspects of the random analyses. Their names sort
// alike in every collation.
var rollupAspects = []string{"acting", store.Overall, "sound", "visuals"}

// rollupAnalyzers are the analyzers of the random analyses.
var rollupAnalyzers = []string{"lexicon", "other"}

// testRollups applies a random sequence of review passes (new, edited,
// re-dated, missing, deleted and restored reviews) and analyses (new,
// repeated, and of stale content) to two movies. After every step, Stats,
// Aggregates and DailyReviewCounts must equal the figures computed here
// from scratch over the stored reviews and analyses.
func testRollups(t *testing.T, s store.Store) {
	movies := []string{"tt0000001", "tt0000002"}
	for _, id := range movies {
		track(t, s, id)
	}
	rng := rand.New(rand.NewPCG(11, 12))
	first := day(2025, 1, 27)
	known := map[string][]store.Review{} // the reviews passed so far, by movie
	next, deleted, restored := 0, 0, 0

	for step := range 40 {
		movieID := movies[rng.IntN(len(movies))]
		if step%3 == 2 {
			analyzeRandomly(t, s, rng, known[movieID])
		} else {
			result := store.SyncResult{MovieID: movieID, At: at(step), Complete: rng.IntN(3) > 0, ApplyEdits: rng.IntN(3) > 0}
			for range rng.IntN(8) {
				next++
				r := randomReview(rng, fmt.Sprintf("rw%04d", next), movieID, first)
				known[movieID] = append(known[movieID], r)
				result.Upserts = append(result.Upserts, r)
			}
			for i, r := range known[movieID] {
				switch rng.IntN(10) {
				case 0: // edited, and sometimes re-dated or re-rated
					r.ContentHash = fmt.Sprintf("hash-%s-%d", r.ID, step)
					if rng.IntN(2) == 0 {
						r.SubmittedAt = r.SubmittedAt.AddDate(0, 0, rng.IntN(40)-20)
					}
					r.Rating = randomRating(rng)
					known[movieID][i] = r
					result.Upserts = append(result.Upserts, r)
				case 1, 2, 3: // missing from the pass
					continue
				}
				result.Seen = append(result.Seen, store.ReviewVotes{ReviewID: r.ID, HelpfulUp: rng.IntN(50)})
			}
			outcome := applySync(t, s, result)
			deleted += outcome.Deleted
			restored += outcome.Restored
		}

		for _, movieID := range movies {
			for _, analyzer := range rollupAnalyzers {
				label := fmt.Sprintf("step %d, movie %s, analyzer %s", step, movieID, analyzer)
				checkRollups(t, s, label, movieID, analyzer, first)
			}
		}
		if t.Failed() {
			return
		}
	}
	if deleted < 3 || restored < 3 {
		t.Errorf("the sequence deleted %d and restored %d reviews, want at least 3 of each: change the seed", deleted, restored)
	}
}

// testRollupsConcurrent saves analyses of the same reviews from several
// goroutines at once, while review passes edit some of them. The rollups
// must then equal the figures computed from the stored results: two writers
// that read the same stored results must not both add their change.
func testRollupsConcurrent(t *testing.T, s store.Store) {
	const movieID = "tt0000001"
	track(t, s, movieID)
	first := day(2025, 1, 27)
	rng := rand.New(rand.NewPCG(21, 22))
	var reviews []store.Review
	for i := range 20 {
		reviews = append(reviews, randomReview(rng, fmt.Sprintf("rw%04d", i+1), movieID, first))
	}
	applySync(t, s, store.SyncResult{MovieID: movieID, At: at(0), Complete: true, Upserts: reviews})

	const writers = 6
	errs := make(chan error, writers+1)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 23))
			for round := range 5 {
				var analyses []store.Analysis
				for _, r := range reviews {
					a := analysis(r.ID, r.ContentHash, fmt.Sprintf("v%d", round), at(round))
					a.Aspects = []store.AspectScore{
						{Aspect: store.Overall, Score: ptr(rng.IntN(5) - 2)},
						{Aspect: "acting", Score: ptr(rng.IntN(5) - 2)},
					}
					analyses = append(analyses, a)
				}
				if err := s.SaveAnalyses(t.Context(), analyses); err != nil {
					errs <- fmt.Errorf("writer %d: %w", w, err)
					return
				}
			}
		})
	}
	wg.Go(func() {
		for step := 1; step <= 5; step++ {
			edited := slices.Clone(reviews)
			for i := range edited[:5] {
				edited[i].ContentHash = fmt.Sprintf("hash-%s-%d", edited[i].ID, step)
			}
			result := store.SyncResult{MovieID: movieID, At: at(step), Complete: true, ApplyEdits: true, Upserts: edited}
			for _, r := range edited {
				result.Seen = append(result.Seen, store.ReviewVotes{ReviewID: r.ID})
			}
			if _, err := s.ApplySync(t.Context(), result); err != nil {
				errs <- fmt.Errorf("review pass %d: %w", step, err)
				return
			}
		}
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	checkRollups(t, s, "after concurrent analyses", movieID, "lexicon", first)
}

func randomRating(rng *rand.Rand) *int {
	if rng.IntN(4) == 0 {
		return nil
	}
	return ptr(1 + rng.IntN(10))
}

func randomReview(rng *rand.Rand, id, movieID string, first time.Time) store.Review {
	r := review(id, randomRating(rng), first.AddDate(0, 0, rng.IntN(70)))
	r.MovieID = movieID
	r.HelpfulUp = rng.IntN(50)
	return r
}

// analyzeRandomly saves analyses of some of the reviews: of their current
// content or of an earlier one, with random scores and missing aspects.
func analyzeRandomly(t *testing.T, s store.Store, rng *rand.Rand, reviews []store.Review) {
	var analyses []store.Analysis
	for _, r := range reviews {
		if rng.IntN(2) == 0 {
			continue
		}
		hash := r.ContentHash
		if rng.IntN(5) == 0 {
			hash = "stale-" + hash
		}
		a := analysis(r.ID, hash, "v1", at(0))
		a.Analyzer = rollupAnalyzers[rng.IntN(len(rollupAnalyzers))]
		for _, aspect := range rollupAspects {
			switch rng.IntN(4) {
			case 0: // not scored at all
			case 1:
				a.Aspects = append(a.Aspects, store.AspectScore{Aspect: aspect})
			default:
				a.Aspects = append(a.Aspects, store.AspectScore{Aspect: aspect, Score: ptr(rng.IntN(5) - 2), Evidence: "evidence of " + aspect})
			}
		}
		analyses = append(analyses, a)
	}
	save(t, s, analyses...)
}

// scratch holds a movie's listed reviews and the analyzer's results for
// their current content, read from the base tables.
type scratch struct {
	listed   []store.Review
	analyses map[string]store.Analysis // current results only, by review id
}

func readScratch(t *testing.T, s store.Store, movieID, analyzer string) scratch {
	t.Helper()
	all, err := s.ListReviews(t.Context(), store.ReviewQuery{MovieID: movieID, IncludeDeleted: true})
	if err != nil {
		t.Fatalf("list reviews: %v", err)
	}
	ids := make([]string, len(all))
	for i, r := range all {
		ids[i] = r.ID
	}
	analyses, err := s.ReviewAnalyses(t.Context(), analyzer, ids)
	if err != nil {
		t.Fatalf("read analyses: %v", err)
	}

	sc := scratch{analyses: map[string]store.Analysis{}}
	for _, r := range all {
		if r.DeletedAt != nil {
			continue
		}
		sc.listed = append(sc.listed, r)
		if a, ok := analyses[r.ID]; ok && a.ContentHash == r.ContentHash {
			sc.analyses[r.ID] = a
		}
	}
	return sc
}

func checkRollups(t *testing.T, s store.Store, label, movieID, analyzer string, first time.Time) {
	t.Helper()
	sc := readScratch(t, s, movieID, analyzer)

	stats, err := s.Stats(t.Context(), movieID, analyzer)
	if err != nil {
		t.Fatalf("%s: stats: %v", label, err)
	}
	equal(t, label+": stats", stats, sc.stats(movieID))

	now := first.AddDate(0, 0, 40).Add(9 * time.Hour)
	for _, b := range []store.Bucket{store.BucketDay, store.BucketWeek, store.BucketMonth} {
		got, err := s.Aggregates(t.Context(), store.AggregateQuery{MovieID: movieID, Analyzer: analyzer, Bucket: b, Now: now})
		if err != nil {
			t.Fatalf("%s: aggregates by %s: %v", label, b, err)
		}
		want := sc.aggregates(movieID, b, now)
		equal(t, label+": timeline by "+string(b), got.Timeline, want.Timeline)
		equal(t, label+": aspect months", got.AspectMonths, want.AspectMonths)
		equal(t, label+": new in the last day and week", [2]int{got.NewLastDay, got.NewLastWeek}, [2]int{want.NewLastDay, want.NewLastWeek})
		equal(t, label+": most helpful positive", helpfulSummary(got.MostHelpfulPositive), helpfulSummary(want.MostHelpfulPositive))
		equal(t, label+": most helpful negative", helpfulSummary(got.MostHelpfulNegative), helpfulSummary(want.MostHelpfulNegative))
	}

	checkCounts(t, s, label, movieID, analyzer, first)

	since := first.AddDate(0, 0, 30)
	daily, err := s.DailyReviewCounts(t.Context(), []string{movieID}, since)
	if err != nil {
		t.Fatalf("%s: daily review counts: %v", label, err)
	}
	equal(t, label+": daily review counts", daily[movieID], sc.daily(since))
}

func meanOf(sum, n int) *float64 {
	if n == 0 {
		return nil
	}
	return ptr(float64(sum) / float64(n))
}

func (sc scratch) stats(movieID string) store.MovieStats {
	stats := store.MovieStats{MovieID: movieID, ReviewsByMonth: []store.MonthCount{}, Aspects: []store.AspectStats{}}
	ratingSum := 0
	months := map[string]*store.MonthCount{}
	monthSums := map[string]int{}
	for _, r := range sc.listed {
		month := r.SubmittedAt.Format("2006-01")
		if months[month] == nil {
			months[month] = &store.MonthCount{Month: month}
		}
		stats.ScrapedReviewCount++
		months[month].Reviews++
		if r.Rating != nil {
			stats.RatedReviewCount++
			ratingSum += *r.Rating
			stats.RatingHistogram[*r.Rating-1]++
			months[month].RatedReviews++
			monthSums[month] += *r.Rating
		}
	}
	stats.AverageRating = meanOf(ratingSum, stats.RatedReviewCount)
	for _, m := range months {
		m.AverageRating = meanOf(monthSums[m.Month], m.RatedReviews)
		stats.ReviewsByMonth = append(stats.ReviewsByMonth, *m)
	}
	slices.SortFunc(stats.ReviewsByMonth, func(a, b store.MonthCount) int { return cmp.Compare(a.Month, b.Month) })

	aspects := map[string]*store.AspectStats{}
	sums := map[string]int{}
	for _, a := range sc.analyses {
		for _, score := range a.Aspects {
			if aspects[score.Aspect] == nil {
				aspects[score.Aspect] = &store.AspectStats{Aspect: score.Aspect}
			}
			as := aspects[score.Aspect]
			as.Analyzed++
			if score.Score != nil {
				as.Mentioned++
				as.Histogram[*score.Score+2]++
				sums[score.Aspect] += *score.Score
			}
		}
	}
	for _, a := range aspects {
		a.Average = meanOf(sums[a.Aspect], a.Mentioned)
		stats.Aspects = append(stats.Aspects, *a)
	}
	slices.SortFunc(stats.Aspects, func(a, b store.AspectStats) int { return cmp.Compare(a.Aspect, b.Aspect) })
	return stats
}

func bucketOf(t time.Time, b store.Bucket) time.Time {
	switch b {
	case store.BucketDay:
		return t
	case store.BucketWeek:
		return t.AddDate(0, 0, -((int(t.Weekday()) + 6) % 7))
	default:
		return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	}
}

func (sc scratch) aggregates(movieID string, b store.Bucket, now time.Time) store.Aggregates {
	agg := store.Aggregates{MovieID: movieID, Bucket: b, Timeline: []store.TimelineBucket{}, AspectMonths: []store.AspectMonth{}}

	buckets := map[time.Time]*store.TimelineBucket{}
	sums := map[time.Time]int{}
	dayAgo, weekAgo := now.Add(-24*time.Hour).Truncate(24*time.Hour), now.AddDate(0, 0, -7).Truncate(24*time.Hour)
	for _, r := range sc.listed {
		start := bucketOf(r.SubmittedAt, b)
		if buckets[start] == nil {
			buckets[start] = &store.TimelineBucket{Start: start}
		}
		buckets[start].Reviews++
		if r.Rating != nil {
			buckets[start].RatedReviews++
			sums[start] += *r.Rating
		}
		if !r.SubmittedAt.Before(dayAgo) {
			agg.NewLastDay++
		}
		if !r.SubmittedAt.Before(weekAgo) {
			agg.NewLastWeek++
		}
	}
	for _, bucket := range buckets {
		bucket.AverageRating = meanOf(sums[bucket.Start], bucket.RatedReviews)
		agg.Timeline = append(agg.Timeline, *bucket)
	}
	slices.SortFunc(agg.Timeline, func(a, b store.TimelineBucket) int { return a.Start.Compare(b.Start) })
	cumRated, cumSum := 0, 0
	for i := range agg.Timeline {
		cumRated += agg.Timeline[i].RatedReviews
		cumSum += sums[agg.Timeline[i].Start]
		agg.Timeline[i].CumulativeRated = cumRated
		agg.Timeline[i].CumulativeAverage = meanOf(cumSum, cumRated)
	}

	type aspectMonth struct {
		aspect string
		month  time.Time
	}
	mentioned, scoreSums := map[aspectMonth]int{}, map[aspectMonth]int{}
	byID := map[string]store.Review{}
	for _, r := range sc.listed {
		byID[r.ID] = r
	}
	for id, a := range sc.analyses {
		r := byID[id]
		for _, score := range a.Aspects {
			if score.Score == nil {
				continue
			}
			key := aspectMonth{score.Aspect, bucketOf(r.SubmittedAt, store.BucketMonth)}
			mentioned[key]++
			scoreSums[key] += *score.Score
			if score.Aspect == store.Overall && *score.Score != 0 {
				h := &agg.MostHelpfulPositive
				if *score.Score < 0 {
					h = &agg.MostHelpfulNegative
				}
				if *h == nil || r.HelpfulUp > (*h).Review.HelpfulUp || r.HelpfulUp == (*h).Review.HelpfulUp && r.ID > (*h).Review.ID {
					*h = &store.HelpfulReview{Review: r, Overall: *score.Score, Evidence: score.Evidence}
				}
			}
		}
	}
	for key, n := range mentioned {
		agg.AspectMonths = append(agg.AspectMonths, store.AspectMonth{Aspect: key.aspect, Month: key.month, Mentioned: n, Average: float64(scoreSums[key]) / float64(n)})
	}
	slices.SortFunc(agg.AspectMonths, func(a, b store.AspectMonth) int {
		return cmp.Or(cmp.Compare(a.Aspect, b.Aspect), a.Month.Compare(b.Month))
	})
	return agg
}

func (sc scratch) daily(since time.Time) []store.DayCount {
	counts := map[time.Time]int{}
	for _, r := range sc.listed {
		if !r.SubmittedAt.Before(since) {
			counts[r.SubmittedAt]++
		}
	}
	var days []store.DayCount
	for d, n := range counts {
		days = append(days, store.DayCount{Day: d, Reviews: n})
	}
	slices.SortFunc(days, func(a, b store.DayCount) int { return a.Day.Compare(b.Day) })
	return days
}

// checkCounts compares the total of QueryReviews, which the rollups compute for these filters, with the number of reviews that it lists.
func checkCounts(t *testing.T, s store.Store, label, movieID, analyzer string, first time.Time) {
	t.Helper()
	from, to := first.AddDate(0, 0, 10), first.AddDate(0, 0, 45)
	filters := []store.ReviewFilter{
		{},
		{From: from},
		{From: from, To: to},
		{MinRating: 4},
		{MinRating: 3, MaxRating: 7, To: to},
		{MaxRating: 5},
	}
	for _, aspect := range []string{"acting", store.Overall} {
		for _, polarity := range []store.Polarity{store.PolarityNegative, store.PolarityNeutral, store.PolarityPositive, store.PolarityMentioned} {
			filters = append(filters, store.ReviewFilter{Aspect: aspect, Polarity: polarity},
				store.ReviewFilter{Aspect: aspect, Polarity: polarity, From: from, To: to})
		}
	}
	for _, f := range filters {
		f.MovieID, f.Analyzer, f.CountTotal = movieID, analyzer, true
		page, err := s.QueryReviews(t.Context(), f)
		if err != nil {
			t.Fatalf("%s: query reviews %+v: %v", label, f, err)
		}
		total := -1 // none
		if page.Total != nil {
			total = *page.Total
		}
		if total != len(page.Reviews) {
			t.Errorf("%s: total of %+v = %d, want the %d reviews listed", label, f, total, len(page.Reviews))
		}
	}
}
