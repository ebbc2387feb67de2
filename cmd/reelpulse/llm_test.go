package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/reelpulse/reelpulse/internal/analyze/llm/llmtest"
	"github.com/reelpulse/reelpulse/internal/replay"
	"github.com/reelpulse/reelpulse/internal/store"
	"github.com/reelpulse/reelpulse/internal/store/sqlite"
)

// TestAnalyzeWithLLMResumes scrapes the example movie, then runs `reelpulse
// analyze` with a language model on a loopback chat-completions server that
// answers slowly, interrupts it midway and runs it again. The second run
// must request no review whose result the first one stored, every review
// must end with a result next to the offline one, and `reelpulse usage`
// must count every reply.
func TestAnalyzeWithLLMResumes(t *testing.T) {
	addr := startReplay(t)
	model := llmtest.NewServer(t)
	dbPath := filepath.Join(t.TempDir(), "reelpulse.db")
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"DATABASE_URL=" + dbPath,
		"REELPULSE_IMDB_BASE_URL=http://" + addr,
		"REELPULSE_IMDB_GRAPHQL_URL=http://" + addr + "/graphql",
		"REELPULSE_IMDB_SUGGEST_URL=http://" + addr + "/suggestion",
		"REELPULSE_REQUESTS_PER_SECOND=50",
		"REELPULSE_BROWSER=never",
		"REELPULSE_LLM_BASE_URL=" + model.URL,
		"REELPULSE_LLM_MODEL=test-model",
		"REELPULSE_LLM_BATCH_SIZE=1",
		"REELPULSE_LLM_CONCURRENCY=1",
		"REELPULSE_LLM_PRICES=test-model=1/2",
	}
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(binary(t), args...)
		cmd.Dir = t.TempDir()
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("reelpulse %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	run("track", "add", replay.ExampleTitleID)
	run("sync", replay.ExampleTitleID)

	// The first run is interrupted after five replies, with the sixth
	// request in flight.
	model.SetHook(llmtest.Slow(300 * time.Millisecond))
	first := start(t, env, "analyze", "--analyzer", "openai-compatible", "--movie", replay.ExampleTitleID)
	poll(t, 30*time.Second, "five requests to the model", func() bool { return model.Count() >= 6 })
	if err := first.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-first.done:
		first.done <- err // the cleanup of start waits for it too
	case <-time.After(20 * time.Second):
		t.Fatal("reelpulse analyze did not stop within 20s of SIGINT")
	}
	firstRequests := model.Count()

	saved := storedResults(t, dbPath)
	if len(saved) == 0 || len(saved) >= 30 {
		t.Fatalf("the interrupted run stored %d results, want some but not all 30", len(saved))
	}

	model.SetHook(nil)
	out := run("analyze", "--analyzer", "openai-compatible", "--movie", replay.ExampleTitleID)
	if !strings.Contains(out, "reviews analyzed with openai-compatible test-model/") {
		t.Errorf("second run output lacks its summary:\n%s", out)
	}
	for _, req := range model.Requests()[firstRequests:] {
		for _, r := range req.Reviews {
			if saved[r.Text] {
				t.Errorf("the second run requested a review that the first one stored: %.60q", r.Text)
			}
		}
	}
	if total := model.Count(); total > 30+1 {
		t.Errorf("%d requests for 30 reviews, want at most one repeated (the one in flight at SIGINT)", total)
	}
	if got := storedResults(t, dbPath); len(got) != 30 {
		t.Errorf("%d reviews have a language model result, want 30", len(got))
	}

	var usage struct {
		Rows []struct {
			Model    string  `json:"model"`
			Requests int     `json:"requests"`
			CostUSD  float64 `json:"cost_usd"`
		} `json:"rows"`
	}
	if err := json.Unmarshal([]byte(run("usage", "--json")), &usage); err != nil {
		t.Fatal(err)
	}
	replies := 0
	for _, row := range usage.Rows {
		if row.Model != "test-model" || row.CostUSD <= 0 {
			t.Errorf("usage row %+v, want test-model at a cost", row)
		}
		replies += row.Requests
	}
	if replies < 30 || replies > model.Count() {
		t.Errorf("usage counts %d replies, want 30 to %d", replies, model.Count())
	}
}

// storedResults returns the texts of the example movie's reviews that have
// a result from the openai-compatible analyzer, and checks that each still
// has its offline result.
func storedResults(t *testing.T, dbPath string) map[string]bool {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, dbPath, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()

	reviews, err := st.ListReviews(ctx, store.ReviewQuery{MovieID: replay.ExampleTitleID})
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(reviews))
	for i, r := range reviews {
		ids[i] = r.ID
	}
	results, err := st.ReviewAnalyses(ctx, "openai-compatible", ids)
	if err != nil {
		t.Fatal(err)
	}
	offline, err := st.ReviewAnalyses(ctx, "lexicon", ids)
	if err != nil {
		t.Fatal(err)
	}
	if len(offline) != len(reviews) {
		t.Errorf("%d of %d reviews kept their offline result", len(offline), len(reviews))
	}

	texts := map[string]bool{}
	for _, r := range reviews {
		if _, ok := results[r.ID]; ok {
			texts[r.Text] = true
		}
	}
	return texts
}
