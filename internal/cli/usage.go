package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/reelpulse/reelpulse/internal/store"
)

func runUsage(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "usage", "[--days N] [--json]",
		"Print language model usage per UTC day, analyzer, model and movie: requests,\n"+
			"reviews, input and output tokens and cost in US dollars, with totals and\n"+
			"today's spend against REELPULSE_LLM_DAILY_BUDGET_USD.")
	days := fs.Int("days", 30, "number of UTC days to cover, today included")
	asJSON := fs.Bool("json", false, "print one JSON object instead of a table")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArguments(fs); err != nil {
		return err
	}
	if *days < 1 {
		return usageErrorf("invalid --days %d: expected 1 or more", *days)
	}

	a, err := loadApp(ctx, env, nil)
	if err != nil {
		return err
	}
	defer a.close()

	today := time.Now().UTC().Truncate(24 * time.Hour)
	usage, err := a.store.LLMUsage(ctx, today.AddDate(0, 0, 1-*days))
	if err != nil {
		return err
	}
	spent, err := a.store.LLMSpend(ctx, today)
	if err != nil {
		return err
	}

	if *asJSON {
		encoder := json.NewEncoder(env.stdout)
		encoder.SetIndent("", "  ")
		return encoder.Encode(usageJSON{Rows: usageRows(usage), TodayUSD: spent, DailyBudgetUSD: a.cfg.LLM.DailyBudgetUSD})
	}

	var total store.LLMUsage
	w := tabwriter.NewWriter(env.stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "DAY\tANALYZER\tMODEL\tMOVIE\tREQUESTS\tREVIEWS\tINPUT TOKENS\tOUTPUT TOKENS\tCOST USD\t")
	for _, u := range usage {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%.4f\t\n", u.Day, u.Analyzer, u.Model, dash(u.MovieID),
			u.Calls, u.Reviews, u.PromptTokens, u.CompletionTokens, u.CostUSD)
		total.Calls += u.Calls
		total.Reviews += u.Reviews
		total.PromptTokens += u.PromptTokens
		total.CompletionTokens += u.CompletionTokens
		total.CostUSD += u.CostUSD
	}
	fmt.Fprintf(w, "total\t\t\t\t%d\t%d\t%d\t%d\t%.4f\t\n", total.Calls, total.Reviews, total.PromptTokens, total.CompletionTokens, total.CostUSD)
	if err := w.Flush(); err != nil {
		return err
	}

	if budget := a.cfg.LLM.DailyBudgetUSD; budget > 0 {
		fmt.Fprintf(env.stdout, "Today (UTC): $%.4f of the $%.2f daily budget\n", spent, budget)
	} else {
		fmt.Fprintf(env.stdout, "Today (UTC): $%.4f; no daily budget (REELPULSE_LLM_DAILY_BUDGET_USD)\n", spent)
	}
	return nil
}

type usageJSON struct {
	Rows           []usageRowJSON `json:"rows"`
	TodayUSD       float64        `json:"today_usd"`
	DailyBudgetUSD float64        `json:"daily_budget_usd"` // 0 when there is none
}

type usageRowJSON struct {
	Day          string  `json:"day"`
	Analyzer     string  `json:"analyzer"`
	Model        string  `json:"model"`
	MovieID      string  `json:"movie_id"`
	Requests     int     `json:"requests"`
	Reviews      int     `json:"reviews"`
	InputTokens  int64   `json:"input_tokens"`
	OutputTokens int64   `json:"output_tokens"`
	CostUSD      float64 `json:"cost_usd"`
}

func usageRows(usage []store.LLMUsage) []usageRowJSON {
	rows := make([]usageRowJSON, len(usage))
	for i, u := range usage {
		rows[i] = usageRowJSON{
			Day: u.Day, Analyzer: u.Analyzer, Model: u.Model, MovieID: u.MovieID,
			Requests: u.Calls, Reviews: u.Reviews, InputTokens: u.PromptTokens,
			OutputTokens: u.CompletionTokens, CostUSD: u.CostUSD,
		}
	}
	return rows
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
