package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/reelpulse/reelpulse/internal/replay"
)

// TestStorageFootprint measures how much database space stored reviews
// take: it syncs and analyzes generated movies through `reelpulse serve`
// and divides the growth of the database by the number of reviews. It runs
// only when REELPULSE_BENCH_STORAGE is set to MOVIESxREVIEWS, e.g. 100x500;
// REELPULSE_BENCH_DB selects postgres (default) or sqlite.
// scripts/bench-storage.sh runs it on both.
func TestStorageFootprint(t *testing.T) {
	spec := os.Getenv("REELPULSE_BENCH_STORAGE")
	if spec == "" {
		t.Skip("set REELPULSE_BENCH_STORAGE (e.g. 100x500) to measure the database size per review; see scripts/bench-storage.sh")
	}
	movieText, reviewText, _ := strings.Cut(spec, "x")
	movies, err1 := strconv.Atoi(movieText)
	perMovie, err2 := strconv.Atoi(reviewText)
	if err1 != nil || err2 != nil || movies < 1 || perMovie < 1 {
		t.Fatalf("REELPULSE_BENCH_STORAGE=%q: want MOVIESxREVIEWS, e.g. 100x500", spec)
	}
	kind := envOr("REELPULSE_BENCH_DB", "postgres")

	site := replay.NewSite()
	ids := site.AddCatalog(9400000, movies, perMovie, 0, 1)
	addr := serveSite(t, site, replay.Options{})
	db := openTestDB(t, kind)
	empty := db.size(t)

	env := append(replayEnv(addr), "DATABASE_URL="+db.URL, "REELPULSE_REQUESTS_PER_SECOND=100", "REELPULSE_CHECK_INTERVAL=1m", "REELPULSE_LOG_LEVEL=warn")
	if result := runCommand(t, env, append([]string{"track", "add"}, ids...)...); result.err != nil {
		t.Fatalf("reelpulse track add: %v\n%s", result.err, result.output)
	}
	started := time.Now()
	serve := start(t, append(env, "REELPULSE_ADDR="+freeAddr(t)), "serve")
	total := movies * perMovie
	lastLog := time.Now()
	poll(t, time.Duration(total)*10*time.Millisecond+10*time.Minute, fmt.Sprintf("%d reviews to be stored and analyzed", total), func() bool {
		analyzed, err := db.tryCount(`SELECT count(*) FROM analyses`)
		if time.Since(lastLog) > 30*time.Second {
			t.Logf("%s: %d of %d reviews analyzed", time.Since(started).Round(time.Second), analyzed, total)
			lastLog = time.Now()
		}
		return err == nil && analyzed >= total
	})
	elapsed := time.Since(started)
	if err := serve.stop(t); err != nil {
		t.Logf("serve exited with %v after SIGTERM", err)
	}

	full := db.size(t)
	counts := map[string]int{}
	for _, table := range []string{"movies", "reviews", "review_votes", "analyses", "analysis_aspects", "sync_runs", "movie_snapshots", "river_job"} {
		counts[table] = db.count(t, "SELECT count(*) FROM "+table)
	}
	grown := full - empty
	t.Logf("RESULT db=%s movies=%d reviews=%d elapsed=%.0fs empty=%.1fMiB full=%.1fMiB bytes_per_review=%d rows=%v",
		kind, movies, counts["reviews"], elapsed.Seconds(), mib(empty), mib(full), grown/int64(max(counts["reviews"], 1)), counts)
	for _, line := range db.tableSizes(t) {
		t.Logf("TABLE %s", line)
	}
}

// size returns the bytes the database takes: the database's size for
// PostgreSQL, the file and its write-ahead log for SQLite.
func (db *testDB) size(t *testing.T) int64 {
	t.Helper()
	if db.Postgres {
		var n int64
		if err := db.QueryRow(`SELECT pg_database_size(current_database())`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	db.exec(t, `PRAGMA wal_checkpoint(TRUNCATE)`)
	var n int64
	for _, suffix := range []string{"", "-wal"} {
		if info, err := os.Stat(db.URL + suffix); err == nil {
			n += info.Size()
		}
	}
	return n
}

// tableSizes lists the largest tables with their indexes, largest first.
func (db *testDB) tableSizes(t *testing.T) []string {
	t.Helper()
	query := `SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC LIMIT 15`
	if db.Postgres {
		query = `SELECT c.relname, pg_total_relation_size(c.oid) AS bytes FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
			WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY bytes DESC LIMIT 15`
	}
	rows, err := db.Query(query)
	if err != nil {
		t.Logf("table sizes: %v", err)
		return nil
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var name string
		var bytes int64
		if err := rows.Scan(&name, &bytes); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, fmt.Sprintf("%-28s %10.2f MiB", name, mib(bytes)))
	}
	if err := rows.Err(); err != nil {
		t.Logf("table sizes: %v", err)
	}
	return lines
}
