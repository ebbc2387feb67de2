package llm

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/reelpulse/reelpulse/internal/analyze"
)

func TestConfigValidate(t *testing.T) {
	usage := &memoryUsage{}
	tests := []struct {
		name string
		cfg  Config
		want []string // substrings of the error; none for a valid config
	}{
		{"openai", Config{Flavour: FlavourOpenAI, APIKey: "k"}, nil},
		{"gemini", Config{Flavour: FlavourGemini, APIKey: "k"}, nil},
		{"local", Config{Flavour: FlavourOpenAICompatible, BaseURL: "http://127.0.0.1:11434/v1/", Model: "llama3.1:8b"}, nil},
		{"unknown flavour", Config{Flavour: "claude"}, []string{`invalid analyzer flavour "claude"`, "REELPULSE_ANALYZER"}},
		{"openai without key", Config{Flavour: FlavourOpenAI}, []string{"OPENAI_API_KEY"}},
		{"gemini without key", Config{Flavour: FlavourGemini}, []string{"GEMINI_API_KEY"}},
		{"local without URL and model", Config{Flavour: FlavourOpenAICompatible}, []string{"REELPULSE_LLM_BASE_URL", "REELPULSE_LLM_MODEL"}},
		{"bad URL", Config{Flavour: FlavourOpenAI, APIKey: "k", BaseURL: "api.openai.com/v1"}, []string{`invalid REELPULSE_LLM_BASE_URL "api.openai.com/v1"`}},
		{"negative numbers", Config{Flavour: FlavourOpenAI, APIKey: "k", BatchSize: -1, Concurrency: -2, RequestsPerMinute: -3, TokensPerMinute: -4, Timeout: -time.Second},
			[]string{"REELPULSE_LLM_BATCH_SIZE -1", "REELPULSE_LLM_CONCURRENCY -2", "REELPULSE_LLM_REQUESTS_PER_MINUTE -3", "REELPULSE_LLM_TOKENS_PER_MINUTE -4", "REELPULSE_LLM_TIMEOUT -1s"}},
		{"tiny review budget", Config{Flavour: FlavourOpenAI, APIKey: "k", MaxReviewTokens: 10}, []string{"REELPULSE_LLM_MAX_REVIEW_TOKENS 10"}},
		{"budget without store", Config{Flavour: FlavourOpenAI, APIKey: "k", DailyBudgetUSD: 5}, []string{"REELPULSE_LLM_DAILY_BUDGET_USD", "Usage is nil"}},
		{"budget with store", Config{Flavour: FlavourOpenAI, APIKey: "k", DailyBudgetUSD: 5, Usage: usage}, nil},
		{"negative budget", Config{Flavour: FlavourOpenAI, APIKey: "k", DailyBudgetUSD: -1}, []string{"REELPULSE_LLM_DAILY_BUDGET_USD -1"}},
		{"negative price", Config{Flavour: FlavourOpenAI, APIKey: "k", Prices: map[string]Price{"m": {InputPerMillion: -1}}}, []string{"price of m"}},
		{"aspect names", Config{Flavour: FlavourOpenAI, APIKey: "k", Aspects: []analyze.Aspect{{Name: "Humour"}, {Name: "overall"}, {Name: "music"}, {Name: "music"}}},
			[]string{`invalid aspect name "Humour"`, `"overall": the name is reserved`, `duplicate aspect "music"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.validate()

			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("validate: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("validate succeeded, want an error")
			}
			for _, want := range tt.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
		})
	}
}

func TestConfigDefaults(t *testing.T) {
	tests := []struct {
		flavour, baseURL, model, effort string
	}{
		{FlavourOpenAI, DefaultOpenAIBaseURL, DefaultOpenAIModel, ""},
		{FlavourGemini, DefaultGeminiBaseURL, DefaultGeminiModel, "none"},
	}
	for _, tt := range tests {
		t.Run(tt.flavour, func(t *testing.T) {
			cfg := Config{Flavour: tt.flavour, APIKey: "k"}.withDefaults()

			if cfg.BaseURL != tt.baseURL || cfg.Model != tt.model || cfg.ReasoningEffort != tt.effort {
				t.Errorf("base URL, model, reasoning effort = %q, %q, %q; want %q, %q, %q",
					cfg.BaseURL, cfg.Model, cfg.ReasoningEffort, tt.baseURL, tt.model, tt.effort)
			}
			if cfg.BatchSize != DefaultBatchSize || cfg.Concurrency != DefaultConcurrency || cfg.Timeout != DefaultTimeout || cfg.MaxRetries != DefaultMaxRetries {
				t.Errorf("numeric defaults not applied: %+v", cfg)
			}
			if _, ok := cfg.Prices[cfg.Model]; !ok {
				t.Errorf("no default price for %s", cfg.Model)
			}
		})
	}
	t.Run("gemini 2.0 keeps no reasoning effort", func(t *testing.T) {
		cfg := Config{Flavour: FlavourGemini, APIKey: "k", Model: "gemini-2.0-flash"}.withDefaults()
		if cfg.ReasoningEffort != "" {
			t.Errorf("reasoning effort = %q, want none sent", cfg.ReasoningEffort)
		}
	})
	t.Run("negative retries mean none", func(t *testing.T) {
		cfg := Config{Flavour: FlavourOpenAI, APIKey: "k", MaxRetries: -1}.withDefaults()
		if cfg.MaxRetries != 0 {
			t.Errorf("MaxRetries = %d, want 0", cfg.MaxRetries)
		}
	})
}

func TestNewRejectsInvalidConfig(t *testing.T) {
	_, err := New(Config{Flavour: FlavourOpenAI})
	if err == nil || !strings.Contains(err.Error(), "OPENAI_API_KEY") {
		t.Fatalf("New error = %v, want one naming OPENAI_API_KEY", err)
	}
}

func TestVersion(t *testing.T) {
	builtIn, err := New(Config{Flavour: FlavourOpenAI, APIKey: "k"})
	if err != nil {
		t.Fatal(err)
	}
	custom := append(append([]analyze.Aspect(nil), analyze.Aspects...), analyze.Aspect{Name: "humour", Description: "jokes, wit"})
	withHumour, err := New(Config{Flavour: FlavourOpenAI, APIKey: "k", Aspects: custom})
	if err != nil {
		t.Fatal(err)
	}
	custom[len(custom)-1].Description = "jokes"
	reworded, err := New(Config{Flavour: FlavourOpenAI, APIKey: "k", Aspects: custom})
	if err != nil {
		t.Fatal(err)
	}

	if got := builtIn.Version(); got != "gpt-4o-mini/"+PromptVersion {
		t.Errorf("built-in version = %q", got)
	}
	if got := withHumour.Version(); !strings.HasPrefix(got, "gpt-4o-mini/"+PromptVersion+"+") || len(got) != len("gpt-4o-mini/"+PromptVersion+"+")+8 {
		t.Errorf("version with a user aspect = %q, want the prompt version, + and 8 hex digits", got)
	}
	if withHumour.Version() == reworded.Version() {
		t.Error("changing an aspect description kept the version")
	}
	if builtIn.Name() != FlavourOpenAI {
		t.Errorf("Name = %q", builtIn.Name())
	}
}

func TestRequestErrorHidesBaseURLPassword(t *testing.T) {
	a, err := New(Config{Flavour: FlavourOpenAICompatible, BaseURL: "http://u:llmsecretpw@127.0.0.1:1/v1/", Model: "m"})
	if err != nil {
		t.Fatal(err)
	}
	failure := a.classify(errors.New("connection refused"), nil)
	if msg := failure.err.Error(); strings.Contains(msg, "llmsecretpw") || !strings.Contains(msg, "http://u:xxxxx@127.0.0.1:1/v1/") {
		t.Errorf("request error %q shows the password or lacks the masked URL", msg)
	}
}
