package storetest

import (
	"testing"
	"time"

	"github.com/reelpulse/reelpulse/internal/store"
)

// storeAggregateReviews stores six reviews of tt0000001 from December 2024
// to March 2025 with lexicon analyses, one of them stale, and a review of
// tt0000002 with more helpful votes than any of them.
func storeAggregateReviews(t *testing.T, s store.Store) {
	track(t, s, "tt0000001")
	track(t, s, "tt0000002")
	other := review("rw9", ptr(1), day(2025, 3, 2))
	other.MovieID = "tt0000002"
	other.HelpfulUp = 100
	applySync(t, s, store.SyncResult{MovieID: "tt0000002", Upserts: []store.Review{other}, At: at(1)})

	helpful := func(r store.Review, up int) store.Review {
		r.HelpfulUp = up
		return r
	}
	applySync(t, s, store.SyncResult{Upserts: []store.Review{
		helpful(review("rw1", ptr(10), day(2025, 1, 2)), 5),
		review("rw2", ptr(7), day(2025, 1, 31)),
		review("rw3", nil, day(2025, 3, 1)),
		helpful(review("rw4", ptr(10), day(2024, 12, 31)), 50),
		review("rw5", nil, day(2024, 12, 1)),
		helpful(review("rw6", ptr(4), day(2025, 3, 3)), 8),
	}, At: at(1)})

	aspect := func(name string, score *int) store.AspectScore {
		return store.AspectScore{Aspect: name, Score: score, Evidence: "evidence of " + name}
	}
	save(t, s,
		analysis("rw1", "hash-rw1", "v1", at(2), aspect(store.Overall, ptr(2)), aspect("acting", ptr(1))),
		analysis("rw2", "hash-rw2", "v1", at(2), aspect(store.Overall, ptr(-1)), aspect("acting", nil)),
		analysis("rw3", "hash-rw3", "v1", at(2), aspect(store.Overall, nil), aspect("acting", ptr(-2))),
		analysis("rw4", "stale", "v1", at(2), aspect(store.Overall, ptr(-2))),
		analysis("rw6", "hash-rw6", "v1", at(2), aspect(store.Overall, ptr(1))),
		analysis("rw9", "hash-rw9", "v1", at(2), aspect(store.Overall, ptr(-2))),
	)
}

func bucket(start time.Time, reviews, rated int, average *float64, cumRated int, cumAverage *float64) store.TimelineBucket {
	return store.TimelineBucket{Start: start, Reviews: reviews, RatedReviews: rated, AverageRating: average,
		CumulativeRated: cumRated, CumulativeAverage: cumAverage}
}

func testAggregates(t *testing.T, s store.Store) {
	storeAggregateReviews(t, s)
	now := time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)
	query := store.AggregateQuery{MovieID: "tt0000001", Analyzer: "lexicon", Now: now}

	got, err := s.Aggregates(t.Context(), query)
	if err != nil {
		t.Fatalf("aggregates: %v", err)
	}
	equal(t, "bucket", got.Bucket, store.BucketMonth)
	equal(t, "monthly timeline", got.Timeline, []store.TimelineBucket{
		bucket(day(2024, 12, 1), 2, 1, ptr(10.0), 1, ptr(10.0)),
		bucket(day(2025, 1, 1), 2, 2, ptr(8.5), 3, ptr(9.0)),
		bucket(day(2025, 3, 1), 2, 1, ptr(4.0), 4, ptr(7.75)),
	})
	equal(t, "aspect months", got.AspectMonths, []store.AspectMonth{
		{Aspect: "acting", Month: day(2025, 1, 1), Mentioned: 1, Average: 1},
		{Aspect: "acting", Month: day(2025, 3, 1), Mentioned: 1, Average: -2},
		{Aspect: store.Overall, Month: day(2025, 1, 1), Mentioned: 2, Average: 0.5},
		{Aspect: store.Overall, Month: day(2025, 3, 1), Mentioned: 1, Average: 1},
	})
	equal(t, "new in the last day", got.NewLastDay, 1)
	equal(t, "new in the last week", got.NewLastWeek, 2)
	equal(t, "most helpful positive", helpfulSummary(got.MostHelpfulPositive), "rw6 +1 evidence of overall")
	equal(t, "most helpful negative", helpfulSummary(got.MostHelpfulNegative), "rw2 -1 evidence of overall")

	query.Bucket = store.BucketWeek
	got, err = s.Aggregates(t.Context(), query)
	if err != nil {
		t.Fatalf("weekly aggregates: %v", err)
	}
	equal(t, "weekly timeline", got.Timeline, []store.TimelineBucket{
		bucket(day(2024, 11, 25), 1, 0, nil, 0, nil),
		bucket(day(2024, 12, 30), 2, 2, ptr(10.0), 2, ptr(10.0)),
		bucket(day(2025, 1, 27), 1, 1, ptr(7.0), 3, ptr(9.0)),
		bucket(day(2025, 2, 24), 1, 0, nil, 3, ptr(9.0)),
		bucket(day(2025, 3, 3), 1, 1, ptr(4.0), 4, ptr(7.75)),
	})

	query.Bucket = store.BucketDay
	got, err = s.Aggregates(t.Context(), query)
	if err != nil {
		t.Fatalf("daily aggregates: %v", err)
	}
	equal(t, "days", len(got.Timeline), 6)
	equal(t, "first day", got.Timeline[0], bucket(day(2024, 12, 1), 1, 0, nil, 0, nil))
	equal(t, "last day", got.Timeline[5], bucket(day(2025, 3, 3), 1, 1, ptr(4.0), 4, ptr(7.75)))

	got, err = s.Aggregates(t.Context(), store.AggregateQuery{MovieID: "tt0000002", Analyzer: "absent", Now: now})
	if err != nil {
		t.Fatalf("aggregates without analyses: %v", err)
	}
	equal(t, "aspect months without analyses", got.AspectMonths, []store.AspectMonth{})
	if got.MostHelpfulPositive != nil || got.MostHelpfulNegative != nil {
		t.Errorf("most helpful reviews without analyses = %v, %v, want none", got.MostHelpfulPositive, got.MostHelpfulNegative)
	}

	_, err = s.Aggregates(t.Context(), store.AggregateQuery{MovieID: "tt9999999", Analyzer: "lexicon", Now: now})
	notFound(t, "aggregates of unknown movie", err)
	if _, err := s.Aggregates(t.Context(), store.AggregateQuery{MovieID: "tt0000001", Bucket: "year"}); err == nil {
		t.Errorf("aggregates by year: no error, want one naming the bucket")
	}
}

func helpfulSummary(h *store.HelpfulReview) string {
	if h == nil {
		return "none"
	}
	sign := "+"
	if h.Overall < 0 {
		sign = "-"
		h.Overall = -h.Overall
	}
	return h.Review.ID + " " + sign + string(rune('0'+h.Overall)) + " " + h.Evidence
}

func testDailyReviewCounts(t *testing.T, s store.Store) {
	storeAggregateReviews(t, s)
	got, err := s.DailyReviewCounts(t.Context(), []string{"tt0000001", "tt0000002", "tt9999999"}, day(2025, 1, 31).Add(5*time.Hour))
	if err != nil {
		t.Fatalf("daily review counts: %v", err)
	}
	equal(t, "daily review counts", got, map[string][]store.DayCount{
		"tt0000001": {{Day: day(2025, 1, 31), Reviews: 1}, {Day: day(2025, 3, 1), Reviews: 1}, {Day: day(2025, 3, 3), Reviews: 1}},
		"tt0000002": {{Day: day(2025, 3, 2), Reviews: 1}},
	})

	got, err = s.DailyReviewCounts(t.Context(), nil, day(2025, 1, 1))
	if err != nil {
		t.Fatalf("daily review counts of no movie: %v", err)
	}
	equal(t, "daily review counts of no movie", got, map[string][]store.DayCount{})
}
