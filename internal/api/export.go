package api

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/reelpulse/reelpulse/internal/analyze"
	"github.com/reelpulse/reelpulse/internal/store"
)

// exportBatch is the number of reviews read from the store at a time.
const exportBatch = 500

// parquetRowGroup is the number of rows after which a Parquet export
// flushes a row group, bounding the memory that the writer buffers.
const parquetRowGroup = 10_000

// exportFormats maps each export format to its Content-Type and file suffix.
var exportFormats = map[string]struct{ contentType, suffix string }{
	"csv":     {"text/csv; charset=utf-8", "csv"},
	"jsonl":   {"application/jsonl", "jsonl"},
	"parquet": {"application/vnd.apache.parquet", "parquet"},
}

// exportColumns are the review columns of CSV and Parquet exports, before
// the two columns of each aspect: <aspect>_score and <aspect>_evidence.
var exportColumns = []string{"id", "movie_id", "author_name", "author_id", "title", "text", "rating",
	"spoiler", "submitted_at", "helpful_up", "helpful_down", "edited_at", "analyzed"}

// exportRow is one exported review with the analyzer's result. The scores
// are nil when the review's current text has no result.
type exportRow struct {
	review   store.Review
	analyzed bool
	scores   map[string]*int
	evidence map[string]string
}

// rowWriter writes one export format.
type rowWriter interface {
	write(row exportRow) error
	close() error
}

func (s *server) exportReviews(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	query := r.URL.Query()
	filter, err := s.reviewFilter(query, id, append(slices.Clone(filterParameters), "format"))
	format := query.Get("format")
	if _, ok := exportFormats[format]; err == nil && !ok {
		err = invalid("format", format, "use one of csv, jsonl, parquet")
	}
	if writeParameterError(w, err) {
		return
	}
	if !s.movieExists(w, r, id) {
		return
	}

	kind := exportFormats[format]
	h := w.Header()
	h.Set("Content-Type", kind.contentType)
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-reviews.%s"`, id, kind.suffix))
	aspects := analyze.Names(s.aspects)
	writer := newRowWriter(format, w, aspects)

	if err := s.streamReviews(r, filter, aspects, writer); err != nil {
		// The status is sent: abort the response so that the client sees
		// a broken transfer rather than a complete-looking file.
		s.logger.Error("Review export failed", "movie_id", id, "format", format, "error", err)
		panic(http.ErrAbortHandler)
	}
}

// streamReviews writes every review that the filter selects, a batch at a
// time, and closes the writer.
func (s *server) streamReviews(r *http.Request, filter store.ReviewFilter, aspects []string, writer rowWriter) error {
	filter.Limit = exportBatch
	for {
		page, err := s.store.QueryReviews(r.Context(), filter)
		if err != nil {
			return fmt.Errorf("query reviews: %w", err)
		}
		analyses, err := s.store.ReviewAnalyses(r.Context(), s.analyzer, reviewIDs(page.Reviews))
		if err != nil {
			return fmt.Errorf("load %s analyses: %w", s.analyzer, err)
		}

		for _, review := range page.Reviews {
			j := newReviewJSON(review, analyses, aspects)
			row := exportRow{review: review, analyzed: j.Aspects != nil, scores: j.Aspects, evidence: j.Evidence}
			if err := writer.write(row); err != nil {
				return fmt.Errorf("write review %s: %w", review.ID, err)
			}
		}
		if page.Next == nil {
			return writer.close()
		}
		filter.After = page.Next
	}
}

func newRowWriter(format string, w io.Writer, aspects []string) rowWriter {
	switch format {
	case "csv":
		return newCSVWriter(w, aspects)
	case "parquet":
		return newParquetWriter(w, aspects)
	default:
		return &jsonlWriter{encoder: json.NewEncoder(w), aspects: aspects}
	}
}

type csvWriter struct {
	csv     *csv.Writer
	aspects []string
	header  bool
}

func newCSVWriter(w io.Writer, aspects []string) *csvWriter {
	return &csvWriter{csv: csv.NewWriter(w), aspects: aspects}
}

func (c *csvWriter) write(row exportRow) error {
	if !c.header {
		c.header = true
		if err := c.csv.Write(exportHeader(c.aspects)); err != nil {
			return err
		}
	}

	r := row.review
	record := []string{r.ID, r.MovieID, r.AuthorName, r.AuthorID, r.Title, r.Text, optionalNumber(r.Rating),
		strconv.FormatBool(r.Spoiler), r.SubmittedAt.UTC().Format(time.DateOnly),
		strconv.Itoa(r.HelpfulUp), strconv.Itoa(r.HelpfulDown), derefString(optionalTime(r.EditedAt)),
		strconv.FormatBool(row.analyzed)}
	for _, aspect := range c.aspects {
		record = append(record, optionalNumber(row.scores[aspect]), row.evidence[aspect])
	}
	return c.csv.Write(record)
}

func (c *csvWriter) close() error {
	if !c.header {
		c.header = true
		if err := c.csv.Write(exportHeader(c.aspects)); err != nil {
			return err
		}
	}
	c.csv.Flush()
	return c.csv.Error()
}

// exportHeader names the CSV and Parquet columns.
func exportHeader(aspects []string) []string {
	header := slices.Clone(exportColumns)
	for _, aspect := range aspects {
		header = append(header, aspect+"_score", aspect+"_evidence")
	}
	return header
}

func optionalNumber(n *int) string {
	if n == nil {
		return ""
	}
	return strconv.Itoa(*n)
}

func derefString(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// jsonlWriter writes one review object per line, as in the review list.
type jsonlWriter struct {
	encoder *json.Encoder
	aspects []string
}

func (j *jsonlWriter) write(row exportRow) error {
	review := newReviewJSON(row.review, nil, j.aspects)
	review.Aspects, review.Evidence = row.scores, row.evidence
	return j.encoder.Encode(review)
}

func (j *jsonlWriter) close() error { return nil }

// parquetWriter writes a Parquet file whose schema has the export columns,
// with null for unknown values.
type parquetWriter struct {
	writer  *parquet.GenericWriter[map[string]any]
	aspects []string
	rows    int
}

func newParquetWriter(w io.Writer, aspects []string) *parquetWriter {
	group := parquet.Group{
		"id":           parquet.String(),
		"movie_id":     parquet.String(),
		"author_name":  parquet.String(),
		"author_id":    parquet.Optional(parquet.String()),
		"title":        parquet.String(),
		"text":         parquet.String(),
		"rating":       parquet.Optional(parquet.Int(32)),
		"spoiler":      parquet.Leaf(parquet.BooleanType),
		"submitted_at": parquet.Date(),
		"helpful_up":   parquet.Int(32),
		"helpful_down": parquet.Int(32),
		"edited_at":    parquet.Optional(parquet.Timestamp(parquet.Microsecond)),
		"analyzed":     parquet.Leaf(parquet.BooleanType),
	}
	for _, aspect := range aspects {
		group[aspect+"_score"] = parquet.Optional(parquet.Int(32))
		group[aspect+"_evidence"] = parquet.Optional(parquet.String())
	}
	schema := parquet.NewSchema("review", group)
	return &parquetWriter{writer: parquet.NewGenericWriter[map[string]any](w, schema), aspects: aspects}
}

func (p *parquetWriter) write(row exportRow) error {
	r := row.review
	values := map[string]any{
		"id":           r.ID,
		"movie_id":     r.MovieID,
		"author_name":  r.AuthorName,
		"author_id":    nilIfEmpty(r.AuthorID),
		"title":        r.Title,
		"text":         r.Text,
		"rating":       int32Value(r.Rating),
		"spoiler":      r.Spoiler,
		"submitted_at": int32(r.SubmittedAt.UTC().Unix() / 86400),
		"helpful_up":   int32(r.HelpfulUp),
		"helpful_down": int32(r.HelpfulDown),
		"edited_at":    nil,
		"analyzed":     row.analyzed,
	}
	if r.EditedAt != nil {
		values["edited_at"] = new(r.EditedAt.UTC().UnixMicro())
	}
	for _, aspect := range p.aspects {
		values[aspect+"_score"] = int32Value(row.scores[aspect])
		values[aspect+"_evidence"] = nilIfEmpty(row.evidence[aspect])
	}
	if _, err := p.writer.Write([]map[string]any{values}); err != nil {
		return err
	}

	if p.rows++; p.rows%parquetRowGroup == 0 {
		return p.writer.Flush()
	}
	return nil
}

func (p *parquetWriter) close() error { return p.writer.Close() }

// int32Value returns a pointer for a known value: the writer stores a
// zero non-pointer value of an optional column as null, which would turn a
// neutral score into "not mentioned".
func int32Value(n *int) any {
	if n == nil {
		return nil
	}
	return new(int32(*n))
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
