package store

import (
	"context"
	"time"
)

// MovieImport is the writes of one movie in an import, applied in field
// order.
type MovieImport struct {
	MovieID string
	// Track adds the movie, or tracks it again, at TrackAt, as TrackMovie
	// does.
	Track   bool
	TrackAt time.Time
	// Check, when set, stores the movie's metadata as RecordCheck does.
	Check   *MovieMetadata
	CheckAt time.Time
	// Sync, when set, stores reviews as ApplySync does.
	Sync *SyncResult
	// Analyses are saved as SaveAnalyses does.
	Analyses []Analysis
}

// Importer writes an import in one transaction.
type Importer interface {
	// ImportMovies applies the writes of every movie, in order, in one
	// transaction: when any write fails, nothing is stored.
	ImportMovies(ctx context.Context, movies []MovieImport) error
}
