package testutil

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// PostgresServer is a private PostgreSQL server for one test, which the
// test may stop and start to simulate an outage without disturbing the
// shared test server.
type PostgresServer struct {
	// URL connects to its postgres database as a superuser.
	URL string

	t       testing.TB
	binDir  string
	dataDir string
	logFile string
	port    int
	owner   *user.User // the user that runs the server when the tests run as root
}

// StartPostgresServer initialises a fresh cluster in a temporary folder with
// Debian's PostgreSQL binaries, starts it on a free port of 127.0.0.1, and
// removes it when the test ends. The test is skipped (failed in CI) when
// the binaries are missing.
func StartPostgresServer(t testing.TB) *PostgresServer {
	t.Helper()
	binDir := postgresBinDir()
	if binDir == "" {
		missing(t, "PostgreSQL server binaries not found under /usr/lib/postgresql; install Debian's postgresql package")
	}

	root, err := os.MkdirTemp("", "reelpulse-pg-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(root) })
	s := &PostgresServer{t: t, binDir: binDir, dataDir: filepath.Join(root, "data"), logFile: filepath.Join(root, "server.log"), port: freePort(t)}

	// PostgreSQL refuses to run as root, so a root test hands the folder
	// to the postgres user and runs the server as that user.
	if os.Geteuid() == 0 {
		s.owner, err = user.Lookup("postgres")
		if err != nil {
			t.Fatalf("tests run as root and need the postgres user to run a server: %v", err)
		}
		if err := os.Chmod(root, 0o755); err != nil {
			t.Fatal(err)
		}
		uid, _ := strconv.Atoi(s.owner.Uid)
		gid, _ := strconv.Atoi(s.owner.Gid)
		if err := os.Chown(root, uid, gid); err != nil {
			t.Fatal(err)
		}
	}

	s.run("initdb", "--pgdata", s.dataDir, "--username", "reelpulse", "--auth", "trust", "--encoding", "UTF8", "--no-sync")
	s.URL = fmt.Sprintf("postgres://reelpulse@127.0.0.1:%d/postgres?sslmode=disable", s.port)
	s.Start()
	t.Cleanup(func() {
		if err := s.command("pg_ctl", "--pgdata", s.dataDir, "--mode", "immediate", "stop").Run(); err != nil {
			t.Logf("stop the test PostgreSQL server: %v", err)
		}
	})
	return s
}

// Start starts the server and waits until it accepts connections.
func (s *PostgresServer) Start() {
	s.t.Helper()
	options := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off", s.port, filepath.Dir(s.dataDir))
	s.run("pg_ctl", "--pgdata", s.dataDir, "--log", s.logFile, "--options", options, "--wait", "start")
}

// Stop shuts the server down at once, as a crash or a network cut would
// look to its clients, and waits until it has stopped.
func (s *PostgresServer) Stop() {
	s.t.Helper()
	s.run("pg_ctl", "--pgdata", s.dataDir, "--mode", "immediate", "--wait", "stop")
}

func (s *PostgresServer) run(name string, args ...string) {
	s.t.Helper()
	out, err := s.command(name, args...).CombinedOutput()
	if err != nil {
		log, _ := os.ReadFile(s.logFile)
		s.t.Fatalf("%s %s: %v\n%s\nserver log:\n%s", name, strings.Join(args, " "), err, out, log)
	}
}

func (s *PostgresServer) command(name string, args ...string) *exec.Cmd {
	path := filepath.Join(s.binDir, name)
	if s.owner == nil {
		return exec.Command(path, args...)
	}
	return exec.Command("runuser", append([]string{"-u", s.owner.Username, "--", path}, args...)...)
}

// postgresBinDir returns the bin folder of the newest PostgreSQL version
// installed the Debian way, or "".
func postgresBinDir() string {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(dirs, func(a, b string) int {
		va, _ := strconv.Atoi(filepath.Base(filepath.Dir(a)))
		vb, _ := strconv.Atoi(filepath.Base(filepath.Dir(b)))
		return va - vb
	})
	for i := len(dirs) - 1; i >= 0; i-- {
		if _, err := os.Stat(filepath.Join(dirs[i], "initdb")); err == nil {
			return dirs[i]
		}
	}
	return ""
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
