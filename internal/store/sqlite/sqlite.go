// Package sqlite implements store.Store on an SQLite file through
// modernc.org/sqlite, with one writer connection and a read-only pool.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"runtime"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/reelpulse/reelpulse/internal/store"
	"github.com/reelpulse/reelpulse/internal/store/migrate"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// busyTimeout is how long a connection waits for a lock held by another
// connection or process before failing with SQLITE_BUSY.
const busyTimeout = 10 * time.Second

// Store is the SQLite back end. All writes go through one connection, so
// writers in the process queue for it instead of failing with SQLITE_BUSY.
type Store struct {
	writer *sql.DB
	reader *sql.DB
	logger *slog.Logger
}

var _ store.Store = (*Store)(nil)

// Open opens the database file at path, creating it when missing. It does
// not migrate, so call Migrate before use. The path must name a file: the
// writer and the read pool are separate connections, so ":memory:" would
// give each its own empty database.
func Open(ctx context.Context, path string, logger *slog.Logger) (*Store, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}

	writer, err := openPool(ctx, path, writerParams(), 1)
	if err != nil {
		return nil, fmt.Errorf("open sqlite writer %s: %w", path, err)
	}

	reader, err := openPool(ctx, path, readerParams(), max(4, runtime.NumCPU()))
	if err != nil {
		writer.Close()
		return nil, fmt.Errorf("open sqlite reader %s: %w", path, err)
	}
	return &Store{writer: writer, reader: reader, logger: logger}, nil
}

// writerParams make the write connection use WAL, enforce foreign keys and
// take the write lock when a transaction begins, so that busy_timeout also
// covers transactions that read before they write.
func writerParams() url.Values {
	return url.Values{
		"_pragma": {
			fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()),
			"foreign_keys(1)",
			"journal_mode(WAL)",
			"synchronous(NORMAL)",
		},
		"_txlock": {"immediate"},
	}
}

// readerParams make read connections refuse writes.
func readerParams() url.Values {
	return url.Values{
		"_pragma": {
			fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()),
			"foreign_keys(1)",
			"query_only(1)",
		},
	}
}

func openPool(ctx context.Context, path string, params url.Values, conns int) (*sql.DB, error) {
	db, err := sql.Open("sqlite", path+"?"+params.Encode())
	if err != nil {
		return nil, err
	}

	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// WriterDB returns the single-connection handle that all writes use, for
// the job queue to share. A caller must not hold it while waiting on a
// store method, or both wait forever.
func (s *Store) WriterDB() *sql.DB {
	return s.writer
}

// Close closes both pools.
func (s *Store) Close() error {
	return errors.Join(s.reader.Close(), s.writer.Close())
}

// Ping checks that both pools can reach the database.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.writer.PingContext(ctx); err != nil {
		return fmt.Errorf("ping sqlite writer: %w", err)
	}
	if err := s.reader.PingContext(ctx); err != nil {
		return fmt.Errorf("ping sqlite reader: %w", err)
	}
	return nil
}

// Migrate applies the embedded migrations that are not recorded yet.
func (s *Store) Migrate(ctx context.Context) error {
	files, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return fmt.Errorf("open embedded migrations: %w", err)
	}

	migrations, err := migrate.Load(files)
	if err != nil {
		return err
	}
	return migrate.Run(ctx, migrationTarget{db: s.writer}, migrations, s.logger)
}

type migrationTarget struct {
	db *sql.DB
}

func (m migrationTarget) Init(ctx context.Context) error {
	_, err := m.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		applied_at TEXT NOT NULL
	) STRICT`)
	return err
}

func (m migrationTarget) Applied(ctx context.Context) (map[int]bool, error) {
	rows, err := m.db.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()

	applied := map[int]bool{}
	for rows.Next() {
		var version int
		if err := rows.Scan(&version); err != nil {
			return nil, err
		}
		applied[version] = true
	}
	return applied, rows.Err()
}

func (m migrationTarget) Apply(ctx context.Context, migration migrate.Migration) (bool, error) {
	ran := false
	err := inTx(ctx, m.db, func(tx *sql.Tx) error {
		result, err := tx.ExecContext(ctx,
			`INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?) ON CONFLICT (version) DO NOTHING`,
			migration.Version, formatTime(time.Now()))
		if err != nil {
			return err
		}
		inserted, err := result.RowsAffected()
		if err != nil || inserted == 0 {
			return err
		}

		if _, err := tx.ExecContext(ctx, migration.SQL); err != nil {
			return err
		}
		ran = true
		return nil
	})
	return ran, err
}

// write runs fn in a transaction on the writer connection. fn must use only
// tx: the writer has one connection, which tx holds.
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return inTx(ctx, s.writer, fn)
}

func inTx(ctx context.Context, db *sql.DB, fn func(tx *sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}

	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// read runs fn in a read transaction, so that its queries see one
// snapshot of the database.
func (s *Store) read(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.reader.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()

	return fn(tx)
}
