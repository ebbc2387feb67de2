package browser

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/reelpulse/reelpulse/internal/fetch"
	"github.com/reelpulse/reelpulse/internal/imdb"
	"github.com/reelpulse/reelpulse/internal/testutil"
)

// The benchmarks below measure the numbers quoted in doc.go. Run them with
//
//	go test -run '^$' -bench . -benchtime 20x ./internal/browser/

// BenchmarkChromiumStart measures the launch of Chromium up to its first
// page, a small 404 page of the replay server, and its stop.
func BenchmarkChromiumStart(b *testing.B) {
	srv := startChallengedReplay(b)
	path := testutil.ChromiumPath(b)
	ctx := context.Background()

	var first time.Duration
	for b.Loop() {
		browser := New(Config{Path: path})
		start := time.Now()
		if _, err := browser.running(ctx); err != nil {
			b.Fatal(err)
		}
		first += time.Since(start)
		if _, err := fetch.Get(ctx, browser, srv.URL+"/missing", nil); err == nil {
			b.Fatal("GET /missing succeeded, want a 404")
		}
		if err := browser.Close(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(first.Milliseconds())/float64(b.N), "launch-ms/op")
}

// BenchmarkPlainReviewsPage and the three after it compare one reviews
// page and one GraphQL page over plain HTTP and through Chromium. The
// browser's challenge is passed before the timer starts.
func BenchmarkPlainReviewsPage(b *testing.B) {
	srv := startChallengedReplay(b)
	client := newIMDbClient(cookieDoer{newPlainClient()}, srv)
	benchmarkFirstReviews(b, client)
}

func BenchmarkBrowserReviewsPage(b *testing.B) {
	srv := startChallengedReplay(b)
	browser := New(Config{Path: testutil.ChromiumPath(b)})
	b.Cleanup(func() { _ = browser.Close() })
	client := newIMDbClient(browser, srv)
	benchmarkFirstReviews(b, client)
	reportMemory(b, browser.PID())
}

func BenchmarkPlainGraphQLPage(b *testing.B) {
	srv := startChallengedReplay(b)
	client := newIMDbClient(cookieDoer{newPlainClient()}, srv)
	benchmarkNextReviews(b, client)
}

func BenchmarkBrowserGraphQLPage(b *testing.B) {
	srv := startChallengedReplay(b)
	browser := New(Config{Path: testutil.ChromiumPath(b)})
	b.Cleanup(func() { _ = browser.Close() })
	client := newIMDbClient(browser, srv)
	benchmarkNextReviews(b, client)
	reportMemory(b, browser.PID())
}

func benchmarkFirstReviews(b *testing.B, client *imdb.Client) {
	ctx := context.Background()
	if _, _, err := client.FirstReviews(ctx, movieID); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, _, err := client.FirstReviews(ctx, movieID); err != nil {
			b.Fatal(err)
		}
	}
}

func benchmarkNextReviews(b *testing.B, client *imdb.Client) {
	ctx := context.Background()
	_, first, err := client.FirstReviews(ctx, movieID)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := client.NextReviews(ctx, movieID, first.EndCursor); err != nil {
			b.Fatal(err)
		}
	}
}

// reportMemory reports the resident memory of the process tree of pid:
// the sum of RSS, which counts shared pages once per process, and the sum
// of PSS, which splits them among the processes that share them.
func reportMemory(b *testing.B, pid int) {
	b.Helper()
	var rss, pss int64
	processes := 0
	for _, p := range processTree(pid) {
		rss += procKilobytes(filepath.Join("/proc", strconv.Itoa(p), "status"), "VmRSS:")
		pss += procKilobytes(filepath.Join("/proc", strconv.Itoa(p), "smaps_rollup"), "Pss:")
		processes++
	}
	if processes == 0 {
		b.Log("no /proc entries for Chromium; memory not measured")
		return
	}
	b.ReportMetric(float64(rss)/1024, "rss-MiB")
	b.ReportMetric(float64(pss)/1024, "pss-MiB")
	b.ReportMetric(float64(processes), "processes")
}

// processTree returns pid and all its descendants, read from /proc.
func processTree(pid int) []int {
	children := make(map[int][]int)
	entries, _ := os.ReadDir("/proc")
	for _, entry := range entries {
		child, err := strconv.Atoi(entry.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", entry.Name(), "stat"))
		if err != nil {
			continue
		}
		// The fields after the command name, which is in parentheses and
		// may contain spaces, start with the state and the parent pid.
		fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
		if len(fields) < 2 {
			continue
		}
		if parent, err := strconv.Atoi(fields[1]); err == nil {
			children[parent] = append(children[parent], child)
		}
	}

	tree := []int{pid}
	for i := 0; i < len(tree); i++ {
		tree = append(tree, children[tree[i]]...)
	}
	return tree
}

// procKilobytes returns the value in kB of the line starting with key in a
// /proc file, or 0 when the file or line is missing.
func procKilobytes(path, key string) int64 {
	file, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer file.Close()

	scanner := bufio.NewScanner(file)
	for scanner.Scan() {
		if rest, ok := strings.CutPrefix(scanner.Text(), key); ok {
			fields := strings.Fields(rest)
			if len(fields) > 0 {
				n, _ := strconv.ParseInt(fields[0], 10, 64)
				return n
			}
		}
	}
	return 0
}
