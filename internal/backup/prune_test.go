package backup_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/reelpulse/reelpulse/internal/backup"
)

func TestPrune(t *testing.T) {
	target, err := backup.NewDirTarget(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	put := func(name string, data []byte) {
		if err := target.Put(t.Context(), name, bytes.NewReader(data), int64(len(data))); err != nil {
			t.Fatal(err)
		}
	}

	// One backup an hour for 50 hours: copies of one real backup under
	// other ids.
	start := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	o := options(target, "sqlite")
	o.Now = func() time.Time { return start }
	m := create(t, openSQLite(t), o)
	ids := []string{m.ID}
	for i := 1; i < 50; i++ {
		copied := m
		copied.ID = start.Add(time.Duration(i) * time.Hour).Format("20060102T150405Z")
		data, err := json.Marshal(copied)
		if err != nil {
			t.Fatal(err)
		}
		put(copied.ID+"/tables/movies.jsonl.gz", []byte("x"))
		put(copied.ID+"/manifest.json", data)
		ids = append(ids, copied.ID)
	}
	now := start.Add(50 * time.Hour)

	// An unfinished backup from long ago, one that may still be running,
	// and an object that is no backup.
	x := []byte("x")
	put("20261201T000000Z/tables/movies.jsonl.gz", x)
	put(now.Format("20060102T150405Z")+"/tables/movies.jsonl.gz", x)
	put("notes.txt", x)

	deleted, err := backup.Prune(t.Context(), target, backup.Retention{Hourly: 24, Daily: 3}, now)
	if err != nil {
		t.Fatal(err)
	}

	listed, _, err := backup.List(t.Context(), target)
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	for _, m := range listed {
		left = append(left, m.ID)
	}
	slices.Sort(left)
	// The last 24 hours, plus the newest backup of each of the three days:
	// those of 5 and 4 December are among the 24.
	want := append([]string{"20261203T230000Z"}, ids[26:]...)
	slices.Sort(want)
	if !reflect.DeepEqual(left, want) {
		t.Errorf("kept %v\nwant %v", left, want)
	}
	if len(deleted) != 50-len(want)+1 {
		t.Errorf("deleted %d backups, want %d (the old unfinished one included)", len(deleted), 50-len(want)+1)
	}

	names, err := target.List(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"notes.txt", now.Format("20060102T150405Z") + "/tables/movies.jsonl.gz"} {
		if !slices.Contains(names, name) {
			t.Errorf("prune deleted %s, which is no old backup", name)
		}
	}
	if slices.Contains(names, "20261201T000000Z/tables/movies.jsonl.gz") {
		t.Error("prune kept the objects of an unfinished backup from days ago")
	}
}
