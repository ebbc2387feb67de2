package replay

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"
)

// ExampleTitleID is the IMDb id of Nosferatu (1922), the public-domain film
// of the example data.
const ExampleTitleID = "tt0013442"

// nosferatuJSON holds 30 user reviews written for this project, not copied
// from IMDb. The rating and vote totals are made up as well.
//
//go:embed exampledata/nosferatu.json
var nosferatuJSON []byte

// exampleFile is the layout of the example data.
type exampleFile struct {
	ID              string   `json:"id"`
	Title           string   `json:"title"`
	OriginalTitle   string   `json:"original_title"`
	Year            int      `json:"year"`
	ReleaseDate     string   `json:"release_date"`
	AggregateRating float64  `json:"aggregate_rating"`
	RatingCount     int64    `json:"rating_count"`
	Reviews         []Review `json:"reviews"`
}

var exampleMovie = sync.OnceValues(func() (Movie, error) { return parseExample(nosferatuJSON) })

// SecondExampleTitleID is the IMDb id of The Awful Truth (1937), the
// second movie of Example, which the demo leaves for the user to add.
const SecondExampleTitleID = "tt0029583"

// awfulTruthJSON holds 14 user reviews written for this project, not
// copied from IMDb, like the rating and vote totals.
//
//go:embed exampledata/awful_truth.json
var awfulTruthJSON []byte

var secondExampleMovie = sync.OnceValues(func() (Movie, error) { return parseExample(awfulTruthJSON) })

// parseExample reads a file of example data.
func parseExample(data []byte) (Movie, error) {
	var file exampleFile
	if err := json.Unmarshal(data, &file); err != nil {
		return Movie{}, fmt.Errorf("invalid example data: %w", err)
	}
	release, err := time.Parse(time.DateOnly, file.ReleaseDate)
	if err != nil {
		return Movie{}, fmt.Errorf("invalid release_date in example data: %w", err)
	}

	return Movie{
		ID:                  file.ID,
		Title:               file.Title,
		OriginalTitle:       file.OriginalTitle,
		Year:                file.Year,
		ReleaseDate:         release,
		AggregateRating:     file.AggregateRating,
		RatingCount:         file.RatingCount,
		DeclaredReviewCount: len(file.Reviews),
		Reviews:             file.Reviews,
	}, nil
}

// ExampleMovie returns Nosferatu (1922) with its first n example reviews,
// most helpful first, and a declared review count of n. n is clamped to the
// 30 reviews available.
func ExampleMovie(n int) Movie {
	movie, err := exampleMovie()
	if err != nil {
		// The embedded file is checked by the package tests.
		panic(err)
	}

	n = min(max(n, 0), len(movie.Reviews))
	movie.Reviews = slices.Clone(movie.Reviews[:n])
	for i, review := range movie.Reviews {
		if review.Rating != nil {
			rating := *review.Rating
			movie.Reviews[i].Rating = &rating
		}
	}
	movie.DeclaredReviewCount = n
	return movie
}

// Example returns a Site with the pages of Nosferatu (1922) and all 30
// example reviews (a reviews page and two GraphQL pages), and of The Awful
// Truth (1937) with 14, so that a demo can add and compare a second movie.
func Example() *Site {
	site := NewSite()
	site.AddMovie(ExampleMovie(math.MaxInt))
	second, err := secondExampleMovie()
	if err != nil {
		// The embedded file is checked by the package tests.
		panic(err)
	}
	site.AddMovie(second)
	return site
}
