// Package reviewsql builds the SQL of the review explorer query for both
// back ends, so that SQLite and PostgreSQL filter and order alike. The
// builder only joins fixed fragments, and every user value is bound as a
// parameter.
package reviewsql

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/reelpulse/reelpulse/internal/store"
)

// Dialect holds what differs between the back ends.
type Dialect struct {
	// Placeholder returns the text of the n-th parameter, from 1.
	Placeholder func(n int) string
	// Date converts a submission day to the value bound to submitted_at.
	Date func(t time.Time) any
	// Like is the case-insensitive pattern operator, LIKE or ILIKE.
	Like string
	// Indexed reports whether the back end's trigram index can look up a
	// filter text. For the other texts, the builder hides the title and
	// text columns from the planner (r.title || ''), which then reads the
	// movie's reviews. Nil means that no text is indexed.
	Indexed func(text string) bool
	// TextIndex, when not empty, is a condition on reviews r that reads a
	// full-text index, with one parameter %s bound to TrigramPhrase of the
	// filter's text. It must hold for exactly the reviews whose title or
	// text contains the text, ignoring the case of ASCII letters. The
	// builder uses it in place of the Like condition for indexed texts. A
	// dialect whose Like condition reads an index itself leaves it empty.
	TextIndex string
}

// MinIndexedText is the length in characters (runes) of the shortest text
// that a trigram index can look up: a shorter one has no trigram.
const MinIndexedText = 3

// HasTrigram reports whether text has MinIndexedText characters or more.
// FTS5's trigram tokenizer makes trigrams of every character.
func HasTrigram(text string) bool {
	return utf8.RuneCountInString(text) >= MinIndexedText
}

// HasWordTrigram reports whether text has MinIndexedText letters or digits
// in a row. pg_trgm makes trigrams of the words of a pattern only, and a
// pattern without one makes its GIN index read every entry: 0.6 s for
// 100,000 reviews in one measurement, twice the time of a scan.
// NOTE: pg_trgm also pads a word that the pattern delimits, so "% ab %"
// has trigrams. The rule leaves such texts to the scan, which is slower
// for rare words but never reads the whole index.
func HasWordTrigram(text string) bool {
	run := 0
	for _, r := range text {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			run++
			if run >= MinIndexedText {
				return true
			}
		} else {
			run = 0
		}
	}
	return false
}

// Query is a statement with its parameters.
type Query struct {
	SQL  string
	Args []any
	// Limit is the filter's CountLimit when the count query stops after
	// Limit+1 matches, and 0 when it counts them all.
	Limit int
}

type builder struct {
	dialect    Dialect
	conditions []string
	args       []any
}

func (b *builder) bind(v any) string {
	b.args = append(b.args, v)
	return b.dialect.Placeholder(len(b.args))
}

func (b *builder) where(format string, values ...any) {
	placeholders := make([]any, len(values))
	for i, v := range values {
		placeholders[i] = b.bind(v)
	}
	b.conditions = append(b.conditions, fmt.Sprintf(format, placeholders...))
}

// Build returns the page query, which selects columns from reviews r, and
// the count query of a normalized filter. The count reads the rollups
// when they can count the filter's matches (see RollupCount), and the
// reviews otherwise.
// NOTE: a count that reads the reviews reads every listed review of the
// movie, unless the trigram indexes of migration 0008 narrow a text
// filter (see Dialect.Indexed). With 100,000 reviews, a two-letter text
// takes 69 ms on SQLite and 0.26 s on PostgreSQL, and a word found in 30 %
// of the reviews still 66 and 106 ms (docs/benchmarks.md).
func Build(dialect Dialect, columns string, filter store.ReviewFilter) (page, count Query) {
	b := &builder{dialect: dialect}
	b.filter(filter)
	countSQL := `SELECT count(*) FROM reviews r WHERE ` + strings.Join(b.conditions, " AND ")
	count = Query{SQL: countSQL, Args: append([]any(nil), b.args...)}
	if rollup, ok := RollupCount(dialect, filter); ok {
		count = rollup
	} else if filter.CountLimit > 0 {
		// One match more than the limit shows that the count was capped.
		limited := &builder{dialect: dialect, args: append([]any(nil), b.args...)}
		count = Query{SQL: `SELECT count(*) FROM (SELECT 1 FROM reviews r WHERE ` + strings.Join(b.conditions, " AND ") +
			` LIMIT ` + limited.bind(filter.CountLimit+1) + `) matches`, Limit: filter.CountLimit}
		count.Args = limited.args
	}

	if filter.After != nil {
		b.cursor(filter.Sort, *filter.After)
	}
	sql := `SELECT ` + columns + ` FROM reviews r WHERE ` + strings.Join(b.conditions, " AND ") +
		` ORDER BY ` + orderBy(filter.Sort)
	if filter.Limit > 0 {
		sql += ` LIMIT ` + b.bind(filter.Limit)
	} else if filter.Offset > 0 {
		// SQLite accepts OFFSET only after a LIMIT.
		sql += ` LIMIT ` + b.bind(int64(1)<<62)
	}
	if filter.Offset > 0 {
		sql += ` OFFSET ` + b.bind(filter.Offset)
	}
	return Query{SQL: sql, Args: b.args}, count
}

func (b *builder) filter(f store.ReviewFilter) {
	b.where(`r.movie_id = %s`, f.MovieID)
	b.conditions = append(b.conditions, `r.deleted_at IS NULL`)
	if f.MinRating > 0 {
		b.where(`r.rating >= %s`, f.MinRating)
	}
	if f.MaxRating > 0 {
		b.where(`r.rating <= %s`, f.MaxRating)
	}
	if !f.From.IsZero() {
		b.where(`r.submitted_at >= %s`, b.dialect.Date(f.From))
	}
	if !f.To.IsZero() {
		b.where(`r.submitted_at <= %s`, b.dialect.Date(f.To))
	}
	switch f.Spoiler {
	case store.SpoilerOnly:
		b.conditions = append(b.conditions, `r.spoiler`)
	case store.SpoilerExclude:
		b.conditions = append(b.conditions, `NOT r.spoiler`)
	}
	if f.Text != "" {
		b.text(f.Text)
	}
	if f.Aspect != "" {
		b.aspect(f)
	}
}

// text adds the condition that the title or the text contains text.
func (b *builder) text(text string) {
	indexed := b.dialect.Indexed != nil && b.dialect.Indexed(text)
	if indexed && b.dialect.TextIndex != "" {
		b.where(b.dialect.TextIndex, TrigramPhrase(text))
		return
	}

	title, body := `r.title`, `r.text`
	if !indexed {
		// pgx prepares the statement once for every text, so PostgreSQL
		// may switch to a generic plan that reads the trigram indexes
		// even for texts that they cannot look up. Appending '' keeps
		// the planner off them.
		title, body = `(r.title || '')`, `(r.text || '')`
	}
	pattern := "%" + EscapeLike(text) + "%"
	b.where(`(`+title+` `+b.dialect.Like+` %[1]s ESCAPE '\' OR `+body+` `+b.dialect.Like+` %[1]s ESCAPE '\')`, pattern)
}

// aspect adds the polarity condition on the analyzer's result for the
// review's current content.
func (b *builder) aspect(f store.ReviewFilter) {
	analyzer := b.bind(f.Analyzer)
	aspect := b.bind(f.Aspect)
	current := `a.review_id = r.id AND a.analyzer = ` + analyzer + ` AND a.content_hash = r.content_hash`

	if f.Polarity == store.PolarityNotMentioned {
		b.conditions = append(b.conditions, `EXISTS (SELECT 1 FROM analyses a WHERE `+current+`
			AND NOT EXISTS (SELECT 1 FROM analysis_aspects s
				WHERE s.analysis_id = a.id AND s.aspect = `+aspect+` AND s.score IS NOT NULL))`)
		return
	}

	score := map[store.Polarity]string{
		store.PolarityNegative:  `s.score < 0`,
		store.PolarityNeutral:   `s.score = 0`,
		store.PolarityPositive:  `s.score > 0`,
		store.PolarityMentioned: `s.score IS NOT NULL`,
	}[f.Polarity]
	b.conditions = append(b.conditions, `EXISTS (SELECT 1 FROM analyses a
		JOIN analysis_aspects s ON s.analysis_id = a.id
		WHERE `+current+` AND s.aspect = `+aspect+` AND `+score+`)`)
}

// cursor adds the condition that resumes the order after c.
func (b *builder) cursor(sort store.ReviewSort, c store.ReviewCursor) {
	operator := ">"
	if sort.Descending() {
		operator = "<"
	}
	if sort.ByDate() {
		b.where(`(r.submitted_at, r.id) `+operator+` (%s, %s)`, b.dialect.Date(c.Submitted), c.ID)
		return
	}
	b.where(`(r.helpful_up, r.id) `+operator+` (%s, %s)`, c.HelpfulUp, c.ID)
}

func orderBy(sort store.ReviewSort) string {
	switch sort {
	case store.SortOldest:
		return `r.submitted_at, r.id`
	case store.SortHelpful:
		return `r.helpful_up DESC, r.id DESC`
	case store.SortLeastHelpful:
		return `r.helpful_up, r.id`
	default:
		return `r.submitted_at DESC, r.id DESC`
	}
}

// EscapeLike escapes the LIKE wildcards and the escape character itself, so
// that text matches literally with ESCAPE '\'.
func EscapeLike(text string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(text)
}

// TrigramPhrase returns text as an FTS5 phrase for SQLite's trigram index
// of migration 0008. It lowercases the ASCII letters, as the index stores
// them. It puts the text in double quotes and doubles its own double
// quotes, so that FTS5 matches it as one substring, with no operators.
func TrigramPhrase(text string) string {
	lower := []byte(text)
	for i, c := range lower {
		if 'A' <= c && c <= 'Z' {
			lower[i] = c + ('a' - 'A')
		}
	}
	return `"` + strings.ReplaceAll(string(lower), `"`, `""`) + `"`
}

// RollupCount returns the count query of a normalized filter over the
// rollups review_days and aspect_months, which read a row per day or month
// instead of a row per review. It returns false for the filters whose
// matches the rollups cannot count: text, spoilers, the not_mentioned
// polarity, and an aspect combined with star ratings or submission days.
func RollupCount(dialect Dialect, f store.ReviewFilter) (Query, bool) {
	if f.Text != "" || f.Spoiler != store.SpoilerAny || f.Polarity == store.PolarityNotMentioned {
		return Query{}, false
	}
	rated := f.MinRating > 0 || f.MaxRating > 0
	dated := !f.From.IsZero() || !f.To.IsZero()
	if f.Aspect != "" && (rated || dated) {
		return Query{}, false
	}

	b := &builder{dialect: dialect}
	b.where(`movie_id = %s`, f.MovieID)
	var sum, table string
	switch {
	case f.Aspect != "":
		table = `aspect_months`
		b.where(`analyzer = %s`, f.Analyzer)
		b.where(`aspect = %s`, f.Aspect)
		sum = map[store.Polarity]string{
			store.PolarityNegative:  `score_m2 + score_m1`,
			store.PolarityNeutral:   `score_0`,
			store.PolarityPositive:  `score_p1 + score_p2`,
			store.PolarityMentioned: `score_m2 + score_m1 + score_0 + score_p1 + score_p2`,
		}[f.Polarity]
	case rated:
		table = `review_days`
		low, high := max(f.MinRating, 1), f.MaxRating
		if high == 0 || high > 10 {
			high = 10
		}
		columns := []string{`0`}
		for rating := low; rating <= high; rating++ {
			columns = append(columns, fmt.Sprintf(`rated_%d`, rating))
		}
		sum = strings.Join(columns, ` + `)
	default:
		table = `review_days`
		sum = `reviews`
	}
	if !f.From.IsZero() {
		b.where(`day >= %s`, b.dialect.Date(f.From))
	}
	if !f.To.IsZero() {
		b.where(`day <= %s`, b.dialect.Date(f.To))
	}
	sql := `SELECT coalesce(sum(` + sum + `), 0) FROM ` + table + ` WHERE ` + strings.Join(b.conditions, " AND ")
	return Query{SQL: sql, Args: b.args}, true
}
