package backup

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"time"

	"github.com/reelpulse/reelpulse/internal/store"
)

// Format and FormatVersion identify a reelpulse backup in its manifest. A
// reader refuses a higher FormatVersion than its own.
const (
	Format        = "reelpulse-backup"
	FormatVersion = 1
)

// manifestName is the object that completes a backup: it is written last,
// so a backup without it is unfinished and never restored.
const manifestName = "manifest.json"

// Manifest describes one backup: the schema it was taken from and every
// table file with its row count and checksum.
type Manifest struct {
	Format        string        `json:"format"`
	FormatVersion int           `json:"format_version"`
	ID            string        `json:"id"`
	CreatedAt     time.Time     `json:"created_at"`
	SchemaVersion int           `json:"schema_version"`
	Database      string        `json:"database"` // "sqlite" or "postgres"
	Program       string        `json:"program"`  // reelpulse version that wrote it
	Tables        []TableRecord `json:"tables"`
}

// TableRecord is one table file of a backup.
type TableRecord struct {
	Name    string         `json:"name"`
	File    string         `json:"file"`
	Rows    int64          `json:"rows"`
	Bytes   int64          `json:"bytes"`
	SHA256  string         `json:"sha256"` // of the compressed file, hex
	Columns []ColumnRecord `json:"columns"`
}

// ColumnRecord is one column of a table file.
type ColumnRecord struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// Rows sums the rows of every table.
func (m Manifest) Rows() int64 {
	var n int64
	for _, t := range m.Tables {
		n += t.Rows
	}
	return n
}

// Bytes sums the compressed size of every table file.
func (m Manifest) Bytes() int64 {
	var n int64
	for _, t := range m.Tables {
		n += t.Bytes
	}
	return n
}

var (
	idPattern   = regexp.MustCompile(`^[0-9]{8}T[0-9]{6}Z$`)
	filePattern = regexp.MustCompile(`^tables/[a-z_]+\.jsonl\.gz$`)
	hexPattern  = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

// idLayout formats backup ids, which sort in time order.
const idLayout = "20060102T150405Z"

// parseManifest decodes and checks a manifest. It accepts only this
// program's format, and file names that stay inside the backup.
func parseManifest(data []byte) (Manifest, error) {
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return Manifest{}, fmt.Errorf("invalid manifest: %w", err)
	}
	switch {
	case m.Format != Format:
		return Manifest{}, fmt.Errorf("invalid manifest: format %q is not %q", m.Format, Format)
	case m.FormatVersion > FormatVersion:
		return Manifest{}, fmt.Errorf("backup format version %d is newer than this program's %d: restore it with a newer reelpulse", m.FormatVersion, FormatVersion)
	case m.FormatVersion < 1:
		return Manifest{}, fmt.Errorf("invalid manifest: format version %d", m.FormatVersion)
	case !idPattern.MatchString(m.ID):
		return Manifest{}, fmt.Errorf("invalid manifest: id %q is not like 20261205T010000Z", m.ID)
	}
	seen := map[string]bool{}
	for _, t := range m.Tables {
		switch {
		case seen[t.Name]:
			return Manifest{}, fmt.Errorf("invalid manifest: table %s is listed twice", t.Name)
		case !filePattern.MatchString(t.File) || t.File != "tables/"+t.Name+".jsonl.gz":
			return Manifest{}, fmt.Errorf("invalid manifest: file %q of table %s", t.File, t.Name)
		case !hexPattern.MatchString(t.SHA256):
			return Manifest{}, fmt.Errorf("invalid manifest: checksum %q of table %s", t.SHA256, t.Name)
		case t.Rows < 0 || t.Bytes < 0:
			return Manifest{}, fmt.Errorf("invalid manifest: negative size of table %s", t.Name)
		}
		seen[t.Name] = true
	}
	return m, nil
}

// errIncompatible marks a backup whose tables this database cannot take.
var errIncompatible = errors.New("incompatible backup")

// plan matches the manifest's tables with store.DumpTables for a database
// at schemaVersion. A backup from a newer schema is refused. One from an
// older schema restores when every table it has holds the columns that the
// table had at the backup's version (store.Table.ColumnsAt). The columns
// added since get their defaults and backfills, and the tables it lacks
// are restored empty.
func plan(m Manifest, schemaVersion int) (map[string]TableRecord, error) {
	if m.SchemaVersion > schemaVersion {
		return nil, fmt.Errorf("%w: backup %s has schema version %d, newer than this database's %d: upgrade reelpulse (or run reelpulse migrate) before restoring",
			errIncompatible, m.ID, m.SchemaVersion, schemaVersion)
	}
	byName := map[string]TableRecord{}
	for _, t := range m.Tables {
		byName[t.Name] = t
	}
	for _, t := range store.DumpTables {
		record, ok := byName[t.Name]
		if !ok {
			if m.SchemaVersion == schemaVersion {
				return nil, fmt.Errorf("%w: backup %s lacks table %s", errIncompatible, m.ID, t.Name)
			}
			continue
		}
		if want := columnRecords(t.ColumnsAt(m.SchemaVersion)); !slices.Equal(record.Columns, want) {
			return nil, fmt.Errorf("%w: table %s of backup %s (schema version %d) has columns %v, a backup of that version has %v",
				errIncompatible, t.Name, m.ID, m.SchemaVersion, record.Columns, want)
		}
		delete(byName, t.Name)
	}
	for name := range byName {
		return nil, fmt.Errorf("%w: backup %s has table %s, which this database does not know", errIncompatible, m.ID, name)
	}
	plan := map[string]TableRecord{}
	for _, t := range m.Tables {
		plan[t.Name] = t
	}
	return plan, nil
}

func columnRecords(columns []store.Column) []ColumnRecord {
	records := make([]ColumnRecord, len(columns))
	for i, c := range columns {
		records[i] = ColumnRecord{Name: c.Name, Type: c.Type.String()}
	}
	return records
}
