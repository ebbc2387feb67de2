package backup_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/reelpulse/reelpulse/internal/backup"
	"github.com/reelpulse/reelpulse/internal/store"
	"github.com/reelpulse/reelpulse/internal/store/storetest"
)

// rewriteAsOlder turns backup m of target into one of a schema version
// before the columns of table that were added after version: it drops them
// from the table's file and manifest record and sets the manifest's schema
// version.
func rewriteAsOlder(t *testing.T, target backup.Target, m backup.Manifest, table string, version int) backup.Manifest {
	t.Helper()
	ctx := t.Context()
	i := slices.IndexFunc(store.DumpTables, func(dt store.Table) bool { return dt.Name == table })
	record := slices.IndexFunc(m.Tables, func(r backup.TableRecord) bool { return r.Name == table })
	if i < 0 || record < 0 {
		t.Fatalf("no table %s in the dump tables and the backup", table)
	}
	var keep []int
	for j, c := range store.DumpTables[i].Columns {
		if c.Since <= version {
			keep = append(keep, j)
		}
	}

	r, err := target.Get(ctx, m.ID+"/"+m.Tables[record].File)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	zr, err := gzip.NewReader(r)
	if err != nil {
		t.Fatal(err)
	}
	var file bytes.Buffer
	zw := gzip.NewWriter(&file)
	scanner := bufio.NewScanner(zr)
	scanner.Buffer(nil, 1<<20)
	for scanner.Scan() {
		var row []json.RawMessage
		if err := json.Unmarshal(scanner.Bytes(), &row); err != nil {
			t.Fatal(err)
		}
		var older []json.RawMessage
		for _, j := range keep {
			older = append(older, row[j])
		}
		line, err := json.Marshal(older)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := zw.Write(append(line, '\n')); err != nil {
			t.Fatal(err)
		}
	}
	if err := scanner.Err(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}

	sum := sha256.Sum256(file.Bytes())
	m.Tables = slices.Clone(m.Tables)
	m.Tables[record].SHA256 = hex.EncodeToString(sum[:])
	m.Tables[record].Bytes = int64(file.Len())
	var columns []backup.ColumnRecord
	for _, j := range keep {
		c := store.DumpTables[i].Columns[j]
		columns = append(columns, backup.ColumnRecord{Name: c.Name, Type: c.Type.String()})
	}
	m.Tables[record].Columns = columns
	m.SchemaVersion = version
	if err := target.Put(ctx, m.ID+"/"+m.Tables[record].File, bytes.NewReader(file.Bytes()), int64(file.Len())); err != nil {
		t.Fatal(err)
	}
	manifest, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if err := target.Put(ctx, m.ID+"/manifest.json", bytes.NewReader(manifest), int64(len(manifest))); err != nil {
		t.Fatal(err)
	}
	selected, err := backup.Select(ctx, target, m.ID, time.Time{})
	if err != nil {
		t.Fatalf("read the rewritten manifest: %v", err)
	}
	return selected
}

// TestRestoreBackupBeforePinned restores a backup of schema version 8,
// whose movies have no pinned column, into both databases: the movies that
// were tracked on no list come back pinned, as migration 0009 pins them.
func TestRestoreBackupBeforePinned(t *testing.T) {
	target, err := backup.NewDirTarget(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	source := openSQLite(t)
	// tt0000001 is on a user's list, tt0000002 pinned and on none: what
	// the backfill computes from a backup without the column.
	storetest.SeedDump(t, source)
	want := storetest.DumpAll(t, source)
	older := rewriteAsOlder(t, target, create(t, source, options(target, "sqlite")), "movies", 8)
	if slices.ContainsFunc(older.Tables[0].Columns, func(c backup.ColumnRecord) bool { return c.Name == "pinned" }) {
		t.Fatal("the rewritten backup still has the pinned column")
	}

	restoresIntoBoth(t, target, older, want)
	// A backup that claims the current version must have every column.
	rejectedAsCurrent(t, target, older, "pinned")
}

// restoresIntoBoth restores the older backup into a new SQLite and a new
// PostgreSQL database and expects the tables of want in each.
func restoresIntoBoth(t *testing.T, target backup.Target, older backup.Manifest, want map[string][][]any) {
	t.Helper()
	label := fmt.Sprintf("version %d backup", older.SchemaVersion)
	for name, open := range map[string]func(t *testing.T) database{"sqlite": openSQLite, "postgres": openPostgres} {
		t.Run(name, func(t *testing.T) {
			db := open(t)
			if err := restore(t, db, older, options(target, name), false); err != nil {
				t.Fatalf("restore of a %s: %v", label, err)
			}
			sameTables(t, "after restoring a "+label, storetest.DumpAll(t, db), want)
		})
	}
}

// rejectedAsCurrent relabels the older backup with the current schema
// version and expects its restore to fail with an error that names what
// the backup lacks.
func rejectedAsCurrent(t *testing.T, target backup.Target, older backup.Manifest, lacking string) {
	t.Helper()
	current, err := openSQLite(t).SchemaVersion(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	older.SchemaVersion = current
	err = restore(t, openSQLite(t), older, options(target, "sqlite"), false)
	if err == nil || !strings.Contains(err.Error(), lacking) {
		t.Errorf("restore of a backup without %s at version %d returned %v, want an error that names it", lacking, current, err)
	}
}
