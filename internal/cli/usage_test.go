package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/reelpulse/reelpulse/internal/store"
	"github.com/reelpulse/reelpulse/internal/store/sqlite"
)

func TestUsage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "usage.db")
	t.Setenv("DATABASE_URL", path)
	t.Setenv("REELPULSE_LLM_DAILY_BUDGET_USD", "2")

	ctx := context.Background()
	st, err := sqlite.Open(ctx, path, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	for _, c := range []store.LLMCall{
		{At: now, Analyzer: "openai", Model: "gpt-4o-mini", MovieID: "tt0013442", Reviews: 8, PromptTokens: 4000, CompletionTokens: 1000, CostUSD: 0.0012, Outcome: "ok"},
		{At: now, Analyzer: "openai", Model: "gpt-4o-mini", MovieID: "tt0013442", Reviews: 1, PromptTokens: 500, CompletionTokens: 100, CostUSD: 0.000135, Outcome: "ok"},
		{At: now.AddDate(0, 0, -40), Analyzer: "openai", Model: "gpt-4o-mini", MovieID: "tt0013442", Reviews: 8, CostUSD: 9, Outcome: "ok"},
	} {
		if err := st.RecordLLMCall(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	_ = st.Close()

	var stdout bytes.Buffer
	env := &environment{stdout: &stdout, stderr: io.Discard}
	if err := runUsage(ctx, env, []string{"--json"}); err != nil {
		t.Fatalf("usage --json: %v", err)
	}
	var got usageJSON
	if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, stdout.String())
	}
	want := usageRowJSON{Day: now.Format(time.DateOnly), Analyzer: "openai", Model: "gpt-4o-mini", MovieID: "tt0013442",
		Requests: 2, Reviews: 9, InputTokens: 4500, OutputTokens: 1100}
	if len(got.Rows) != 1 {
		t.Fatalf("rows = %+v, want today's only", got.Rows)
	}
	row := got.Rows[0]
	row.CostUSD = 0
	if row != want || got.DailyBudgetUSD != 2 || got.TodayUSD < 0.0013 || got.TodayUSD > 0.0014 {
		t.Errorf("usage = %+v, want %+v, today ~0.001335 of a budget of 2", got, want)
	}

	stdout.Reset()
	if err := runUsage(ctx, env, []string{"--days", "60"}); err != nil {
		t.Fatalf("usage: %v", err)
	}
	table := stdout.String()
	for _, part := range []string{"INPUT TOKENS", "9.0000", "9.0013", "of the $2.00 daily budget"} {
		if !strings.Contains(table, part) {
			t.Errorf("table lacks %q:\n%s", part, table)
		}
	}
	if err := runUsage(ctx, env, []string{"--days", "0"}); err == nil || !strings.Contains(err.Error(), "invalid --days 0") {
		t.Errorf("usage --days 0 = %v, want an error naming the value", err)
	}
}
