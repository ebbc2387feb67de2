package llm

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/reelpulse/reelpulse/internal/analyze"
	"github.com/reelpulse/reelpulse/internal/analyze/llm/llmtest"
	"github.com/reelpulse/reelpulse/internal/store"
)

// testKey is the API key of test analyzers; no message may contain it.
const testKey = "sk-test-secret-0123456789"

// fixedNow is the clock of test analyzers.
var fixedNow = time.Date(2026, 12, 4, 22, 0, 0, 0, time.UTC)

// memoryUsage is an in-memory Usage: calls made now plus an earlier spend.
type memoryUsage struct {
	mu           sync.Mutex
	calls        []store.LLMCall
	earlierSpend float64
}

func (u *memoryUsage) RecordLLMCall(_ context.Context, call store.LLMCall) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.calls = append(u.calls, call)
	return nil
}

func (u *memoryUsage) LLMSpend(_ context.Context, since time.Time) (float64, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	spend := u.earlierSpend
	for _, c := range u.calls {
		if !c.At.Before(since) {
			spend += c.CostUSD
		}
	}
	return spend, nil
}

func (u *memoryUsage) Calls() []store.LLMCall {
	u.mu.Lock()
	defer u.mu.Unlock()
	return slices.Clone(u.calls)
}

// collector is a save function that keeps results by review id and fails
// the test when a review is saved twice.
type collector struct {
	t       *testing.T
	mu      sync.Mutex
	results map[string]analyze.Result
	saves   int
}

func newCollector(t *testing.T) *collector {
	return &collector{t: t, results: make(map[string]analyze.Result)}
}

func (c *collector) save(results []analyze.Result) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.saves++
	for _, r := range results {
		if _, ok := c.results[r.ReviewID]; ok {
			c.t.Errorf("review %s saved twice", r.ReviewID)
		}
		c.results[r.ReviewID] = r
	}
	return nil
}

func (c *collector) get(id string) (analyze.Result, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.results[id]
	return r, ok
}

func (c *collector) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.results)
}

// testRig is an analyzer wired to a loopback server, an in-memory usage
// store, a log buffer and a sleep that records delays without waiting.
type testRig struct {
	a      *Analyzer
	srv    *llmtest.Server
	usage  *memoryUsage
	logs   *syncBuffer
	mu     sync.Mutex
	delays []time.Duration
}

func newRig(t *testing.T, change func(*Config)) *testRig {
	t.Helper()
	rig := &testRig{srv: llmtest.NewServer(t), usage: &memoryUsage{}, logs: &syncBuffer{}}
	cfg := Config{
		Flavour:    FlavourOpenAI,
		BaseURL:    rig.srv.URL,
		APIKey:     testKey,
		Usage:      rig.usage,
		Logger:     slog.New(slog.NewTextHandler(rig.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now:        func() time.Time { return fixedNow },
		Timeout:    5 * time.Second,
		MaxRetries: 2,
	}
	if change != nil {
		change(&cfg)
	}
	a, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	a.sleep = func(ctx context.Context, d time.Duration) error {
		rig.mu.Lock()
		rig.delays = append(rig.delays, d)
		rig.mu.Unlock()
		return ctx.Err()
	}
	rig.a = a
	return rig
}

func (r *testRig) recordedDelays() []time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.delays)
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

func intPtr(v int) *int { return &v }

// review returns an input whose text mentions the story, the acting and
// the music, and carries word so that faults can select it.
func review(id, word string, stars int) analyze.Input {
	return analyze.Input{
		ReviewID: id,
		MovieID:  "tt0000001",
		Title:    "Review " + word,
		Text:     fmt.Sprintf("The %s story was gripping from start to end. The acting felt honest.\nI still hum the music.", word),
		Rating:   intPtr(stars),
	}
}

// reviews returns n inputs with ids rw1..rwN and words w001, w002 and so on.
func reviews(n int) []analyze.Input {
	in := make([]analyze.Input, n)
	for i := range in {
		in[i] = review(fmt.Sprintf("rw%d", i+1), fmt.Sprintf("w%03d", i+1), 1+i%10)
	}
	return in
}

// requestedTexts returns the review texts of every request, request by
// request.
func requestedTexts(srv *llmtest.Server) [][]string {
	var texts [][]string
	for _, req := range srv.Requests() {
		var batch []string
		for _, r := range req.Reviews {
			batch = append(batch, r.Text)
		}
		texts = append(texts, batch)
	}
	return texts
}
