package webtest

import (
	"context"
	"encoding/base64"
	"fmt"
	"time"

	"github.com/reelpulse/reelpulse/internal/store"
)

// Sample movie ids that Seed stores.
const (
	// MovieID is the analyzed movie: Nosferatu (1922).
	MovieID = "tt0013442"
	// FailingMovieID is a tracked movie whose last check failed.
	FailingMovieID = "tt0000001"
	// PendingMovieID is a tracked movie that has never been checked.
	PendingMovieID = "tt0000002"
	// MaliciousReviewID is the review of MovieID whose text holds markup.
	MaliciousReviewID = "rw0000003"
	// UnanalyzedReviewID is the review of MovieID without an analysis.
	UnanalyzedReviewID = "rw0000012"
	// Analyzer names the analyzer of the seeded analyses.
	Analyzer = "lexicon"
)

// MaliciousText is the text of MaliciousReviewID.
const MaliciousText = `Great film <script>alert("xss")</script> <img src=x onerror=alert(1)>`

// Seeded describes what Seed stored, for assertions.
type Seeded struct {
	// Months is the number of calendar months from the first to the last
	// review of MovieID, empty months included.
	Months int
	// Reviews is the number of reviews of MovieID.
	Reviews int
	// AspectAverages maps each aspect with a score to its mean over the
	// analyzed reviews of MovieID.
	AspectAverages map[string]float64
}

type sampleReview struct {
	id      string
	date    string
	rating  int // 0 when unrated
	spoiler bool
	title   string
	text    string
	// scores lists storytelling, acting, visuals, sound, themes and overall.
	// The value 9 marks an aspect the review does not mention.
	scores [6]int
}

// sampleReviews span January to June 2024 with no review in March, so the
// monthly chart has six bars and one of them is empty.
var sampleReviews = []sampleReview{
	{"rw0000001", "2024-01-05", 9, false, "A masterpiece of shadows", "The shadows on the stairs still chill.\nSchreck is unforgettable.", [6]int{1, 2, 2, 9, 1, 2}},
	{"rw0000002", "2024-01-20", 8, false, "Creepy and beautiful", "Beautiful sets, a haunting score.", [6]int{9, 1, 2, 2, 9, 1}},
	{"rw0000003", "2024-02-02", 7, false, "Escaping test", MaliciousText, [6]int{9, 9, 9, 9, 9, 1}},
	{"rw0000004", "2024-02-14", 4, true, "Slow going", "The ending, when the sun rises, felt rushed to me. Pacing drags.", [6]int{-1, 0, 1, 9, 9, -1}},
	{"rw0000005", "2024-04-01", 10, false, "Essential", "Essential cinema with an iconic performance.", [6]int{2, 2, 1, 9, 2, 2}},
	{"rw0000006", "2024-04-11", 0, false, "No stars given", "I will not rate it, but the themes of plague are timely.", [6]int{9, 9, 9, 9, 2, 1}},
	{"rw0000007", "2024-04-30", 6, false, "Dated", "Some acting is stiff and the story is thin.", [6]int{-1, -1, 1, 9, 9, 0}},
	{"rw0000008", "2024-05-09", 9, false, "Still scary", "Orlok rising from the coffin is pure nightmare fuel.", [6]int{1, 2, 2, 1, 1, 2}},
	{"rw0000009", "2024-05-22", 8, false, "Great restoration", "The tinted restoration looks wonderful; the new score is lovely.", [6]int{9, 9, 2, 2, 9, 1}},
	{"rw0000010", "2024-06-03", 3, false, "Not for me", "Too slow and the music was grating.", [6]int{-1, 9, 9, -2, 9, -1}},
	{"rw0000011", "2024-06-15", 10, true, "Perfect", "Ellen's sacrifice gives the film its heart.", [6]int{2, 1, 2, 9, 2, 2}},
	{"rw0000012", "2024-06-28", 8, false, "Classic", "A classic everyone should see once.", [6]int{}},
}

var aspectOrder = [6]string{"storytelling", "acting", "visuals", "sound", "themes", store.Overall}

// Seed fills st through its public methods: the analyzed movie MovieID with
// twelve reviews and eleven analyses, FailingMovieID with a recorded error,
// and the never-checked PendingMovieID. now is the time of the last pass.
func Seed(ctx context.Context, st store.Store, now time.Time) (Seeded, error) {
	if err := seedMovie(ctx, st, now); err != nil {
		return Seeded{}, err
	}
	if err := seedOthers(ctx, st, now); err != nil {
		return Seeded{}, err
	}
	if err := seedAnalyses(ctx, st, now); err != nil {
		return Seeded{}, err
	}
	return Seeded{Months: 6, Reviews: len(sampleReviews), AspectAverages: expectedAverages()}, nil
}

func seedMovie(ctx context.Context, st store.Store, now time.Time) error {
	if _, err := st.TrackMovie(ctx, MovieID, now.Add(-48*time.Hour)); err != nil {
		return fmt.Errorf("track %s: %w", MovieID, err)
	}
	released := time.Date(1922, 3, 4, 0, 0, 0, 0, time.UTC)
	rating := 7.8
	ratings := int64(112345)
	declared := 15
	meta := store.MovieMetadata{
		Title:               "Nosferatu",
		OriginalTitle:       "Nosferatu, eine Symphonie des Grauens",
		Year:                1922,
		ReleaseDate:         &released,
		PosterURL:           Poster,
		AggregateRating:     &rating,
		RatingCount:         &ratings,
		DeclaredReviewCount: &declared,
	}
	if err := st.RecordCheck(ctx, MovieID, meta, now.Add(-3*time.Hour)); err != nil {
		return fmt.Errorf("record check of %s: %w", MovieID, err)
	}

	result := store.SyncResult{MovieID: MovieID, Complete: true, At: now.Add(-2 * time.Hour)}
	for _, r := range sampleReviews {
		review, err := r.review()
		if err != nil {
			return err
		}
		result.Upserts = append(result.Upserts, review)
		result.Seen = append(result.Seen, store.ReviewVotes{ReviewID: r.id, HelpfulUp: review.HelpfulUp, HelpfulDown: review.HelpfulDown})
	}
	if _, err := st.ApplySync(ctx, result); err != nil {
		return fmt.Errorf("apply sync of %s: %w", MovieID, err)
	}
	return nil
}

func (r sampleReview) review() (store.Review, error) {
	submitted, err := time.Parse("2006-01-02", r.date)
	if err != nil {
		return store.Review{}, fmt.Errorf("sample review %s: %w", r.id, err)
	}
	review := store.Review{
		ID:          r.id,
		MovieID:     MovieID,
		AuthorName:  "Reviewer " + r.id[len(r.id)-2:],
		AuthorID:    "ur000000" + r.id[len(r.id)-2:],
		Title:       r.title,
		Text:        r.text,
		Spoiler:     r.spoiler,
		SubmittedAt: submitted,
		HelpfulUp:   len(r.text) % 17,
		HelpfulDown: len(r.title) % 5,
		ContentHash: "hash-" + r.id,
	}
	if r.rating != 0 {
		rating := r.rating
		review.Rating = &rating
	}
	return review, nil
}

func seedOthers(ctx context.Context, st store.Store, now time.Time) error {
	for _, id := range []string{FailingMovieID, PendingMovieID} {
		if _, err := st.TrackMovie(ctx, id, now.Add(-time.Hour)); err != nil {
			return fmt.Errorf("track %s: %w", id, err)
		}
	}
	meta := store.MovieMetadata{Title: "Carmencita", Year: 1894}
	if err := st.RecordCheck(ctx, FailingMovieID, meta, now.Add(-50*time.Minute)); err != nil {
		return fmt.Errorf("record check of %s: %w", FailingMovieID, err)
	}
	message := "fetch reviews: IMDb returned 503 Service Unavailable, so the next pass retries"
	if err := st.RecordError(ctx, FailingMovieID, message, now.Add(-40*time.Minute)); err != nil {
		return fmt.Errorf("record error of %s: %w", FailingMovieID, err)
	}
	return nil
}

func seedAnalyses(ctx context.Context, st store.Store, now time.Time) error {
	var analyses []store.Analysis
	for _, r := range sampleReviews {
		if r.id == UnanalyzedReviewID {
			continue
		}
		analysis := store.Analysis{
			ReviewID:        r.id,
			Analyzer:        Analyzer,
			AnalyzerVersion: "1",
			ContentHash:     "hash-" + r.id,
			AnalyzedAt:      now.Add(-time.Hour),
		}
		for i, name := range aspectOrder {
			score := store.AspectScore{Aspect: name}
			if r.scores[i] != 9 {
				value := r.scores[i]
				score.Score = &value
				score.Evidence = r.title
			}
			analysis.Aspects = append(analysis.Aspects, score)
		}
		analyses = append(analyses, analysis)
	}
	if err := st.SaveAnalyses(ctx, analyses); err != nil {
		return fmt.Errorf("save analyses of %s: %w", MovieID, err)
	}
	return nil
}

func expectedAverages() map[string]float64 {
	sums := map[string]int{}
	counts := map[string]int{}
	for _, r := range sampleReviews {
		if r.id == UnanalyzedReviewID {
			continue
		}
		for i, name := range aspectOrder {
			if r.scores[i] != 9 {
				sums[name] += r.scores[i]
				counts[name]++
			}
		}
	}

	averages := map[string]float64{}
	for name, n := range counts {
		averages[name] = float64(sums[name]) / float64(n)
	}
	return averages
}

// Poster is a small SVG poster as a data URL, so that pages under test load
// no image from the network.
var Poster = "data:image/svg+xml;base64," + base64.StdEncoding.EncodeToString([]byte(
	`<svg xmlns="http://www.w3.org/2000/svg" width="160" height="237" viewBox="0 0 160 237">`+
		`<rect width="160" height="237" fill="#1d1d1d"/>`+
		`<circle cx="80" cy="90" r="42" fill="#3a3a3a"/>`+
		`<text x="80" y="200" fill="#e8e2d0" font-family="serif" font-size="20" text-anchor="middle">NOSFERATU</text>`+
		`</svg>`))
