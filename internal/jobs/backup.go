package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"
)

// QueueMaintenance runs the periodic backup, one job at a time.
const QueueMaintenance = "maintenance"

// BackupTimeout bounds one backup job, upload and pruning included.
const BackupTimeout = time.Hour

// BackupArgs takes a backup and prunes the old ones.
type BackupArgs struct{}

// Kind implements river.JobArgs.
func (BackupArgs) Kind() string { return "backup" }

// InsertOpts implements river.JobArgsWithInsertOpts. Backups are not
// retried: the next period takes a new one.
func (BackupArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueMaintenance, MaxAttempts: 1, UniqueOpts: oncePerArgs}
}

type backupWorker struct {
	river.WorkerDefaults[BackupArgs]
	deps Deps
}

func (w *backupWorker) Timeout(*river.Job[BackupArgs]) time.Duration { return BackupTimeout }

func (w *backupWorker) Work(ctx context.Context, job *river.Job[BackupArgs]) error {
	if err := w.deps.Backup(ctx); err != nil {
		w.deps.Logger.Error("Backup failed", "job_id", job.ID, "error", err)
		return fmt.Errorf("backup: %w", err)
	}
	return nil
}
