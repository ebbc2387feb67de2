//go:build !unix

package cli

// lockSQLite is a no-op where flock is not available.
func lockSQLite(string) (func(), error) { return func() {}, nil }
