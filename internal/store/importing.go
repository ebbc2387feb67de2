package store

import (
	"context"
	"fmt"
	"time"
)

// MovieImport is the writes of one movie in an import, applied in field
// order.
type MovieImport struct {
	MovieID string
	// Track adds the movie, or tracks it again, at TrackAt, and pins it,
	// as Accounts.PinMovie does: an import tracks it for the deployment.
	Track   bool
	TrackAt time.Time
	// Check, when set, stores the movie's metadata as RecordCheck does.
	Check   *MovieMetadata
	CheckAt time.Time
	// Sync, when set, stores reviews as ApplySync does, except that a
	// review whose id is stored under another movie fails the import with
	// an error wrapping ErrReviewConflict: find them first with
	// ReviewOwners.
	Sync *SyncResult
	// Analyses are saved as SaveAnalyses does.
	Analyses []Analysis
}

// Importer writes an import in one transaction.
type Importer interface {
	// ImportMovies applies the writes of every movie, in order, in one
	// transaction: when any write fails, nothing is stored.
	ImportMovies(ctx context.Context, movies []MovieImport) error
	// ReviewOwners maps each of the review ids that is stored to the id of
	// its movie. Unknown ids are left out.
	ReviewOwners(ctx context.Context, reviewIDs []string) (map[string]string, error)
}

// ImportConflict returns nil when conflicts is empty, or else an error
// wrapping ErrReviewConflict that names the first review and both movies,
// for an import, which must not store a pass with reviews left out.
func ImportConflict(conflicts []ReviewConflict) error {
	if len(conflicts) == 0 {
		return nil
	}
	c := conflicts[0]
	more := ""
	if len(conflicts) > 1 {
		more = fmt.Sprintf(" (and %d more)", len(conflicts)-1)
	}
	return fmt.Errorf("%w: review %s%s is stored under movie %s, not %s; leave it out of the import or import it with movie %s",
		ErrReviewConflict, c.ReviewID, more, c.OwnerID, c.MovieID, c.OwnerID)
}
