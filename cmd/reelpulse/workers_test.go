package main

import (
	"fmt"
	"net/http"
	neturl "net/url"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/reelpulse/reelpulse/internal/replay"
	"github.com/reelpulse/reelpulse/internal/testutil"
)

// The tests in this file run several real reelpulse processes against one
// real PostgreSQL server and a replay server. They check in the database
// that each movie is synced once per cycle, that each review is stored
// once, that a worker killed in the middle of a sync loses nothing, and
// that the processes recover from a database outage. Each takes a minute or more,
// so `go test -short` skips them.

// scaleMovies is the number of movies the scale-out tests track.
const scaleMovies = 50

// scaleFirstTitle is the title number of the first movie, and the others
// follow it.
const scaleFirstTitle = 9300000

// fleet is a replay site of generated movies, a PostgreSQL database and the
// settings that reelpulse processes share to work on them.
type fleet struct {
	site    *replay.Site
	db      *testDB
	env     []string
	ids     []string
	reviews map[string][]string // review ids per movie, as the replay server serves them
	nodes   []*process          // processes started by startNode; waitSettled sends them SIGQUIT on a timeout
}

// newFleet generates n movies with reviewsPerMovie reviews each, serves them
// with the given latency per response and prepares a database at dbURL (a
// fresh one on the shared test server when empty).
func newFleet(t *testing.T, n, reviewsPerMovie int, latency time.Duration, dbURL string) *fleet {
	t.Helper()
	requireWorkerCommand(t)
	f := &fleet{site: replay.NewSite(), reviews: map[string][]string{}}
	for i := range n {
		id := replay.CatalogID(scaleFirstTitle, i)
		movie := replay.Synthetic(id, reviewsPerMovie, 1)
		f.site.AddMovie(movie)
		f.ids = append(f.ids, id)
		for _, r := range movie.Reviews {
			f.reviews[id] = append(f.reviews[id], r.ID)
		}
	}
	addr := serveSite(t, f.site, replay.Options{Latency: latency})

	if dbURL == "" {
		f.db = openTestDB(t, "postgres")
	} else {
		f.db = openPostgresURL(t, dbURL)
	}
	f.env = append(replayEnv(addr),
		"DATABASE_URL="+f.db.URL,
		"REELPULSE_REQUESTS_PER_SECOND=50",
		"REELPULSE_MAX_RETRIES=1",
		// The shortest check interval, so that a second cycle follows the
		// first within a minute.
		"REELPULSE_CHECK_INTERVAL=1m",
	)
	return f
}

// requireWorkerCommand skips the test (fails it in CI) when the binary has
// no worker command yet.
func requireWorkerCommand(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("scale-out tests run several processes for a minute or more; skipped with -short")
	}
	out, err := exec.Command(binary(t), "worker", "-h").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "Usage: reelpulse worker") {
		if os.Getenv("CI") != "" {
			t.Fatalf("reelpulse worker -h: %v\n%s", err, out)
		}
		t.Skipf("reelpulse has no worker command yet: %v\n%s", err, out)
	}
}

// startNode starts `reelpulse ARGS…` with the fleet's settings on a free
// address and waits until its /healthz returns 200. It returns the process and
// its base URL.
func (f *fleet) startNode(t *testing.T, extraEnv []string, args ...string) (*process, string) {
	t.Helper()
	addr := freeAddr(t)
	p := start(t, append(append(slices.Clone(f.env), "REELPULSE_ADDR="+addr), extraEnv...), args...)
	f.nodes = append(f.nodes, p)
	base := "http://" + addr
	poll(t, 60*time.Second, "reelpulse "+strings.Join(args, " ")+" to answer /healthz", func() bool {
		select {
		case err := <-p.done:
			p.done <- err
			t.Fatalf("reelpulse %s exited at start: %v\n%s", strings.Join(args, " "), err, p.output)
		default:
		}
		return httpStatus(base+"/healthz") == http.StatusOK
	})
	return p, base
}

// httpStatus returns the status of a GET request, or 0 when it failed.
func httpStatus(url string) int {
	client := http.Client{Timeout: 10 * time.Second}
	resp, err := client.Get(url)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// track adds the fleet's movies with `reelpulse track add`, which queues
// their first checks for the workers.
func (f *fleet) track(t *testing.T) {
	t.Helper()
	result := runCommand(t, f.env, append([]string{"track", "add"}, f.ids...)...)
	if result.err != nil {
		t.Fatalf("reelpulse track add: %v\n%s", result.err, result.output)
	}
}

// settled reports whether every movie has had a complete review pass, every
// review is stored and analyzed, and no review pass or analysis is waiting
// or running.
func (f *fleet) settled(t *testing.T) bool {
	t.Helper()
	want := 0
	for _, reviews := range f.reviews {
		want += len(reviews)
	}
	complete, err := f.db.tryCount(`SELECT count(DISTINCT movie_id) FROM sync_runs WHERE state = 'complete'`)
	if err != nil || complete < len(f.ids) {
		return false
	}
	analyzed, err := f.db.tryCount(`SELECT count(*) FROM reviews r WHERE EXISTS (SELECT 1 FROM analyses a WHERE a.review_id = r.id AND a.content_hash = r.content_hash)`)
	if err != nil || analyzed < want {
		return false
	}
	busy, err := f.db.tryCount(`SELECT count(*) FROM river_job WHERE kind IN ('sync_movie', 'analyze_movie') AND state IN ('available', 'running', 'retryable', 'scheduled', 'pending')`)
	return err == nil && busy == 0
}

// waitSettled polls until settled, logging progress, for at most timeout.
func (f *fleet) waitSettled(t *testing.T, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	lastLog := time.Now()
	for !f.settled(t) {
		if time.Since(lastLog) > 30*time.Second {
			t.Logf("waiting: %s", f.progress())
			lastLog = time.Now()
		}
		if time.Now().After(deadline) {
			progress, summary, unfinished := f.progress(), f.jobSummary(), f.unfinishedJobs()
			f.dumpGoroutines(t)
			t.Fatalf("not settled after %s: %s\njobs:\n%s\nunfinished jobs:\n%s\nThe goroutine stacks of the workers that were still running are in their output below.",
				timeout, progress, summary, unfinished)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// unfinishedJobs lists the jobs that are neither finished nor scheduled,
// each with its movie and the River client that last started it, so that a
// failure shows which process took a stuck job.
func (f *fleet) unfinishedJobs() string {
	rows, err := f.db.Query(`SELECT id, kind, state::text, attempt, coalesce(args->>'movie_id', ''),
			coalesce(attempted_by[array_length(attempted_by, 1)], ''),
			coalesce(extract(epoch FROM now() - attempted_at)::bigint, -1)
		FROM river_job WHERE state NOT IN ('completed', 'cancelled', 'discarded', 'scheduled')
		ORDER BY id LIMIT 100`)
	if err != nil {
		return err.Error()
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var id, seconds int64
		var kind, state, movie, client string
		var attempt int
		if err := rows.Scan(&id, &kind, &state, &attempt, &movie, &client, &seconds); err != nil {
			return err.Error()
		}
		fmt.Fprintf(&b, "  job %d %s %s %s, attempt %d", id, kind, movie, state, attempt)
		if client != "" {
			fmt.Fprintf(&b, ", started by %s %ds ago", client, seconds)
		}
		b.WriteString("\n")
	}
	if err := rows.Err(); err != nil {
		return err.Error()
	}
	return b.String()
}

// dumpGoroutines sends SIGQUIT to the fleet's running processes and waits
// for them to exit. Go then prints every goroutine's stack into the output
// that the test logs on failure.
func (f *fleet) dumpGoroutines(t *testing.T) {
	t.Helper()
	for _, p := range f.nodes {
		select {
		case err := <-p.done:
			p.done <- err // already exited, and the cleanup of start waits for it too
			continue
		default:
		}
		if err := p.cmd.Process.Signal(syscall.SIGQUIT); err != nil {
			t.Logf("send SIGQUIT to reelpulse (pid %d): %v", p.cmd.Process.Pid, err)
			continue
		}
		select {
		case err := <-p.done:
			p.done <- err
		case <-time.After(10 * time.Second):
			t.Logf("reelpulse (pid %d) did not exit within 10s of SIGQUIT", p.cmd.Process.Pid)
		}
	}
}

func (f *fleet) progress() string {
	complete, _ := f.db.tryCount(`SELECT count(DISTINCT movie_id) FROM sync_runs WHERE state = 'complete'`)
	reviews, _ := f.db.tryCount(`SELECT count(*) FROM reviews`)
	analyses, _ := f.db.tryCount(`SELECT count(*) FROM analyses`)
	return fmt.Sprintf("%d of %d movies with a complete pass, %d reviews, %d analyses", complete, len(f.ids), reviews, analyses)
}

// jobSummary lists River's jobs by kind, state and attempt, with one error.
func (f *fleet) jobSummary() string {
	rows, err := f.db.Query(`SELECT kind, state::text, attempt, count(*), max(errors[array_length(errors, 1)]->>'error')
		FROM river_job GROUP BY kind, state, attempt ORDER BY kind, state, attempt`)
	if err != nil {
		return err.Error()
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var kind, state string
		var attempt, n int
		var lastError *string
		if err := rows.Scan(&kind, &state, &attempt, &n, &lastError); err != nil {
			return err.Error()
		}
		fmt.Fprintf(&b, "  %-14s %-10s attempt %d: %d", kind, state, attempt, n)
		if lastError != nil {
			fmt.Fprintf(&b, " (%.200s)", *lastError)
		}
		b.WriteString("\n")
	}
	if err := rows.Err(); err != nil {
		return err.Error()
	}
	return b.String()
}

// checkExactlyOnce checks the end state that a clean run leaves. Each movie
// has one complete review pass and no other, the replay server's reviews
// are stored once each with one analysis, and no review pass is left
// running or waiting.
func (f *fleet) checkExactlyOnce(t *testing.T) {
	t.Helper()
	for _, id := range f.ids {
		runs := f.db.count(t, `SELECT count(*) FROM sync_runs WHERE movie_id = ?`, id)
		complete := f.db.count(t, `SELECT count(*) FROM sync_runs WHERE movie_id = ? AND state = 'complete'`, id)
		if runs != 1 || complete != 1 {
			t.Errorf("%s has %d review passes, %d of them complete; want exactly one complete pass", id, runs, complete)
		}
	}

	stored := f.storedReviews(t)
	for _, id := range f.ids {
		want := slices.Sorted(slices.Values(f.reviews[id]))
		if !slices.Equal(stored[id], want) {
			t.Errorf("%s: stored %d reviews, want the %d that the replay server serves", id, len(stored[id]), len(want))
		}
	}

	if dup := f.db.count(t, `SELECT count(*) FROM (SELECT review_id FROM analyses GROUP BY review_id, analyzer HAVING count(*) > 1) d`); dup != 0 {
		t.Errorf("%d reviews have more than one analysis by the same analyzer", dup)
	}
	if votes := f.db.count(t, `SELECT count(*) FROM (SELECT review_id FROM review_votes GROUP BY review_id HAVING count(*) > 1) d`); votes != 0 {
		t.Errorf("%d reviews have more than one vote record; each was stored more than once", votes)
	}
	if busy := f.db.count(t, `SELECT count(*) FROM river_job WHERE kind = 'sync_movie' AND state NOT IN ('completed', 'cancelled', 'discarded')`); busy != 0 {
		t.Errorf("%d review passes are still queued or running\n%s", busy, f.jobSummary())
	}
	if lost := f.db.count(t, `SELECT count(*) FROM river_job WHERE state IN ('discarded', 'cancelled')`); lost != 0 {
		t.Errorf("%d jobs were given up (discarded or cancelled)\n%s", lost, f.jobSummary())
	}
}

// waitNextCycle waits until every movie has been checked again after its
// review pass, by a later run of the periodic schedule, so that a second
// pass would have been queued by now if a check wrongly asked for one.
func (f *fleet) waitNextCycle(t *testing.T, timeout time.Duration) {
	t.Helper()
	poll(t, timeout, "every movie to be checked again after its review pass", func() bool {
		n, err := f.db.tryCount(`SELECT count(*) FROM movies m WHERE m.checked_at > (SELECT max(finished_at) FROM sync_runs s WHERE s.movie_id = m.id)`)
		return err == nil && n == len(f.ids)
	})
	// A pass that such a check queued would be waiting or running now.
	time.Sleep(2 * time.Second)
}

// TestTwoWorkersSyncEachMovieOnce runs two `reelpulse worker` processes on
// one PostgreSQL database with 50 tracked movies, through the first cycle
// (every movie checked, synced and analyzed) and a second one. Each movie
// must be synced exactly once and every review stored once, and both
// workers must have completed jobs.
func TestTwoWorkersSyncEachMovieOnce(t *testing.T) {
	started := time.Now()
	f := newFleet(t, scaleMovies, 60, 20*time.Millisecond, "")
	f.startNode(t, nil, "worker")
	f.startNode(t, nil, "worker")
	f.track(t)

	f.waitSettled(t, 5*time.Minute)
	t.Logf("first cycle settled after %s: %s", time.Since(started).Round(time.Second), f.progress())
	f.waitNextCycle(t, 4*time.Minute)
	f.checkExactlyOnce(t)

	workers := f.db.count(t, `SELECT count(DISTINCT attempted_by[array_length(attempted_by, 1)]) FROM river_job WHERE state = 'completed' AND kind IN ('check_movie', 'sync_movie', 'analyze_movie')`)
	if workers != 2 {
		t.Errorf("jobs were completed by %d worker processes, want 2\n%s", workers, f.jobSummary())
	}
	t.Logf("done after %s", time.Since(started).Round(time.Second))
}

// TestKilledWorkerSyncRetried runs two workers, kills one with SIGKILL while
// it runs review passes, and checks that the other worker retries them and
// that the end state equals a clean run's.
//
// River retries a job whose process died once the job has been running
// for longer than REELPULSE_RESCUE_STUCK_AFTER (at least 1h10m, longer than
// the one-hour timeout of a review pass) and its kind's timeout. The test
// does not wait that long. After the kill, it moves the start time
// (attempted_at) of the dead worker's running jobs three hours back, as if
// that time had passed. The job rescuer of the surviving worker, which
// runs every 30 seconds, then finds them.
//
// It waits for PostgreSQL to end the dead worker's sessions first. A
// statement that was running when the process died still runs to its end
// and commits, because PostgreSQL (by default) notices the missing client
// only when it sends the reply. If that statement is River's fetch of new jobs, it marks
// them running by the dead worker after the kill. Jobs that the test did
// not move back would stay running for the whole test, and the uniqueness
// of check_movie would block every later check of their movies.
func TestKilledWorkerSyncRetried(t *testing.T) {
	started := time.Now()
	// 200 reviews a movie are eight pages, so with 150 ms a response a pass
	// takes over a second and passes are running when the worker is killed.
	f := newFleet(t, scaleMovies, 200, 150*time.Millisecond, "")
	const victimApp = "reelpulse-victim"
	victim, _ := f.startNode(t, []string{"DATABASE_URL=" + withApplicationName(t, f.db.URL, victimApp)}, "worker")
	f.track(t)

	// While it works alone, every running pass is the victim's: learn its
	// River client id from one.
	var victimID string
	poll(t, 2*time.Minute, "the first worker to run a review pass", func() bool {
		row := f.db.QueryRow(`SELECT attempted_by[array_length(attempted_by, 1)] FROM river_job WHERE kind = 'sync_movie' AND state = 'running' LIMIT 1`)
		return row.Scan(&victimID) == nil && victimID != ""
	})
	f.startNode(t, nil, "worker")

	// Kill the victim while it runs passes.
	poll(t, 2*time.Minute, "the first worker to run review passes again", func() bool {
		n, err := f.db.tryCount(`SELECT count(*) FROM river_job WHERE kind = 'sync_movie' AND state = 'running' AND attempted_by[array_length(attempted_by, 1)] = ?`, victimID)
		return err == nil && n > 0
	})
	if n := f.sessions(t, victimApp); n == 0 {
		t.Fatalf("PostgreSQL lists no session with application_name %s, so the test cannot tell when the first worker's last statements end; check that DATABASE_URL passes application_name", victimApp)
	}
	if err := victim.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-victim.done:
		victim.done <- err // the cleanup of start waits for it too
	case <-time.After(10 * time.Second):
		t.Fatal("the killed worker did not exit")
	}

	const running = `SELECT id FROM river_job WHERE state = 'running' AND attempted_by[array_length(attempted_by, 1)] = ?`
	atExit := jobIDs(t, f.db, running, victimID)
	left := f.sessions(t, victimApp)
	poll(t, 2*time.Minute, "PostgreSQL to end the sessions of the killed worker", func() bool {
		return f.sessions(t, victimApp) == 0
	})
	orphans := jobIDs(t, f.db, running, victimID)
	late := slices.DeleteFunc(slices.Clone(orphans), func(id int64) bool { return slices.Contains(atExit, id) })
	t.Logf("the killed worker left %d PostgreSQL sessions, whose last statements marked %d more jobs running after it exited: %v", left, len(late), late)
	syncOrphans := jobIDs(t, f.db, `SELECT id FROM river_job WHERE kind = 'sync_movie' AND state = 'running' AND attempted_by[array_length(attempted_by, 1)] = ?`, victimID)
	t.Logf("killed the worker %s after %s with %d jobs running, %d of them review passes: %v",
		victimID, time.Since(started).Round(time.Second), len(orphans), len(syncOrphans), syncOrphans)
	if len(syncOrphans) == 0 {
		t.Fatal("no review pass was running when the worker was killed; nothing was tested")
	}
	f.db.exec(t, `UPDATE river_job SET attempted_at = attempted_at - interval '3 hours' WHERE state = 'running' AND attempted_by[array_length(attempted_by, 1)] = ?`, victimID)

	f.waitSettled(t, 6*time.Minute)
	t.Logf("settled after %s: %s", time.Since(started).Round(time.Second), f.progress())
	f.waitNextCycle(t, 4*time.Minute)
	f.checkExactlyOnce(t)

	for _, id := range syncOrphans {
		var state, lastBy string
		var attempt int
		row := f.db.QueryRow(`SELECT state::text, attempt, attempted_by[array_length(attempted_by, 1)] FROM river_job WHERE id = $1`, id)
		if err := row.Scan(&state, &attempt, &lastBy); err != nil {
			t.Fatal(err)
		}
		if state != "completed" || attempt < 2 || lastBy == victimID {
			t.Errorf("review pass job %d: state %s after %d attempts, last by %s; want completed on a second attempt by the other worker", id, state, attempt, lastBy)
		}
	}
	t.Logf("done after %s", time.Since(started).Round(time.Second))
}

// withApplicationName returns the PostgreSQL URL dbURL with its
// application_name parameter set to name, which pg_stat_activity shows for
// every session opened with it.
func withApplicationName(t *testing.T, dbURL, name string) string {
	t.Helper()
	u, err := neturl.Parse(dbURL)
	if err != nil {
		t.Fatalf("parse the test database URL: %v", err)
	}
	query := u.Query()
	query.Set("application_name", name)
	u.RawQuery = query.Encode()
	return u.String()
}

// sessions returns the number of sessions on the fleet's database whose
// application_name is app.
func (f *fleet) sessions(t *testing.T, app string) int {
	t.Helper()
	return f.db.count(t, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = ?`, app)
}

func jobIDs(t *testing.T, db *testDB, query string, args ...any) []int64 {
	t.Helper()
	rows, err := db.Query(db.rebind(query), args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return ids
}

// TestDatabaseOutageSurvived stops a private PostgreSQL server for 30
// seconds while a worker runs the first cycle of 50 movies and a web node
// serves, then starts it again. The web node must report not-ready while
// the database is down and ready after. The jobs that failed must be
// retried, and every movie must end with its reviews stored once.
func TestDatabaseOutageSurvived(t *testing.T) {
	started := time.Now()
	requireWorkerCommand(t)
	server := testutil.StartPostgresServer(t)
	f := newFleet(t, scaleMovies, 200, 100*time.Millisecond, server.URL)
	f.startNode(t, nil, "worker")
	_, web := f.startNode(t, nil, "serve", "--role", "web")
	ready := web + "/readyz"
	if status := httpStatus(ready); status == http.StatusNotFound {
		t.Logf("the web node has no /readyz; checking /healthz instead")
		ready = web + "/healthz"
	}
	f.track(t)

	// Stop the database in the middle of the cycle.
	poll(t, 3*time.Minute, "a few movies to be synced", func() bool {
		n, err := f.db.tryCount(`SELECT count(DISTINCT movie_id) FROM sync_runs WHERE state = 'complete'`)
		return err == nil && n >= 5
	})
	t.Logf("stopping PostgreSQL after %s: %s", time.Since(started).Round(time.Second), f.progress())
	server.Stop()
	stopped := time.Now()

	poll(t, 45*time.Second, ready+" to report not ready", func() bool {
		status := httpStatus(ready)
		return status != 0 && status != http.StatusOK
	})
	t.Logf("%s reported not ready %s after the stop", ready, time.Since(stopped).Round(100*time.Millisecond))
	time.Sleep(30*time.Second - time.Since(stopped))
	server.Start()
	t.Logf("started PostgreSQL again after %s down", time.Since(stopped).Round(time.Second))

	poll(t, 60*time.Second, ready+" to report ready", func() bool {
		return httpStatus(ready) == http.StatusOK
	})
	f.waitSettled(t, 6*time.Minute)
	t.Logf("settled after %s: %s", time.Since(started).Round(time.Second), f.progress())
	f.waitNextCycle(t, 4*time.Minute)

	retried := f.db.count(t, `SELECT count(*) FROM river_job WHERE attempt > 1 OR errors IS NOT NULL`)
	t.Logf("%d jobs failed at least once during the outage\n%s", retried, f.jobSummary())
	if retried == 0 {
		t.Errorf("no job failed during the outage; the database was not stopped during the cycle")
	}
	// A pass that failed because the database went away records nothing,
	// or a failed run when it could still write. Either way the movie's
	// reviews must end complete and stored once.
	f.checkAfterOutage(t)
	t.Logf("done after %s", time.Since(started).Round(time.Second))
}

// checkAfterOutage checks the end state after an outage. Every movie has
// one complete pass, and the reviews are exactly the replay server's, each
// stored and analyzed once. Failed passes recorded during the outage are
// logged, not counted as errors.
func (f *fleet) checkAfterOutage(t *testing.T) {
	t.Helper()
	for _, id := range f.ids {
		if complete := f.db.count(t, `SELECT count(*) FROM sync_runs WHERE movie_id = ? AND state = 'complete'`, id); complete != 1 {
			t.Errorf("%s has %d complete review passes, want 1", id, complete)
		}
	}
	if other := f.db.count(t, `SELECT count(*) FROM sync_runs WHERE state <> 'complete'`); other != 0 {
		t.Logf("%d review passes failed during the outage", other)
	}
	total := 0
	for _, reviews := range f.reviews {
		total += len(reviews)
	}
	if n := f.db.count(t, `SELECT count(*) FROM reviews`); n != total {
		t.Errorf("%d reviews stored, want %d", n, total)
	}
	if n := f.db.count(t, `SELECT count(*) FROM analyses`); n != total {
		t.Errorf("%d analyses stored, want %d", n, total)
	}
	if busy := f.db.count(t, `SELECT count(*) FROM river_job WHERE kind = 'sync_movie' AND state NOT IN ('completed', 'cancelled', 'discarded')`); busy != 0 {
		t.Errorf("%d review passes are still queued or running\n%s", busy, f.jobSummary())
	}
}

// storedReviews maps each movie id to the ids of its stored reviews, in
// order.
func (f *fleet) storedReviews(t *testing.T) map[string][]string {
	t.Helper()
	rows, err := f.db.Query(`SELECT movie_id, id FROM reviews ORDER BY movie_id, id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	stored := map[string][]string{}
	for rows.Next() {
		var movieID, id string
		if err := rows.Scan(&movieID, &id); err != nil {
			t.Fatal(err)
		}
		stored[movieID] = append(stored[movieID], id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return stored
}
