package replay

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// Synthetic generates a movie with n reviews from seed. The same arguments
// always give the same Movie. Texts are built from sentences about plot,
// acting, visuals, sound and themes with mixed opinions, and ratings lean
// towards 7 to 9 as on IMDb. Review and user ids are derived from the digits
// of id and the review's position, so they stay unique across titles for n
// below one million.
func Synthetic(id string, n int, seed int64) Movie {
	random := rand.New(rand.NewPCG(uint64(seed), titleNumber(id)))
	release := time.Date(1950+random.IntN(75), time.Month(1+random.IntN(12)), 1+random.IntN(28), 0, 0, 0, 0, time.UTC)

	movie := Movie{
		ID:          id,
		Title:       "Replay Feature " + strings.TrimPrefix(id, "tt"),
		Year:        release.Year(),
		ReleaseDate: release,
		RatingCount: int64(n)*37 + int64(random.IntN(5000)),
		Reviews:     make([]Review, n),
	}

	ratingSum, rated := 0, 0
	for i := range movie.Reviews {
		review := syntheticReview(random, id, i)
		if review.Rating != nil {
			ratingSum += *review.Rating
			rated++
		}
		movie.Reviews[i] = review
	}
	movie.AggregateRating = 7.0
	if rated > 0 {
		movie.AggregateRating = float64(ratingSum) / float64(rated)
	}
	return movie
}

// titleNumber returns the number in a title id, or a hash of the id when it
// has none.
func titleNumber(id string) uint64 {
	if number, err := strconv.ParseUint(strings.TrimPrefix(id, "tt"), 10, 64); err == nil {
		return number
	}
	hash := fnv.New64a()
	_, _ = hash.Write([]byte(id))
	return hash.Sum64() % 100_000_000
}

// syntheticRatings are drawn from uniformly, which skews ratings towards 7
// to 9. A zero means no rating.
var syntheticRatings = []int{0, 1, 2, 3, 4, 5, 6, 6, 7, 7, 7, 8, 8, 8, 8, 9, 9, 9, 10, 10}

func syntheticReview(random *rand.Rand, id string, index int) Review {
	number := titleNumber(id)
	review := Review{
		ID:         fmt.Sprintf("rw%d%06d", number, index),
		AuthorName: fmt.Sprintf("%s_%s%d", pick(random, syntheticAdjectives), pick(random, syntheticNouns), random.IntN(1000)),
		AuthorID:   fmt.Sprintf("ur%d%06d", number, index),
		Spoiler:    random.IntN(12) == 0,
		Date:       syntheticDate(random),
	}

	positive := random.IntN(2) == 0
	if rating := pick(random, syntheticRatings); rating != 0 {
		review.Rating = &rating
		positive = rating >= 6
	}
	review.Title = syntheticTitle(random, positive)
	review.Text = syntheticText(random, positive)

	review.Up = syntheticVotes(random)
	review.Down = random.IntN(review.Up/3 + 2)
	return review
}

func pick[T any](random *rand.Rand, values []T) T {
	return values[random.IntN(len(values))]
}

// syntheticDate returns a day between 2004-01-01 and 2026-06-30.
func syntheticDate(random *rand.Rand) string {
	first := time.Date(2004, time.January, 1, 0, 0, 0, 0, time.UTC)
	last := time.Date(2026, time.June, 30, 0, 0, 0, 0, time.UTC)
	days := int(last.Sub(first).Hours() / 24)
	return first.AddDate(0, 0, random.IntN(days+1)).Format(time.DateOnly)
}

// syntheticVotes returns helpful votes with a long tail: most reviews have a
// few, and about one in two hundred has more than a thousand.
func syntheticVotes(random *rand.Rand) int {
	if random.IntN(200) == 0 {
		return 1000 + random.IntN(2000)
	}
	return int(random.ExpFloat64() * 15)
}

func syntheticTitle(random *rand.Rand, positive bool) string {
	if positive {
		return pick(random, syntheticPositiveTitles)
	}
	return pick(random, syntheticNegativeTitles)
}

// syntheticText joins one to six sentences, mostly of the review's overall
// opinion, sometimes with paragraph breaks as IMDb's plaidHtml has them.
func syntheticText(random *rand.Rand, positive bool) string {
	count := 1 + random.IntN(6)
	sentences := make([]string, count)
	for i := range sentences {
		agrees := random.IntN(4) != 0
		if positive == agrees {
			sentences[i] = pick(random, syntheticPraise)
		} else {
			sentences[i] = pick(random, syntheticCriticism)
		}
	}

	separator := " "
	if count > 3 && random.IntN(3) == 0 {
		separator = "<br/><br/>"
	}
	return strings.Join(sentences, separator)
}

var syntheticAdjectives = []string{"quiet", "late", "silver", "northern", "patient", "restless", "old", "curious"}

var syntheticNouns = []string{"viewer", "critic", "owl", "projectionist", "reader", "traveler", "archivist", "fan"}

var syntheticPositiveTitles = []string{
	"A rewarding watch", "Better than I expected", "Still holds up", "Gripping from start to finish",
	"A small masterpiece", "Worth your evening", "Beautifully made",
}

var syntheticNegativeTitles = []string{
	"Not for me", "A chore to sit through", "Overrated", "Some good ideas, poorly done",
	"Style over substance", "I wanted to like it",
}

var syntheticPraise = []string{
	"The plot moves at a confident pace and never loses its thread.",
	"The characters feel like real people with real reasons.",
	"The lead actor gives a precise, haunting performance.",
	"The supporting cast is excellent across the board.",
	"The cinematography is gorgeous, full of deep shadows and careful framing.",
	"The sets and costumes make the period feel lived in.",
	"The score swells at exactly the right moments.",
	"The sound design makes every quiet scene tense.",
	"It&#39;s a thoughtful film about fear, grief and death.",
	"The themes of isolation and disease land hard today.",
	"The ending is earned and stays with you.",
}

var syntheticCriticism = []string{
	"The pacing drags badly in the middle hour.",
	"The plot has holes you could drive a truck through.",
	"The characters are thin and hard to care about.",
	"The acting is wooden and every line sounds rehearsed.",
	"The visuals are murky and the editing is choppy.",
	"The music is overbearing and tells you what to feel.",
	"The soundtrack mix buries half the spoken lines.",
	"Its ideas about fear and death never go beyond the obvious.",
	"The ending feels rushed and unearned.",
	"It&#39;s far too long for such a slight story.",
}
