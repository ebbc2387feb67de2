// Package backup writes portable logical backups of the store to a
// directory or an S3 bucket, lists and prunes them, and restores them into
// SQLite or PostgreSQL.
//
// A backup is a set of objects under its id, the UTC time it was taken,
// such as 20261205T010000Z. It has one gzip-compressed JSON Lines file per
// table of store.DumpTables, all read in one transaction. Its manifest.json
// is written last and records the schema version, the row counts and the
// SHA-256 of every file. A restore downloads and checks every file before
// it touches the database, then loads all tables in one transaction.
package backup

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/reelpulse/reelpulse/internal/store"
)

// Database is the store that a backup reads and a restore writes.
type Database interface {
	store.Dumper
	// ListMovies lets a restore check whether the database has data.
	ListMovies(ctx context.Context, trackedOnly bool) ([]store.Movie, error)
}

// Options configure Create and Restore.
type Options struct {
	Target Target
	// Database names the back end in the manifest: "sqlite" or "postgres".
	Database string
	// Program is the reelpulse version written to the manifest.
	Program string
	// Now defaults to time.Now.
	Now func() time.Time
	// TempDir holds the table files while they are written or checked;
	// empty means the system's temporary directory.
	TempDir string
	Logger  *slog.Logger
}

func (o *Options) defaults() {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
}

// claimPrefix starts the name of the object that marks a backup as being
// written, within the backup's directory.
const claimPrefix = "writing-"

// claim marks the backup id as being written in the target and returns the
// function that removes the mark. It fails when the backup exists or
// another process writes one with the same id, since ids have one-second
// resolution: two such backups would overwrite each other's files.
func claim(ctx context.Context, target Target, id string, logger *slog.Logger) (release func(), err error) {
	token := make([]byte, 8)
	if _, err := rand.Read(token); err != nil {
		return nil, err
	}
	name := id + "/" + claimPrefix + hex.EncodeToString(token)
	if err := target.Put(ctx, name, bytes.NewReader(nil), 0); err != nil {
		return nil, fmt.Errorf("write to %s: %w", target, err)
	}
	release = func() {
		if err := target.Delete(context.WithoutCancel(ctx), name); err != nil {
			logger.Warn("Removing the mark of a backup being written failed", "backup_id", id, "error", err)
		}
	}

	names, err := target.List(ctx)
	if err != nil {
		release()
		return nil, fmt.Errorf("list backups in %s: %w", target, err)
	}
	for _, other := range names {
		inUse := other == id+"/"+manifestName || (strings.HasPrefix(other, id+"/"+claimPrefix) && other != name)
		if inUse {
			release()
			return nil, fmt.Errorf("backup %s already exists in %s or is being written by another process: wait a second and try again", id, target)
		}
	}
	return release, nil
}

// Create takes a backup of db and stores it in the target.
func Create(ctx context.Context, db Database, o Options) (Manifest, error) {
	o.defaults()
	started := o.Now()
	m := Manifest{
		Format:        Format,
		FormatVersion: FormatVersion,
		ID:            started.UTC().Format(idLayout),
		CreatedAt:     started.UTC().Truncate(time.Second),
		Database:      o.Database,
		Program:       o.Program,
	}

	release, err := claim(ctx, o.Target, m.ID, o.Logger)
	if err != nil {
		return Manifest{}, err
	}
	defer release()

	if m.SchemaVersion, err = db.SchemaVersion(ctx); err != nil {
		return Manifest{}, err
	}

	dir, err := os.MkdirTemp(o.TempDir, "reelpulse-backup-")
	if err != nil {
		return Manifest{}, fmt.Errorf("create a temporary directory for the backup: %w", err)
	}
	defer os.RemoveAll(dir)

	// The tables are written to local files first, so that the read
	// transaction ends before the upload starts.
	err = db.Dump(ctx, func(t store.Table, rows func(yield func(row []any) error) error) error {
		record, err := writeTable(filepath.Join(dir, t.Name+".jsonl.gz"), t, rows)
		if err != nil {
			return err
		}
		m.Tables = append(m.Tables, record)
		return nil
	})
	if err != nil {
		return Manifest{}, fmt.Errorf("read the database: %w", err)
	}

	for _, t := range m.Tables {
		if err := putFile(ctx, o.Target, m.ID+"/"+t.File, filepath.Join(dir, t.Name+".jsonl.gz")); err != nil {
			return Manifest{}, fmt.Errorf("upload table %s to %s: %w", t.Name, o.Target, err)
		}
	}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return Manifest{}, err
	}
	if err := o.Target.Put(ctx, m.ID+"/"+manifestName, bytes.NewReader(data), int64(len(data))); err != nil {
		return Manifest{}, fmt.Errorf("upload the manifest to %s: %w", o.Target, err)
	}
	o.Logger.Info("Backup created", "backup_id", m.ID, "target", o.Target.String(), "rows", m.Rows(), "bytes", m.Bytes(),
		"duration", o.Now().Sub(started).Round(time.Millisecond).String())
	return m, nil
}

// writeTable writes the rows of t to file and returns its record.
func writeTable(file string, t store.Table, rows func(yield func(row []any) error) error) (TableRecord, error) {
	f, err := os.Create(file)
	if err != nil {
		return TableRecord{}, err
	}
	defer f.Close()

	hash := sha256.New()
	counter := &countingWriter{w: io.MultiWriter(f, hash)}
	zw := gzip.NewWriter(counter)
	record := TableRecord{Name: t.Name, File: "tables/" + t.Name + ".jsonl.gz", Columns: columnRecords(t.Columns)}
	var line []byte
	err = rows(func(row []any) error {
		line, err = encodeRow(line[:0], t.Columns, row)
		if err != nil {
			return fmt.Errorf("row %d: %w", record.Rows+1, err)
		}
		record.Rows++
		_, err := zw.Write(line)
		return err
	})
	if err != nil {
		return TableRecord{}, err
	}
	if err := zw.Close(); err != nil {
		return TableRecord{}, err
	}
	if err := f.Close(); err != nil {
		return TableRecord{}, err
	}
	record.Bytes = counter.n
	record.SHA256 = hex.EncodeToString(hash.Sum(nil))
	return record, nil
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func putFile(ctx context.Context, target Target, name, file string) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	return target.Put(ctx, name, f, info.Size())
}

// ErrDamaged is wrapped by the error of a backup whose manifest cannot be
// parsed or names another backup.
var ErrDamaged = errors.New("damaged manifest")

// Damaged is a backup of a target whose manifest is damaged.
type Damaged struct {
	ID  string
	Err error // wraps ErrDamaged
}

// List returns the complete backups of the target, newest first, and apart
// from them the backups whose manifest is damaged, so that one bad backup
// does not hide the others. Objects of unfinished backups, which have no
// manifest, are left out. An error reading a manifest from the target is
// returned, as the backup itself may be intact.
func List(ctx context.Context, target Target) ([]Manifest, []Damaged, error) {
	names, err := target.List(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("list backups in %s: %w", target, err)
	}
	var manifests []Manifest
	var damaged []Damaged
	for _, name := range names {
		id, rest, ok := strings.Cut(name, "/")
		if !ok || rest != manifestName || !idPattern.MatchString(id) {
			continue
		}
		m, err := readManifest(ctx, target, id)
		switch {
		case errors.Is(err, ErrDamaged):
			damaged = append(damaged, Damaged{ID: id, Err: err})
		case err != nil:
			return nil, nil, err
		default:
			manifests = append(manifests, m)
		}
	}
	slices.SortFunc(manifests, func(a, b Manifest) int { return strings.Compare(b.ID, a.ID) })
	slices.SortFunc(damaged, func(a, b Damaged) int { return strings.Compare(b.ID, a.ID) })
	return manifests, damaged, nil
}

func readManifest(ctx context.Context, target Target, id string) (Manifest, error) {
	r, err := target.Get(ctx, id+"/"+manifestName)
	if errors.Is(err, fs.ErrNotExist) {
		return Manifest{}, fmt.Errorf("backup %s not found in %s: run reelpulse backup list to see the backups", id, target)
	}
	if err != nil {
		return Manifest{}, fmt.Errorf("read the manifest of backup %s: %w", id, err)
	}
	defer r.Close()
	data, err := io.ReadAll(io.LimitReader(r, 1<<20))
	if err != nil {
		return Manifest{}, fmt.Errorf("read the manifest of backup %s: %w", id, err)
	}
	m, err := parseManifest(data)
	if err != nil {
		return Manifest{}, fmt.Errorf("backup %s: %w: %w", id, ErrDamaged, err)
	}
	if m.ID != id {
		return Manifest{}, fmt.Errorf("backup %s: %w: it names backup %s", id, ErrDamaged, m.ID)
	}
	return m, nil
}

// Select returns the backup to restore: the one with the given id, or else
// the newest taken at or before at (the newest of all when at is zero).
// When that one is damaged, it returns an error rather than an older
// backup, which would lose more data than the caller expects.
func Select(ctx context.Context, target Target, id string, at time.Time) (Manifest, error) {
	if id != "" {
		if !idPattern.MatchString(id) {
			return Manifest{}, fmt.Errorf("invalid backup id %q: expected one like 20261205T010000Z from reelpulse backup list", id)
		}
		return readManifest(ctx, target, id)
	}
	manifests, damaged, err := List(ctx, target)
	if err != nil {
		return Manifest{}, err
	}
	eligible := func(createdAt time.Time) bool { return at.IsZero() || !createdAt.After(at) }
	var chosen *Manifest
	for i, m := range manifests {
		if eligible(m.CreatedAt) {
			chosen = &manifests[i]
			break
		}
	}
	for _, d := range damaged {
		createdAt, err := time.Parse(idLayout, d.ID)
		if err == nil && eligible(createdAt) && (chosen == nil || createdAt.After(chosen.CreatedAt)) {
			return Manifest{}, fmt.Errorf("%w; choose another backup with --id (see reelpulse backup list)", d.Err)
		}
	}
	if chosen != nil {
		return *chosen, nil
	}
	if at.IsZero() {
		return Manifest{}, fmt.Errorf("no backup in %s: create one with reelpulse backup", target)
	}
	return Manifest{}, fmt.Errorf("no backup in %s taken at or before %s", target, at.UTC().Format(time.RFC3339))
}

// RestoreOptions select what Restore does.
type RestoreOptions struct {
	Options
	// Force replaces the data of a database that is not empty.
	Force bool
}

// Restore replaces the content of db with backup m. It first downloads
// every table file and checks its size, checksum and rows, so that a
// corrupt or truncated backup is refused before the database is touched.
// The load then runs in one transaction.
func Restore(ctx context.Context, db Database, m Manifest, o RestoreOptions) error {
	o.defaults()
	schemaVersion, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	records, err := plan(m, schemaVersion)
	if err != nil {
		return err
	}
	if !o.Force {
		movies, err := db.ListMovies(ctx, false)
		if err != nil {
			return fmt.Errorf("check that the database is empty: %w", err)
		}
		if len(movies) > 0 {
			count, them := fmt.Sprintf("%d movies", len(movies)), "them"
			if len(movies) == 1 {
				count, them = "1 movie", "it"
			}
			return fmt.Errorf("the database contains %s: restoring backup %s would replace %s; pass --force to do so", count, m.ID, them)
		}
	}

	dir, err := os.MkdirTemp(o.TempDir, "reelpulse-restore-")
	if err != nil {
		return fmt.Errorf("create a temporary directory for the restore: %w", err)
	}
	defer os.RemoveAll(dir)

	for _, t := range m.Tables {
		if err := fetchTable(ctx, o.Target, m.ID, t, dir); err != nil {
			return fmt.Errorf("backup %s is damaged, nothing was restored: %w", m.ID, err)
		}
	}

	var open []io.Closer
	defer func() {
		for _, c := range open {
			c.Close()
		}
	}()
	err = db.Load(ctx, func(t store.Table) (store.RowSource, error) {
		record, ok := records[t.Name]
		if !ok {
			return emptySource{}, nil
		}
		f, err := os.Open(filepath.Join(dir, t.Name+".jsonl.gz"))
		if err != nil {
			return nil, err
		}
		open = append(open, f)
		zr, err := gzip.NewReader(f)
		if err != nil {
			return nil, err
		}
		source := &countedSource{decoder: newRowDecoder(zr, t.ColumnsAt(m.SchemaVersion)), want: record.Rows, table: t.Name}
		return withDefaults(t, m.SchemaVersion, source), nil
	})
	if err != nil {
		return fmt.Errorf("restore backup %s, nothing was changed: %w", m.ID, err)
	}
	o.Logger.Info("Backup restored", "backup_id", m.ID, "target", o.Target.String(), "rows", m.Rows())
	return nil
}

// fetchTable downloads one table file into dir and checks it against its
// record: size, SHA-256, and that every row decodes, with the right count.
func fetchTable(ctx context.Context, target Target, id string, t TableRecord, dir string) error {
	r, err := target.Get(ctx, id+"/"+t.File)
	if err != nil {
		return fmt.Errorf("table %s: %w", t.Name, err)
	}
	defer r.Close()

	file := filepath.Join(dir, t.Name+".jsonl.gz")
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	defer f.Close()
	hash := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, hash), io.LimitReader(r, t.Bytes+1))
	if err != nil {
		return fmt.Errorf("table %s: download: %w", t.Name, err)
	}
	if n != t.Bytes {
		return fmt.Errorf("table %s: file has %d bytes, the manifest records %d", t.Name, n, t.Bytes)
	}
	if sum := hex.EncodeToString(hash.Sum(nil)); sum != t.SHA256 {
		return fmt.Errorf("table %s: SHA-256 %s does not match the manifest's %s", t.Name, sum, t.SHA256)
	}

	columns, err := storeColumns(t.Columns)
	if err != nil {
		return fmt.Errorf("table %s: %w", t.Name, err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	zr, err := gzip.NewReader(f)
	if err != nil {
		return fmt.Errorf("table %s: %w", t.Name, err)
	}
	source := &countedSource{decoder: newRowDecoder(zr, columns), want: t.Rows, table: t.Name}
	for {
		_, err := source.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

func storeColumns(records []ColumnRecord) ([]store.Column, error) {
	columns := make([]store.Column, len(records))
	for i, r := range records {
		t := slices.Index(columnTypeNames(), r.Type)
		if t < 0 {
			return nil, fmt.Errorf("column %s has unknown type %q", r.Name, r.Type)
		}
		columns[i] = store.Column{Name: r.Name, Type: store.ColumnType(t)}
	}
	return columns, nil
}

func columnTypeNames() []string {
	var names []string
	for t := store.TypeText; t <= store.TypeJSON; t++ {
		names = append(names, t.String())
	}
	return names
}

// countedSource decodes a table file and fails when its row count differs
// from the manifest's.
type countedSource struct {
	decoder *rowDecoder
	table   string
	want    int64
	got     int64
}

func (c *countedSource) Next() ([]any, error) {
	row, err := c.decoder.Next()
	if errors.Is(err, io.EOF) {
		if c.got != c.want {
			return nil, fmt.Errorf("table %s: file has %d rows, the manifest records %d", c.table, c.got, c.want)
		}
		return nil, io.EOF
	}
	if err != nil {
		return nil, fmt.Errorf("table %s: %w", c.table, err)
	}
	c.got++
	return row, nil
}

type emptySource struct{}

func (emptySource) Next() ([]any, error) { return nil, io.EOF }
