package backup_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/reelpulse/reelpulse/internal/backup"
	"github.com/reelpulse/reelpulse/internal/store/storetest"
)

// TestRestoreBackupBeforeOIDCIdentities restores a backup of schema
// version 9, taken before migration 0010 added the oidc_identities table,
// into both databases: every other table comes back and the links stay
// empty.
func TestRestoreBackupBeforeOIDCIdentities(t *testing.T) {
	target, err := backup.NewDirTarget(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	source := openSQLite(t)
	storetest.SeedDump(t, source)
	want := storetest.DumpAll(t, source)
	if len(want["oidc_identities"]) == 0 {
		t.Fatal("the seed links no provider account, so the test proves nothing")
	}
	want["oidc_identities"] = [][]any{}

	older := create(t, source, options(target, "sqlite"))
	older.Tables = slices.DeleteFunc(older.Tables, func(r backup.TableRecord) bool { return r.Name == "oidc_identities" })
	older.SchemaVersion = 9

	for name, open := range map[string]func(t *testing.T) database{"sqlite": openSQLite, "postgres": openPostgres} {
		t.Run(name, func(t *testing.T) {
			db := open(t)
			if err := restore(t, db, older, options(target, name), false); err != nil {
				t.Fatalf("restore of a version 9 backup: %v", err)
			}
			sameTables(t, "after restoring a version 9 backup", storetest.DumpAll(t, db), want)
		})
	}

	// A backup that claims the current version must have the table.
	current, err := openSQLite(t).SchemaVersion(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	older.SchemaVersion = current
	err = restore(t, openSQLite(t), older, options(target, "sqlite"), false)
	if err == nil || !strings.Contains(err.Error(), "lacks table oidc_identities") {
		t.Errorf("restore of a backup without oidc_identities at version %d returned %v, want an error that names the table", current, err)
	}
}
