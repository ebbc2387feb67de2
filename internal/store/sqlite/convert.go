package sqlite

import (
	"database/sql"
	"fmt"
	"time"
)

// Times are stored as fixed-width UTC text, so that text order is time
// order. Dates are stored as "2006-01-02".
const (
	timeLayout = "2006-01-02T15:04:05.000000Z"
	dateLayout = time.DateOnly
)

func formatTime(t time.Time) string {
	return t.UTC().Format(timeLayout)
}

func formatDate(t time.Time) string {
	return t.UTC().Format(dateLayout)
}

// formatOptionalDate returns nil for a nil date, so that it binds as NULL.
func formatOptionalDate(t *time.Time) any {
	if t == nil {
		return nil
	}
	return formatDate(*t)
}

// parser converts stored text to times and keeps the first error, so that
// all the columns of a row can be converted before one error check.
type parser struct {
	err error
}

func (p *parser) parse(layout, text string) time.Time {
	t, err := time.Parse(layout, text)
	if err != nil && p.err == nil {
		p.err = fmt.Errorf("parse stored time %q: %w", text, err)
	}
	return t.UTC()
}

func (p *parser) time(text string) time.Time {
	return p.parse(timeLayout, text)
}

func (p *parser) optionalTime(text sql.NullString) *time.Time {
	if !text.Valid {
		return nil
	}
	t := p.parse(timeLayout, text.String)
	return &t
}

func (p *parser) date(text string) time.Time {
	return p.parse(dateLayout, text)
}

func (p *parser) optionalDate(text sql.NullString) *time.Time {
	if !text.Valid {
		return nil
	}
	t := p.parse(dateLayout, text.String)
	return &t
}

// rowScanner is satisfied by *sql.Row and *sql.Rows.
type rowScanner interface {
	Scan(dest ...any) error
}

// nullIfZero binds 0 as NULL, for columns where 0 means unknown.
func nullIfZero(n int) any {
	if n == 0 {
		return nil
	}
	return n
}
