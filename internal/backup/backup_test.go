package backup_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/reelpulse/reelpulse/internal/backup"
	"github.com/reelpulse/reelpulse/internal/store"
	"github.com/reelpulse/reelpulse/internal/store/postgres"
	"github.com/reelpulse/reelpulse/internal/store/sqlite"
	"github.com/reelpulse/reelpulse/internal/store/storetest"
	"github.com/reelpulse/reelpulse/internal/testutil"
)

// database is a store that backups read and restores write.
type database interface {
	storetest.DumpStore
	backup.Database
}

func openSQLite(t *testing.T) database {
	t.Helper()
	s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "reelpulse.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	return s
}

func openPostgres(t *testing.T) database {
	t.Helper()
	s, err := postgres.Open(t.Context(), testutil.PostgresURL(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	return s
}

// startS3 serves an in-memory S3 server on 127.0.0.1 with one empty
// bucket, and returns its settings.
func startS3(t *testing.T, bucket string) backup.S3Config {
	t.Helper()
	mem := s3mem.New()
	if err := mem.CreateBucket(bucket); err != nil {
		t.Fatal(err)
	}
	server := httptest.NewServer(gofakes3.New(mem).Server())
	t.Cleanup(server.Close)
	return backup.S3Config{
		Endpoint:        server.URL,
		Region:          "us-east-1",
		PathStyle:       true,
		AccessKeyID:     "test-access-key",
		SecretAccessKey: "test-secret-key",
	}
}

func s3Target(t *testing.T, config backup.S3Config, location string) backup.Target {
	t.Helper()
	target, err := backup.ParseTarget(location, config)
	if err != nil {
		t.Fatal(err)
	}
	return target
}

var clock = time.Date(2026, 12, 5, 1, 0, 0, 0, time.UTC)

func options(target backup.Target, db string) backup.Options {
	return backup.Options{Target: target, Database: db, Program: "test", Now: func() time.Time { return clock }}
}

func create(t *testing.T, db database, o backup.Options) backup.Manifest {
	t.Helper()
	m, err := backup.Create(t.Context(), db, o)
	if err != nil {
		t.Fatalf("create backup: %v", err)
	}
	return m
}

func restore(t *testing.T, db database, m backup.Manifest, o backup.Options, force bool) error {
	t.Helper()
	return backup.Restore(t.Context(), db, m, backup.RestoreOptions{Options: o, Force: force})
}

func sameTables(t *testing.T, what string, got, want map[string][][]any) {
	t.Helper()
	for _, table := range store.DumpTables {
		if !reflect.DeepEqual(got[table.Name], want[table.Name]) {
			t.Errorf("%s: table %s differs:\n got %v\nwant %v", what, table.Name, got[table.Name], want[table.Name])
		}
	}
}

// TestRoundTripAcrossDatabases moves a database from SQLite to
// PostgreSQL and back through S3, and checks that every table keeps its
// rows and that both backups carry the same checksums.
func TestRoundTripAcrossDatabases(t *testing.T) {
	config := startS3(t, "backups")
	target := s3Target(t, config, "s3://backups/reelpulse")

	source := openSQLite(t)
	storetest.SeedDump(t, source)
	want := storetest.DumpAll(t, source)
	first := create(t, source, options(target, "sqlite"))
	if first.Rows() == 0 {
		t.Fatal("the backup holds no rows")
	}

	middle := openPostgres(t)
	if err := restore(t, middle, first, options(target, "postgres"), false); err != nil {
		t.Fatalf("restore into PostgreSQL: %v", err)
	}
	sameTables(t, "SQLite to PostgreSQL", storetest.DumpAll(t, middle), want)

	clock = clock.Add(time.Hour)
	second := create(t, middle, options(target, "postgres"))
	for i := range first.Tables {
		a, b := first.Tables[i], second.Tables[i]
		if a.Name != b.Name || a.Rows != b.Rows || a.SHA256 != b.SHA256 {
			t.Errorf("table %s: SQLite backup has %d rows, SHA-256 %s; PostgreSQL backup has %d rows, SHA-256 %s",
				a.Name, a.Rows, a.SHA256, b.Rows, b.SHA256)
		}
	}

	last := openSQLite(t)
	if err := restore(t, last, second, options(target, "sqlite"), false); err != nil {
		t.Fatalf("restore into SQLite: %v", err)
	}
	sameTables(t, "PostgreSQL to SQLite", storetest.DumpAll(t, last), want)

	listed, damaged, err := backup.List(t.Context(), target)
	if err != nil {
		t.Fatal(err)
	}
	if len(damaged) != 0 {
		t.Errorf("damaged backups listed: %+v", damaged)
	}
	if len(listed) != 2 || listed[0].ID != second.ID || listed[1].ID != first.ID {
		t.Errorf("backup list = %+v, want %s then %s", listed, second.ID, first.ID)
	}
}

// flipByte changes one byte in the middle of an object.
func flipByte(t *testing.T, target backup.Target, name string) {
	t.Helper()
	r, err := target.Get(t.Context(), name)
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(r)
	r.Close()
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)/2] ^= 0x01
	if err := target.Put(t.Context(), name, bytes.NewReader(data), int64(len(data))); err != nil {
		t.Fatal(err)
	}
}

func TestRestoreRefusesDamage(t *testing.T) {
	for _, tc := range []struct {
		name    string
		damage  func(t *testing.T, target backup.Target, m backup.Manifest)
		message string
	}{
		{"flipped byte", func(t *testing.T, target backup.Target, m backup.Manifest) {
			flipByte(t, target, m.ID+"/tables/reviews.jsonl.gz")
		}, "SHA-256"},
		{"truncated file", func(t *testing.T, target backup.Target, m backup.Manifest) {
			name := m.ID + "/tables/movies.jsonl.gz"
			r, _ := target.Get(t.Context(), name)
			data, _ := io.ReadAll(r)
			r.Close()
			_ = target.Put(t.Context(), name, bytes.NewReader(data[:len(data)-10]), int64(len(data)-10))
		}, "bytes"},
		{"missing file", func(t *testing.T, target backup.Target, m backup.Manifest) {
			_ = target.Delete(t.Context(), m.ID+"/tables/posters.jsonl.gz")
		}, "posters"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			target, err := backup.NewDirTarget(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			source := openSQLite(t)
			storetest.SeedDump(t, source)
			m := create(t, source, options(target, "sqlite"))
			tc.damage(t, target, m)

			dest := openSQLite(t)
			track(t, dest, "tt0000042")
			before := storetest.DumpAll(t, dest)
			err = restore(t, dest, m, options(target, "sqlite"), true)
			if err == nil || !strings.Contains(err.Error(), tc.message) || !strings.Contains(err.Error(), "nothing was restored") {
				t.Errorf("restore of a damaged backup returned %v, want an error naming %q and saying nothing was restored", err, tc.message)
			}
			sameTables(t, "after the refused restore", storetest.DumpAll(t, dest), before)
		})
	}
}

func track(t *testing.T, s store.Store, id string) {
	t.Helper()
	if _, err := s.TrackMovie(t.Context(), id, clock); err != nil {
		t.Fatal(err)
	}
}

// interruptedDatabase fails its load after a number of rows, as a process
// killed or a connection lost midway would.
type interruptedDatabase struct {
	database
	after int
}

var errInterrupted = errors.New("interrupted")

func (d interruptedDatabase) Load(ctx context.Context, open func(t store.Table) (store.RowSource, error)) error {
	rows := 0
	return d.database.Load(ctx, func(t store.Table) (store.RowSource, error) {
		source, err := open(t)
		return &interruptingSource{source: source, rows: &rows, after: d.after}, err
	})
}

type interruptingSource struct {
	source store.RowSource
	rows   *int
	after  int
}

func (s *interruptingSource) Next() ([]any, error) {
	if *s.rows == s.after {
		return nil, errInterrupted
	}
	*s.rows++
	return s.source.Next()
}

func TestInterruptedRestoreChangesNothing(t *testing.T) {
	for name, open := range map[string]func(t *testing.T) database{"sqlite": openSQLite, "postgres": openPostgres} {
		t.Run(name, func(t *testing.T) {
			target, err := backup.NewDirTarget(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			source := openSQLite(t)
			storetest.SeedDump(t, source)
			m := create(t, source, options(target, "sqlite"))

			dest := open(t)
			track(t, dest, "tt0000042")
			before := storetest.DumpAll(t, dest)
			err = restore(t, interruptedDatabase{database: dest, after: 5}, m, options(target, name), true)
			if !errors.Is(err, errInterrupted) {
				t.Fatalf("interrupted restore returned %v, want %v", err, errInterrupted)
			}
			sameTables(t, "after the interrupted restore", storetest.DumpAll(t, dest), before)
		})
	}
}

func TestRestoreNeedsForceOnData(t *testing.T) {
	target, err := backup.NewDirTarget(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	source := openSQLite(t)
	storetest.SeedDump(t, source)
	m := create(t, source, options(target, "sqlite"))

	dest := openSQLite(t)
	track(t, dest, "tt0000042")
	err = restore(t, dest, m, options(target, "sqlite"), false)
	if err == nil || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("restore over data without force returned %v, want an error that mentions --force", err)
	}
	if err := restore(t, dest, m, options(target, "sqlite"), true); err != nil {
		t.Fatalf("restore with force: %v", err)
	}
	sameTables(t, "after the forced restore", storetest.DumpAll(t, dest), storetest.DumpAll(t, source))
}

func TestRestoreRefusesNewerSchema(t *testing.T) {
	target, err := backup.NewDirTarget(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	source := openSQLite(t)
	m := create(t, source, options(target, "sqlite"))
	m.SchemaVersion++

	err = restore(t, openSQLite(t), m, options(target, "sqlite"), true)
	if err == nil || !strings.Contains(err.Error(), "newer") {
		t.Errorf("restore of a newer schema returned %v, want an error saying the backup is newer", err)
	}
}

// hourlyBackups takes three backups of an empty SQLite database into a
// new folder, an hour apart from clock on, and returns their ids.
func hourlyBackups(t *testing.T) (backup.Target, []string) {
	t.Helper()
	target, err := backup.NewDirTarget(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	db := openSQLite(t)
	var ids []string
	for i := range 3 {
		o := options(target, "sqlite")
		o.Now = func() time.Time { return clock.Add(time.Duration(i) * time.Hour) }
		ids = append(ids, create(t, db, o).ID)
	}
	return target, ids
}

func TestSelect(t *testing.T) {
	target, ids := hourlyBackups(t)

	for _, tc := range []struct {
		name string
		id   string
		at   time.Time
		want string
	}{
		{"newest", "", time.Time{}, ids[2]},
		{"by id", ids[0], time.Time{}, ids[0]},
		{"at a time between", "", clock.Add(90 * time.Minute), ids[1]},
		{"at the exact time", "", clock.Add(time.Hour), ids[1]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := backup.Select(t.Context(), target, tc.id, tc.at)
			if err != nil || m.ID != tc.want {
				t.Errorf("Select(%q, %v) = %s, %v; want %s", tc.id, tc.at, m.ID, err, tc.want)
			}
		})
	}

	if _, err := backup.Select(t.Context(), target, "", clock.Add(-time.Hour)); err == nil {
		t.Error("Select before the first backup succeeded")
	}
	if _, err := backup.Select(t.Context(), target, "20990101T000000Z", time.Time{}); !strings.Contains(fmtError(err), "not found") {
		t.Errorf("Select of an unknown id returned %v, want not found", err)
	}
	if _, err := backup.Select(t.Context(), target, "../../etc", time.Time{}); !strings.Contains(fmtError(err), "invalid backup id") {
		t.Errorf("Select of a path returned %v, want invalid backup id", err)
	}
}

// TestDamagedManifestSkipped checks that a backup whose manifest is
// truncated is listed apart, that Select still finds the intact backups
// around it, and that it refuses to fall back to an older backup when the
// one requested is the damaged one.
func TestDamagedManifestSkipped(t *testing.T) {
	target, ids := hourlyBackups(t)
	if err := target.Put(t.Context(), ids[1]+"/manifest.json", strings.NewReader(`{"id": "`), 8); err != nil {
		t.Fatal(err)
	}

	listed, damaged, err := backup.List(t.Context(), target)
	if err != nil {
		t.Fatalf("List with a damaged backup: %v", err)
	}
	if len(listed) != 2 || listed[0].ID != ids[2] || listed[1].ID != ids[0] {
		t.Errorf("intact backups = %+v, want %s and %s", listed, ids[2], ids[0])
	}
	if len(damaged) != 1 || damaged[0].ID != ids[1] || !errors.Is(damaged[0].Err, backup.ErrDamaged) {
		t.Errorf("damaged backups = %+v, want %s", damaged, ids[1])
	}

	if m, err := backup.Select(t.Context(), target, "", time.Time{}); err != nil || m.ID != ids[2] {
		t.Errorf("Select newest = %s, %v; want %s", m.ID, err, ids[2])
	}
	if m, err := backup.Select(t.Context(), target, "", clock.Add(30*time.Minute)); err != nil || m.ID != ids[0] {
		t.Errorf("Select before the damaged one = %s, %v; want %s", m.ID, err, ids[0])
	}
	_, err = backup.Select(t.Context(), target, "", clock.Add(90*time.Minute))
	if !errors.Is(err, backup.ErrDamaged) || !strings.Contains(err.Error(), ids[1]) || !strings.Contains(err.Error(), "--id") {
		t.Errorf("Select when the newest eligible backup is damaged: %v, want an error naming %s and --id", err, ids[1])
	}
}

func fmtError(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestS3MissingBucket(t *testing.T) {
	config := startS3(t, "backups")
	target := s3Target(t, config, "s3://no-such-bucket/reelpulse")
	_, err := backup.Create(t.Context(), openSQLite(t), options(target, "sqlite"))
	if err == nil || !strings.Contains(err.Error(), "REELPULSE_BACKUP_TARGET") || !strings.Contains(err.Error(), "no-such-bucket") {
		t.Errorf("backup to a missing bucket returned %v, want a message naming the bucket and REELPULSE_BACKUP_TARGET", err)
	}
}

// partCounter counts the part uploads of multipart uploads.
type partCounter struct {
	parts atomic.Int64
}

func (c *partCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodPut && r.URL.Query().Has("partNumber") {
		c.parts.Add(1)
	}
	return http.DefaultTransport.RoundTrip(r)
}

func TestS3MultipartUpload(t *testing.T) {
	config := startS3(t, "backups")
	config.PartSize = 5 << 20 // the smallest part S3 accepts
	counter := &partCounter{}
	config.Transport = counter
	target := s3Target(t, config, "s3://backups/big")

	data := bytes.Repeat([]byte("0123456789abcdef"), (12<<20)/16)
	if err := target.Put(t.Context(), "20261205T010000Z/tables/posters.jsonl.gz", bytes.NewReader(data), int64(len(data))); err != nil {
		t.Fatalf("put 12 MiB in parts: %v", err)
	}
	if parts := counter.parts.Load(); parts != 3 {
		t.Errorf("12 MiB went up in %d parts, want 3 of at most 5 MiB", parts)
	}
	r, err := target.Get(t.Context(), "20261205T010000Z/tables/posters.jsonl.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	got, err := io.ReadAll(r)
	if err != nil || !bytes.Equal(got, data) {
		t.Errorf("read back %d bytes (error %v), want the %d written", len(got), err, len(data))
	}

	if _, err := target.Get(t.Context(), "20261205T010000Z/manifest.json"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("get of a missing object returned %v, want fs.ErrNotExist", err)
	}
}

// TestSameSecondBackups starts two backups with the same id at once. Each
// either completes or fails with a message, and a completed one restores:
// the two never mix their files into one damaged backup.
func TestSameSecondBackups(t *testing.T) {
	seeded := openSQLite(t)
	storetest.SeedDump(t, seeded)
	empty := openSQLite(t)

	completed := 0
	for round := range 10 {
		target, err := backup.NewDirTarget(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		o := options(target, "sqlite")
		errs := make([]error, 2)
		var wg sync.WaitGroup
		for i, db := range []database{seeded, empty} {
			wg.Go(func() { _, errs[i] = backup.Create(t.Context(), db, o) })
		}
		wg.Wait()

		for _, err := range errs {
			if err != nil && !strings.Contains(err.Error(), "is being written by another process") {
				t.Errorf("round %d: error %v, want one that names the other backup", round, err)
			}
		}
		if errs[0] != nil && errs[1] != nil {
			continue
		}
		if errs[0] == nil && errs[1] == nil {
			t.Fatalf("round %d: both backups with the same id completed", round)
		}
		completed++
		m, err := backup.Select(t.Context(), target, "", time.Time{})
		if err != nil {
			t.Fatalf("round %d: select the backup: %v", round, err)
		}
		if err := restore(t, openSQLite(t), m, o, false); err != nil {
			t.Errorf("round %d: restore of the completed backup: %v", round, err)
		}
		names, err := target.List(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range names {
			if strings.Contains(name, "/writing-") {
				t.Errorf("round %d: the mark %s is left behind", round, name)
			}
		}
	}
	if completed == 0 {
		t.Error("no round completed a backup")
	}
}

// TestBackupMarkBlocks leaves the mark of a backup being written and
// expects a backup with the same id to stop.
func TestBackupMarkBlocks(t *testing.T) {
	target, err := backup.NewDirTarget(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	o := options(target, "sqlite")
	id := clock.Format("20060102T150405Z")
	if err := target.Put(t.Context(), id+"/writing-0123456789abcdef", strings.NewReader(""), 0); err != nil {
		t.Fatal(err)
	}
	if _, err := backup.Create(t.Context(), openSQLite(t), o); err == nil || !strings.Contains(err.Error(), "wait a second and try again") {
		t.Errorf("backup beside another one being written: error %v, want the advice to wait", err)
	}
}
