package store

import (
	"cmp"
	"fmt"
	"slices"
	"time"
)

// StoredReview is the state of a stored review that PlanSync decides on.
type StoredReview struct {
	HelpfulUp   int
	HelpfulDown int
	Deleted     bool
	MissingRuns int
	// SubmittedAt is the stored submission day, from which TouchedDays
	// finds the day that a rewrite, restore or deletion changes.
	SubmittedAt time.Time
}

// MissingReview is a stored review that a complete pass did not list.
type MissingReview struct {
	ID          string
	MissingRuns int  // the new count of consecutive complete passes without it
	Delete      bool // the count reached MissingRunsToDelete
}

// MissingRunsToDelete is the number of consecutive complete passes a review
// must be missing from before it is marked deleted. One missing pass is not
// enough, because IMDb's lists sometimes drop a review for a while.
const MissingRunsToDelete = 2

// SyncPlan is the set of writes that applies a SyncResult, computed from the
// stored state of the movie's reviews. Every back end executes the same plan,
// so the rules of ApplySync live in one place.
type SyncPlan struct {
	// Writes holds new reviews and, when edits are applied, known reviews
	// to rewrite. A back end upserts them in order.
	Writes []Review
	// Seen holds the votes of the listed reviews that are stored once
	// Writes are applied. Unknown ids are left out.
	Seen []ReviewVotes
	// Votes holds one vote-history row per review that is new or whose
	// votes changed.
	Votes    []ReviewVotes
	Missing  []MissingReview
	Restored int
	Deleted  int
	// Conflicts holds the upserts left out because their review id is
	// stored under another movie, in the order of the upserts.
	Conflicts []ReviewConflict
	// Run is the run record with defaults filled in. The back end adds the
	// vote totals.
	Run SyncRun
}

// PlanSync decides what ApplySync writes. stored maps the id of each review
// stored for result.MovieID, deleted ones included, to its state.
func PlanSync(result SyncResult, stored map[string]StoredReview) (SyncPlan, error) {
	return PlanSyncOwned(result, stored, nil)
}

// PlanSyncOwned is PlanSync for a store that also reads the reviews of
// other movies: owners maps the id of each upsert that is stored under
// another movie to that movie's id. Those upserts are left out, listed in
// Conflicts, and moved from the run's New count to its Skipped count,
// because the caller, which compared the pass with this movie's reviews
// only, counted them as new.
func PlanSyncOwned(result SyncResult, stored map[string]StoredReview, owners map[string]string) (SyncPlan, error) {
	run, err := syncRun(result)
	if err != nil {
		return SyncPlan{}, err
	}

	plan := SyncPlan{Run: run}
	current := make(map[string]ReviewVotes, len(stored)+len(result.Upserts))
	for id, r := range stored {
		current[id] = ReviewVotes{ReviewID: id, HelpfulUp: r.HelpfulUp, HelpfulDown: r.HelpfulDown}
	}

	if err := plan.addWrites(result, stored, owners, current); err != nil {
		return SyncPlan{}, err
	}
	conflicts := len(plan.Conflicts)
	plan.Run.New -= min(conflicts, plan.Run.New)
	plan.Run.Skipped += conflicts

	plan.addSeen(result, stored, current)
	plan.addVotes(stored, current)
	// NOTE: a complete pass whose list is mostly other movies' reviews still
	// counts this movie's unlisted reviews as missing. The client rejects
	// pages served for another title, which is how such a list would arrive.
	if result.Complete && !result.KeepMissing {
		plan.addMissing(result, stored)
	}

	plan.Run.Deleted = plan.Deleted
	return plan, nil
}

// addWrites keeps the upserts that the pass may store: every new review, and
// known ones only when edits are applied. Upserts that owners assigns to
// another movie become conflicts.
func (p *SyncPlan) addWrites(result SyncResult, stored map[string]StoredReview, owners map[string]string, current map[string]ReviewVotes) error {
	for _, r := range result.Upserts {
		if r.MovieID != "" && r.MovieID != result.MovieID {
			return fmt.Errorf("review %s belongs to movie %s, not %s, so pass it in a sync of its own movie", r.ID, r.MovieID, result.MovieID)
		}

		_, known := stored[r.ID]
		if owner, ok := owners[r.ID]; ok && !known && owner != result.MovieID {
			p.Conflicts = append(p.Conflicts, ReviewConflict{ReviewID: r.ID, MovieID: result.MovieID, OwnerID: owner})
			continue
		}
		if known && !result.ApplyEdits {
			continue
		}
		r.MovieID = result.MovieID
		p.Writes = append(p.Writes, r)
		current[r.ID] = ReviewVotes{ReviewID: r.ID, HelpfulUp: r.HelpfulUp, HelpfulDown: r.HelpfulDown}
	}
	return nil
}

// addSeen keeps the votes of the listed reviews that are stored and counts
// the deleted ones that the pass restores.
func (p *SyncPlan) addSeen(result SyncResult, stored map[string]StoredReview, current map[string]ReviewVotes) {
	for _, v := range result.Seen {
		if _, ok := current[v.ReviewID]; !ok {
			continue
		}

		p.Seen = append(p.Seen, v)
		current[v.ReviewID] = v
		if stored[v.ReviewID].Deleted {
			p.Restored++
		}
	}
}

// addVotes adds a history row for every review that is new or whose final
// votes differ from the stored ones, ordered by id.
func (p *SyncPlan) addVotes(stored map[string]StoredReview, current map[string]ReviewVotes) {
	for id, v := range current {
		before, known := stored[id]
		if known && before.HelpfulUp == v.HelpfulUp && before.HelpfulDown == v.HelpfulDown {
			continue
		}
		p.Votes = append(p.Votes, ReviewVotes{ReviewID: id, HelpfulUp: v.HelpfulUp, HelpfulDown: v.HelpfulDown})
	}
	slices.SortFunc(p.Votes, func(a, b ReviewVotes) int { return cmp.Compare(a.ReviewID, b.ReviewID) })
}

// addMissing counts every listed, stored review that the complete pass did
// not see, readable or not, ordered by id.
func (p *SyncPlan) addMissing(result SyncResult, stored map[string]StoredReview) {
	seen := make(map[string]bool, len(result.Seen)+len(result.Unreadable))
	for _, v := range result.Seen {
		seen[v.ReviewID] = true
	}
	for _, id := range result.Unreadable {
		seen[id] = true
	}

	for id, r := range stored {
		if r.Deleted || seen[id] {
			continue
		}
		m := MissingReview{ID: id, MissingRuns: r.MissingRuns + 1}
		m.Delete = m.MissingRuns >= MissingRunsToDelete
		if m.Delete {
			p.Deleted++
		}
		p.Missing = append(p.Missing, m)
	}
	slices.SortFunc(p.Missing, func(a, b MissingReview) int { return cmp.Compare(a.ID, b.ID) })
}

// syncRun returns the pass's run record with the fields that callers may
// leave zero filled in from the result.
func syncRun(result SyncResult) (SyncRun, error) {
	run := result.Run
	if run.MovieID == "" {
		run.MovieID = result.MovieID
	}
	if run.MovieID != result.MovieID {
		return SyncRun{}, fmt.Errorf("run of movie %s passed with the sync of movie %s, so set Run.MovieID to the result's movie or leave it empty", run.MovieID, result.MovieID)
	}

	if run.State == "" {
		run.State = RunIncomplete
		if result.Complete {
			run.State = RunComplete
		}
	}
	if run.FinishedAt.IsZero() {
		run.FinishedAt = result.At
	}
	if run.StartedAt.IsZero() {
		run.StartedAt = run.FinishedAt
	}
	return run, ValidateRun(run)
}

// ValidateRun reports a run record that no back end can store.
func ValidateRun(run SyncRun) error {
	switch run.State {
	case RunComplete, RunIncomplete, RunBlocked, RunChallenged, RunFailed:
	default:
		return fmt.Errorf("invalid run state %q: use one of the store.Run* constants", run.State)
	}

	if run.MovieID == "" {
		return fmt.Errorf("run has no movie id; set SyncRun.MovieID")
	}
	counts := []int{run.Pages, run.Fetched, run.Declared, run.Shortfall, run.New, run.Edited,
		run.Deleted, run.Skipped, run.HelpfulUpTotal, run.HelpfulDownTotal}
	if slices.Min(counts) < 0 {
		return fmt.Errorf("run of movie %s has a negative count: %+v", run.MovieID, run)
	}
	return nil
}

// TouchedDays returns, oldest first and without repeats, the submission
// days whose listed reviews the plan changes: the old and new days of
// rewritten reviews and the days of restored and deleted ones. The
// per-day rollups of these days, and of no others, must be recomputed
// once the plan is applied. Vote changes touch no day, because the
// rollups hold no votes.
func TouchedDays(plan SyncPlan, stored map[string]StoredReview) []time.Time {
	days := map[time.Time]bool{}
	add := func(t time.Time) {
		u := t.UTC()
		days[time.Date(u.Year(), u.Month(), u.Day(), 0, 0, 0, 0, time.UTC)] = true
	}
	for _, r := range plan.Writes {
		add(r.SubmittedAt)
		if before, ok := stored[r.ID]; ok {
			add(before.SubmittedAt)
		}
	}
	for _, v := range plan.Seen {
		if before, ok := stored[v.ReviewID]; ok && before.Deleted {
			add(before.SubmittedAt)
		}
	}
	for _, m := range plan.Missing {
		if m.Delete {
			add(stored[m.ID].SubmittedAt)
		}
	}

	sorted := make([]time.Time, 0, len(days))
	for d := range days {
		sorted = append(sorted, d)
	}
	slices.SortFunc(sorted, func(a, b time.Time) int { return a.Compare(b) })
	return sorted
}

// Months returns the first days of the months of days, oldest first and
// without repeats.
func Months(days []time.Time) []time.Time {
	months := make([]time.Time, 0, len(days))
	for _, d := range days {
		u := d.UTC()
		months = append(months, time.Date(u.Year(), u.Month(), 1, 0, 0, 0, 0, time.UTC))
	}
	slices.SortFunc(months, func(a, b time.Time) int { return a.Compare(b) })
	return slices.CompactFunc(months, func(a, b time.Time) bool { return a.Equal(b) })
}
