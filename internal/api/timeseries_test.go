package api_test

import (
	"math"
	"net/http"
	"strings"
	"testing"
)

type timeBucket struct {
	Start             string   `json:"start"`
	Reviews           int      `json:"reviews"`
	RatedReviews      int      `json:"rated_reviews"`
	AverageRating     *float64 `json:"average_rating"`
	CumulativeRated   int      `json:"cumulative_rated_reviews"`
	CumulativeAverage *float64 `json:"cumulative_average_rating"`
}

type aspectMonth struct {
	Month     string  `json:"month"`
	Mentioned int     `json:"mentioned"`
	Average   float64 `json:"average"`
}

type timeSeries struct {
	MovieID     string                   `json:"movie_id"`
	Analyzer    string                   `json:"analyzer"`
	Bucket      string                   `json:"bucket"`
	NewLastDay  int                      `json:"new_last_day"`
	NewLastWeek int                      `json:"new_last_week"`
	Buckets     []timeBucket             `json:"buckets"`
	Aspects     map[string][]aspectMonth `json:"aspects"`
}

func near(got *float64, want float64) bool {
	return got != nil && math.Abs(*got-want) < 1e-9
}

// TestTimeSeriesMonthly checks the monthly series of the seeded movie
// against figures worked out by hand from webtest's sample reviews.
func TestTimeSeriesMonthly(t *testing.T) {
	f := newFixture(t)
	response, body := f.do(t, http.MethodGet, "/api/v1/movies/tt0013442/timeseries", "")
	if response.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", response.StatusCode, body)
	}
	checkKeys(t, "time series", decode[map[string]any](t, body),
		[]string{"movie_id", "analyzer", "bucket", "new_last_day", "new_last_week", "buckets", "aspects"})
	got := decode[timeSeries](t, body)
	if got.MovieID != "tt0013442" || got.Bucket != "month" || got.Analyzer != "lexicon" {
		t.Errorf("movie %q, bucket %q, analyzer %q; want tt0013442, month, lexicon", got.MovieID, got.Bucket, got.Analyzer)
	}

	want := []struct {
		start               string
		reviews, rated      int
		average             float64
		cumulativeRated     int
		cumulativeRatingSum float64
	}{
		{"2024-01-01", 2, 2, 8.5, 2, 17},
		{"2024-02-01", 2, 2, 5.5, 4, 28},
		{"2024-04-01", 3, 2, 8, 6, 44},
		{"2024-05-01", 2, 2, 8.5, 8, 61},
		{"2024-06-01", 3, 3, 7, 11, 82},
	}
	if len(got.Buckets) != len(want) {
		t.Fatalf("%d buckets, want %d (March has no review): %+v", len(got.Buckets), len(want), got.Buckets)
	}
	for i, w := range want {
		b := got.Buckets[i]
		if b.Start != w.start || b.Reviews != w.reviews || b.RatedReviews != w.rated || !near(b.AverageRating, w.average) ||
			b.CumulativeRated != w.cumulativeRated || !near(b.CumulativeAverage, w.cumulativeRatingSum/float64(w.cumulativeRated)) {
			t.Errorf("bucket %d = %+v; want %+v", i, b, w)
		}
	}

	for _, name := range aspectNames {
		if _, ok := got.Aspects[name]; !ok {
			t.Errorf("aspect %q missing from aspects %v", name, got.Aspects)
		}
	}
	if overall := got.Aspects["overall"]; len(overall) == 0 || overall[0] != (aspectMonth{"2024-01", 2, 1.5}) {
		t.Errorf("overall months = %+v; want January first with 2 mentions averaging 1.5", overall)
	}
	if sound := got.Aspects["sound"]; len(sound) != 3 || sound[0] != (aspectMonth{"2024-01", 1, 2}) {
		t.Errorf("sound months = %+v; want January, May and June, January with 1 mention of +2", sound)
	}
}

func TestTimeSeriesBuckets(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		bucket      string
		first       string
		bucketCount int
	}{
		{"day", "2024-01-05", 12},
		{"week", "2024-01-01", 12},
		{"month", "2024-01-01", 5},
	} {
		t.Run(tc.bucket, func(t *testing.T) {
			response, body := f.do(t, http.MethodGet, "/api/v1/movies/tt0013442/timeseries?bucket="+tc.bucket, "")
			if response.StatusCode != http.StatusOK {
				t.Fatalf("status %d: %s", response.StatusCode, body)
			}
			got := decode[timeSeries](t, body)
			if got.Bucket != tc.bucket || len(got.Buckets) != tc.bucketCount || got.Buckets[0].Start != tc.first {
				t.Errorf("bucket %q with %d buckets starting %+v; want %q, %d, first %s",
					got.Bucket, len(got.Buckets), got.Buckets[0], tc.bucket, tc.bucketCount, tc.first)
			}
			total := 0
			for _, b := range got.Buckets {
				total += b.Reviews
			}
			if total != f.seeded.Reviews {
				t.Errorf("buckets contain %d reviews, want %d", total, f.seeded.Reviews)
			}
		})
	}
}

type aspectSummary struct {
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Average     *float64 `json:"average"`
	Sentiment   string   `json:"sentiment"`
	Mentioned   int      `json:"mentioned"`
	Analyzed    int      `json:"analyzed"`
	Share       *float64 `json:"share"`
	Histogram   [5]int   `json:"histogram"`
}

func TestAspectSummaries(t *testing.T) {
	f := newFixture(t)
	response, body := f.do(t, http.MethodGet, "/api/v1/movies/tt0013442/aspects", "")
	if response.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", response.StatusCode, body)
	}
	got := decode[struct {
		MovieID  string          `json:"movie_id"`
		Analyzer string          `json:"analyzer"`
		Aspects  []aspectSummary `json:"aspects"`
	}](t, body)
	if len(got.Aspects) != len(aspectNames) {
		t.Fatalf("%d aspects, want %d: %+v", len(got.Aspects), len(aspectNames), got.Aspects)
	}
	for i, name := range aspectNames {
		a := got.Aspects[i]
		if a.Name != name || a.Description == "" || a.Analyzed != 11 {
			t.Errorf("aspect %d = %+v; want %s with a description and 11 analyzed reviews", i, a, name)
		}
		if want, ok := f.seeded.AspectAverages[name]; ok && !near(a.Average, want) {
			t.Errorf("%s average = %v, want %v", name, a.Average, want)
		}
	}

	// Sound: +2, +1, +2 and -2 among 11 analyzed reviews.
	sound := got.Aspects[3]
	if sound.Mentioned != 4 || sound.Histogram != [5]int{1, 0, 0, 1, 2} || !near(sound.Share, 4.0/11) || sound.Sentiment != "positive" {
		t.Errorf("sound = %+v; want 4 mentions, histogram [1 0 0 1 2], share 4/11, positive", sound)
	}
}

func TestAspectSummariesWithoutAnalyses(t *testing.T) {
	f := newFixture(t)
	response, body := f.do(t, http.MethodGet, "/api/v1/movies/tt0000002/aspects", "")
	if response.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", response.StatusCode, body)
	}
	for _, a := range decode[struct {
		Aspects []aspectSummary `json:"aspects"`
	}](t, body).Aspects {
		if a.Average != nil || a.Share != nil || a.Sentiment != "no data" || a.Analyzed != 0 {
			t.Errorf("aspect %+v of a movie without analyses; want null average and share, no data", a)
		}
	}
}

func TestTimeSeriesAndAspectErrors(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		target  string
		status  int
		message string
	}{
		{"/api/v1/movies/tt0013442/timeseries?bucket=year", http.StatusBadRequest, `invalid bucket "year"`},
		{"/api/v1/movies/tt0013442/timeseries?buckets=day", http.StatusBadRequest, `unknown parameter "buckets"`},
		{"/api/v1/movies/tt9999999/timeseries", http.StatusNotFound, "tt9999999"},
		{"/api/v1/movies/nosferatu/timeseries", http.StatusBadRequest, "nosferatu"},
		{"/api/v1/movies/tt0013442/aspects?analyzer=openai", http.StatusBadRequest, `unknown parameter "analyzer"`},
		{"/api/v1/movies/tt9999999/aspects", http.StatusNotFound, "tt9999999"},
	} {
		t.Run(tc.target, func(t *testing.T) {
			response, body := f.do(t, http.MethodGet, tc.target, "")
			message := decode[map[string]string](t, body)["error"]
			if response.StatusCode != tc.status || !strings.Contains(message, tc.message) {
				t.Errorf("status %d, error %q; want %d naming %s", response.StatusCode, message, tc.status, tc.message)
			}
		})
	}
}
