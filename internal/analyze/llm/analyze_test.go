package llm

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/reelpulse/reelpulse/internal/analyze"
	"github.com/reelpulse/reelpulse/internal/analyze/llm/llmtest"
	"github.com/reelpulse/reelpulse/internal/store"
)

func TestAnalyzeBatchesAndScores(t *testing.T) {
	rig := newRig(t, nil)
	in := reviews(10)
	c := newCollector(t)

	if err := rig.a.Analyze(t.Context(), in, c.save); err != nil {
		t.Fatalf("Analyze: %v", err)
	}

	if got := rig.srv.Count(); got != 2 {
		t.Errorf("requests = %d, want 2 (batches of 8 and 2)", got)
	}
	if c.saves != 2 {
		t.Errorf("save called %d times, want once per request", c.saves)
	}
	for _, r := range in {
		res, ok := c.get(r.ReviewID)
		if !ok {
			t.Fatalf("no result for %s", r.ReviewID)
		}
		if res.Failure != "" {
			t.Fatalf("%s failed: %s", r.ReviewID, res.Failure)
		}
		checkScores(t, r, res)
	}
}

// checkScores checks a result of the default llmtest scores for review.
func checkScores(t *testing.T, r analyze.Input, res analyze.Result) {
	t.Helper()
	names := analyze.AspectNames()
	if len(res.Aspects) != len(names) {
		t.Fatalf("%s: %d aspects, want %d", r.ReviewID, len(res.Aspects), len(names))
	}
	for i, s := range res.Aspects {
		if s.Aspect != names[i] {
			t.Errorf("%s: aspect %d = %s, want %s", r.ReviewID, i, s.Aspect, names[i])
		}
		mentioned := s.Aspect == "storytelling" || s.Aspect == "acting" || s.Aspect == "sound" || s.Aspect == store.Overall
		if mentioned != (s.Score != nil) {
			t.Errorf("%s: %s score = %v, want mentioned = %v", r.ReviewID, s.Aspect, s.Score, mentioned)
		}
		if s.Score != nil && !strings.Contains(r.Title+"\n"+r.Text, s.Evidence) {
			t.Errorf("%s: %s evidence %q is not in the review", r.ReviewID, s.Aspect, s.Evidence)
		}
	}
}

func TestAnalyzeMalformedReplies(t *testing.T) {
	// Three short reviews go in one batch. Per-review faults hit review
	// "w002" in every reply; whole-reply faults hit every reply.
	tests := []struct {
		name     string
		fault    llmtest.Fault
		wholeRun bool   // the fault spoils the whole reply
		reason   string // in the Failure of each spoiled review
	}{
		{"bad label", llmtest.BadLabel("w002"), false, `invalid score "+3" for storytelling`},
		{"evidence not in text", llmtest.FakeEvidence("w002"), false, "evidence for storytelling does not occur in the review"},
		{"missing aspect", llmtest.DropAspect("w002"), false, "aspect storytelling missing"},
		{"missing review", llmtest.DropReview("w002"), false, "review missing from the reply"},
		{"unknown id", llmtest.UnknownID("w002"), false, "review missing from the reply"},
		{"invalid JSON", llmtest.InvalidJSON(), true, "not a JSON object"},
		{"cut off", llmtest.Cutoff(), true, "finish_reason length"},
		{"content filter", llmtest.ContentFilter(), true, "content filter"},
		{"refusal", llmtest.Refusal("I can't help with that."), true, "model refused: I can't help with that."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rig := newRig(t, nil)
			rig.srv.SetHook(tt.fault)
			in := reviews(3)
			c := newCollector(t)

			if err := rig.a.Analyze(t.Context(), in, c.save); err != nil {
				t.Fatalf("Analyze: %v", err)
			}

			spoiled := map[string]bool{"rw2": true}
			wantRequests := 2 // the batch, then w002 alone
			if tt.wholeRun {
				spoiled = map[string]bool{"rw1": true, "rw2": true, "rw3": true}
				wantRequests = 4 // the batch, then each review alone
			}
			if got := rig.srv.Count(); got != wantRequests {
				t.Errorf("requests = %d, want %d", got, wantRequests)
			}
			for _, r := range in {
				res, ok := c.get(r.ReviewID)
				if !ok {
					t.Fatalf("no result for %s", r.ReviewID)
				}
				if !spoiled[r.ReviewID] {
					if res.Failure != "" {
						t.Errorf("%s failed: %s", r.ReviewID, res.Failure)
					}
					continue
				}
				if res.Aspects != nil {
					t.Errorf("%s: invalid reply saved as scores %+v", r.ReviewID, res.Aspects)
				}
				if !strings.Contains(res.Failure, tt.reason) {
					t.Errorf("%s: Failure = %q, want it to contain %q", r.ReviewID, res.Failure, tt.reason)
				}
			}
			for i, texts := range requestedTexts(rig.srv)[1:] {
				if len(texts) != 1 {
					t.Errorf("retry %d sent %d reviews, want 1", i+1, len(texts))
				}
			}
		})
	}
}

func TestAnalyzeRepairsWrappedJSON(t *testing.T) {
	for name, fault := range map[string]llmtest.Fault{
		"code fence": llmtest.CodeFence(),
		"prose":      llmtest.Prose(),
	} {
		t.Run(name, func(t *testing.T) {
			rig := newRig(t, nil)
			rig.srv.SetHook(fault)
			in := reviews(3)
			c := newCollector(t)

			if err := rig.a.Analyze(t.Context(), in, c.save); err != nil {
				t.Fatalf("Analyze: %v", err)
			}

			if got := rig.srv.Count(); got != 1 {
				t.Errorf("requests = %d, want 1", got)
			}
			for _, r := range in {
				res, _ := c.get(r.ReviewID)
				if res.Failure != "" {
					t.Errorf("%s failed: %s", r.ReviewID, res.Failure)
				}
				checkScores(t, r, res)
			}
		})
	}
}

func TestAnalyzeRetryAloneSucceeds(t *testing.T) {
	rig := newRig(t, nil)
	rig.srv.Enqueue(llmtest.DropReview("w002"))
	in := reviews(3)
	c := newCollector(t)

	if err := rig.a.Analyze(t.Context(), in, c.save); err != nil {
		t.Fatalf("Analyze: %v", err)
	}

	texts := requestedTexts(rig.srv)
	if len(texts) != 2 {
		t.Fatalf("requests = %d, want 2", len(texts))
	}
	if len(texts[1]) != 1 || texts[1][0] != in[1].Text {
		t.Errorf("second request sent %q, want only the review left out", texts[1])
	}
	for _, r := range in {
		res, _ := c.get(r.ReviewID)
		if res.Failure != "" {
			t.Errorf("%s failed: %s", r.ReviewID, res.Failure)
		}
		checkScores(t, r, res)
	}
	if c.saves != 2 {
		t.Errorf("save called %d times, want 2: the kept part of the batch, then the retry", c.saves)
	}
}

func TestAnalyzeSingleReviewRetriedOnce(t *testing.T) {
	rig := newRig(t, func(c *Config) { c.BatchSize = 1 })
	rig.srv.SetHook(llmtest.BadLabel(""))
	c := newCollector(t)

	if err := rig.a.Analyze(t.Context(), reviews(1), c.save); err != nil {
		t.Fatalf("Analyze: %v", err)
	}

	if got := rig.srv.Count(); got != 2 {
		t.Errorf("requests = %d, want 2", got)
	}
	if res, _ := c.get("rw1"); res.Failure == "" || res.Aspects != nil {
		t.Errorf("result = %+v, want a failure without scores", res)
	}
}

func TestAnalyzeRetryAfter(t *testing.T) {
	tests := []struct {
		name  string
		fault llmtest.Fault
		want  time.Duration
	}{
		{"seconds", llmtest.RateLimited("3"), 3 * time.Second},
		{"fraction of seconds", llmtest.RateLimited("0.5"), 500 * time.Millisecond},
		{"HTTP date", llmtest.RateLimited(fixedNow.Add(7 * time.Second).Format(http.TimeFormat)), 7 * time.Second},
		{"milliseconds", llmtest.RateLimitedMs(250), 250 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rig := newRig(t, nil)
			rig.srv.Enqueue(tt.fault)
			c := newCollector(t)

			if err := rig.a.Analyze(t.Context(), reviews(2), c.save); err != nil {
				t.Fatalf("Analyze: %v", err)
			}

			if got := rig.srv.Count(); got != 2 {
				t.Errorf("requests = %d, want 2", got)
			}
			if got := rig.recordedDelays(); len(got) != 1 || got[0] != tt.want {
				t.Errorf("delays = %v, want [%v]", got, tt.want)
			}
			if got := len(rig.usage.Calls()); got != 1 {
				t.Errorf("recorded calls = %d, want 1: a 429 carries no usage", got)
			}
			if c.len() != 2 {
				t.Errorf("saved %d results, want 2", c.len())
			}
		})
	}
}

func TestAnalyzeRetryAfterRealClock(t *testing.T) {
	rig := newRig(t, nil)
	rig.a.sleep = sleepContext
	rig.srv.Enqueue(llmtest.RateLimited("1"))
	c := newCollector(t)

	start := time.Now()
	if err := rig.a.Analyze(t.Context(), reviews(1), c.save); err != nil {
		t.Fatalf("Analyze: %v", err)
	}

	if elapsed := time.Since(start); elapsed < time.Second {
		t.Errorf("retried after %v, want at least the 1 s of Retry-After", elapsed)
	}
	if c.len() != 1 {
		t.Errorf("saved %d results, want 1", c.len())
	}
}

func TestAnalyzeRetryAfterTooLong(t *testing.T) {
	rig := newRig(t, nil)
	rig.srv.SetHook(llmtest.RateLimited("3600"))
	c := newCollector(t)

	err := rig.a.Analyze(t.Context(), reviews(1), c.save)

	if err == nil || !strings.Contains(err.Error(), "asks to wait 1h0m0s") {
		t.Fatalf("error = %v, want one about the wait of 1h", err)
	}
	if got := rig.srv.Count(); got != 1 {
		t.Errorf("requests = %d, want 1", got)
	}
}

func TestAnalyzeServerErrorRetried(t *testing.T) {
	rig := newRig(t, nil)
	rig.srv.Enqueue(llmtest.ServerError(), llmtest.Status(http.StatusBadGateway, "<html>bad gateway</html>"))
	c := newCollector(t)

	if err := rig.a.Analyze(t.Context(), reviews(2), c.save); err != nil {
		t.Fatalf("Analyze: %v", err)
	}

	if got := rig.srv.Count(); got != 3 {
		t.Errorf("requests = %d, want 3", got)
	}
	delays := rig.recordedDelays()
	if len(delays) != 2 {
		t.Fatalf("delays = %v, want 2", delays)
	}
	if delays[0] < 750*time.Millisecond || delays[0] > time.Second || delays[1] < 1500*time.Millisecond || delays[1] > 2*time.Second {
		t.Errorf("delays = %v, want about 1 s then 2 s", delays)
	}
	if c.len() != 2 {
		t.Errorf("saved %d results, want 2", c.len())
	}
}

func TestAnalyzeUnreadableBodyRetried(t *testing.T) {
	rig := newRig(t, nil)
	rig.srv.Enqueue(llmtest.Status(http.StatusOK, "<html>proxy page</html>"))
	c := newCollector(t)

	if err := rig.a.Analyze(t.Context(), reviews(2), c.save); err != nil {
		t.Fatalf("Analyze: %v", err)
	}

	if got := rig.srv.Count(); got != 2 {
		t.Errorf("requests = %d, want 2", got)
	}
	if c.len() != 2 {
		t.Errorf("saved %d results, want 2", c.len())
	}
}

func TestAnalyzeRetriesExhausted(t *testing.T) {
	rig := newRig(t, nil) // MaxRetries 2
	rig.srv.SetHook(llmtest.ServerError())
	c := newCollector(t)

	err := rig.a.Analyze(t.Context(), reviews(2), c.save)

	if err == nil || !strings.Contains(err.Error(), "failed 3 times") || !strings.Contains(err.Error(), "HTTP 500") {
		t.Fatalf("error = %v, want one saying HTTP 500 three times", err)
	}
	if got := rig.srv.Count(); got != 3 {
		t.Errorf("requests = %d, want 3", got)
	}
	if c.len() != 0 {
		t.Errorf("saved %d results, want none: the reviews stay pending", c.len())
	}
}

func TestAnalyzeTimeout(t *testing.T) {
	t.Run("retried", func(t *testing.T) {
		rig := newRig(t, func(c *Config) { c.Timeout = 200 * time.Millisecond })
		rig.srv.Enqueue(llmtest.Slow(5 * time.Second))
		c := newCollector(t)

		start := time.Now()
		if err := rig.a.Analyze(t.Context(), reviews(1), c.save); err != nil {
			t.Fatalf("Analyze: %v", err)
		}

		if elapsed := time.Since(start); elapsed > 3*time.Second {
			t.Errorf("took %v, want the slow reply cut at the 200 ms timeout", elapsed)
		}
		if got := rig.srv.Count(); got != 2 {
			t.Errorf("requests = %d, want 2", got)
		}
		if c.len() != 1 {
			t.Errorf("saved %d results, want 1", c.len())
		}
	})
	t.Run("always slow", func(t *testing.T) {
		rig := newRig(t, func(c *Config) {
			c.Timeout = 100 * time.Millisecond
			c.MaxRetries = -1
		})
		rig.srv.SetHook(llmtest.Slow(5 * time.Second))

		err := rig.a.Analyze(t.Context(), reviews(1), newCollector(t).save)

		if err == nil || !strings.Contains(err.Error(), "REELPULSE_LLM_TIMEOUT") || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("error = %v, want a timeout naming REELPULSE_LLM_TIMEOUT", err)
		}
		if got := rig.srv.Count(); got != 1 {
			t.Errorf("requests = %d, want 1 with retries turned off", got)
		}
	})
}

func TestAnalyzeFailsFast(t *testing.T) {
	tests := []struct {
		name    string
		flavour string
		fault   llmtest.Fault
		want    []string
	}{
		{"401 openai", FlavourOpenAI, llmtest.Status(401, `{"error":{"message":"Incorrect API key provided: `+testKey+`","code":"invalid_api_key"}}`), []string{"HTTP 401", "OPENAI_API_KEY"}},
		{"401 gemini", FlavourGemini, llmtest.Status(401, `[{"error":{"code":401,"message":"API key not valid","status":"UNAUTHENTICATED"}}]`), []string{"HTTP 401", "GEMINI_API_KEY"}},
		{"403", FlavourOpenAI, llmtest.Status(403, `{}`), []string{"HTTP 403", "OPENAI_API_KEY"}},
		{"404", FlavourOpenAI, llmtest.Status(404, `{"error":{"message":"The model does not exist","code":"model_not_found"}}`), []string{"HTTP 404", "REELPULSE_LLM_MODEL", "REELPULSE_LLM_BASE_URL", "The model does not exist"}},
		{"400", FlavourOpenAI, llmtest.Status(400, `{"error":{"message":"Invalid schema for response_format"}}`), []string{"HTTP 400", "JSON schema", "Invalid schema for response_format"}},
		{"400 echoing the key", FlavourOpenAI, llmtest.Status(400, `{"error":{"message":"bad key `+testKey+`"}}`), []string{"HTTP 400", "bad key [API key]"}},
		{"quota", FlavourOpenAI, llmtest.Status(429, `{"error":{"message":"You exceeded your current quota","code":"insufficient_quota"}}`), []string{"HTTP 429", "no quota or credit"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rig := newRig(t, func(c *Config) { c.Flavour = tt.flavour })
			rig.srv.SetHook(tt.fault)

			err := rig.a.Analyze(t.Context(), reviews(2), newCollector(t).save)

			if err == nil {
				t.Fatal("Analyze succeeded, want an error")
			}
			for _, want := range tt.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
			if strings.Contains(err.Error(), testKey) || strings.Contains(rig.logs.String(), testKey) {
				t.Errorf("the API key leaked into the error or the logs: %v", err)
			}
			if got := rig.srv.Count(); got != 1 {
				t.Errorf("requests = %d, want 1", got)
			}
		})
	}
}

func TestAnalyzeRecordsUsageAndCost(t *testing.T) {
	rig := newRig(t, func(c *Config) {
		c.Prices = map[string]Price{DefaultOpenAIModel: {InputPerMillion: 0.15, OutputPerMillion: 0.60}}
	})
	rig.srv.SetHook(func(_ *llmtest.Request, rep *llmtest.Reply) {
		rep.PromptTokens, rep.CompletionTokens = 2_000_000, 500_000
	})
	in := reviews(9)
	in[8].MovieID = "tt0000002"

	if err := rig.a.Analyze(t.Context(), in, newCollector(t).save); err != nil {
		t.Fatalf("Analyze: %v", err)
	}

	calls := rig.usage.Calls()
	if len(calls) != 2 {
		t.Fatalf("recorded %d calls, want 2", len(calls))
	}
	byMovie := map[string]store.LLMCall{}
	for _, c := range calls {
		byMovie[c.MovieID] = c
	}
	want := store.LLMCall{
		At: fixedNow, Analyzer: FlavourOpenAI, Model: DefaultOpenAIModel, MovieID: "tt0000001", Reviews: 8,
		PromptTokens: 2_000_000, CompletionTokens: 500_000, CostUSD: 0.60, Outcome: "ok",
	}
	got := byMovie["tt0000001"]
	if diff := got.CostUSD - want.CostUSD; diff > 1e-9 || diff < -1e-9 {
		t.Errorf("cost = %v, want %v", got.CostUSD, want.CostUSD)
	}
	got.CostUSD = want.CostUSD
	if got != want {
		t.Errorf("call = %+v, want %+v", got, want)
	}
	if other := byMovie["tt0000002"]; other.Reviews != 1 {
		t.Errorf("call for the other movie = %+v, want 1 review: movies are not batched together", other)
	}
}

func TestAnalyzeRecordsBadReplies(t *testing.T) {
	rig := newRig(t, nil)
	rig.srv.Enqueue(llmtest.BadLabel("w002"), llmtest.Cutoff())
	c := newCollector(t)

	if err := rig.a.Analyze(t.Context(), reviews(3), c.save); err != nil {
		t.Fatalf("Analyze: %v", err)
	}

	calls := rig.usage.Calls()
	if len(calls) != 2 {
		t.Fatalf("recorded %d calls, want 2: the batch and the retry alone", len(calls))
	}
	outcomes := []string{calls[0].Outcome, calls[1].Outcome}
	if outcomes[0] != "1 of 3 reviews invalid" || outcomes[1] != "cut off" {
		t.Errorf("outcomes = %q, want the bad label, then the cut-off reply", outcomes)
	}
	if res, _ := c.get("rw2"); res.Failure == "" {
		t.Errorf("rw2 = %+v, want a failure after the cut-off retry", res)
	}
}

func TestAnalyzeWarnsOnceAboutMissingPrice(t *testing.T) {
	rig := newRig(t, func(c *Config) {
		c.Model = "unpriced-model"
		c.BatchSize = 1
	})

	if err := rig.a.Analyze(t.Context(), reviews(3), newCollector(t).save); err != nil {
		t.Fatalf("Analyze: %v", err)
	}

	if n := strings.Count(rig.logs.String(), "No price for the LLM model"); n != 1 {
		t.Errorf("price warnings = %d, want 1", n)
	}
	for _, c := range rig.usage.Calls() {
		if c.CostUSD != 0 {
			t.Errorf("cost = %v, want 0 without a price", c.CostUSD)
		}
	}
}

func TestAnalyzeBudget(t *testing.T) {
	t.Run("reached before the run", func(t *testing.T) {
		rig := newRig(t, func(c *Config) { c.DailyBudgetUSD = 0.50 })
		rig.usage.earlierSpend = 0.75
		c := newCollector(t)

		err := rig.a.Analyze(t.Context(), reviews(3), c.save)

		if !errors.Is(err, ErrBudgetReached) {
			t.Fatalf("error = %v, want ErrBudgetReached", err)
		}
		for _, want := range []string{"$0.7500", "$0.50", "REELPULSE_LLM_DAILY_BUDGET_USD"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not contain %q", err, want)
			}
		}
		if got := rig.srv.Count(); got != 0 {
			t.Errorf("requests = %d, want 0", got)
		}
		if !strings.Contains(rig.logs.String(), "LLM daily budget reached") {
			t.Error("no log line about the budget")
		}
	})
	t.Run("reached midway", func(t *testing.T) {
		rig := newRig(t, func(c *Config) {
			c.DailyBudgetUSD = 1
			c.BatchSize = 1
			c.Concurrency = 1
			c.Prices = map[string]Price{DefaultOpenAIModel: {InputPerMillion: 1, OutputPerMillion: 0}}
		})
		rig.srv.SetHook(func(_ *llmtest.Request, rep *llmtest.Reply) { rep.PromptTokens = 400_000 }) // $0.40 a call
		c := newCollector(t)

		err := rig.a.Analyze(t.Context(), reviews(5), c.save)

		if !errors.Is(err, ErrBudgetReached) {
			t.Fatalf("error = %v, want ErrBudgetReached", err)
		}
		if got := rig.srv.Count(); got != 3 {
			t.Errorf("requests = %d, want 3 ($0.40, $0.80, then $1.20 reaches $1)", got)
		}
		if c.len() != 3 {
			t.Errorf("saved %d results, want the 3 paid for", c.len())
		}
	})
	t.Run("spend of earlier days", func(t *testing.T) {
		rig := newRig(t, func(c *Config) { c.DailyBudgetUSD = 0.50 })
		_ = rig.usage.RecordLLMCall(t.Context(), store.LLMCall{At: fixedNow.Add(-23 * time.Hour), CostUSD: 10})

		if err := rig.a.Analyze(t.Context(), reviews(1), newCollector(t).save); err != nil {
			t.Fatalf("Analyze: %v, want yesterday's spend not to count", err)
		}
	})
}

func TestAnalyzeCancelAndResume(t *testing.T) {
	rig := newRig(t, func(c *Config) {
		c.BatchSize = 1
		c.Concurrency = 1
	})
	ctx, cancel := context.WithCancel(t.Context())
	rig.srv.SetHook(func(req *llmtest.Request, rep *llmtest.Reply) {
		if strings.Contains(req.Reviews[0].Text, "w003") {
			cancel()
			rep.Delay = 10 * time.Second
		}
	})
	in := reviews(5)
	c := newCollector(t)

	start := time.Now()
	err := rig.a.Analyze(ctx, in, c.save)

	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error = %v, want context.Canceled", err)
	}
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("returned after %v, want promptly", elapsed)
	}
	if c.len() != 2 {
		t.Fatalf("saved %d results before the cancellation, want 2", c.len())
	}

	// A second run gets only what the store would still list as pending.
	rig.srv.SetHook(nil)
	var pending []analyze.Input
	for _, r := range in {
		if _, ok := c.get(r.ReviewID); !ok {
			pending = append(pending, r)
		}
	}
	before := rig.srv.Count()
	if err := rig.a.Analyze(t.Context(), pending, c.save); err != nil {
		t.Fatalf("second Analyze: %v", err)
	}

	if c.len() != 5 {
		t.Errorf("saved %d results in all, want 5", c.len())
	}
	sent := map[string]int{}
	for _, texts := range requestedTexts(rig.srv)[before:] {
		for _, text := range texts {
			sent[text]++
		}
	}
	for _, r := range in[:2] {
		if sent[r.Text] > 0 {
			t.Errorf("second run sent %s again, which was saved before", r.ReviewID)
		}
	}
	if got := rig.srv.Count() - before; got != 3 {
		t.Errorf("second run made %d requests, want 3", got)
	}
}

func TestAnalyzeSaveErrorStops(t *testing.T) {
	rig := newRig(t, func(c *Config) {
		c.BatchSize = 1
		c.Concurrency = 1
	})
	failing := errors.New("disk full")

	err := rig.a.Analyze(t.Context(), reviews(4), func([]analyze.Result) error { return failing })

	if !errors.Is(err, failing) {
		t.Fatalf("error = %v, want the save error", err)
	}
	if got := rig.srv.Count(); got != 1 {
		t.Errorf("requests = %d, want 1", got)
	}
}

func TestAnalyzeTrimsLongReview(t *testing.T) {
	rig := newRig(t, func(c *Config) { c.MaxReviewTokens = 50 })
	long := review("rw1", "w001", 8)
	long.Text += strings.Repeat(" The pacing drags in the middle act.", 40)
	c := newCollector(t)

	if err := rig.a.Analyze(t.Context(), []analyze.Input{long, review("rw2", "w002", 3)}, c.save); err != nil {
		t.Fatalf("Analyze: %v", err)
	}

	res, _ := c.get("rw1")
	if !res.Trimmed || res.Failure != "" {
		t.Errorf("result = %+v, want scores marked Trimmed", res)
	}
	if short, _ := c.get("rw2"); short.Trimmed {
		t.Error("short review marked Trimmed")
	}
	var sent string
	for _, texts := range requestedTexts(rig.srv) {
		for _, text := range texts {
			if strings.Contains(text, "w001") {
				sent = text
			}
		}
	}
	if len(sent) > 200 || !strings.HasSuffix(sent, ".") || !strings.HasPrefix(long.Text, sent) {
		t.Errorf("sent text %q, want a prefix of at most 200 characters ending at a sentence", sent)
	}
}

func TestAnalyzeConcurrentRun(t *testing.T) {
	rig := newRig(t, func(c *Config) {
		c.Concurrency = 4
		c.BatchSize = 3
	})
	rig.srv.SetHook(llmtest.BadLabel("w007"))
	in := reviews(40)
	c := newCollector(t)

	if err := rig.a.Analyze(t.Context(), in, c.save); err != nil {
		t.Fatalf("Analyze: %v", err)
	}

	if c.len() != len(in) {
		t.Errorf("saved %d results, want %d", c.len(), len(in))
	}
	if res, _ := c.get("rw7"); res.Failure == "" {
		t.Errorf("rw7 = %+v, want a failure", res)
	}
	if got := rig.srv.Count(); got != 15 {
		t.Errorf("requests = %d, want 14 batches and 1 retry", got)
	}
}

func TestAnalyzeRequestsPerMinute(t *testing.T) {
	rig := newRig(t, func(c *Config) {
		c.BatchSize = 1
		c.RequestsPerMinute = 600 // one every 100 ms
	})

	start := time.Now()
	if err := rig.a.Analyze(t.Context(), reviews(4), newCollector(t).save); err != nil {
		t.Fatalf("Analyze: %v", err)
	}

	if elapsed := time.Since(start); elapsed < 280*time.Millisecond {
		t.Errorf("4 requests took %v, want at least 300 ms at 600 a minute", elapsed)
	}
}

func TestWaitForTokensPerMinute(t *testing.T) {
	rig := newRig(t, func(c *Config) { c.TokensPerMinute = 6000 }) // 100 a second

	start := time.Now()
	if err := rig.a.waitForLimits(t.Context(), 10_000); err != nil {
		t.Fatalf("first wait: %v", err)
	}
	if elapsed := time.Since(start); elapsed > 100*time.Millisecond {
		t.Errorf("first wait took %v, want none: a request above the burst takes the full bucket", elapsed)
	}
	if err := rig.a.waitForLimits(t.Context(), 30); err != nil {
		t.Fatalf("second wait: %v", err)
	}
	if elapsed := time.Since(start); elapsed < 250*time.Millisecond {
		t.Errorf("30 tokens after an empty bucket took %v, want about 300 ms", elapsed)
	}
}

func TestAnalyzeEmptyInput(t *testing.T) {
	rig := newRig(t, nil)

	if err := rig.a.Analyze(t.Context(), nil, newCollector(t).save); err != nil {
		t.Fatalf("Analyze: %v", err)
	}
	if got := rig.srv.Count(); got != 0 {
		t.Errorf("requests = %d, want 0", got)
	}
}

func TestNewIgnoresEnvironment(t *testing.T) {
	t.Setenv("OPENAI_API_KEY", "sk-from-environment")
	t.Setenv("OPENAI_BASE_URL", "http://127.0.0.1:1/")
	rig := newRig(t, func(c *Config) {
		c.Flavour = FlavourOpenAICompatible
		c.APIKey = ""
		c.Model = "llama3.1:8b"
	})

	if err := rig.a.Analyze(t.Context(), reviews(1), newCollector(t).save); err != nil {
		t.Fatalf("Analyze: %v", err)
	}

	reqs := rig.srv.Requests()
	if len(reqs) != 1 {
		t.Fatalf("requests = %d, want 1 to the configured server", len(reqs))
	}
	if auth := reqs[0].Header.Get("Authorization"); auth != "" {
		t.Errorf("Authorization = %q, want none without a configured key", auth)
	}
}

func TestAnalyzeSendsAPIKey(t *testing.T) {
	rig := newRig(t, nil)

	if err := rig.a.Analyze(t.Context(), reviews(1), newCollector(t).save); err != nil {
		t.Fatalf("Analyze: %v", err)
	}

	if auth := rig.srv.Requests()[0].Header.Get("Authorization"); auth != "Bearer "+testKey {
		t.Errorf("Authorization = %q, want the bearer key", auth)
	}
}
