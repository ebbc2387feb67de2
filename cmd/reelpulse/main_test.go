package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/reelpulse/reelpulse/internal/testutil"
)

var (
	buildOnce   sync.Once
	binaryPath  string
	buildOutput []byte
	buildErr    error
)

// binary builds the reelpulse command once per test run.
func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "reelpulse-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binaryPath = filepath.Join(dir, "reelpulse")
		cmd := exec.Command("go", "build", "-o", binaryPath, ".")
		buildOutput, buildErr = cmd.CombinedOutput()
	})
	if buildErr != nil {
		t.Fatalf("go build: %v\n%s", buildErr, buildOutput)
	}
	return binaryPath
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binaryPath != "" {
		os.RemoveAll(filepath.Dir(binaryPath))
	}
	os.Exit(code)
}

// freeAddr returns a loopback address that was free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// process is a running reelpulse command whose output is kept for failure
// messages.
type process struct {
	cmd    *exec.Cmd
	output *syncBuffer
	done   chan error
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// start runs the binary in a fresh working directory with only the given
// settings, and stops it when the test ends.
func start(t *testing.T, env []string, args ...string) *process {
	t.Helper()
	cmd := exec.Command(binary(t), args...)
	cmd.Dir = t.TempDir()
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + cmd.Dir}, env...)
	p := &process{cmd: cmd, output: &syncBuffer{}, done: make(chan error, 1)}
	cmd.Stdout, cmd.Stderr = p.output, p.output
	if err := cmd.Start(); err != nil {
		t.Fatalf("start reelpulse %s: %v", strings.Join(args, " "), err)
	}
	go func() { p.done <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		if err := <-p.done; err != nil {
			t.Logf("reelpulse %s exited: %v", strings.Join(args, " "), err)
		}
		if t.Failed() {
			t.Logf("output of reelpulse %s:\n%s", strings.Join(args, " "), p.output)
		}
	})
	return p
}

// stop sends SIGTERM and returns the exit error.
func (p *process) stop(t *testing.T) error {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-p.done:
		p.done <- err
		return err
	case <-time.After(40 * time.Second):
		t.Fatal("reelpulse did not stop within 40s of SIGTERM")
		return nil
	}
}

// poll calls check until it returns true or the deadline passes.
func poll(t *testing.T, timeout time.Duration, what string, check func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !check() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func getJSON(url string, into any) error {
	resp, err := testClient.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: status %d: %s", url, resp.StatusCode, body)
	}
	return json.Unmarshal(body, into)
}

func getText(t *testing.T, url string) string {
	t.Helper()
	resp, err := testClient.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d", url, resp.StatusCode)
	}
	return string(body)
}

type apiMovie struct {
	LastSync *struct {
		State      string  `json:"state"`
		Error      *string `json:"error"`
		FinishedAt string  `json:"finished_at"`
		Shortfall  int     `json:"shortfall"`
	} `json:"last_sync"`
	ID                 string   `json:"id"`
	Title              string   `json:"title"`
	ReviewCount        *int     `json:"review_count"`
	ScrapedReviewCount int      `json:"scraped_review_count"`
	AverageRating      *float64 `json:"average_rating"`
	LastScrapedAt      *string  `json:"last_scraped_at"`
	Aspects            map[string]struct {
		Average  *float64 `json:"average"`
		Analyzed int      `json:"analyzed"`
	} `json:"aspects"`
}

func waitHealthy(t *testing.T, base string) {
	t.Helper()
	poll(t, 30*time.Second, base+"/healthz", func() bool {
		resp, err := http.Get(base + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
}

// waitAnalyzed polls the API until the movie has n scraped and analyzed
// reviews, and returns it.
func waitAnalyzed(t *testing.T, base, id string, n int) apiMovie {
	t.Helper()
	var movie apiMovie
	poll(t, 90*time.Second, fmt.Sprintf("%s to have %d analyzed reviews", id, n), func() bool {
		movie = apiMovie{}
		if err := getJSON(base+"/api/v1/movies/"+id, &movie); err != nil {
			return false
		}
		return movie.ScrapedReviewCount == n && movie.Aspects["overall"].Analyzed == n
	})
	return movie
}

// TestServeOnRealCaptures runs `reelpulse replay` on the real IMDb captures
// and `reelpulse serve` against it, tracks two titles through the API and
// checks the figures on the API and the movie page.
func TestServeOnRealCaptures(t *testing.T) {
	dir, _ := testutil.CaptureReplayDir(t)

	replayAddr, webAddr := startReplay(t, "--dir", dir), freeAddr(t)
	serve := start(t, []string{
		"DATABASE_URL=" + filepath.Join(t.TempDir(), "reelpulse.db"),
		"REELPULSE_ADDR=" + webAddr,
		"REELPULSE_IMDB_BASE_URL=http://" + replayAddr,
		"REELPULSE_IMDB_GRAPHQL_URL=http://" + replayAddr + "/graphql",
		"REELPULSE_REQUESTS_PER_SECOND=50",
		"REELPULSE_MAX_RETRIES=0",
	}, "serve")
	base := "http://" + webAddr
	waitHealthy(t, base)
	setupAdmin(t, base)

	for _, id := range []string{"tt33014583", "tt0111161"} {
		resp, err := testClient.Post(base+"/api/v1/movies", "application/json", strings.NewReader(`{"id":"`+id+`"}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("POST %s: status %d", id, resp.StatusCode)
		}
	}

	movie := waitAnalyzed(t, base, "tt33014583", 61)
	if movie.ReviewCount == nil || *movie.ReviewCount != 2561 {
		t.Errorf("review_count = %v, want 2561", movie.ReviewCount)
	}
	if movie.Title != "Dhurandhar" || movie.LastScrapedAt == nil || movie.AverageRating == nil {
		t.Errorf("movie = %+v", movie)
	}
	if movie.LastSync == nil || movie.LastSync.State != "incomplete" || movie.LastSync.Shortfall != 2500 {
		t.Errorf("last_sync = %+v, want incomplete with 2500 missing", movie.LastSync)
	}

	var title apiMovie
	poll(t, 30*time.Second, "tt0111161 to be checked", func() bool {
		return getJSON(base+"/api/v1/movies/tt0111161", &title) == nil && title.ReviewCount != nil
	})
	if title.Title != "The Shawshank Redemption" || *title.ReviewCount != 11467 {
		t.Errorf("tt0111161 = %q with %d declared reviews", title.Title, *title.ReviewCount)
	}
	poll(t, 30*time.Second, "tt0111161's failed pass to be recorded", func() bool {
		return getJSON(base+"/api/v1/movies/tt0111161", &title) == nil && title.LastSync != nil
	})
	if title.LastSync.State != "failed" || title.LastSync.Error == nil || !strings.Contains(*title.LastSync.Error, "not found") {
		t.Errorf("tt0111161 last_sync = %+v, want a failed pass saying the reviews page was not found", title.LastSync)
	}

	page := getText(t, base+"/movies/tt33014583")
	for _, want := range []string{"Dhurandhar", "2,561", "61"} {
		if !strings.Contains(page, want) {
			t.Errorf("movie page lacks %q", want)
		}
	}

	if err := serve.stop(t); err != nil {
		t.Errorf("serve exited with %v after SIGTERM, want a clean exit", err)
	}
}

func TestCommandsRejectBadInput(t *testing.T) {
	tests := []struct {
		name string
		env  []string
		args []string
		want string
	}{
		{"unknown command", nil, []string{"fly"}, `unknown command "fly"`},
		{"bad id", nil, []string{"track", "add", "tt12"}, `"tt12"`},
		{"non-IMDb URL", nil, []string{"track", "add", "https://example.com/title/tt0013442/"}, "example.com"},
		{"bad setting", []string{"REELPULSE_LOG_FORMAT=xml"}, []string{"config"}, "REELPULSE_LOG_FORMAT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.CommandContext(context.Background(), binary(t), tt.args...)
			cmd.Dir = t.TempDir()
			cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, tt.env...)
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("reelpulse %s succeeded:\n%s", strings.Join(tt.args, " "), out)
			}
			if !strings.Contains(string(out), tt.want) {
				t.Errorf("output does not mention %q:\n%s", tt.want, out)
			}
		})
	}
}

func TestTrackHelpTouchesNothing(t *testing.T) {
	for _, args := range [][]string{{"track", "add", "-h"}, {"track", "remove", "--help"}} {
		cmd := exec.Command(binary(t), args...)
		cmd.Dir = t.TempDir()
		cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("reelpulse %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		if !strings.Contains(string(out), "Usage: reelpulse track") {
			t.Errorf("reelpulse %s printed no usage:\n%s", strings.Join(args, " "), out)
		}
		if _, err := os.Stat(filepath.Join(cmd.Dir, "reelpulse.db")); err == nil {
			t.Errorf("reelpulse %s created a database", strings.Join(args, " "))
		}
	}
}

func TestSecondServeOnSQLiteRefused(t *testing.T) {
	database := "DATABASE_URL=" + filepath.Join(t.TempDir(), "reelpulse.db")
	first := freeAddr(t)
	start(t, []string{database, "REELPULSE_ADDR=" + first}, "serve")
	waitHealthy(t, "http://"+first)

	cmd := exec.Command(binary(t), "serve", "--addr", freeAddr(t))
	cmd.Dir = t.TempDir()
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), database}
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("second serve on the same SQLite file started:\n%s", out)
	}
	if !strings.Contains(string(out), "another reelpulse process") {
		t.Errorf("second serve failed without saying why:\n%s", out)
	}
}

func TestUnknownSettingWarned(t *testing.T) {
	cmd := exec.Command(binary(t), "config")
	cmd.Dir = t.TempDir()
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "REELPULSE_CHEK_INTERVAL=2h"}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("reelpulse config: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "unknown setting REELPULSE_CHEK_INTERVAL") {
		t.Errorf("misspelled setting not reported:\n%s", out)
	}
}

// TestSyncExitCodes runs `reelpulse sync` against failing replay servers:
// the command must exit non-zero and print the kind of failure.
func TestSyncExitCodes(t *testing.T) {
	tests := []struct {
		name   string
		replay []string
		movie  string
		want   string
	}{
		{"bot challenge", []string{"--challenge"}, "tt0013442", "bot challenge"},
		{"title not found", nil, "tt0111161", "not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := startReplay(t, tt.replay...)

			env := []string{
				"PATH=" + os.Getenv("PATH"),
				"DATABASE_URL=" + filepath.Join(t.TempDir(), "reelpulse.db"),
				"REELPULSE_IMDB_BASE_URL=http://" + addr,
				"REELPULSE_IMDB_GRAPHQL_URL=http://" + addr + "/graphql",
				"REELPULSE_MAX_RETRIES=0",
				"REELPULSE_BROWSER=never",
			}
			for _, args := range [][]string{{"track", "add", tt.movie}, {"sync", tt.movie}} {
				cmd := exec.Command(binary(t), args...)
				cmd.Dir = t.TempDir()
				cmd.Env = env
				out, err := cmd.CombinedOutput()
				if args[0] == "track" {
					if err != nil {
						t.Fatalf("track add: %v\n%s", err, out)
					}
					continue
				}
				if err == nil {
					t.Fatalf("sync succeeded against a failing server:\n%s", out)
				}
				if !strings.Contains(string(out), tt.want) {
					t.Errorf("sync output does not say %q:\n%s", tt.want, out)
				}
			}
		})
	}
}

func TestSearchCommand(t *testing.T) {
	addr := startReplay(t)

	cmd := exec.Command(binary(t), "search", "nosfer")
	cmd.Dir = t.TempDir()
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "REELPULSE_IMDB_SUGGEST_URL=http://" + addr + "/suggestion"}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("reelpulse search: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "tt0013442") || !strings.Contains(string(out), "Nosferatu") {
		t.Errorf("search output lacks the example movie:\n%s", out)
	}
	// A search reads no database, so it creates none.
	if files, err := os.ReadDir(cmd.Dir); err != nil || len(files) != 0 {
		t.Errorf("search left %d files in its directory (%v), want none", len(files), err)
	}
}

// startReplay runs `reelpulse replay` with the extra flags on a free
// loopback address and returns the address once it accepts connections.
func startReplay(t *testing.T, flags ...string) string {
	t.Helper()
	addr := freeAddr(t)
	start(t, nil, append([]string{"replay", "--addr", addr}, flags...)...)
	poll(t, 10*time.Second, "the replay server", func() bool {
		conn, err := net.Dial("tcp", addr)
		if err == nil {
			conn.Close()
		}
		return err == nil
	})
	return addr
}
