package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/reelpulse/reelpulse/internal/imdb"
	"github.com/reelpulse/reelpulse/internal/store"
)

// maxPickerMovies is the number of tracked movies that the compare page's
// form lists as choices.
const maxPickerMovies = 200

// comparePageData is everything compare.html reads.
type comparePageData struct {
	// Columns has one entry per compared movie, in the order of the
	// request. It is empty when the page only shows the form.
	Columns []compareColumn
	Radar   chart
	Ratings chart
	Reviews chart
	// Alignment names the day 0 of each movie in the aligned charts.
	Alignment string
	// Error explains why the requested comparison cannot be shown.
	Error string
	// Options are the movies that the form offers, checked when requested.
	Options []compareOption
	// MoreMovies is the number of tracked movies left out of Options.
	MoreMovies int
}

// compareColumn is one movie of the comparison.
type compareColumn struct {
	Class     string // "movie-1" to "movie-4", the movie's colour and dashes
	Key       string // the colour and line of Class in words
	Name      string
	Movie     store.Movie
	Stats     store.MovieStats
	Overall   aspectView
	Aspects   []aspectView // the configured aspects, overall aside
	Analyzed  int
	DayZero   string // e.g. "Released 4 Mar 1922"
	ByRelease bool
}

// seriesKeys describe the lines of the classes movie-1 to movie-4 of the
// style sheet, which colour-blind readers can tell apart by their dashes
// and markers.
var seriesKeys = [maxCompared]string{
	"blue solid line with filled dots",
	"orange dashed line with open dots",
	"green dotted line with filled dots",
	"purple dash-dot line with open dots",
}

// compareOption is one checkbox of the compare form.
type compareOption struct {
	ID      string
	Name    string
	Year    int
	Checked bool
}

// compareRequestError is a compare request that names too few or too many
// movies, an invalid id or an unknown movie. Its message is fit to show.
type compareRequestError struct {
	Status  int
	Message string
}

func (e *compareRequestError) Error() string { return e.Message }

// compareIDs returns the ids of the values in order, without duplicates.
// Each value is an IMDb id or title URL.
func compareIDs(values []string) ([]string, error) {
	var ids []string
	for _, value := range values {
		if strings.TrimSpace(value) == "" {
			continue
		}
		id, err := imdb.ParseID(value)
		if err != nil {
			return nil, &compareRequestError{Status: http.StatusBadRequest,
				Message: fmt.Sprintf("%q is not an IMDb id: use tt followed by 7 to 10 digits, such as tt0013442.", value)}
		}
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// comparePage serves GET /compare?id=…&id=…: two to four movies side by
// side. Without id it shows only the form to pick them, with the movies of
// the with parameter already checked, as the movie page's "Compare with…"
// link requests.
func (s *server) comparePage(w http.ResponseWriter, r *http.Request) {
	query := r.URL.Query()
	ids, err := compareIDs(query["id"])
	if err == nil && len(ids) == 0 {
		var preset []string
		preset, err = compareIDs(query["with"])
		if err == nil {
			s.renderCompare(w, r, http.StatusOK, preset, comparePageData{})
			return
		}
	}
	if err == nil {
		switch {
		case len(ids) < minCompared:
			err = &compareRequestError{Status: http.StatusBadRequest,
				Message: fmt.Sprintf("Pick at least %d movies to compare; the request names only %s.", minCompared, ids[0])}
		case len(ids) > maxCompared:
			err = &compareRequestError{Status: http.StatusBadRequest,
				Message: fmt.Sprintf("Pick at most %d movies to compare; the request names %d.", maxCompared, len(ids))}
		}
	}

	var data comparePageData
	if err == nil {
		data, err = s.loadCompare(r.Context(), ids)
	}
	var requestErr *compareRequestError
	if errors.As(err, &requestErr) {
		s.logger.Debug("Compare page requested with invalid movies", "ids", query["id"], "error", err)
		s.renderCompare(w, r, requestErr.Status, ids, comparePageData{Error: requestErr.Message})
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.renderCompare(w, r, http.StatusOK, ids, data)
}

// renderCompare adds the form's choices to data, with the movies of
// checked ticked, and renders the page.
func (s *server) renderCompare(w http.ResponseWriter, r *http.Request, status int, checked []string, data comparePageData) {
	// NOTE: this reads every tracked movie to list the first
	// maxPickerMovies, as the movie list does. With 100,000 movies and
	// more, a paged store query would be needed.
	movies, err := s.listedMovies(r.Context(), wantsAllMovies(r))
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if len(movies) > maxPickerMovies {
		data.MoreMovies = len(movies) - maxPickerMovies
		movies = movies[:maxPickerMovies]
	}
	listed := map[string]bool{}
	for _, column := range data.Columns {
		data.Options = append(data.Options, compareOption{ID: column.Movie.ID, Name: column.Name, Year: column.Movie.Year, Checked: true})
		listed[column.Movie.ID] = true
	}
	for _, m := range movies {
		if !listed[m.ID] {
			data.Options = append(data.Options, compareOption{ID: m.ID, Name: displayTitle(m), Year: m.Year, Checked: slices.Contains(checked, m.ID)})
		}
	}

	title := "Compare movies"
	if len(data.Columns) > 0 {
		var names []string
		for _, column := range data.Columns {
			names = append(names, column.Name)
		}
		title = "Compare " + strings.Join(names, ", ")
	}
	s.render(w, r, status, "compare.html", title, data)
}

// loadCompare returns the comparison of the movies ids, two to four known
// movies. An unknown id returns a *compareRequestError.
func (s *server) loadCompare(ctx context.Context, ids []string) (comparePageData, error) {
	var data comparePageData
	var movies []comparedMovie
	daily := make([][]store.TimelineBucket, len(ids))
	longest := 0
	for i, id := range ids {
		movie, err := s.store.GetMovie(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return data, &compareRequestError{Status: http.StatusNotFound,
				Message: fmt.Sprintf("No movie with id %s is stored. Add it from the movie list, then compare it.", id)}
		}
		if err != nil {
			return data, fmt.Errorf("load movie %s: %w", id, err)
		}
		stats, err := s.store.Stats(ctx, id, s.analyzer)
		if err != nil {
			return data, fmt.Errorf("load statistics of movie %s: %w", id, err)
		}
		agg, err := s.store.Aggregates(ctx, store.AggregateQuery{MovieID: id, Analyzer: s.analyzer, Bucket: store.BucketDay, Now: s.now()})
		if err != nil {
			return data, fmt.Errorf("load daily aggregates of movie %s: %w", id, err)
		}
		daily[i] = agg.Timeline
		longest = max(longest, reviewSpan(agg.Timeline))

		column := compareColumn{Class: fmt.Sprintf("movie-%d", i+1), Key: seriesKeys[i], Name: displayTitle(movie), Movie: movie, Stats: stats}
		aspects := s.aspectViews(stats)
		for _, a := range aspects {
			column.Analyzed = max(column.Analyzed, a.Analyzed)
			if a.Name == store.Overall {
				column.Overall = a
			} else {
				column.Aspects = append(column.Aspects, a)
			}
		}
		data.Columns = append(data.Columns, column)
		movies = append(movies, comparedMovie{Class: column.Class, Name: column.Name, Aspects: aspects})
	}

	g := chooseGrouping(longest)
	for i := range ids {
		anchor, byRelease, err := s.dayZero(ctx, data.Columns[i].Movie)
		if err != nil {
			return data, err
		}
		movies[i].Aligned = alignTimeline(daily[i], g, anchor, byRelease)
		data.Columns[i].ByRelease = byRelease
		switch {
		case byRelease:
			data.Columns[i].DayZero = "Released " + anchor.Format("2 Jan 2006")
		case anchor.IsZero():
			data.Columns[i].DayZero = "No release date and no review yet"
		default:
			data.Columns[i].DayZero = "No release date: aligned by its first review, " + anchor.Format("2 Jan 2006")
		}
	}

	data.Radar = compareRadarChart(movies)
	data.Ratings = compareRatingChart(movies, g)
	data.Reviews = compareReviewsChart(movies, g)
	data.Alignment = alignmentText(movies) + "."
	return data, nil
}

// dayZero returns the day that the aligned charts count from: the movie's
// release day, or the day of its first review when the release date is
// unknown (the zero time when it has no review either).
func (s *server) dayZero(ctx context.Context, m store.Movie) (day time.Time, byRelease bool, err error) {
	if m.ReleaseDate != nil {
		return m.ReleaseDate.UTC().Truncate(24 * time.Hour), true, nil
	}
	page, err := s.store.QueryReviews(ctx, store.ReviewFilter{MovieID: m.ID, Sort: store.SortOldest, Limit: 1})
	if err != nil {
		return time.Time{}, false, fmt.Errorf("find the first review of movie %s: %w", m.ID, err)
	}
	if len(page.Reviews) == 0 {
		return time.Time{}, false, nil
	}
	return page.Reviews[0].SubmittedAt.UTC().Truncate(24 * time.Hour), false, nil
}
