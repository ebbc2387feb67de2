package importer

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/reelpulse/reelpulse/internal/imdb"
	"github.com/reelpulse/reelpulse/internal/reviewquery"
	"github.com/reelpulse/reelpulse/internal/store"
)

// Reasons for skipping a row, as the summary counts them.
const (
	reasonMalformed     = "malformed row"
	reasonMovieID       = "invalid movie id"
	reasonReviewID      = "invalid review id"
	reasonRating        = "invalid rating"
	reasonScore         = "invalid score"
	reasonVotes         = "invalid vote count"
	reasonCount         = "invalid review count"
	reasonDate          = "invalid date"
	reasonUnknownMovie  = "unknown movie"
	reasonUnknownReview = "unknown review"
	reasonOtherMovie    = "review of another movie"
	reasonDuplicate     = "duplicate id"
	reasonEncoding      = "invalid text"
)

// rowError is the problem of one row, which is skipped.
type rowError struct {
	reason  string // one of the reason* constants
	message string
}

func (e *rowError) Error() string { return e.message }

func badRow(reason, format string, args ...any) *rowError {
	return &rowError{reason: reason, message: fmt.Sprintf(format, args...)}
}

// checkText rejects a value that the databases cannot store as text: bytes
// that are not UTF-8, as in a file saved as Latin-1 or Windows-1252, and
// the NUL character. SQLite would keep the bytes as they are, and
// PostgreSQL would abort the whole import.
func checkText(column, value string) error {
	if !utf8.ValidString(value) {
		i := invalidUTF8(value)
		return badRow(reasonEncoding, "%s is not UTF-8 text (byte 0x%02x at byte %d); save the file as UTF-8", column, value[i], i+1)
	}
	if i := strings.IndexByte(value, 0); i >= 0 {
		return badRow(reasonEncoding, "%s contains a NUL character at byte %d, which the database cannot store; remove it", column, i+1)
	}
	return nil
}

// invalidUTF8 returns the offset of the first byte of s that does not start
// a valid UTF-8 sequence.
func invalidUTF8(s string) int {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return i
			}
		}
	}
	return 0
}

// checkValues checks the values of a table row's columns with checkText, in
// the order of columns, and reports the first bad one.
func checkValues(values map[string]string, columns []string) error {
	for _, column := range columns {
		if err := checkText(column, values[column]); err != nil {
			return err
		}
	}
	return nil
}

// Columns of the Python tracker's tables that the import reads. Every one
// is required; other columns are ignored.
var (
	movieColumns     = []string{"movie_id", "title", "release_date", "nb_reviews", "scrapping_timestamp"}
	reviewColumns    = []string{"movie_id", "review_id", "author", "title", "text", "rating", "date", "upvotes", "downvotes"}
	sentimentColumns = []string{"review_id", "story", "acting", "visuals", "sounds", "values", "overall"}
)

// sentimentAspects maps the tracker's sentiment columns to reelpulse's
// aspects.
var sentimentAspects = []struct{ column, aspect string }{
	{"story", "storytelling"},
	{"acting", "acting"},
	{"visuals", "visuals"},
	{"sounds", "sound"},
	{"values", "themes"},
	{"overall", store.Overall},
}

// movieRow is a valid row of the movies table.
type movieRow struct {
	id      string
	meta    store.MovieMetadata
	scraped *time.Time // scrapping_timestamp; nil when empty
}

// parseMovie validates a row of the movies table.
func parseMovie(values map[string]string) (movieRow, error) {
	id, err := imdb.ParseID(values["movie_id"])
	if err != nil {
		return movieRow{}, badRow(reasonMovieID, "movie_id: %v", err)
	}
	m := movieRow{id: id, meta: store.MovieMetadata{Title: strings.TrimSpace(values["title"])}}

	if release := strings.TrimSpace(values["release_date"]); release != "" {
		day, year, err := parseReleaseDate(release)
		if err != nil {
			return movieRow{}, badRow(reasonDate, "release_date: %v", err)
		}
		m.meta.ReleaseDate, m.meta.Year = day, year
	}
	if count, ok, err := parseWhole(values["nb_reviews"]); err != nil || (ok && (count < 0 || count > math.MaxInt32)) {
		return movieRow{}, badRow(reasonCount, "nb_reviews %q is not a whole number from 0 to %d", values["nb_reviews"], math.MaxInt32)
	} else if ok {
		m.meta.DeclaredReviewCount = new(int(count))
	}
	if ts := strings.TrimSpace(values["scrapping_timestamp"]); ts != "" {
		at, err := parseTimestamp(ts)
		if err != nil {
			return movieRow{}, badRow(reasonDate, "scrapping_timestamp: %v", err)
		}
		m.scraped = &at
	}
	return m, nil
}

// parseReleaseDate reads a release date as a day, as IMDb displays it
// ("March 4, 1922", with or without a trailing "(Germany)"), or a bare year.
func parseReleaseDate(s string) (*time.Time, int, error) {
	if i := strings.Index(s, "("); i > 0 && strings.HasSuffix(s, ")") {
		s = strings.TrimSpace(s[:i])
	}
	if len(s) == 4 {
		if year, err := strconv.Atoi(s); err == nil && year >= 1870 && year <= 3000 {
			return nil, year, nil
		}
	}
	day, err := parseDay(s)
	if err != nil {
		return nil, 0, err
	}
	return &day, day.Year(), nil
}

// reviewRow is a valid review of either source.
type reviewRow struct {
	review store.Review
	// aspects holds the review's scores when the source has them: the
	// exported analysis of a JSONL review. Sentiment rows are separate.
	aspects  []store.AspectScore
	analyzed bool
}

// parseReview validates a row of the reviews_raw table.
func parseReview(values map[string]string) (reviewRow, error) {
	movieID, err := imdb.ParseID(values["movie_id"])
	if err != nil {
		return reviewRow{}, badRow(reasonMovieID, "movie_id: %v", err)
	}
	reviewID, err := parseReviewID(values["review_id"])
	if err != nil {
		return reviewRow{}, err
	}
	rating, err := parseRating(values["rating"])
	if err != nil {
		return reviewRow{}, err
	}
	day, err := parseDay(values["date"])
	if err != nil {
		return reviewRow{}, badRow(reasonDate, "date: %v", err)
	}
	up, err := parseVotes("upvotes", values["upvotes"])
	if err != nil {
		return reviewRow{}, err
	}
	down, err := parseVotes("downvotes", values["downvotes"])
	if err != nil {
		return reviewRow{}, err
	}

	r := store.Review{
		ID:          reviewID,
		MovieID:     movieID,
		AuthorName:  strings.TrimSpace(values["author"]),
		Title:       strings.TrimSpace(values["title"]),
		Text:        values["text"],
		Rating:      rating,
		SubmittedAt: day,
		HelpfulUp:   up,
		HelpfulDown: down,
	}
	return reviewRow{review: r}, nil
}

// parseReviewID checks a review id: "rw" and digits, in any letter case.
func parseReviewID(s string) (string, error) {
	id := strings.ToLower(strings.TrimSpace(s))
	digits, ok := strings.CutPrefix(id, "rw")
	if !ok || digits == "" || len(digits) > 15 || strings.Trim(digits, "0123456789") != "" {
		return "", badRow(reasonReviewID, "review_id %q is not rw followed by 1 to 15 digits, e.g. rw1234567", s)
	}
	return id, nil
}

// parseRating reads a rating of 1 to 10, written as an integer or, by
// pandas for a column with missing values, as a whole float ("8.0").
func parseRating(s string) (*int, error) {
	n, ok, err := parseWhole(s)
	if err != nil || (ok && (n < 1 || n > 10)) {
		return nil, badRow(reasonRating, "rating %q is not a whole number from 1 to 10 (leave it empty when the author gave none)", s)
	}
	if !ok {
		return nil, nil
	}
	return new(int(n)), nil
}

// parseScore reads a sentiment score of -2 to 2; empty means that the
// review does not mention the aspect.
func parseScore(column, s string) (*int, error) {
	n, ok, err := parseWhole(s)
	if err != nil || (ok && (n < -2 || n > 2)) {
		return nil, badRow(reasonScore, "%s %q is not a whole number from -2 to 2 (leave it empty when the aspect is not mentioned)", column, s)
	}
	if !ok {
		return nil, nil
	}
	return new(int(n)), nil
}

// parseVotes reads a helpful-vote count; empty counts as 0.
func parseVotes(column, s string) (int, error) {
	n, ok, err := parseWhole(s)
	if err != nil || n < 0 || n > math.MaxInt32 {
		return 0, badRow(reasonVotes, "%s %q is not a whole number from 0 to %d", column, s, math.MaxInt32)
	}
	if !ok {
		return 0, nil
	}
	return int(n), nil
}

// parseWhole reads an integer written as "8" or "8.0". ok is false for an
// empty value (null or NaN in the source).
func parseWhole(s string) (n int64, ok bool, err error) {
	s = strings.TrimSpace(s)
	if s == "" || strings.EqualFold(s, "nan") {
		return 0, false, nil
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, true, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return 0, false, fmt.Errorf("%q is not a whole number", s)
	}
	return int64(f), true, nil
}

// timestampLayouts are the timestamp forms that pandas, PostgreSQL and the
// Parquet reader write.
var timestampLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999Z07",
	"2006-01-02 15:04:05.999999999",
}

// parseTimestamp reads an ISO timestamp, in UTC when it has no offset, or
// a date, read as UTC midnight.
func parseTimestamp(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range timestampLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	if day, err := imdb.ParseDisplayDate(s); err == nil {
		return day, nil
	}
	return time.Time{}, fmt.Errorf("invalid timestamp %q: expected an ISO timestamp such as 2024-01-05 14:30:00", s)
}

// parseDay reads a day as an ISO date, an ISO timestamp (whose day as
// written counts) or a date as IMDb displays it ("5 January 2024", "Jan 5,
// 2024"), and returns UTC midnight of that day.
func parseDay(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, fmt.Errorf("the date is empty")
	}
	for _, layout := range timestampLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC), nil
		}
	}
	day, err := imdb.ParseDisplayDate(s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w, or an ISO timestamp", err)
	}
	return day, nil
}

// sentimentRow is a valid row of the reviews_sentiments table.
type sentimentRow struct {
	reviewID string
	aspects  []store.AspectScore
}

// parseSentiment validates a row of the reviews_sentiments table.
func parseSentiment(values map[string]string) (sentimentRow, error) {
	id, err := parseReviewID(values["review_id"])
	if err != nil {
		return sentimentRow{}, err
	}
	s := sentimentRow{reviewID: id}
	for _, c := range sentimentAspects {
		score, err := parseScore(c.column, values[c.column])
		if err != nil {
			return sentimentRow{}, err
		}
		s.aspects = append(s.aspects, store.AspectScore{Aspect: c.aspect, Score: score})
	}
	return s, nil
}

// exportLine is a line of reelpulse's JSONL review export: the review as
// the API lists it, with its movie.
type exportLine struct {
	MovieID string `json:"movie_id"`
	reviewquery.Review
}

// parseExportLine validates one line of reelpulse's JSONL review export.
// The review belongs to the line's movie_id, or to movieID (from the file
// name or --movie) when the line has none, as in older exports.
func parseExportLine(line []byte, movieID string) (reviewRow, error) {
	if err := checkText("the line", string(line)); err != nil {
		return reviewRow{}, err
	}
	var j exportLine
	if err := json.Unmarshal(line, &j); err != nil {
		return reviewRow{}, badRow(reasonMalformed, "not a review object of the JSONL export: %v", err)
	}
	return exportReview(j, movieID)
}

// exportReview validates a review of reelpulse's export, read from a JSONL
// line or from a row of a CSV or Parquet reviews file.
func exportReview(j exportLine, movieID string) (reviewRow, error) {
	if j.MovieID != "" {
		id, err := imdb.ParseID(j.MovieID)
		if err != nil {
			return reviewRow{}, badRow(reasonMovieID, "movie_id: %v", err)
		}
		movieID = id
	}
	if movieID == "" {
		return reviewRow{}, badRow(reasonMovieID, "the line has no movie_id: keep the file name that the export gives it (tt0013442-reviews.jsonl) or pass --movie")
	}
	id, err := parseReviewID(j.ID)
	if err != nil {
		return reviewRow{}, err
	}
	if j.Rating != nil && (*j.Rating < 1 || *j.Rating > 10) {
		return reviewRow{}, badRow(reasonRating, "rating %d is outside 1 to 10", *j.Rating)
	}
	day, err := time.Parse(time.DateOnly, j.SubmittedAt)
	if err != nil {
		return reviewRow{}, badRow(reasonDate, "submitted_at %q is not a date such as 2024-01-05", j.SubmittedAt)
	}
	if j.HelpfulUp < 0 || j.HelpfulDown < 0 {
		return reviewRow{}, badRow(reasonVotes, "helpful_up %d and helpful_down %d must not be negative", j.HelpfulUp, j.HelpfulDown)
	}
	// JSON decoding has replaced bytes that are not UTF-8, but an escaped
	// NUL (\u0000) comes through.
	texts := []struct{ name, value string }{{"author_name", j.AuthorName}, {"title", j.Title}, {"text", j.Text}}
	if j.AuthorID != nil {
		texts = append(texts, struct{ name, value string }{"author_id", *j.AuthorID})
	}
	for _, aspect := range sortedKeys(j.Evidence) {
		texts = append(texts, struct{ name, value string }{"evidence." + aspect, j.Evidence[aspect]})
	}
	for _, t := range texts {
		if err := checkText(t.name, t.value); err != nil {
			return reviewRow{}, err
		}
	}

	r := reviewRow{review: store.Review{
		ID:          id,
		MovieID:     movieID,
		AuthorName:  j.AuthorName,
		Title:       j.Title,
		Text:        j.Text,
		Rating:      j.Rating,
		Spoiler:     j.Spoiler,
		SubmittedAt: day,
		HelpfulUp:   j.HelpfulUp,
		HelpfulDown: j.HelpfulDown,
	}}
	if j.AuthorID != nil {
		r.review.AuthorID = *j.AuthorID
	}
	if j.Aspects == nil {
		return r, nil
	}
	r.analyzed = true
	for _, aspect := range sortedKeys(j.Aspects) {
		if err := checkText("aspects", aspect); err != nil {
			return reviewRow{}, err
		}
		score := j.Aspects[aspect]
		if score != nil && (*score < -2 || *score > 2) {
			return reviewRow{}, badRow(reasonScore, "aspects.%s %d is outside -2 to 2", aspect, *score)
		}
		a := store.AspectScore{Aspect: aspect, Score: score}
		if score != nil {
			a.Evidence = j.Evidence[aspect]
		}
		r.aspects = append(r.aspects, a)
	}
	return r, nil
}

// Columns of reelpulse's own CSV and Parquet export that the import reads.
// The reviews file has a score and an evidence column per aspect as well:
// <aspect>_score and <aspect>_evidence.
var (
	exportMovieColumns  = []string{"id", "title", "original_title", "year", "release_date", "imdb_rating", "imdb_rating_count", "declared_review_count"}
	exportReviewColumns = []string{"id", "movie_id", "author_name", "author_id", "title", "text", "rating", "spoiler",
		"submitted_at", "helpful_up", "helpful_down", "analyzed"}
)

// exportAspects returns the aspects of a reviews export's columns: those
// with an <aspect>_score column.
func exportAspects(columns []string) []string {
	var aspects []string
	for _, c := range columns {
		if aspect, ok := strings.CutSuffix(c, "_score"); ok && aspect != "" {
			aspects = append(aspects, aspect)
		}
	}
	return aspects
}

// exportAspectColumns names the score and evidence columns of the aspects.
func exportAspectColumns(aspects []string) []string {
	var columns []string
	for _, aspect := range aspects {
		columns = append(columns, aspect+"_score", aspect+"_evidence")
	}
	return columns
}

// parseExportRecord validates a row of reelpulse's CSV or Parquet reviews
// export, whose score columns are those of the aspects.
func parseExportRecord(values map[string]string, aspects []string) (reviewRow, error) {
	j := exportLine{MovieID: strings.TrimSpace(values["movie_id"])}
	if j.MovieID == "" {
		return reviewRow{}, badRow(reasonMovieID, "movie_id is empty: every row of a reviews export names its movie")
	}
	j.ID, j.AuthorName, j.Title, j.Text = values["id"], values["author_name"], values["title"], values["text"]
	if id := values["author_id"]; id != "" {
		j.AuthorID = &id
	}
	j.SubmittedAt = strings.TrimSpace(values["submitted_at"])

	var err error
	if j.Rating, err = parseRating(values["rating"]); err != nil {
		return reviewRow{}, err
	}
	if j.Spoiler, err = parseBool("spoiler", values["spoiler"]); err != nil {
		return reviewRow{}, err
	}
	if j.HelpfulUp, err = parseVotes("helpful_up", values["helpful_up"]); err != nil {
		return reviewRow{}, err
	}
	if j.HelpfulDown, err = parseVotes("helpful_down", values["helpful_down"]); err != nil {
		return reviewRow{}, err
	}

	analyzed, err := parseBool("analyzed", values["analyzed"])
	if err != nil {
		return reviewRow{}, err
	}
	if !analyzed {
		return exportReview(j, "")
	}
	j.Aspects, j.Evidence = map[string]*int{}, map[string]string{}
	for _, aspect := range aspects {
		if j.Aspects[aspect], err = parseScore(aspect+"_score", values[aspect+"_score"]); err != nil {
			return reviewRow{}, err
		}
		if evidence := values[aspect+"_evidence"]; evidence != "" {
			j.Evidence[aspect] = evidence
		}
	}
	return exportReview(j, "")
}

// parseBool reads true or false. An empty value is false.
func parseBool(column, s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "false", "0":
		return false, nil
	case "true", "1":
		return true, nil
	}
	return false, badRow(reasonMalformed, "%s %q is not true or false", column, s)
}

// parseExportMovie validates a movie of reelpulse's movies export, a row of
// the CSV or Parquet file or a JSONL line read as text values. The export's
// statistics, tracking state and times are not imported: reelpulse
// computes them from the reviews and the import.
func parseExportMovie(values map[string]string) (movieRow, error) {
	id, err := imdb.ParseID(values["id"])
	if err != nil {
		return movieRow{}, badRow(reasonMovieID, "id: %v", err)
	}
	m := movieRow{id: id, meta: store.MovieMetadata{
		Title:         strings.TrimSpace(values["title"]),
		OriginalTitle: strings.TrimSpace(values["original_title"]),
	}}
	if year, ok, err := parseWhole(values["year"]); err != nil || (ok && (year < 1870 || year > 3000)) {
		return movieRow{}, badRow(reasonDate, "year %q is not a year from 1870 to 3000", values["year"])
	} else if ok {
		m.meta.Year = int(year)
	}
	if release := strings.TrimSpace(values["release_date"]); release != "" {
		day, err := parseDay(release)
		if err != nil {
			return movieRow{}, badRow(reasonDate, "release_date: %v", err)
		}
		m.meta.ReleaseDate = &day
		if m.meta.Year == 0 {
			m.meta.Year = day.Year()
		}
	}
	if s := strings.TrimSpace(values["imdb_rating"]); s != "" && !strings.EqualFold(s, "nan") {
		rating, err := strconv.ParseFloat(s, 64)
		if err != nil || !(rating >= 1 && rating <= 10) {
			return movieRow{}, badRow(reasonRating, "imdb_rating %q is not a number from 1 to 10", s)
		}
		m.meta.AggregateRating = &rating
	}
	if count, ok, err := parseWhole(values["imdb_rating_count"]); err != nil || (ok && count < 0) {
		return movieRow{}, badRow(reasonCount, "imdb_rating_count %q is not a whole number of 0 or more", values["imdb_rating_count"])
	} else if ok {
		m.meta.RatingCount = &count
	}
	if count, ok, err := parseWhole(values["declared_review_count"]); err != nil || (ok && (count < 0 || count > math.MaxInt32)) {
		return movieRow{}, badRow(reasonCount, "declared_review_count %q is not a whole number from 0 to %d", values["declared_review_count"], math.MaxInt32)
	} else if ok {
		m.meta.DeclaredReviewCount = new(int(count))
	}
	return m, nil
}

// exportMovieValues reads a line of the JSONL movies export as the text
// values that the CSV file of the same export contains.
func exportMovieValues(line []byte) (map[string]string, error) {
	if err := checkText("the line", string(line)); err != nil {
		return nil, err
	}
	decoder := json.NewDecoder(bytes.NewReader(line))
	decoder.UseNumber()
	var object map[string]any
	if err := decoder.Decode(&object); err != nil || object == nil {
		return nil, badRow(reasonMalformed, "not a movie object of the JSONL movies export: %v", cmp.Or(err, errors.New("the line is null")))
	}
	values := make(map[string]string, len(object))
	for name, v := range object {
		switch v := v.(type) {
		case nil:
			values[name] = ""
		case string:
			values[name] = v
		case json.Number:
			values[name] = v.String()
		case bool:
			values[name] = strconv.FormatBool(v)
		default:
			if slices.Contains(exportMovieColumns, name) {
				return nil, badRow(reasonMalformed, "%s is an object or a list, not a value", name)
			}
		}
	}
	return values, nil
}
