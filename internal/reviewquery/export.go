package reviewquery

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/reelpulse/reelpulse/internal/store"
)

// exportBatch is the number of reviews read from the store at a time.
const exportBatch = 500

// parquetRowGroup is the number of rows after which a Parquet export
// flushes a row group, bounding the memory that the writer buffers.
const parquetRowGroup = 10_000

// Format is an export format.
type Format struct {
	Name        string // the value of the format parameter, e.g. "csv"
	Label       string // the name shown to people, e.g. "CSV"
	ContentType string
}

// Formats lists the export formats in the order that the dashboard offers
// them.
var Formats = []Format{
	{"csv", "CSV", "text/csv; charset=utf-8"},
	{"jsonl", "JSONL", "application/jsonl"},
	{"parquet", "Parquet", "application/vnd.apache.parquet"},
}

// ParseFormat reads the format parameter, which is required.
func ParseFormat(query url.Values) (Format, error) {
	name := query.Get("format")
	for _, f := range Formats {
		if f.Name == name {
			return f, nil
		}
	}
	return Format{}, Invalid("format", name, "use one of csv, jsonl, parquet")
}

// SetHeaders sets the Content-Type of the format and a Content-Disposition
// that saves the export as <movie id>-reviews.<format>.
func (f Format) SetHeaders(h http.Header, movieID string) {
	h.Set("Content-Type", f.ContentType)
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-reviews.%s"`, movieID, f.Name))
}

// Source is the part of store.Store that an export reads.
type Source interface {
	QueryReviews(ctx context.Context, f store.ReviewFilter) (store.ReviewPage, error)
	ReviewAnalyses(ctx context.Context, analyzer string, reviewIDs []string) (map[string]store.Analysis, error)
}

// Review is a review with the analyzer's aspect scores, as the API lists it
// and as the JSONL export writes it. Aspects is null when the analyzer has
// not scored the review's current text. Otherwise it has every aspect, with
// null for an aspect that the review does not mention.
type Review struct {
	ID          string            `json:"id"`
	AuthorName  string            `json:"author_name"`
	AuthorID    *string           `json:"author_id"`
	Title       string            `json:"title"`
	Text        string            `json:"text"`
	Rating      *int              `json:"rating"`
	Spoiler     bool              `json:"spoiler"`
	SubmittedAt string            `json:"submitted_at"` // "2006-01-02"
	HelpfulUp   int               `json:"helpful_up"`
	HelpfulDown int               `json:"helpful_down"`
	EditedAt    *string           `json:"edited_at"`
	Aspects     map[string]*int   `json:"aspects"`
	Evidence    map[string]string `json:"evidence"` // sentence behind each score
}

// NewReview returns r with its result in analyses, when that result is for
// r's current content. aspects are the names that Aspects lists.
func NewReview(r store.Review, analyses map[string]store.Analysis, aspects []string) Review {
	review := Review{
		ID:          r.ID,
		AuthorName:  r.AuthorName,
		AuthorID:    optionalString(r.AuthorID),
		Title:       r.Title,
		Text:        r.Text,
		Rating:      r.Rating,
		Spoiler:     r.Spoiler,
		SubmittedAt: r.SubmittedAt.UTC().Format(time.DateOnly),
		HelpfulUp:   r.HelpfulUp,
		HelpfulDown: r.HelpfulDown,
		EditedAt:    optionalTime(r.EditedAt),
	}

	analysis, ok := analyses[r.ID]
	if !ok || !Current(analysis, r) {
		return review
	}
	review.Aspects = map[string]*int{}
	review.Evidence = map[string]string{}
	for _, name := range aspects {
		review.Aspects[name] = nil
	}
	for _, score := range analysis.Aspects {
		review.Aspects[score.Aspect] = score.Score
		if score.Score != nil && score.Evidence != "" {
			review.Evidence[score.Aspect] = score.Evidence
		}
	}
	return review
}

// Current reports whether a is the result for r's current content. A result
// without a content hash predates hashing and counts as current.
func Current(a store.Analysis, r store.Review) bool {
	return a.ContentHash == "" || a.ContentHash == r.ContentHash
}

func optionalString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func optionalTime(t *time.Time) *string {
	if t == nil {
		return nil
	}
	return new(t.UTC().Format(time.RFC3339))
}

// exportColumns are the review columns of CSV and Parquet exports, before
// the two columns of each aspect: <aspect>_score and <aspect>_evidence.
var exportColumns = []string{"id", "movie_id", "author_name", "author_id", "title", "text", "rating",
	"spoiler", "submitted_at", "helpful_up", "helpful_down", "edited_at", "analyzed"}

// Header names the CSV and Parquet columns of an export with the aspects.
func Header(aspects []string) []string {
	header := slices.Clone(exportColumns)
	for _, aspect := range aspects {
		header = append(header, aspect+"_score", aspect+"_evidence")
	}
	return header
}

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

// Export writes every review that the filter selects to w in the format,
// with the analyzer's scores of the aspects, reading the store a batch at
// a time. The filter's Limit, Offset and After are replaced. When it fails
// midway, w holds a truncated file: an HTTP handler should abort the
// response rather than end it normally.
func Export(ctx context.Context, src Source, analyzer string, filter store.ReviewFilter, aspects []string, format Format, w io.Writer) error {
	writer := NewWriter(format, w, aspects)
	if err := writer.WriteMovie(ctx, src, analyzer, filter); err != nil {
		return err
	}
	return writer.Close()
}

// Writer writes the reviews of one or more movies to one file.
type Writer struct {
	rows    rowWriter
	aspects []string
}

// NewWriter returns a writer of the format whose rows have the aspects.
func NewWriter(format Format, w io.Writer, aspects []string) *Writer {
	return &Writer{rows: newRowWriter(format.Name, w, aspects), aspects: aspects}
}

// WriteMovie writes every review that the filter selects, as Export does.
func (w *Writer) WriteMovie(ctx context.Context, src Source, analyzer string, filter store.ReviewFilter) error {
	filter.Limit, filter.Offset, filter.After, filter.CountTotal = exportBatch, 0, nil, false
	for {
		page, err := src.QueryReviews(ctx, filter)
		if err != nil {
			return fmt.Errorf("query reviews: %w", err)
		}
		ids := make([]string, len(page.Reviews))
		for i, r := range page.Reviews {
			ids[i] = r.ID
		}
		analyses, err := src.ReviewAnalyses(ctx, analyzer, ids)
		if err != nil {
			return fmt.Errorf("load %s analyses: %w", analyzer, err)
		}

		for _, review := range page.Reviews {
			j := NewReview(review, analyses, w.aspects)
			row := exportRow{review: review, analyzed: j.Aspects != nil, scores: j.Aspects, evidence: j.Evidence}
			if err := w.rows.write(row); err != nil {
				return fmt.Errorf("write review %s: %w", review.ID, err)
			}
		}
		if page.Next == nil {
			return nil
		}
		filter.After = page.Next
	}
}

// Close ends the file: for Parquet, it writes the footer.
func (w *Writer) Close() error { return w.rows.close() }

func newRowWriter(format string, w io.Writer, aspects []string) rowWriter {
	switch format {
	case "csv":
		return &csvWriter{csv: csv.NewWriter(w), aspects: aspects}
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

func (c *csvWriter) writeHeader() error {
	if c.header {
		return nil
	}
	c.header = true
	return c.csv.Write(Header(c.aspects))
}

func (c *csvWriter) write(row exportRow) error {
	if err := c.writeHeader(); err != nil {
		return err
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
	if err := c.writeHeader(); err != nil {
		return err
	}
	c.csv.Flush()
	return c.csv.Error()
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

// jsonlReview is a line of a JSONL export: the review as the API lists it,
// with its movie, so that a file can hold the reviews of several movies.
type jsonlReview struct {
	MovieID string `json:"movie_id"`
	Review
}

func (j *jsonlWriter) write(row exportRow) error {
	review := NewReview(row.review, nil, j.aspects)
	review.Aspects, review.Evidence = row.scores, row.evidence
	return j.encoder.Encode(jsonlReview{MovieID: row.review.MovieID, Review: review})
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
