package main

import (
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/reelpulse/reelpulse/internal/analyze/llm/llmtest"
	"github.com/reelpulse/reelpulse/internal/replay"
)

// TestAdminConsoleShowsRealData scrapes the example movie from the replay
// server and analyzes it with a loopback language model. It then serves the
// dashboard and reads the admin console: the model's cost against the
// budget, the complete and failed review passes, the jobs, and a movie
// parked because IMDb has no such title, which it unparks.
func TestAdminConsoleShowsRealData(t *testing.T) {
	addr := startReplay(t)
	model := llmtest.NewServer(t)
	webAddr := freeAddr(t)
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"DATABASE_URL=" + filepath.Join(t.TempDir(), "reelpulse.db"),
		"REELPULSE_ADDR=" + webAddr,
		"REELPULSE_IMDB_BASE_URL=http://" + addr,
		"REELPULSE_IMDB_GRAPHQL_URL=http://" + addr + "/graphql",
		"REELPULSE_IMDB_SUGGEST_URL=http://" + addr + "/suggestion",
		"REELPULSE_REQUESTS_PER_SECOND=50",
		"REELPULSE_MAX_RETRIES=0",
		"REELPULSE_BROWSER=never",
		"REELPULSE_LLM_BASE_URL=" + model.URL,
		"REELPULSE_LLM_MODEL=test-model",
		"REELPULSE_LLM_BATCH_SIZE=10",
		"REELPULSE_LLM_PRICES=test-model=1/2",
		"REELPULSE_LLM_DAILY_BUDGET_USD=5",
	}
	run := func(args ...string) (string, error) {
		t.Helper()
		cmd := exec.Command(binary(t), args...)
		cmd.Dir = t.TempDir()
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	for _, args := range [][]string{
		{"track", "add", replay.ExampleTitleID},
		{"sync", replay.ExampleTitleID},
		{"analyze", "--analyzer", "openai-compatible", "--movie", replay.ExampleTitleID},
		{"track", "add", "tt0000404"},
	} {
		if out, err := run(args...); err != nil {
			t.Fatalf("reelpulse %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	// IMDb, here the replay server, has no reviews of this title.
	if out, err := run("sync", "tt0000404"); err == nil {
		t.Fatalf("sync of an unknown title succeeded:\n%s", out)
	}

	serve := start(t, append(env, "REELPULSE_ANALYZER=openai-compatible"), "serve")
	base := "http://" + webAddr
	waitHealthy(t, base)
	setupAdmin(t, base)

	usage := getText(t, base+"/admin/usage")
	for _, want := range []string{"openai-compatible test-model", replay.ExampleTitleID, "of the daily budget of $5.00", `data-testid="budget-meter"`} {
		if !strings.Contains(usage, want) {
			t.Errorf("the usage page lacks %q", want)
		}
	}
	if cost := regexp.MustCompile(`Spent today: <strong>\$([0-9.]+)</strong>`).FindStringSubmatch(usage); cost == nil || cost[1] == "0.0000" {
		t.Errorf("the usage page shows today's spend as %v, want the cost of the replies", cost)
	}

	// The schedule checks every tracked movie at start; the check of the
	// unknown title parks it.
	var scrape string
	poll(t, 60*time.Second, "tt0000404 to be parked", func() bool {
		scrape = getText(t, base+"/admin/scrape")
		return strings.Contains(scrape, `data-testid="parked-tt0000404"`)
	})
	example := rowOf(t, scrape, "scrape-"+replay.ExampleTitleID)
	if !strings.Contains(example, "30 reviews") {
		t.Errorf("the scrape row of the example movie lacks its last complete pass:\n%s", example)
	}
	unknown := rowOf(t, scrape, "scrape-tt0000404")
	if !strings.Contains(unknown, ">failed<") || !strings.Contains(unknown, "never") || !strings.Contains(strings.ToLower(unknown), "not found") {
		t.Errorf("the scrape row of the unknown title lacks its failed pass with the reason:\n%s", unknown)
	}

	jobsPage := getText(t, base+"/jobs")
	if !strings.Contains(jobsPage, `data-testid="jobs-table"`) || !strings.Contains(jobsPage, "check_movie") {
		t.Errorf("the jobs page lists no check job:\n%.2000s", jobsPage)
	}

	csrf := csrfPattern.FindStringSubmatch(scrape)
	if csrf == nil {
		t.Fatal("the scrape page has no CSRF token")
	}
	request, _ := http.NewRequest(http.MethodPost, base+"/admin/movies/tt0000404/unpark", strings.NewReader(url.Values{"csrf_token": {csrf[1]}}.Encode()))
	request.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := testClient.Do(request)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/admin/scrape" {
		t.Errorf("unpark: status %d at %s, want the scrape page", resp.StatusCode, resp.Request.URL)
	}
	if audit := getText(t, base+"/admin/audit"); !strings.Contains(audit, "movie_unpark") {
		t.Error("the audit log lacks the unpark")
	}

	if err := serve.stop(t); err != nil {
		t.Errorf("serve exited with %v after SIGTERM", err)
	}
}

// rowOf returns the table row with the data-testid.
func rowOf(t *testing.T, page, testID string) string {
	t.Helper()
	start := strings.Index(page, `data-testid="`+testID+`"`)
	if start < 0 {
		t.Fatalf("the page has no row %s", testID)
	}
	end := strings.Index(page[start:], "</tr>")
	if end < 0 {
		return page[start:]
	}
	return page[start : start+end]
}
