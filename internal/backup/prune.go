package backup

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// Retention selects the backups that Prune keeps: the newest backup of each of
// the last Hourly hours that have one, and of each of the last Daily days
// that have one. The newest backup is always kept. Zero for both keeps
// everything.
type Retention struct {
	Hourly int
	Daily  int
}

// unfinishedAge is the age that the objects of a backup without a manifest
// must reach before Prune deletes them, so that it never removes a backup
// that another process is still writing.
const unfinishedAge = 6 * time.Hour

// Prune deletes the backups of target that r does not keep, and the
// objects of unfinished backups older than a few hours. It returns the ids
// of the deleted backups.
func Prune(ctx context.Context, target Target, r Retention, now time.Time) ([]string, error) {
	if r.Hourly == 0 && r.Daily == 0 {
		return nil, nil
	}
	names, err := target.List(ctx)
	if err != nil {
		return nil, fmt.Errorf("list backups in %s: %w", target, err)
	}

	objects := map[string][]string{}
	complete := map[string]bool{}
	for _, name := range names {
		id, rest, ok := strings.Cut(name, "/")
		if !ok || !idPattern.MatchString(id) {
			continue // not an object of a backup: leave it alone
		}
		objects[id] = append(objects[id], name)
		if rest == manifestName {
			complete[id] = true
		}
	}

	var ids []string
	for id := range complete {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	slices.Reverse(ids)
	keep := kept(ids, r)

	var deleted []string
	for _, id := range slices.Sorted(maps.Keys(objects)) {
		if keep[id] {
			continue
		}
		if !complete[id] {
			taken, err := time.Parse(idLayout, id)
			if err != nil || now.Sub(taken) < unfinishedAge {
				continue
			}
		}
		// The manifest goes first, so that an interrupted prune leaves an
		// unfinished backup, never a complete-looking one with files missing.
		names := objects[id]
		slices.SortFunc(names, func(a, b string) int {
			return boolOrder(!strings.HasSuffix(a, "/"+manifestName)) - boolOrder(!strings.HasSuffix(b, "/"+manifestName))
		})
		for _, name := range names {
			if err := target.Delete(ctx, name); err != nil {
				return deleted, fmt.Errorf("delete %s from %s: %w", name, target, err)
			}
		}
		deleted = append(deleted, id)
	}
	return deleted, nil
}

func boolOrder(b bool) int {
	if b {
		return 1
	}
	return 0
}

// kept returns the ids, newest first in ids, that r keeps.
func kept(ids []string, r Retention) map[string]bool {
	keep := map[string]bool{}
	if len(ids) > 0 {
		keep[ids[0]] = true
	}
	// Ids are 20261205T010000Z: the first 11 characters name the hour, the
	// first 8 the day.
	for _, bucket := range []struct {
		width, count int
	}{{11, r.Hourly}, {8, r.Daily}} {
		seen := map[string]bool{}
		for _, id := range ids {
			if len(seen) == bucket.count {
				break
			}
			if key := id[:bucket.width]; !seen[key] {
				seen[key] = true
				keep[id] = true
			}
		}
	}
	return keep
}
