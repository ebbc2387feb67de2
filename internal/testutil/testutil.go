// Package testutil locates the real services that tests run against:
// PostgreSQL, Chromium and the shared IMDb captures.
//
// A missing service skips the test on a developer machine but fails it when
// the CI environment variable is set, so CI never passes by skipping.
package testutil

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// PostgresEnv names the variable that holds the URL of a PostgreSQL server
// on which tests may create and drop databases.
const PostgresEnv = "REELPULSE_TEST_DATABASE_URL"

// ChromiumEnv names the variable that overrides the Chromium binary path.
const ChromiumEnv = "REELPULSE_TEST_CHROMIUM"

func missing(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf(format, args...)
	}
	t.Skipf(format, args...)
}

// PostgresURL creates an empty database for the test on the server named by
// REELPULSE_TEST_DATABASE_URL, drops it when the test ends, and returns its
// URL.
func PostgresURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv(PostgresEnv)
	if base == "" {
		missing(t, "%s is not set; run the tests with `make test`, which starts PostgreSQL", PostgresEnv)
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("invalid %s %q: %v", PostgresEnv, base, err)
	}

	suffix := make([]byte, 6)
	_, _ = rand.Read(suffix)
	name := "reelpulse_test_" + hex.EncodeToString(suffix)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("connect to test PostgreSQL (%s): %v", PostgresEnv, err)
	}
	defer admin.Close(context.Background())
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatalf("create test database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Logf("drop test database %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			t.Logf("drop test database %s: %v", name, err)
		}
	})

	u.Path = "/" + name
	return u.String()
}

// ChromiumPath returns the path of the Chromium binary for browser tests.
func ChromiumPath(t testing.TB) string {
	t.Helper()
	if p := os.Getenv(ChromiumEnv); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	missing(t, "Chromium not found; install Debian's chromium package or set %s", ChromiumEnv)
	return ""
}

// RepoRoot returns the repository root, found from this source file.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// SharedDir returns the path of a folder under ../shared beside the
// repository, or skips the test when it is absent. The shared captures are
// optional even in CI.
func SharedDir(t testing.TB, sub string) string {
	t.Helper()
	dir := filepath.Join(RepoRoot(), "..", "shared", sub)
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("shared material %s not present: %v", dir, err)
	}
	return dir
}
