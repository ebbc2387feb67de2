//go:build unix

package cli

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// lockSQLite takes an exclusive lock on a file beside the SQLite database so
// that a second `serve` on the same file stops at once. Two processes would
// each run a job queue over one single-writer database and contend for it.
// The lock goes away with the process, also when it is killed.
func lockSQLite(path string) (release func(), err error) {
	lockPath := path + ".lock"
	f, err := os.OpenFile(lockPath, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open lock file %s: %w", lockPath, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("another reelpulse process is serving the SQLite database %s; stop it first, or use PostgreSQL (DATABASE_URL=postgres://…) to run several processes", path)
		}
		return nil, fmt.Errorf("lock %s: %w", lockPath, err)
	}
	return func() { f.Close() }, nil
}
