package cli

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/reelpulse/reelpulse/internal/backup"
	"github.com/reelpulse/reelpulse/internal/config"
	"github.com/reelpulse/reelpulse/internal/store"
)

func runBackup(ctx context.Context, env *environment, args []string) error {
	if len(args) > 0 && args[0] == "list" {
		return runBackupList(ctx, env, args[1:])
	}
	fs := newFlagSet(env, "backup", "[--to s3://bucket/prefix | file:///dir] | list [--from …]",
		"Take a backup of the database now: one compressed file per table, read in\n"+
			"one transaction, and a manifest with row counts and SHA-256 checksums.\n"+
			"The target defaults to REELPULSE_BACKUP_TARGET. Afterwards, backups that\n"+
			"REELPULSE_BACKUP_KEEP_HOURLY and REELPULSE_BACKUP_KEEP_DAILY do not keep\n"+
			"are deleted. `reelpulse backup list` prints the backups of the target.")
	to := fs.String("to", "", "backup target; default REELPULSE_BACKUP_TARGET")
	noPrune := fs.Bool("no-prune", false, "keep every older backup")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf("unexpected argument %q: use reelpulse backup [--to TARGET] or reelpulse backup list", fs.Arg(0))
	}

	a, err := loadApp(ctx, env, nil)
	if err != nil {
		return err
	}
	defer a.close()
	target, err := backupTarget(a.cfg, *to)
	if err != nil {
		return err
	}
	db, err := a.backupDatabase()
	if err != nil {
		return err
	}

	m, err := backup.Create(ctx, db, a.backupOptions(target))
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "Backup %s: %s in %s, %s, in %s\n", m.ID, plural64(m.Rows(), "row", "rows"), plural(len(m.Tables), "table", "tables"), byteSize(m.Bytes()), target)
	if *noPrune {
		return nil
	}
	deleted, err := backup.Prune(ctx, target, retention(a.cfg), time.Now())
	if err != nil {
		return err
	}
	if len(deleted) > 0 {
		fmt.Fprintf(env.stdout, "Deleted %s that the retention settings do not keep\n", plural(len(deleted), "older backup", "older backups"))
	}
	return nil
}

func runBackupList(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "backup list", "[--from s3://bucket/prefix | file:///dir]",
		"Print the complete backups of the target, newest first.")
	from := fs.String("from", "", "backup target; default REELPULSE_BACKUP_TARGET")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArguments(fs); err != nil {
		return err
	}
	cfg, _, err := loadSettings(env, nil)
	if err != nil {
		return err
	}
	target, err := backupTarget(cfg, *from)
	if err != nil {
		return err
	}
	manifests, damaged, err := backup.List(ctx, target)
	if err != nil {
		return err
	}
	for _, d := range damaged {
		fmt.Fprintf(env.stderr, "Damaged, cannot be restored: %v\n", d.Err)
	}
	if len(manifests) == 0 {
		fmt.Fprintf(env.stdout, "No backup in %s yet: take one with reelpulse backup\n", target)
		return nil
	}
	w := tabwriter.NewWriter(env.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tCREATED (UTC)\tDATABASE\tSCHEMA\tROWS\tSIZE\tPROGRAM")
	for _, m := range manifests {
		fmt.Fprintf(w, "%s\t%s\t%s\t%d\t%d\t%s\t%s\n", m.ID, m.CreatedAt.UTC().Format(time.DateTime), m.Database,
			m.SchemaVersion, m.Rows(), byteSize(m.Bytes()), m.Program)
	}
	return w.Flush()
}

func runRestore(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "restore", "[--from TARGET] [--id ID | --at TIME] [--force]",
		"Replace the database's content with a backup: the newest one, the one\n"+
			"with --id, or the newest taken at or before --at. Every file is downloaded\n"+
			"and checked against the manifest first; a damaged backup or one from a\n"+
			"newer schema is refused and the database is left as it was. The load\n"+
			"runs in one transaction. A backup restores into SQLite or PostgreSQL,\n"+
			"whichever it came from. Stop reelpulse serve on SQLite first.")
	from := fs.String("from", "", "backup target; default REELPULSE_BACKUP_TARGET")
	id := fs.String("id", "", "backup id from reelpulse backup list, e.g. 20261205T010000Z")
	at := fs.String("at", "", "restore the newest backup taken at or before this time (RFC 3339, e.g. 2026-12-05T01:00:00Z, or a date)")
	force := fs.Bool("force", false, "replace the data of a database that is not empty")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf("unexpected argument %q: pass the backup as --id %s", fs.Arg(0), fs.Arg(0))
	}
	if *id != "" && *at != "" {
		return usageErrorf("--id and --at both select a backup: pass only one")
	}
	var when time.Time
	if *at != "" {
		var err error
		if when, err = parseTime(*at); err != nil {
			return &usageError{err: err}
		}
	}

	a, err := loadApp(ctx, env, nil)
	if err != nil {
		return err
	}
	defer a.close()
	if a.sqlite != nil {
		release, err := lockSQLite(a.cfg.SQLitePath())
		if err != nil {
			return err
		}
		defer release()
	}
	target, err := backupTarget(a.cfg, *from)
	if err != nil {
		return err
	}
	db, err := a.backupDatabase()
	if err != nil {
		return err
	}
	m, err := backup.Select(ctx, target, *id, when)
	if err != nil {
		return err
	}
	o := backup.RestoreOptions{Options: a.backupOptions(target), Force: *force}
	if err := backup.Restore(ctx, db, m, o); err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "Restored backup %s (%s, schema %d): %s in %s\n", m.ID, m.Database, m.SchemaVersion, plural64(m.Rows(), "row", "rows"), plural(len(m.Tables), "table", "tables"))
	return nil
}

// parseTime reads --at: an RFC 3339 time, or a date meaning the end of
// that UTC day.
func parseTime(text string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, text); err == nil {
		return t, nil
	}
	if d, err := time.Parse(time.DateOnly, text); err == nil {
		return d.Add(24*time.Hour - time.Second), nil
	}
	return time.Time{}, fmt.Errorf("invalid --at %q: use an RFC 3339 time such as 2026-12-05T01:00:00Z, or a date such as 2026-12-05", text)
}

func backupTarget(cfg *config.Config, location string) (backup.Target, error) {
	if location == "" {
		location = cfg.Backup.Target
	}
	return backup.ParseTarget(location, s3Config(cfg))
}

func s3Config(cfg *config.Config) backup.S3Config {
	b := cfg.Backup
	return backup.S3Config{
		Endpoint:        b.S3Endpoint,
		Region:          b.S3Region,
		PathStyle:       b.S3PathStyle,
		AccessKeyID:     b.AccessKeyID,
		SecretAccessKey: b.SecretAccessKey,
		SessionToken:    b.SessionToken,
		SSE:             b.S3SSE,
		SSEKMSKeyID:     b.S3SSEKMSKeyID,
	}
}

func retention(cfg *config.Config) backup.Retention {
	return backup.Retention{Hourly: cfg.Backup.KeepHourly, Daily: cfg.Backup.KeepDaily}
}

// backupDatabase returns the store as a backup.Database. Both back ends
// implement it.
func (a *app) backupDatabase() (backup.Database, error) {
	db, ok := a.store.(interface {
		store.Store
		store.Dumper
	})
	if !ok {
		return nil, fmt.Errorf("the %T store cannot be backed up", a.store)
	}
	return db, nil
}

func (a *app) backupOptions(target backup.Target) backup.Options {
	return backup.Options{
		Target:   target,
		Database: databaseKind(a),
		Program:  Version,
		Logger:   a.logger,
	}
}

// byteSize formats a size in bytes with a binary unit.
func byteSize(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	value, exponent := float64(n)/unit, 0
	for value >= unit && exponent < 3 {
		value /= unit
		exponent++
	}
	return fmt.Sprintf("%.1f %ciB", value, "KMGT"[exponent])
}

// backupJob returns the work of the periodic backup job: a backup to
// REELPULSE_BACKUP_TARGET, then pruning by the retention settings.
func (a *app) backupJob() (func(ctx context.Context) error, error) {
	target, err := backupTarget(a.cfg, "")
	if err != nil {
		return nil, err
	}
	db, err := a.backupDatabase()
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context) error {
		if _, err := backup.Create(ctx, db, a.backupOptions(target)); err != nil {
			return err
		}
		deleted, err := backup.Prune(ctx, target, retention(a.cfg), time.Now())
		if len(deleted) > 0 {
			a.logger.Info("Old backups deleted", "target", target.String(), "deleted", len(deleted))
		}
		return err
	}, nil
}
