package reviewquery

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/reelpulse/reelpulse/internal/store"
)

// movieColumns are the columns of a movies export, before the two columns
// of each aspect: <aspect>_average and <aspect>_mentioned.
var movieColumns = []string{"id", "title", "original_title", "year", "release_date", "imdb_rating",
	"imdb_rating_count", "declared_review_count", "scraped_review_count", "rated_review_count",
	"average_rating", "analyzed_review_count", "tracked", "added_at", "last_scraped_at",
	"last_full_scrape_at", "parked_at"}

// MovieWriter writes movies with their statistics to one file: a header row
// for CSV, one JSON object per line for JSONL, or a Parquet file.
type MovieWriter struct {
	aspects []string
	// headerWritten is set once the CSV header row is written.
	headerWritten bool
	csv           *csv.Writer
	json          *json.Encoder
	parquet       *parquet.GenericWriter[map[string]any]
}

// NewMovieWriter returns a writer of the format whose rows have the
// aspects' averages.
func NewMovieWriter(format Format, w io.Writer, aspects []string) *MovieWriter {
	m := &MovieWriter{aspects: aspects}
	switch format.Name {
	case "csv":
		m.csv = csv.NewWriter(w)
	case "parquet":
		group := parquet.Group{
			"id":                    parquet.String(),
			"title":                 parquet.Optional(parquet.String()),
			"original_title":        parquet.Optional(parquet.String()),
			"year":                  parquet.Optional(parquet.Int(32)),
			"release_date":          parquet.Optional(parquet.Date()),
			"imdb_rating":           parquet.Optional(parquet.Leaf(parquet.DoubleType)),
			"imdb_rating_count":     parquet.Optional(parquet.Int(64)),
			"declared_review_count": parquet.Optional(parquet.Int(32)),
			"scraped_review_count":  parquet.Int(32),
			"rated_review_count":    parquet.Int(32),
			"average_rating":        parquet.Optional(parquet.Leaf(parquet.DoubleType)),
			"analyzed_review_count": parquet.Int(32),
			"tracked":               parquet.Leaf(parquet.BooleanType),
			"added_at":              parquet.Timestamp(parquet.Microsecond),
			"last_scraped_at":       parquet.Optional(parquet.Timestamp(parquet.Microsecond)),
			"last_full_scrape_at":   parquet.Optional(parquet.Timestamp(parquet.Microsecond)),
			"parked_at":             parquet.Optional(parquet.Timestamp(parquet.Microsecond)),
		}
		for _, aspect := range aspects {
			group[aspect+"_average"] = parquet.Optional(parquet.Leaf(parquet.DoubleType))
			group[aspect+"_mentioned"] = parquet.Int(32)
		}
		m.parquet = parquet.NewGenericWriter[map[string]any](w, parquet.NewSchema("movie", group))
	default:
		m.json = json.NewEncoder(w)
	}
	return m
}

// MovieHeader names the CSV and Parquet columns of a movies export.
func MovieHeader(aspects []string) []string {
	header := append([]string{}, movieColumns...)
	for _, aspect := range aspects {
		header = append(header, aspect+"_average", aspect+"_mentioned")
	}
	return header
}

// movieValues returns the export values of a movie by column name, with
// nil for unknown values.
func movieValues(m store.Movie, stats store.MovieStats, aspects []string) map[string]any {
	values := map[string]any{
		"id":                    m.ID,
		"title":                 nilIfEmpty(m.Title),
		"original_title":        nilIfEmpty(m.OriginalTitle),
		"year":                  nil,
		"release_date":          nil,
		"imdb_rating":           nil,
		"imdb_rating_count":     nil,
		"declared_review_count": nil,
		"scraped_review_count":  stats.ScrapedReviewCount,
		"rated_review_count":    stats.RatedReviewCount,
		"average_rating":        nil,
		"analyzed_review_count": 0,
		"tracked":               m.Tracked,
		"added_at":              m.AddedAt,
		"last_scraped_at":       nil,
		"last_full_scrape_at":   nil,
		"parked_at":             nil,
	}
	if m.Year != 0 {
		values["year"] = m.Year
	}
	set := func(name string, ok bool, v any) {
		if ok {
			values[name] = v
		}
	}
	set("release_date", m.ReleaseDate != nil, derefTime(m.ReleaseDate))
	set("imdb_rating", m.AggregateRating != nil, derefFloat(m.AggregateRating))
	set("imdb_rating_count", m.RatingCount != nil, derefInt64(m.RatingCount))
	set("declared_review_count", m.DeclaredReviewCount != nil, derefInt(m.DeclaredReviewCount))
	set("average_rating", stats.AverageRating != nil, derefFloat(stats.AverageRating))
	set("last_scraped_at", m.ScrapedAt != nil, derefTime(m.ScrapedAt))
	set("last_full_scrape_at", m.FullScrapeAt != nil, derefTime(m.FullScrapeAt))
	set("parked_at", m.ParkedAt != nil, derefTime(m.ParkedAt))

	byName := map[string]store.AspectStats{}
	for _, a := range stats.Aspects {
		byName[a.Aspect] = a
		values["analyzed_review_count"] = max(values["analyzed_review_count"].(int), a.Analyzed)
	}
	for _, aspect := range aspects {
		a := byName[aspect]
		values[aspect+"_average"] = nil
		if a.Average != nil {
			values[aspect+"_average"] = *a.Average
		}
		values[aspect+"_mentioned"] = a.Mentioned
	}
	return values
}

func derefTime(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

func derefFloat(f *float64) float64 {
	if f == nil {
		return 0
	}
	return *f
}

func derefInt(n *int) int {
	if n == nil {
		return 0
	}
	return *n
}

func derefInt64(n *int64) int64 {
	if n == nil {
		return 0
	}
	return *n
}

// Write writes one movie with its statistics.
func (w *MovieWriter) Write(m store.Movie, stats store.MovieStats) error {
	values := movieValues(m, stats, w.aspects)
	switch {
	case w.csv != nil:
		return w.writeCSV(values)
	case w.parquet != nil:
		return w.writeParquet(values)
	}
	ordered := make(orderedObject, 0, len(values))
	for _, name := range MovieHeader(w.aspects) {
		v := values[name]
		if t, ok := v.(time.Time); ok {
			v = formatMovieTime(name, t)
		}
		ordered = append(ordered, field{name, v})
	}
	return w.json.Encode(ordered)
}

// formatMovieTime formats a date column as a date and the others as RFC
// 3339 times.
func formatMovieTime(column string, t time.Time) string {
	if column == "release_date" {
		return t.Format(time.DateOnly)
	}
	return t.Format(time.RFC3339)
}

func (w *MovieWriter) writeCSV(values map[string]any) error {
	header := MovieHeader(w.aspects)
	if !w.headerWritten {
		if err := w.csv.Write(header); err != nil {
			return err
		}
		w.headerWritten = true
	}
	record := make([]string, len(header))
	for i, name := range header {
		switch v := values[name].(type) {
		case nil:
		case string:
			record[i] = v
		case int:
			record[i] = strconv.Itoa(v)
		case int64:
			record[i] = strconv.FormatInt(v, 10)
		case float64:
			record[i] = strconv.FormatFloat(v, 'f', -1, 64)
		case bool:
			record[i] = strconv.FormatBool(v)
		case time.Time:
			record[i] = formatMovieTime(name, v)
		default:
			return fmt.Errorf("column %s: unexpected value %v", name, v)
		}
	}
	return w.csv.Write(record)
}

func (w *MovieWriter) writeParquet(values map[string]any) error {
	row := map[string]any{}
	for name, v := range values {
		switch v := v.(type) {
		case int:
			if name == "year" || name == "declared_review_count" {
				row[name] = new(int32(v))
			} else {
				row[name] = int32(v)
			}
		case int64:
			row[name] = new(v)
		case float64:
			row[name] = new(v)
		case time.Time:
			switch name {
			case "release_date":
				row[name] = new(int32(v.Unix() / 86400))
			case "added_at":
				row[name] = v.UnixMicro()
			default:
				row[name] = new(v.UnixMicro())
			}
		default:
			row[name] = v
		}
	}
	_, err := w.parquet.Write([]map[string]any{row})
	return err
}

// Close flushes the file: for Parquet, it writes the footer.
func (w *MovieWriter) Close() error {
	switch {
	case w.csv != nil:
		if !w.headerWritten {
			// An export of no movies still names its columns.
			if err := w.csv.Write(MovieHeader(w.aspects)); err != nil {
				return err
			}
		}
		w.csv.Flush()
		return w.csv.Error()
	case w.parquet != nil:
		return w.parquet.Close()
	}
	return nil
}

// orderedObject is a JSON object whose keys keep their order.
type orderedObject []field

type field struct {
	name  string
	value any
}

func (o orderedObject) MarshalJSON() ([]byte, error) {
	buf := []byte{'{'}
	for i, f := range o {
		if i > 0 {
			buf = append(buf, ',')
		}
		key, err := json.Marshal(f.name)
		if err != nil {
			return nil, err
		}
		value, err := json.Marshal(f.value)
		if err != nil {
			return nil, err
		}
		buf = append(append(append(buf, key...), ':'), value...)
	}
	return append(buf, '}'), nil
}
