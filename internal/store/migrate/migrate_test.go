package migrate

import (
	"testing"
	"testing/fstest"
)

func TestLoadOrdersByVersion(t *testing.T) {
	files := fstest.MapFS{
		"0010_later.sql":   {Data: []byte("SELECT 10")},
		"0002_second.sql":  {Data: []byte("SELECT 2")},
		"0001_initial.sql": {Data: []byte("SELECT 1")},
		"README.md":        {Data: []byte("not a migration")},
	}
	migrations, err := Load(files)
	if err != nil {
		t.Fatalf("load: %v", err)
	}

	want := []int{1, 2, 10}
	if len(migrations) != len(want) {
		t.Fatalf("loaded %d migrations, want %d", len(migrations), len(want))
	}
	for i, m := range migrations {
		if m.Version != want[i] {
			t.Errorf("migration %d has version %d, want %d", i, m.Version, want[i])
		}
	}
	if migrations[0].SQL != "SELECT 1" {
		t.Errorf("migration 1 SQL = %q, want %q", migrations[0].SQL, "SELECT 1")
	}
}

func TestLoadRejectsInvalidNames(t *testing.T) {
	tests := map[string]fstest.MapFS{
		"no version":        {"initial.sql": {}},
		"zero version":      {"0000_initial.sql": {}},
		"no underscore":     {"0001.sql": {}},
		"duplicate version": {"0001_a.sql": {}, "001_b.sql": {}},
	}
	for name, files := range tests {
		if _, err := Load(files); err == nil {
			t.Errorf("%s: load succeeded", name)
		}
	}
}
