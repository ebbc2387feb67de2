// Package perf seeds a store with a movie of many reviews, for the
// benchmarks that measure the server time of the dashboard and API calls
// (see docs/benchmarks.md). It writes through the store's own methods, so
// every derived table is kept as in production.
package perf

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/reelpulse/reelpulse/internal/analyze"
	"github.com/reelpulse/reelpulse/internal/analyze/lexicon"
	"github.com/reelpulse/reelpulse/internal/store"
)

// BigMovie is the id of the movie with most of the seeded reviews.
const BigMovie = "tt9000001"

// Now is the seeded data's present: the newest review is from the day
// before, and the handlers' clocks should return it.
var Now = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

// Size is the amount of data that Seed stores.
type Size struct {
	// Reviews is the number of reviews of BigMovie, deleted ones included.
	Reviews int
	// Years is the span of their submission days, ending the day before Now.
	Years int
	// SmallMovies is the number of other movies, with SmallReviews each.
	SmallMovies  int
	SmallReviews int
}

// Full is the size of the page benchmarks: 100,000 reviews of one movie
// over 10 years and five movies of 200 reviews.
var Full = Size{Reviews: 100_000, Years: 10, SmallMovies: 5, SmallReviews: 200}

// Fractions of the seeded reviews of BigMovie.
const (
	deletedShare = 0.02  // marked deleted by two complete passes without them
	editedShare  = 0.005 // edited after analysis, so that their analysis is stale
	spoilerShare = 0.1
	unratedShare = 0.12
)

// Texts for the text filter of the review explorer. SearchWord is in one
// filler sentence of six, and a review has about two filler sentences, so
// it appears in about three reviews in ten. RareSearch ends one text of
// the pool of 400 and matches about one review in 400. ShortSearch, of two
// letters, is too short for a trigram index.
const (
	SearchWord  = "lighthouse"
	RareSearch  = "(123)"
	ShortSearch = "ke"
)

// analyzeBatch is the number of analyses saved per SaveAnalyses call, as a
// review pass saves them in batches.
const analyzeBatch = 2000

// Seed stores the movies of size in s, which must be migrated and empty:
// the reviews through ApplySync, and the offline analyzer's results of
// every review through SaveAnalyses. It is deterministic.
func Seed(ctx context.Context, s store.Store, size Size) error {
	analyzer := lexicon.New()
	texts := newTextPool(analyzer)
	rng := rand.New(rand.NewPCG(1, 2))

	if err := seedMovie(ctx, s, analyzer, texts, rng, BigMovie, size.Reviews, size.Years, true); err != nil {
		return err
	}
	for _, id := range movieIDs(size)[1:] {
		if err := seedMovie(ctx, s, analyzer, texts, rng, id, size.SmallReviews, 2, false); err != nil {
			return err
		}
	}
	return nil
}

// movieIDs returns the ids of the movies that Seed stores, BigMovie first.
func movieIDs(size Size) []string {
	ids := []string{BigMovie}
	for i := range size.SmallMovies {
		ids = append(ids, fmt.Sprintf("tt90001%02d", i))
	}
	return ids
}

func seedMovie(ctx context.Context, s store.Store, analyzer *lexicon.Analyzer, texts *textPool, rng *rand.Rand,
	movieID string, count, years int, deletions bool) error {
	if _, err := s.TrackMovie(ctx, movieID, Now.AddDate(-years, 0, -1)); err != nil {
		return fmt.Errorf("track seeded movie %s: %w", movieID, err)
	}
	meta := store.MovieMetadata{Title: "Seeded movie " + movieID, Year: Now.Year() - years, DeclaredReviewCount: &count}
	if err := s.RecordCheck(ctx, movieID, meta, Now.Add(-time.Hour)); err != nil {
		return fmt.Errorf("record check of seeded movie %s: %w", movieID, err)
	}

	first := Now.AddDate(-years, 0, 0)
	days := int(Now.Sub(first).Hours() / 24)
	reviews := make([]store.Review, count)
	for i := range reviews {
		reviews[i] = texts.review(rng, movieID, i, first.AddDate(0, 0, rng.IntN(days)))
	}

	deleted := 0
	if deletions {
		deleted = int(float64(count) * deletedShare)
	}
	// The first reviews are stored alone and then left out of two complete
	// passes, which marks them deleted.
	if deleted > 0 {
		if err := sync(ctx, s, movieID, reviews[:deleted], false, Now.Add(-72*time.Hour)); err != nil {
			return err
		}
		for hours := range 2 {
			if err := sync(ctx, s, movieID, nil, true, Now.Add(time.Duration(hours-48)*time.Hour)); err != nil {
				return err
			}
		}
	}
	if err := sync(ctx, s, movieID, reviews[deleted:], false, Now.Add(-24*time.Hour)); err != nil {
		return err
	}

	if err := saveAnalyses(ctx, s, analyzer, texts, reviews); err != nil {
		return err
	}

	edited := make([]store.Review, 0, int(float64(count)*editedShare))
	for i := deleted; i < count && len(edited) < cap(edited); i += count / max(cap(edited), 1) {
		r := reviews[i]
		r.Text += " Edited: on a second viewing the ending works better."
		r.ContentHash += "-edited"
		if len(edited)%4 == 0 {
			r.SubmittedAt = r.SubmittedAt.AddDate(0, 0, 1)
		}
		edited = append(edited, r)
	}
	result := store.SyncResult{MovieID: movieID, Upserts: edited, At: Now.Add(-12 * time.Hour), ApplyEdits: true}
	if _, err := s.ApplySync(ctx, result); err != nil {
		return fmt.Errorf("store edits of seeded movie %s: %w", movieID, err)
	}
	return nil
}

// sync stores reviews as one review pass, which lists exactly them.
func sync(ctx context.Context, s store.Store, movieID string, reviews []store.Review, complete bool, at time.Time) error {
	seen := make([]store.ReviewVotes, len(reviews))
	for i, r := range reviews {
		seen[i] = store.ReviewVotes{ReviewID: r.ID, HelpfulUp: r.HelpfulUp, HelpfulDown: r.HelpfulDown}
	}
	result := store.SyncResult{MovieID: movieID, Upserts: reviews, Seen: seen, Complete: complete, At: at,
		Run: store.SyncRun{StartedAt: at.Add(-time.Minute), Fetched: len(reviews), New: len(reviews)}}
	if _, err := s.ApplySync(ctx, result); err != nil {
		return fmt.Errorf("store %d seeded reviews of movie %s: %w", len(reviews), movieID, err)
	}
	return nil
}

// saveAnalyses stores the analyzer's result of every review, deleted ones
// included, in batches.
func saveAnalyses(ctx context.Context, s store.Store, analyzer *lexicon.Analyzer, texts *textPool, reviews []store.Review) error {
	for start := 0; start < len(reviews); start += analyzeBatch {
		batch := reviews[start:min(start+analyzeBatch, len(reviews))]
		analyses := make([]store.Analysis, len(batch))
		for i, r := range batch {
			analyses[i] = store.Analysis{
				ReviewID:        r.ID,
				Analyzer:        analyzer.Name(),
				AnalyzerVersion: analyzer.Version(),
				ContentHash:     r.ContentHash,
				AnalyzedAt:      Now.Add(-20 * time.Hour),
				Aspects:         texts.scores(r),
			}
		}
		if err := s.SaveAnalyses(ctx, analyses); err != nil {
			return fmt.Errorf("save analyses of seeded reviews %d to %d: %w", start, start+len(batch), err)
		}
	}
	return nil
}

// textPool holds review texts built from sentences, each analyzed once by
// the offline analyzer, since analyzing 100,000 reviews would dominate the
// seeding time.
type textPool struct {
	texts   []string
	ratings []*int
	results [][]store.AspectScore
	byText  map[string]int
}

const poolSize = 400

var (
	praise = []string{
		"The acting is superb and the lead gives a moving, subtle performance.",
		"The cinematography is gorgeous, every frame looks like a painting.",
		"The score is haunting and the sound design pulls you into each scene.",
		"The story is gripping from start to finish, with a clever plot.",
		"Its themes of grief and hope are handled with real depth.",
		"The cast has wonderful chemistry and the dialogue sparkles.",
		"The visuals and the production design are stunning.",
	}
	criticism = []string{
		"The acting is wooden and the lead delivers every line flatly.",
		"The cinematography is murky and the effects look cheap.",
		"The music is intrusive and the sound mix drowns the dialogue.",
		"The plot is a mess, full of holes, and the pacing drags badly.",
		"The message is heavy-handed and the themes feel shallow.",
		"The script is clumsy and the characters are dull.",
	}
	filler = []string{
		"I saw it on a rainy Sunday with my family.",
		"It runs a little over two hours.",
		"The opening scene takes place in a small harbour town.",
		"Some friends recommended it to me years ago.",
		"A long shot of a " + SearchWord + " at dusk closes the film.",
		"I watched the restored version on a large screen.",
	}
)

func newTextPool(analyzer *lexicon.Analyzer) *textPool {
	rng := rand.New(rand.NewPCG(3, 4))
	p := &textPool{byText: map[string]int{}}
	inputs := make([]analyze.Input, 0, poolSize)
	for i := range poolSize {
		var rating *int
		if rng.Float64() >= unratedShare {
			rating = new(1 + rng.IntN(10))
		}
		good := rating == nil && rng.IntN(2) == 0 || rating != nil && *rating > 5
		var sentences []string
		for range 5 + rng.IntN(5) {
			switch n := rng.IntN(10); {
			case n < 3:
				sentences = append(sentences, filler[rng.IntN(len(filler))])
			case (n < 8) == good: // mostly the rating's side, sometimes the other
				sentences = append(sentences, praise[rng.IntN(len(praise))])
			default:
				sentences = append(sentences, criticism[rng.IntN(len(criticism))])
			}
		}
		text := strings.Join(sentences, " ") + fmt.Sprintf(" (%d)", i)
		p.texts = append(p.texts, text)
		p.ratings = append(p.ratings, rating)
		p.byText[text] = i
		inputs = append(inputs, analyze.Input{ReviewID: fmt.Sprint(i), Title: "Review", Text: text, Rating: rating})
	}

	p.results = make([][]store.AspectScore, poolSize)
	_ = analyzer.Analyze(context.Background(), inputs, func(results []analyze.Result) error {
		for i, r := range results {
			p.results[i] = r.Aspects
		}
		return nil
	})
	return p
}

// review returns review number i of the movie with a text of the pool.
func (p *textPool) review(rng *rand.Rand, movieID string, i int, submitted time.Time) store.Review {
	k := rng.IntN(poolSize)
	id := fmt.Sprintf("rw%s%07d", movieID[2:], i)
	// Helpful votes follow a long tail: most reviews get a few, some many.
	up := int(rng.ExpFloat64() * 12)
	if rng.IntN(100) == 0 {
		up += rng.IntN(5000)
	}
	return store.Review{
		ID:          id,
		MovieID:     movieID,
		AuthorName:  fmt.Sprintf("Viewer %d", i),
		AuthorID:    fmt.Sprintf("ur%08d", i),
		Title:       fmt.Sprintf("Review %d of %s", i, movieID),
		Text:        p.texts[k],
		Rating:      p.ratings[k],
		Spoiler:     rng.Float64() < spoilerShare,
		SubmittedAt: submitted,
		HelpfulUp:   up,
		HelpfulDown: int(rng.ExpFloat64() * 4),
		ContentHash: fmt.Sprintf("seed-%s-%d", id, k),
	}
}

// scores returns the offline analyzer's result of the review's pool text.
func (p *textPool) scores(r store.Review) []store.AspectScore {
	return p.results[p.byText[r.Text]]
}
