package cli

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reelpulse/reelpulse/internal/config"
	"github.com/reelpulse/reelpulse/internal/jobs"
	"github.com/reelpulse/reelpulse/internal/testutil"
)

// isolate runs the test in an empty directory, so that no .env file is read,
// with the given settings in the environment.
func isolate(t *testing.T, settings map[string]string) {
	t.Helper()
	t.Chdir(t.TempDir())
	for name, value := range settings {
		t.Setenv(name, value)
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func TestParseRole(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr bool
	}{
		{"all", roleAll, false},
		{"web", roleWeb, false},
		{"worker", roleWorker, false},
		{"", "", true},
		{"Worker", "", true},
		{"scheduler", "", true},
	}
	for _, tt := range tests {
		got, err := parseRole(tt.in)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("parseRole(%q) = %q, %v; want %q, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

// TestRolesRefusedOnSQLite checks that the web and worker roles stop at
// once on SQLite with the message that explains why, before creating the
// database file, and that an unknown role is a usage error.
func TestRolesRefusedOnSQLite(t *testing.T) {
	tests := []struct {
		name    string
		run     func(ctx context.Context, env *environment, args []string) error
		args    []string
		wantErr error  // matched with errors.Is
		stderr  string // printed on stderr
	}{
		{"serve --role web", runServe, []string{"--role", "web"}, errSQLiteRole, ""},
		{"serve --role worker", runServe, []string{"--role=worker"}, errSQLiteRole, ""},
		{"worker", runWorker, nil, errSQLiteRole, ""},
		{"serve --role bogus", runServe, []string{"--role", "bogus"}, errUsage, `unknown role "bogus"`},
		{"worker --role", runWorker, []string{"--role", "web"}, errUsage, "flag provided but not defined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			isolate(t, map[string]string{"DATABASE_URL": "reelpulse.db", "REELPULSE_ADDR": freeAddr(t)})
			var stderr bytes.Buffer
			err := tt.run(t.Context(), &environment{stdout: io.Discard, stderr: &stderr}, tt.args)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("error = %v, want %v", err, tt.wantErr)
			}
			if errors.Is(tt.wantErr, errSQLiteRole) && !strings.Contains(err.Error(), "SQLite runs everything in one process; use --role all, or PostgreSQL") {
				t.Errorf("message %q does not explain the refusal", err)
			}
			if !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("stderr = %q, want it to contain %q", stderr.String(), tt.stderr)
			}
			if _, err := os.Stat("reelpulse.db"); err == nil {
				t.Error("the refused command created the SQLite database")
			}
		})
	}
}

// serveInBackground runs a command until stop is called, which cancels its
// context, as SIGTERM does, and returns the command's result. The test's
// cleanup calls stop too.
func serveInBackground(t *testing.T, run func(ctx context.Context, env *environment, args []string) error, args ...string) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, &environment{stdout: io.Discard, stderr: io.Discard}, args) }()
	stop = sync.OnceValue(func() error {
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(30 * time.Second):
			return errors.New("the server did not stop within 30s")
		}
	})
	t.Cleanup(func() { _ = stop() })
	return stop
}

func waitForStatus(t *testing.T, url string, status int) *http.Response {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(url)
		if err == nil && resp.StatusCode == status {
			return resp
		}
		if err == nil {
			resp.Body.Close()
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET %s did not answer %d within 30s (last error %v)", url, status, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	return getWith(t, http.DefaultClient, url)
}

func getWith(t *testing.T, client *http.Client, url string) (int, string) {
	t.Helper()
	resp, err := client.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// TestWebAndWorkerRoles runs a web process and a worker process on one
// PostgreSQL database. The web process serves the dashboard, the API and
// the jobs page, and queues the check of a movie tracked through the API
// without working it. The worker serves only /healthz, /readyz and
// /metrics. Both report ready and stop cleanly when their context is
// cancelled, as on SIGTERM.
func TestWebAndWorkerRoles(t *testing.T) {
	databaseURL := testutil.PostgresURL(t)
	webAddr, workerAddr := freeAddr(t), freeAddr(t)
	isolate(t, map[string]string{
		"DATABASE_URL":               databaseURL,
		"REELPULSE_IMDB_BASE_URL":    "http://127.0.0.1:1",
		"REELPULSE_IMDB_GRAPHQL_URL": "http://127.0.0.1:1/graphql",
		"REELPULSE_IMDB_SUGGEST_URL": "http://127.0.0.1:1/suggestion",
		"REELPULSE_BROWSER":          "never",
	})

	client := &http.Client{Transport: signedInTransport{testAdmin(t, testAppWith(t, http.NotFoundHandler(), databaseURL))}}
	stopWeb := serveInBackground(t, runServe, "--role", "web", "--addr", webAddr)
	waitForStatus(t, "http://"+webAddr+"/healthz", http.StatusOK).Body.Close()

	resp, err := client.Post("http://"+webAddr+"/api/v1/movies", "application/json", strings.NewReader(`{"id":"tt0013442"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST /api/v1/movies: status %d, want 201", resp.StatusCode)
	}
	status, body := getWith(t, client, "http://"+webAddr+"/jobs?kind=check_movie")
	if status != http.StatusOK || !strings.Contains(body, "tt0013442") || !strings.Contains(body, ">available<") {
		t.Errorf("GET /jobs on the web role: status %d, want the queued check of tt0013442:\n%s", status, body)
	}

	// Nothing works the check on a web node.
	time.Sleep(500 * time.Millisecond)
	a := testAppWith(t, http.NotFoundHandler(), databaseURL)
	queue, err := a.queue(t.Context(), jobs.InsertOnly)
	if err != nil {
		t.Fatal(err)
	}
	checks, err := queue.List(t.Context(), jobs.JobFilter{Kind: "check_movie"})
	if err != nil {
		t.Fatal(err)
	}
	if len(checks) != 1 || checks[0].State != "available" || checks[0].Attempt != 0 {
		t.Errorf("check jobs = %+v, want one that no process has started", checks)
	}

	stopWorker := serveInBackground(t, runWorker, "--addr", workerAddr)
	waitForStatus(t, "http://"+workerAddr+"/healthz", http.StatusOK).Body.Close()
	if status, _ := get(t, "http://"+workerAddr+"/"); status != http.StatusNotFound {
		t.Errorf("GET / on the worker: status %d, want 404 (no dashboard)", status)
	}
	if status, _ := get(t, "http://"+workerAddr+"/api/v1/movies"); status != http.StatusNotFound {
		t.Errorf("GET /api/v1/movies on the worker: status %d, want 404 (no API)", status)
	}

	for _, addr := range []string{webAddr, workerAddr} {
		waitForStatus(t, "http://"+addr+"/readyz", http.StatusOK).Body.Close()
		status, body := get(t, "http://"+addr+"/readyz")
		if status != http.StatusOK || !strings.Contains(body, `"store":"ok"`) || !strings.Contains(body, `"jobs":"ok"`) {
			t.Errorf("GET /readyz on %s: status %d, body %s", addr, status, body)
		}
		status, body = getWith(t, client, "http://"+addr+"/metrics")
		if status != http.StatusOK || !strings.Contains(body, "reelpulse_queue_jobs") {
			t.Errorf("GET /metrics on %s: status %d, want the queue depth:\n%.500s", addr, status, body)
		}
	}

	for name, stop := range map[string]func() error{"web": stopWeb, "worker": stopWorker} {
		if err := stop(); err != nil {
			t.Errorf("%s process stopped with %v, want a clean stop", name, err)
		}
	}
}

// TestLongestJobTimeoutMatches keeps the configuration's lower bound of
// REELPULSE_RESCUE_STUCK_AFTER in step with the job timeouts.
func TestLongestJobTimeoutMatches(t *testing.T) {
	longest := max(jobs.CheckTimeout, jobs.SyncTimeout, jobs.AnalyzeTimeout)
	if config.LongestJobTimeout != longest {
		t.Errorf("config.LongestJobTimeout = %s, want %s, the longest job timeout", config.LongestJobTimeout, longest)
	}
	if jobs.DefaultRescueStuckAfter <= longest {
		t.Errorf("jobs.DefaultRescueStuckAfter = %s, want more than %s", jobs.DefaultRescueStuckAfter, longest)
	}
}
