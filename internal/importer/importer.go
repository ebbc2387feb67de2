// Package importer loads reviews into the store from files: the tables of
// the original Python tracker (movies, reviews_raw and reviews_sentiments,
// as CSV or Parquet) and reelpulse's own JSONL review export.
//
// An import reads and validates every file before it writes anything. Rows
// that fail validation are reported with their file and line and skipped.
// An unreadable file, a missing column or a database error stops the
// import before the first write. The writes then go through the store's
// own transactional methods, one movie at a time (see Import).
package importer

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/reelpulse/reelpulse/internal/store"
	"github.com/reelpulse/reelpulse/internal/sync"
)

// Format is the format of an input file.
type Format string

// The formats that an import reads.
const (
	FormatCSV     Format = "csv"
	FormatParquet Format = "parquet"
	FormatJSONL   Format = "jsonl"
)

// ParseFormat checks a --format value; "" chooses by file extension.
func ParseFormat(s string) (Format, error) {
	switch f := Format(strings.ToLower(s)); f {
	case "", FormatCSV, FormatParquet, FormatJSONL:
		return f, nil
	}
	return "", fmt.Errorf("unknown format %q: use csv, parquet or jsonl, or leave it out to choose by file extension", s)
}

// DefaultAnalyzer is the analyzer name under which imported scores are
// stored, apart from the results of reelpulse's own analyzers.
const DefaultAnalyzer = "imported"

// Analyzer versions of imported results, which tell their source.
const (
	versionTracker = store.VersionImportedTracker
	versionExport  = store.VersionImportedExport
)

// ErrRowsSkipped is returned, wrapped, by a strict import that found rows
// to skip. Nothing is written then.
var ErrRowsSkipped = errors.New("rows failed validation")

// Options configure an import.
type Options struct {
	// Format overrides the format chosen by each file's extension.
	Format Format
	// Analyzer names the analyzer that imported scores are stored under;
	// empty means DefaultAnalyzer.
	Analyzer string
	// MovieID is the movie of JSONL files whose name does not start with
	// a title id, as the export's file name "tt0013442-reviews.jsonl" does.
	MovieID string
	// DryRun validates and counts without writing.
	DryRun bool
	// Strict makes any skipped row fail the import before it writes.
	Strict bool
	// Now returns the time of the writes; nil uses time.Now.
	Now func() time.Time
}

// Problem is a row that was skipped.
type Problem struct {
	File    string
	Pos     int    // the line in a CSV or JSONL file, the 1-based row in a Parquet file
	Reason  string // the kind of problem, e.g. "invalid rating"
	Message string
}

func (p Problem) String() string { return fmt.Sprintf("%s:%d: %s", p.File, p.Pos, p.Message) }

// Summary counts what an import did, or would do on a dry run.
type Summary struct {
	// DryRun is set when nothing was written: on a dry run, and when a
	// strict import found invalid rows.
	DryRun           bool
	Analyzer         string
	MoviesCreated    int
	MoviesUpdated    int // metadata changed
	MoviesUnchanged  int
	ReviewsNew       int
	ReviewsUpdated   int // content changed (title, text, rating or spoiler flag)
	ReviewsUnchanged int
	// VotesUpdated counts unchanged reviews whose helpful votes changed.
	VotesUpdated      int
	AnalysesStored    int
	AnalysesUnchanged int
	Problems          []Problem // skipped rows, in file order
}

// Skipped counts the skipped rows by reason.
func (s Summary) Skipped() map[string]int {
	counts := map[string]int{}
	for _, p := range s.Problems {
		counts[p.Reason]++
	}
	return counts
}

// Write prints the summary, one line per kind of record, with the skipped
// rows by reason.
func (s Summary) Write(w io.Writer) error {
	var b strings.Builder
	if s.DryRun {
		b.WriteString("nothing was written; the counts are what the import would do\n")
	}
	fmt.Fprintf(&b, "movies: %d created, %d updated, %d unchanged\n", s.MoviesCreated, s.MoviesUpdated, s.MoviesUnchanged)
	fmt.Fprintf(&b, "reviews: %d new, %d updated, %d unchanged (%d with new vote counts)\n",
		s.ReviewsNew, s.ReviewsUpdated, s.ReviewsUnchanged, s.VotesUpdated)
	fmt.Fprintf(&b, "analyses: %d stored, %d unchanged (analyzer %s)\n", s.AnalysesStored, s.AnalysesUnchanged, s.Analyzer)
	skipped := s.Skipped()
	fmt.Fprintf(&b, "skipped rows: %d", len(s.Problems))
	for i, reason := range slices.Sorted(maps.Keys(skipped)) {
		sep := ", "
		if i == 0 {
			sep = " ("
		}
		fmt.Fprintf(&b, "%s%s: %d", sep, reason, skipped[reason])
	}
	if len(skipped) > 0 {
		b.WriteString(")")
	}
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// kind is the table that a file holds.
type kind int

const (
	kindMovies kind = iota
	kindExportMovies
	kindReviews
	kindExportReviews
	kindSentiments
	kindExport
)

var kindNames = map[kind]string{kindMovies: "movies", kindExportMovies: "reelpulse movies export",
	kindReviews: "reviews_raw", kindExportReviews: "reelpulse reviews export",
	kindSentiments: "reviews_sentiments", kindExport: "JSONL review export"}

// origin is the file and line of a row.
type origin struct {
	file string
	pos  int
}

func (o origin) String() string { return fmt.Sprintf("%s:%d", o.file, o.pos) }

type stagedMovie struct {
	origin
	row movieRow
}

type stagedReview struct {
	origin
	row reviewRow
}

type stagedAnalysis struct {
	origin
	reviewID string
	version  string
	aspects  []store.AspectScore
}

// importer holds the rows of one import.
type importer struct {
	st       Store
	opts     Options
	now      time.Time
	summary  Summary
	movies   map[string]stagedMovie
	reviews  map[string]stagedReview
	analyses map[string]stagedAnalysis
	// sentiments are kept apart until every review is read, because the
	// files may come in any order.
	sentiments []stagedAnalysis
}

// Store is the part of the store that an import reads and writes.
type Store interface {
	store.Store
	store.Importer
}

// Import reads the files, validates every row and, unless opts.DryRun is
// set, writes the valid ones:
//
//   - movies are tracked when new (TrackMovie), and their title, release
//     date and declared review count are stored as a check (RecordCheck)
//     unless the store holds the same values or a later check;
//   - each movie's reviews are stored with one ApplySync, as a pass that
//     is not complete and applies edits, so that an import marks no review
//     deleted. A review whose content hash is unchanged keeps its text,
//     and only its votes are refreshed;
//   - sentiment scores are stored with SaveAnalyses under opts.Analyzer.
//
// Any error before the writes (an unreadable file, a missing column, a
// database read) returns without writing. All writes, in movie id order,
// go to the store in one transaction, so a database failure midway stores
// nothing either.
func Import(ctx context.Context, st Store, paths []string, opts Options) (Summary, error) {
	if opts.Analyzer == "" {
		opts.Analyzer = DefaultAnalyzer
	}
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	im := &importer{st: st, opts: opts, now: now().UTC(),
		movies: map[string]stagedMovie{}, reviews: map[string]stagedReview{}, analyses: map[string]stagedAnalysis{}}
	im.summary.DryRun, im.summary.Analyzer = opts.DryRun, opts.Analyzer
	if len(paths) == 0 {
		return im.summary, errors.New("no files to import: give the tracker's movies, reviews_raw and reviews_sentiments files, or JSONL exports")
	}

	if err := im.readAll(paths); err != nil {
		return im.summary, err
	}
	plans, err := im.plan(ctx)
	if err != nil {
		return im.summary, err
	}
	slices.SortStableFunc(im.summary.Problems, func(a, b Problem) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Pos, b.Pos))
	})
	if opts.Strict && len(im.summary.Problems) > 0 {
		im.summary.DryRun = true
		return im.summary, fmt.Errorf("%w: %d rows would be skipped, so nothing was written; fix them or leave out --strict", ErrRowsSkipped, len(im.summary.Problems))
	}
	if opts.DryRun {
		return im.summary, nil
	}
	writes := make([]store.MovieImport, len(plans))
	for i, p := range plans {
		writes[i] = p.movieImport(im.now)
	}
	if err := st.ImportMovies(ctx, writes); err != nil {
		return im.summary, fmt.Errorf("nothing was imported: %w", err)
	}
	return im.summary, nil
}

func (im *importer) problem(o origin, err error) {
	var row *rowError
	if !errors.As(err, &row) {
		row = &rowError{reason: reasonMalformed, message: err.Error()}
	}
	im.summary.Problems = append(im.summary.Problems, Problem{File: o.file, Pos: o.pos, Reason: row.reason, Message: row.message})
}

// readAll reads every file, movies first so that reviews can refer to
// them, then reviews, then sentiments.
func (im *importer) readAll(paths []string) error {
	type input struct {
		path   string
		format Format
		kind   kind
		table  table
	}
	var inputs []input
	defer func() {
		for _, in := range inputs {
			if in.table != nil {
				in.table.close()
			}
		}
	}()
	for _, path := range paths {
		format, err := im.formatOf(path)
		if err != nil {
			return err
		}
		in := input{path: path, format: format, kind: kindExport}
		if format == FormatJSONL {
			if in.kind, err = jsonlKind(path); err != nil {
				return err
			}
		} else {
			if in.table, err = openTable(path, format); err != nil {
				return err
			}
			if in.kind, err = tableOf(path, in.table.columns()); err != nil {
				in.table.close()
				return err
			}
		}
		inputs = append(inputs, in)
	}

	slices.SortStableFunc(inputs, func(a, b input) int { return cmp.Compare(a.kind, b.kind) })
	for _, in := range inputs {
		var err error
		switch in.kind {
		case kindMovies:
			err = im.readMovies(in.path, in.table)
		case kindExportMovies:
			if in.table == nil {
				err = im.readExportMoviesJSONL(in.path)
			} else {
				err = im.readExportMovies(in.path, in.table)
			}
		case kindExportReviews:
			err = im.readExportReviews(in.path, in.table)
		case kindReviews:
			err = im.readReviews(in.path, in.table)
		case kindSentiments:
			err = im.readSentiments(in.path, in.table)
		case kindExport:
			err = im.readExport(in.path)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (im *importer) formatOf(path string) (Format, error) {
	if im.opts.Format != "" {
		return im.opts.Format, nil
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		return FormatCSV, nil
	case ".parquet", ".pq":
		return FormatParquet, nil
	case ".jsonl", ".ndjson":
		return FormatJSONL, nil
	}
	return "", fmt.Errorf("%s: cannot tell the format from the extension; name it .csv, .parquet or .jsonl, or pass --format", path)
}

// tableOf returns the table that a file contains, recognised by its name
// (the tracker's dumps are named after their tables, reelpulse's export
// writes movies.FORMAT and reviews.FORMAT) or else by its columns. The
// columns distinguish the tracker's tables from reelpulse's export, whose
// id column is "id".
func tableOf(path string, columns []string) (kind, error) {
	name := strings.ToLower(filepath.Base(path))
	has := func(c string) bool { return slices.Contains(columns, c) }
	exportMovies := has("id") && has("tracked") && !has("movie_id")
	exportReviews := has("id") && has("movie_id") && has("submitted_at") && !has("review_id")
	switch {
	case strings.Contains(name, "sentiment"):
		return kindSentiments, nil
	case strings.Contains(name, "review") && exportReviews:
		return kindExportReviews, nil
	case strings.Contains(name, "review"):
		return kindReviews, nil
	case strings.Contains(name, "movie") && exportMovies:
		return kindExportMovies, nil
	case strings.Contains(name, "movie"):
		return kindMovies, nil
	case exportReviews:
		return kindExportReviews, nil
	case exportMovies:
		return kindExportMovies, nil
	case has("review_id") && has("story"):
		return kindSentiments, nil
	case has("review_id") && has("text"):
		return kindReviews, nil
	case has("movie_id") && has("nb_reviews"):
		return kindMovies, nil
	}
	return 0, fmt.Errorf("%s: unknown table: name the file after the table (movies, reviews_raw or reviews_sentiments) or give it that table's columns", path)
}

// jsonlKind returns whether a JSONL file is a movies export or a review
// export, from the fields of its first line: a review has submitted_at and
// a movie has tracked. Otherwise the file is read as reviews unless its
// name contains "movie" and not "review".
func jsonlKind(path string) (kind, error) {
	file, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer file.Close()
	scanner := bufio.NewScanner(file)
	scanner.Buffer(make([]byte, 64*1024), maxLine)
	for scanner.Scan() {
		line := scanner.Bytes()
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var fields map[string]json.RawMessage
		if json.Unmarshal(line, &fields) == nil {
			if _, ok := fields["submitted_at"]; ok {
				return kindExport, nil
			}
			if _, ok := fields["tracked"]; ok {
				return kindExportMovies, nil
			}
		}
		break
	}
	if err := scanner.Err(); err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	name := strings.ToLower(filepath.Base(path))
	if strings.Contains(name, "movie") && !strings.Contains(name, "review") {
		return kindExportMovies, nil
	}
	return kindExport, nil
}

// maxLine is the longest JSONL line that an import reads.
const maxLine = 64 * 1024 * 1024

// checkColumns fails when a required column is missing.
func checkColumns(path string, k kind, have, want []string) error {
	for _, c := range want {
		if !slices.Contains(have, c) {
			return fmt.Errorf("%s: missing column %q of the %s table; the table needs the columns %s", path, c, kindNames[k], strings.Join(want, ", "))
		}
	}
	return nil
}

// eachRow calls row for each record of a table, reporting rows that cannot
// be read and rows whose columns, the ones that the import reads, are not
// UTF-8 text. Any other read error is fatal.
func (im *importer) eachRow(path string, t table, columns []string, row func(origin, map[string]string) error) error {
	for {
		rec, err := t.next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		o := origin{file: path, pos: rec.pos}
		var bad *rowError
		if errors.As(err, &bad) {
			im.problem(o, bad)
			continue
		}
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if err := checkValues(rec.values, columns); err != nil {
			im.problem(o, err)
			continue
		}
		if err := row(o, rec.values); err != nil {
			im.problem(o, err)
		}
	}
}

func (im *importer) readMovies(path string, t table) error {
	if err := checkColumns(path, kindMovies, t.columns(), movieColumns); err != nil {
		return err
	}
	return im.eachRow(path, t, movieColumns, func(o origin, values map[string]string) error {
		m, err := parseMovie(values)
		if err != nil {
			return err
		}
		return im.addMovie(o, m)
	})
}

// addMovie stages a valid movies row.
func (im *importer) addMovie(o origin, m movieRow) error {
	if first, ok := im.movies[m.id]; ok {
		return badRow(reasonDuplicate, "movie %s is already on %s", m.id, first.origin)
	}
	im.movies[m.id] = stagedMovie{origin: o, row: m}
	return nil
}

// readExportMovies reads the movies file of reelpulse's CSV or Parquet
// export.
func (im *importer) readExportMovies(path string, t table) error {
	if err := checkColumns(path, kindExportMovies, t.columns(), exportMovieColumns); err != nil {
		return err
	}
	return im.eachRow(path, t, exportMovieColumns, func(o origin, values map[string]string) error {
		m, err := parseExportMovie(values)
		if err != nil {
			return err
		}
		return im.addMovie(o, m)
	})
}

// readExportMoviesJSONL reads the movies file of reelpulse's JSONL export.
func (im *importer) readExportMoviesJSONL(path string) error {
	return im.eachLine(path, func(o origin, line []byte) error {
		values, err := exportMovieValues(line)
		if err != nil {
			return err
		}
		if err := checkValues(values, exportMovieColumns); err != nil {
			return err
		}
		m, err := parseExportMovie(values)
		if err != nil {
			return err
		}
		return im.addMovie(o, m)
	})
}

// readExportReviews reads the reviews file of reelpulse's CSV or Parquet
// export, with the scores of the aspects that its columns name.
func (im *importer) readExportReviews(path string, t table) error {
	if err := checkColumns(path, kindExportReviews, t.columns(), exportReviewColumns); err != nil {
		return err
	}
	aspects := exportAspects(t.columns())
	columns := slices.Concat(exportReviewColumns, exportAspectColumns(aspects))
	return im.eachRow(path, t, columns, func(o origin, values map[string]string) error {
		r, err := parseExportRecord(values, aspects)
		if err != nil {
			return err
		}
		return im.addReview(o, r)
	})
}

func (im *importer) readReviews(path string, t table) error {
	if err := checkColumns(path, kindReviews, t.columns(), reviewColumns); err != nil {
		return err
	}
	return im.eachRow(path, t, reviewColumns, func(o origin, values map[string]string) error {
		r, err := parseReview(values)
		if err != nil {
			return err
		}
		return im.addReview(o, r)
	})
}

func (im *importer) addReview(o origin, r reviewRow) error {
	if first, ok := im.reviews[r.review.ID]; ok {
		return badRow(reasonDuplicate, "review %s is already on %s", r.review.ID, first.origin)
	}
	im.reviews[r.review.ID] = stagedReview{origin: o, row: r}
	if r.analyzed {
		im.analyses[r.review.ID] = stagedAnalysis{origin: o, reviewID: r.review.ID, version: versionExport, aspects: r.aspects}
	}
	return nil
}

func (im *importer) readSentiments(path string, t table) error {
	if err := checkColumns(path, kindSentiments, t.columns(), sentimentColumns); err != nil {
		return err
	}
	seen := map[string]origin{}
	return im.eachRow(path, t, sentimentColumns, func(o origin, values map[string]string) error {
		s, err := parseSentiment(values)
		if err != nil {
			return err
		}
		if first, ok := seen[s.reviewID]; ok {
			return badRow(reasonDuplicate, "sentiments of review %s are already on %s", s.reviewID, first)
		}
		seen[s.reviewID] = o
		im.sentiments = append(im.sentiments, stagedAnalysis{origin: o, reviewID: s.reviewID, version: versionTracker, aspects: s.aspects})
		return nil
	})
}

// exportName matches the file name that the export suggests,
// "<movie id>-reviews.jsonl", and keeps the id.
var exportName = regexp.MustCompile(`^(?i)(tt\d{7,10})\b`)

// readExport reads a JSONL review export. A line's movie_id names its
// movie; lines without one belong to Options.MovieID or to the movie that
// the file name starts with.
func (im *importer) readExport(path string) error {
	movieID := im.opts.MovieID
	if m := exportName.FindStringSubmatch(filepath.Base(path)); movieID == "" && m != nil {
		movieID = strings.ToLower(m[1])
	}

	return im.eachLine(path, func(o origin, line []byte) error {
		r, err := parseExportLine(line, movieID)
		if err != nil {
			return err
		}
		return im.addReview(o, r)
	})
}

// eachLine calls line for each line of a JSONL file that is not blank,
// reporting the lines that it rejects. A read error is fatal.
func (im *importer) eachLine(path string, line func(origin, []byte) error) error {
	file, err := os.Open(path)
	if err != nil {
		return err
	}
	defer file.Close()
	scanner := bufio.NewScanner(file)
	scanner.Buffer(make([]byte, 64*1024), maxLine)
	for pos := 1; scanner.Scan(); pos++ {
		text := scanner.Bytes()
		if len(bytes.TrimSpace(text)) == 0 {
			continue
		}
		o := origin{file: path, pos: pos}
		if err := line(o, text); err != nil {
			im.problem(o, err)
		}
	}
	if err := scanner.Err(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// moviePlan is the set of writes of one movie.
type moviePlan struct {
	id       string
	create   bool
	check    *store.MovieMetadata
	checkAt  time.Time
	sync     *store.SyncResult
	analyses []store.Analysis
}

// plan checks the rows against each other and the store and decides the
// writes, movie by movie in id order.
func (im *importer) plan(ctx context.Context) ([]moviePlan, error) {
	plans := map[string]*moviePlan{}
	stored := map[string]*store.Movie{} // nil: not in the store
	lookup := func(id string) (*store.Movie, error) {
		if m, ok := stored[id]; ok {
			return m, nil
		}
		m, err := im.st.GetMovie(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			stored[id] = nil
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read movie %s: %w", id, err)
		}
		stored[id] = &m
		return &m, nil
	}

	for _, id := range slices.Sorted(maps.Keys(im.movies)) {
		before, err := lookup(id)
		if err != nil {
			return nil, err
		}
		plans[id] = im.planMovie(im.movies[id].row, before)
	}

	owners, err := im.st.ReviewOwners(ctx, slices.Sorted(maps.Keys(im.reviews)))
	if err != nil {
		return nil, fmt.Errorf("read the movies of the imported reviews: %w", err)
	}
	byMovie := map[string][]stagedReview{}
	for _, id := range slices.Sorted(maps.Keys(im.reviews)) {
		r := im.reviews[id]
		movieID := r.row.review.MovieID
		if owner, ok := owners[id]; ok && owner != movieID {
			im.problem(r.origin, badRow(reasonOtherMovie,
				"review %s is stored under movie %s, not %s; correct its movie_id or leave the row out", id, owner, movieID))
			delete(im.reviews, id)
			delete(im.analyses, id)
			continue
		}
		if _, ok := plans[movieID]; !ok {
			before, err := lookup(movieID)
			if err != nil {
				return nil, err
			}
			if before == nil {
				im.problem(r.origin, badRow(reasonUnknownMovie,
					"movie %s of review %s is neither in a movies file of this import nor in the database; add its row to the movies file, import the export's movies file with it, or track it first", movieID, id))
				delete(im.reviews, id)
				delete(im.analyses, id)
				continue
			}
			plans[movieID] = &moviePlan{id: movieID}
		}
		byMovie[movieID] = append(byMovie[movieID], r)
	}

	for _, s := range im.sentiments {
		if _, ok := im.reviews[s.reviewID]; !ok {
			im.problem(s.origin, badRow(reasonUnknownReview,
				"review %s is not in a valid row of a reviews file of this import; import its reviews_raw row with it", s.reviewID))
			continue
		}
		im.analyses[s.reviewID] = s // the tracker's scores replace those of an export of the same review
	}

	var out []moviePlan
	for _, id := range slices.Sorted(maps.Keys(plans)) {
		p := plans[id]
		if err := im.planReviews(ctx, p, stored[id], byMovie[id]); err != nil {
			return nil, err
		}
		out = append(out, *p)
	}
	return out, nil
}

// planMovie decides the movie writes of a movies row. An existing movie's
// metadata is stored when it differs and is not older than the store's
// last check.
func (im *importer) planMovie(m movieRow, before *store.Movie) *moviePlan {
	p := &moviePlan{id: m.id, checkAt: im.now}
	if m.scraped != nil {
		p.checkAt = *m.scraped
	}
	switch {
	case before == nil:
		im.summary.MoviesCreated++
		p.create, p.check = true, &m.meta
	case metadataDiffers(m.meta, *before) && (m.scraped == nil || before.CheckedAt == nil || m.scraped.After(*before.CheckedAt)):
		im.summary.MoviesUpdated++
		p.check = &m.meta
	default:
		im.summary.MoviesUnchanged++
	}
	return p
}

// metadataDiffers reports whether storing meta would change the movie.
// Zero fields of meta leave the stored values, as in RecordCheck.
func metadataDiffers(meta store.MovieMetadata, m store.Movie) bool {
	switch {
	case meta.Title != "" && meta.Title != m.Title:
		return true
	case meta.OriginalTitle != "" && meta.OriginalTitle != m.OriginalTitle:
		return true
	case meta.AggregateRating != nil && (m.AggregateRating == nil || *meta.AggregateRating != *m.AggregateRating):
		return true
	case meta.RatingCount != nil && (m.RatingCount == nil || *meta.RatingCount != *m.RatingCount):
		return true
	case meta.Year != 0 && meta.Year != m.Year:
		return true
	case meta.ReleaseDate != nil && (m.ReleaseDate == nil || !meta.ReleaseDate.Equal(*m.ReleaseDate)):
		return true
	case meta.DeclaredReviewCount != nil && (m.DeclaredReviewCount == nil || *meta.DeclaredReviewCount != *m.DeclaredReviewCount):
		return true
	}
	return false
}

// planReviews compares a movie's imported reviews with the stored ones and
// builds its sync and analyses.
func (im *importer) planReviews(ctx context.Context, p *moviePlan, before *store.Movie, reviews []stagedReview) error {
	if len(reviews) == 0 {
		return nil
	}
	storedReviews := map[string]store.Review{}
	if before != nil {
		list, err := im.st.ListReviews(ctx, store.ReviewQuery{MovieID: p.id, IncludeDeleted: true})
		if err != nil {
			return fmt.Errorf("read stored reviews of %s: %w", p.id, err)
		}
		for _, r := range list {
			storedReviews[r.ID] = r
		}
	}

	result := store.SyncResult{MovieID: p.id, ApplyEdits: true, At: im.now}
	if before != nil {
		result.Warning = before.ScrapeWarning // an import is no evidence about the last pass
	}
	hashes := map[string]string{}
	changed := false
	for _, staged := range reviews {
		r := staged.row.review
		r.ContentHash = sync.ContentHash(r.Title, r.Text, r.Rating, r.Spoiler)
		old, known := storedReviews[r.ID]
		switch {
		case !known:
			im.summary.ReviewsNew++
			result.Run.New++
			result.Upserts = append(result.Upserts, r)
		case old.DeletedAt != nil:
			// A review that IMDb no longer lists stays deleted: old data
			// is no evidence that it is back.
			im.summary.ReviewsUnchanged++
			r.ContentHash = old.ContentHash
		case old.ContentHash != r.ContentHash:
			im.summary.ReviewsUpdated++
			result.Run.Edited++
			result.Upserts = append(result.Upserts, r)
		default:
			im.summary.ReviewsUnchanged++
			if old.HelpfulUp != r.HelpfulUp || old.HelpfulDown != r.HelpfulDown {
				im.summary.VotesUpdated++
				result.Seen = append(result.Seen, store.ReviewVotes{ReviewID: r.ID, HelpfulUp: r.HelpfulUp, HelpfulDown: r.HelpfulDown})
				changed = true
			}
		}
		hashes[r.ID] = r.ContentHash
	}
	if len(result.Upserts) > 0 || changed {
		result.Run = store.SyncRun{MovieID: p.id, StartedAt: im.now, FinishedAt: im.now, State: store.RunIncomplete,
			Fetched: len(reviews), New: result.Run.New, Edited: result.Run.Edited}
		p.sync = &result
	}
	return im.planAnalyses(ctx, p, hashes)
}

// planAnalyses keeps the analyses of the movie's reviews that differ from
// the analyzer's stored results.
func (im *importer) planAnalyses(ctx context.Context, p *moviePlan, hashes map[string]string) error {
	var ids []string
	for _, id := range slices.Sorted(maps.Keys(hashes)) {
		if _, ok := im.analyses[id]; ok {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	existing, err := im.st.ReviewAnalyses(ctx, im.opts.Analyzer, ids)
	if err != nil {
		return fmt.Errorf("read %s analyses of movie %s: %w", im.opts.Analyzer, p.id, err)
	}
	for _, id := range ids {
		staged := im.analyses[id]
		a := store.Analysis{ReviewID: id, Analyzer: im.opts.Analyzer, AnalyzerVersion: staged.version,
			ContentHash: hashes[id], AnalyzedAt: im.now, Aspects: sortedAspects(staged.aspects)}
		if old, ok := existing[id]; ok && sameAnalysis(old, a) {
			im.summary.AnalysesUnchanged++
			continue
		}
		im.summary.AnalysesStored++
		p.analyses = append(p.analyses, a)
	}
	return nil
}

func sortedAspects(aspects []store.AspectScore) []store.AspectScore {
	sorted := slices.Clone(aspects)
	slices.SortFunc(sorted, func(a, b store.AspectScore) int { return cmp.Compare(a.Aspect, b.Aspect) })
	return sorted
}

// sameAnalysis reports whether storing b would leave a as it is, apart
// from the time.
func sameAnalysis(a, b store.Analysis) bool {
	if a.AnalyzerVersion != b.AnalyzerVersion || a.ContentHash != b.ContentHash || len(a.Aspects) != len(b.Aspects) {
		return false
	}
	for i, x := range sortedAspects(a.Aspects) {
		y := b.Aspects[i]
		if x.Aspect != y.Aspect || x.Evidence != y.Evidence || (x.Score == nil) != (y.Score == nil) ||
			(x.Score != nil && *x.Score != *y.Score) {
			return false
		}
	}
	return true
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

// write applies one movie's plan.
func (p moviePlan) movieImport(now time.Time) store.MovieImport {
	return store.MovieImport{
		MovieID:  p.id,
		Track:    p.create,
		TrackAt:  now,
		Check:    p.check,
		CheckAt:  p.checkAt,
		Sync:     p.sync,
		Analyses: p.analyses,
	}
}
