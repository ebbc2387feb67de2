package store

import (
	"fmt"
	"time"
)

// Bucket is the width of the time buckets of a movie's timeline.
type Bucket string

// Timeline bucket widths. Weeks start on Monday, and every bucket is in UTC.
const (
	BucketDay   Bucket = "day"
	BucketWeek  Bucket = "week"
	BucketMonth Bucket = "month"
)

// ParseBucket returns the bucket named text, or an error that names the
// accepted values.
func ParseBucket(text string) (Bucket, error) {
	switch b := Bucket(text); b {
	case BucketDay, BucketWeek, BucketMonth:
		return b, nil
	}
	return "", fmt.Errorf("invalid bucket %q: use day, week or month", text)
}

// AggregateQuery selects the aggregates of one movie.
type AggregateQuery struct {
	MovieID  string
	Analyzer string // the analyzer whose results the aspect timeline reads
	Bucket   Bucket // width of Aggregates.Timeline buckets, month when empty
	// Now is the reference time of NewLastDay and NewLastWeek.
	Now time.Time
}

// Aggregates are a movie's time series and highlights, computed in SQL over
// the reviews that are not deleted and the analyzer's results for their
// current content.
type Aggregates struct {
	MovieID string
	Bucket  Bucket
	// Timeline holds one entry per bucket with at least one review, oldest
	// first.
	Timeline []TimelineBucket
	// AspectMonths holds the monthly mean of every aspect, Overall
	// included, ordered by aspect then month. Months where no review
	// mentions the aspect are left out.
	AspectMonths []AspectMonth
	// NewLastDay and NewLastWeek count reviews published on or after the
	// UTC day of Now minus 24 hours and minus 7 days, because publication
	// dates are whole days.
	NewLastDay  int
	NewLastWeek int
	// MostHelpfulPositive and MostHelpfulNegative are the reviews with the
	// most helpful votes among those whose overall score is above or below
	// zero. Among equal votes the greater id wins. Each is nil when no
	// review qualifies.
	MostHelpfulPositive *HelpfulReview
	MostHelpfulNegative *HelpfulReview
}

// TimelineBucket is the count and rating figures of one time bucket.
type TimelineBucket struct {
	Start         time.Time // UTC midnight of the bucket's first day
	Reviews       int
	RatedReviews  int
	AverageRating *float64 // mean rating of the bucket, nil when none is rated
	// CumulativeRated and CumulativeAverage cover every rated review up
	// to the end of the bucket.
	CumulativeRated   int
	CumulativeAverage *float64
}

// AspectMonth is the mean score of one aspect over the reviews of a month.
type AspectMonth struct {
	Aspect    string
	Month     time.Time // UTC midnight of the month's first day
	Mentioned int
	Average   float64
}

// HelpfulReview is a review with its overall score and evidence.
type HelpfulReview struct {
	Review   Review
	Overall  int
	Evidence string
}

// DayCount is the number of reviews published on one UTC day.
type DayCount struct {
	Day     time.Time
	Reviews int
}

// HistogramMean returns the number of scores in a histogram of scores
// -2..+2 and their mean, nil when there is none.
func HistogramMean(h [5]int) (int, *float64) {
	n, sum := 0, 0
	for i, count := range h {
		n += count
		sum += (i - 2) * count
	}
	if n == 0 {
		return 0, nil
	}
	mean := float64(sum) / float64(n)
	return n, &mean
}
