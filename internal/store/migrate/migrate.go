// Package migrate applies the numbered SQL migrations that each store back
// end embeds, recording them in a schema_migrations table.
package migrate

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"slices"
	"strconv"
	"strings"
)

// Migration is one numbered SQL script, named like "0001_initial.sql".
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Target is a database that migrations can be applied to.
type Target interface {
	// Init creates the schema_migrations table when it is missing.
	Init(ctx context.Context) error
	// Applied returns the versions recorded in schema_migrations.
	Applied(ctx context.Context) (map[int]bool, error)
	// Apply runs the migration and records its version in one transaction.
	// It reports false, changing nothing, when the version is already
	// recorded, which happens when another process migrated concurrently.
	Apply(ctx context.Context, m Migration) (bool, error)
}

// Load reads the *.sql files at the root of fsys, ordered by version. Each
// name must start with a positive number followed by an underscore.
func Load(fsys fs.FS) ([]Migration, error) {
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		return nil, fmt.Errorf("list migrations: %w", err)
	}

	migrations := make([]Migration, 0, len(names))
	for _, name := range names {
		m, err := load(fsys, name)
		if err != nil {
			return nil, err
		}
		migrations = append(migrations, m)
	}

	slices.SortFunc(migrations, func(a, b Migration) int { return a.Version - b.Version })
	for i := 1; i < len(migrations); i++ {
		if migrations[i].Version == migrations[i-1].Version {
			return nil, fmt.Errorf("migrations %s and %s share version %d", migrations[i-1].Name, migrations[i].Name, migrations[i].Version)
		}
	}
	return migrations, nil
}

func load(fsys fs.FS, name string) (Migration, error) {
	prefix, _, found := strings.Cut(path.Base(name), "_")
	version, err := strconv.Atoi(prefix)
	if !found || err != nil || version <= 0 {
		return Migration{}, fmt.Errorf("migration %s: name must start with a positive version and an underscore", name)
	}

	text, err := fs.ReadFile(fsys, name)
	if err != nil {
		return Migration{}, fmt.Errorf("read migration %s: %w", name, err)
	}
	return Migration{Version: version, Name: name, SQL: string(text)}, nil
}

// Run applies the migrations that the target has not recorded yet, in
// order, each in its own transaction.
func Run(ctx context.Context, target Target, migrations []Migration, logger *slog.Logger) error {
	if err := target.Init(ctx); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}

	applied, err := target.Applied(ctx)
	if err != nil {
		return fmt.Errorf("read schema_migrations: %w", err)
	}

	for _, m := range migrations {
		if applied[m.Version] {
			continue
		}
		ran, err := target.Apply(ctx, m)
		if err != nil {
			return fmt.Errorf("apply migration %s: %w", m.Name, err)
		}
		if ran {
			logger.InfoContext(ctx, "applied migration", "version", m.Version, "name", m.Name)
		}
	}
	return nil
}
