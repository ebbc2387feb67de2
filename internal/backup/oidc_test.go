package backup_test

import (
	"slices"
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

	restoresIntoBoth(t, target, older, want)
	// A backup that claims the current version must have the table.
	rejectedAsCurrent(t, target, older, "lacks table oidc_identities")
}
