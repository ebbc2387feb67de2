package main

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx", to read the database under test
	_ "modernc.org/sqlite"             // database/sql driver "sqlite"

	"github.com/reelpulse/reelpulse/internal/replay"
	"github.com/reelpulse/reelpulse/internal/testutil"
)

// This file holds the benchmark of the hourly check cycle
// (TestCheckCycleBenchmark) and the helpers that it shares with the
// scale-out tests in workers_test.go. The helpers serve a replay Site in the
// test process, open the database that the binary writes, and read a child
// process's CPU time and resident memory from /proc.

// serveSite serves site on a free loopback port until the test ends and
// returns the address.
func serveSite(t *testing.T, site *replay.Site, opts replay.Options) string {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	server := &http.Server{Handler: replay.NewServer(site, opts), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = server.Serve(listener) }()
	t.Cleanup(func() { _ = server.Close() })
	return listener.Addr().String()
}

// replayEnv returns the settings that point reelpulse at a replay server.
func replayEnv(addr string) []string {
	return []string{
		"REELPULSE_IMDB_BASE_URL=http://" + addr,
		"REELPULSE_IMDB_GRAPHQL_URL=http://" + addr + "/graphql",
		"REELPULSE_IMDB_SUGGEST_URL=http://" + addr + "/suggestion",
		"REELPULSE_BROWSER=never",
	}
}

// testDB is the database that the binary under test uses, opened by the
// test to seed and inspect it.
type testDB struct {
	URL      string // DATABASE_URL for the binary
	Postgres bool
	*sql.DB
}

// openTestDB returns an empty database of the kind named by kind
// ("postgres" or "sqlite"), with reelpulse's tables created by
// `reelpulse migrate`.
func openTestDB(t *testing.T, kind string) *testDB {
	t.Helper()
	db := &testDB{}
	driver, source := "sqlite", ""
	switch kind {
	case "postgres":
		db.URL, db.Postgres = testutil.PostgresURL(t), true
		driver, source = "pgx", db.URL
	case "sqlite":
		db.URL = filepath.Join(t.TempDir(), "reelpulse.db")
		source = db.URL + "?_pragma=busy_timeout(10000)"
	default:
		t.Fatalf("unknown database kind %q: want postgres or sqlite", kind)
	}
	return db.open(t, driver, source)
}

// openPostgresURL returns a handle on a PostgreSQL database that exists,
// with reelpulse's tables created.
func openPostgresURL(t *testing.T, url string) *testDB {
	t.Helper()
	db := &testDB{URL: url, Postgres: true}
	return db.open(t, "pgx", url)
}

func (db *testDB) open(t *testing.T, driver, source string) *testDB {
	t.Helper()
	migrate := runCommand(t, []string{"DATABASE_URL=" + db.URL}, "migrate")
	if migrate.err != nil {
		t.Fatalf("reelpulse migrate: %v\n%s", migrate.err, migrate.output)
	}
	handle, err := sql.Open(driver, source)
	if err != nil {
		t.Fatal(err)
	}
	handle.SetMaxOpenConns(2)
	t.Cleanup(func() { _ = handle.Close() })
	db.DB = handle
	return db
}

// count runs a query that returns one integer. Queries mark their
// arguments with ?, which rebind turns into $1, $2… for PostgreSQL.
func (db *testDB) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	n, err := db.tryCount(query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func (db *testDB) tryCount(query string, args ...any) (int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var n int
	err := db.QueryRowContext(ctx, db.rebind(query), args...).Scan(&n)
	return n, err
}

func (db *testDB) exec(t *testing.T, query string, args ...any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if _, err := db.ExecContext(ctx, db.rebind(query), args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

func (db *testDB) rebind(query string) string {
	if !db.Postgres {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// timeArg converts t to the form the database stores times in: a
// time.Time for PostgreSQL, the store's fixed-width UTC text for SQLite.
func (db *testDB) timeArg(t time.Time) any {
	if db.Postgres {
		return t
	}
	return t.UTC().Format("2006-01-02T15:04:05.000000Z")
}

// seedCheckedMovies inserts n tracked movies, CatalogID(first, 0…n-1), in
// the state that earlier cycles leave. Their metadata was read and their
// declared review count is known, their last complete review pass was a
// minute ago, and their poster is stored. A check of such a movie then reads the title page only,
// and queues no review pass. The poster URL must match the one the replay
// server at addr puts on the title page, or every check downloads it again.
func (db *testDB) seedCheckedMovies(t *testing.T, addr string, first, n, declared int) {
	t.Helper()
	now := db.timeArg(time.Now().Add(-time.Minute))
	poster := "http://" + addr + "/_replay/poster/"
	if db.Postgres {
		db.exec(t, `INSERT INTO movies (id, title, added_at, checked_at, full_scrape_at, declared_review_count, poster_url)
			SELECT 'tt' || (?::integer + i), 'Replay Feature ' || (?::integer + i), ?, ?, ?, ?::integer, ? || 'tt' || (?::integer + i) || '.svg'
			FROM generate_series(0, ?::integer - 1) AS i`,
			first, first, now, now, now, declared, poster, first, n)
		db.exec(t, `INSERT INTO posters (movie_id, source_url, content_type, data, fetched_at)
			SELECT id, poster_url, 'image/svg+xml', convert_to('<svg xmlns="http://www.w3.org/2000/svg"/>', 'UTF8'), ? FROM movies`, now)
		db.exec(t, `ANALYZE`)
		return
	}
	db.exec(t, `WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < ?)
		INSERT INTO movies (id, title, added_at, checked_at, full_scrape_at, declared_review_count, poster_url)
		SELECT 'tt' || (? + i), 'Replay Feature ' || (? + i), ?, ?, ?, ?, ? || 'tt' || (? + i) || '.svg' FROM seq`,
		n, first, first, now, now, now, declared, poster, first)
	db.exec(t, `INSERT INTO posters (movie_id, source_url, content_type, data, fetched_at)
		SELECT id, poster_url, 'image/svg+xml', CAST('<svg xmlns="http://www.w3.org/2000/svg"/>' AS BLOB), ? FROM movies`, now)
	db.exec(t, `ANALYZE`)
}

// procStats reads a process's CPU time and memory from /proc.
type procStats struct {
	CPU     time.Duration // user plus system time so far
	RSS     int64         // resident set size now, bytes
	PeakRSS int64         // highest resident set size so far (VmHWM), bytes
}

func readProcStats(pid int) (procStats, error) {
	var s procStats
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return s, err
	}
	for line := range strings.SplitSeq(string(status), "\n") {
		field, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
		switch field {
		case "VmRSS":
			s.RSS = kb * 1024
		case "VmHWM":
			s.PeakRSS = kb * 1024
		}
	}

	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return s, err
	}
	// The command name, field 2, may contain spaces, so fields are counted
	// from its closing parenthesis, after which field 3 starts. utime and
	// stime are fields 14 and 15, in clock ticks of 1/100 s on Linux.
	text := string(stat)
	fields := strings.Fields(text[strings.LastIndexByte(text, ')')+1:])
	if len(fields) < 13 {
		return s, fmt.Errorf("short /proc/%d/stat: %q", pid, text)
	}
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	s.CPU = time.Duration(utime+stime) * 10 * time.Millisecond
	return s, nil
}

func mib(bytes int64) float64 { return float64(bytes) / (1 << 20) }

// TestCheckCycleBenchmark measures one hourly check cycle of many tracked
// movies with one worker process, through the real binary against an
// in-process replay server. It runs only when REELPULSE_BENCH_CHECKS lists
// movie counts, e.g. "1000,5000,10000"; scripts/bench-checks.sh sets it.
//
// Settings (environment):
//
//	REELPULSE_BENCH_CHECKS    movie counts, comma-separated
//	REELPULSE_BENCH_DB        postgres (default; needs REELPULSE_TEST_DATABASE_URL) or sqlite
//	REELPULSE_BENCH_RATE      REELPULSE_REQUESTS_PER_SECOND of the worker (default 40)
//	REELPULSE_BENCH_LATENCY   delay the replay server adds to each response (default 0)
//	REELPULSE_BENCH_COMMAND   the command under test (default "serve")
//	REELPULSE_BENCH_CHECK_WORKERS  REELPULSE_CHECK_WORKERS of the worker (default: unset, the binary's default)
//
// Each count gets a fresh database seeded with movies whose last complete
// pass is recent, so that a check reads only the title page, as in the
// steady state. The worker runs with REELPULSE_CHECK_INTERVAL=1m: the first
// schedule_checks (at start) queues every movie within one minute, and the
// request rate, not the interval, then bounds the cycle. The cycle ends
// when every movie has been checked since the worker started.
func TestCheckCycleBenchmark(t *testing.T) {
	counts := os.Getenv("REELPULSE_BENCH_CHECKS")
	if counts == "" {
		t.Skip("set REELPULSE_BENCH_CHECKS (e.g. 1000,5000,10000) to run the check cycle benchmark; see scripts/bench-checks.sh")
	}
	kind := envOr("REELPULSE_BENCH_DB", "postgres")
	rate := envOr("REELPULSE_BENCH_RATE", "40")
	latency, err := time.ParseDuration(envOr("REELPULSE_BENCH_LATENCY", "0s"))
	if err != nil {
		t.Fatalf("REELPULSE_BENCH_LATENCY: %v", err)
	}
	command := strings.Fields(envOr("REELPULSE_BENCH_COMMAND", "serve"))

	for field := range strings.SplitSeq(counts, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(field))
		if err != nil || n < 1 {
			t.Fatalf("REELPULSE_BENCH_CHECKS: invalid count %q", field)
		}
		t.Run(fmt.Sprintf("%s/%d", kind, n), func(t *testing.T) {
			benchCheckCycle(t, kind, n, rate, latency, command)
		})
	}
}

func envOr(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}

const benchFirstTitle = 9100000

func benchCheckCycle(t *testing.T, kind string, n int, rate string, latency time.Duration, command []string) {
	const declared = 10
	site := replay.NewSite()
	site.AddCatalog(benchFirstTitle, n, 0, declared, 1)
	addr := serveSite(t, site, replay.Options{Latency: latency})

	db := openTestDB(t, kind)
	seedStart := time.Now()
	db.seedCheckedMovies(t, addr, benchFirstTitle, n, declared)
	t.Logf("seeded %d movies in %s", n, time.Since(seedStart).Round(time.Millisecond))

	env := append(replayEnv(addr),
		"DATABASE_URL="+db.URL,
		"REELPULSE_ADDR="+freeAddr(t),
		"REELPULSE_REQUESTS_PER_SECOND="+rate,
		"REELPULSE_CHECK_INTERVAL=1m",
		"REELPULSE_LOG_LEVEL="+envOr("REELPULSE_BENCH_LOG_LEVEL", "info"),
	)
	checkWorkers := os.Getenv("REELPULSE_BENCH_CHECK_WORKERS")
	if checkWorkers != "" {
		env = append(env, "REELPULSE_CHECK_WORKERS="+checkWorkers)
	}
	requestsBefore := site.Requests()
	started := time.Now()
	worker := start(t, env, command...)
	pid := worker.cmd.Process.Pid

	// Sample the resident size every second; log progress every 30 s.
	var samples []procStats
	checked, lastLog := 0, time.Now()
	deadline := started.Add(time.Duration(n)*time.Second/4 + 10*time.Minute)
	for {
		time.Sleep(time.Second)
		select {
		case err := <-worker.done:
			t.Fatalf("reelpulse %s exited during the cycle: %v\n%s", strings.Join(command, " "), err, worker.output)
		default:
		}
		if s, err := readProcStats(pid); err == nil {
			samples = append(samples, s)
		}
		if c, err := db.tryCount(`SELECT count(*) FROM movies WHERE checked_at >= ?`, db.timeArg(started)); err == nil {
			checked = c
		}
		if checked >= n {
			break
		}
		if time.Since(lastLog) >= 30*time.Second {
			t.Logf("%s: %d of %d movies checked", time.Since(started).Round(time.Second), checked, n)
			lastLog = time.Now()
		}
		if time.Now().After(deadline) {
			t.Fatalf("cycle not complete after %s: %d of %d movies checked", time.Since(started).Round(time.Second), checked, n)
		}
	}
	cycle := time.Since(started)
	final, err := readProcStats(pid)
	if err != nil {
		t.Fatal(err)
	}
	requests := site.Requests() - requestsBefore

	// Resident size in the second half of the cycle against the first half
	// shows whether memory grows with the movies checked.
	var firstHalf, secondHalf int64
	for i, s := range samples {
		if i < len(samples)/2 {
			firstHalf = max(firstHalf, s.RSS)
		} else {
			secondHalf = max(secondHalf, s.RSS)
		}
	}
	syncs := db.count(t, `SELECT count(*) FROM sync_runs`)
	snapshots := db.count(t, `SELECT count(*) FROM movie_snapshots`)
	// How long the periodic job that queues one check per movie ran.
	schedule := "n/a"
	if db.Postgres {
		var seconds float64
		if err := db.QueryRow(`SELECT coalesce(max(extract(epoch FROM finalized_at - attempted_at)), 0) FROM river_job WHERE kind = 'schedule_checks' AND state = 'completed'`).Scan(&seconds); err == nil {
			schedule = fmt.Sprintf("%.1fs", seconds)
		}
	}

	if err := worker.stop(t); err != nil {
		t.Logf("reelpulse %s exited with %v after SIGTERM", strings.Join(command, " "), err)
	}

	t.Logf("RESULT db=%s movies=%d rate=%s latency=%s check_workers=%s schedule_checks=%s cycle=%.1fs checks_per_s=%.1f cpu=%.1fs peak_rss=%.1fMiB rss_end=%.1fMiB rss_max_first_half=%.1fMiB rss_max_second_half=%.1fMiB requests=%d requests_per_check=%.2f syncs=%d snapshots=%d",
		kind, n, rate, latency, envOr("REELPULSE_BENCH_CHECK_WORKERS", "default"), schedule, cycle.Seconds(), float64(n)/cycle.Seconds(), final.CPU.Seconds(), mib(final.PeakRSS), mib(final.RSS),
		mib(firstHalf), mib(secondHalf), requests, float64(requests)/float64(n), syncs, snapshots)
	if syncs != 0 {
		t.Errorf("%d review passes ran; the seeded movies should need none", syncs)
	}
	jobs := db.count(t, `SELECT count(*) FROM river_job`)
	t.Logf("ROWS river_job=%d movie_snapshots=%d", jobs, snapshots)
	for _, line := range db.tableSizes(t) {
		t.Logf("TABLE %s", line)
	}
}

// commandResult is the outcome of a reelpulse command run to its end.
type commandResult struct {
	output string
	err    error
}

// runCommand runs the binary with the given settings in a fresh working
// directory and waits for it to end, at most five minutes.
func runCommand(t *testing.T, env []string, args ...string) commandResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary(t), args...)
	cmd.Dir = t.TempDir()
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + cmd.Dir}, env...)
	out, err := cmd.CombinedOutput()
	return commandResult{output: string(out), err: err}
}
