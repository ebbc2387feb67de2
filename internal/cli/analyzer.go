package cli

import (
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"github.com/reelpulse/reelpulse/internal/analyze"
	"github.com/reelpulse/reelpulse/internal/analyze/lexicon"
	"github.com/reelpulse/reelpulse/internal/analyze/llm"
	"github.com/reelpulse/reelpulse/internal/config"
)

// analyzerNames lists the values of --analyzer; "lexicon" is the offline
// analyzer's other name.
var analyzerNames = append([]string{"lexicon"}, config.Analyzers...)

// buildAnalyzer returns the analyzer called name, set up from cfg to score
// aspects. usage records language model calls and may be nil when nothing
// is to be stored, as in `reelpulse eval` without a database.
// checkAnalyzerName rejects a name that no analyzer has, before any
// setting is read or the database opened.
func checkAnalyzerName(name string) error {
	if !slices.Contains(analyzerNames, name) {
		return usageErrorf("unknown analyzer %q for --analyzer; use one of: %s", name, strings.Join(analyzerNames, ", "))
	}
	return nil
}

func buildAnalyzer(name string, cfg *config.Config, aspects []analyze.Aspect, usage llm.Usage, logger *slog.Logger) (analyze.Analyzer, error) {
	switch name {
	case "offline", "lexicon":
		return lexicon.NewWithAspects(analyze.Custom(aspects))
	case "openai", "gemini", "openai-compatible":
		return llm.New(llmConfig(name, cfg, aspects, usage, logger))
	}
	return nil, fmt.Errorf("unknown analyzer %q; use one of: %s", name, strings.Join(analyzerNames, ", "))
}

func llmConfig(flavour string, cfg *config.Config, aspects []analyze.Aspect, usage llm.Usage, logger *slog.Logger) llm.Config {
	settings := cfg.LLM
	key := settings.OpenAIKey
	if flavour == "gemini" {
		key = settings.GeminiKey
	}
	prices := llm.DefaultPrices()
	for model, p := range settings.Prices {
		prices[model] = llm.Price{InputPerMillion: p.Input, OutputPerMillion: p.Output}
	}
	return llm.Config{
		Flavour:           flavour,
		BaseURL:           settings.BaseURL,
		APIKey:            key,
		Model:             settings.Model,
		Aspects:           aspects,
		BatchSize:         settings.BatchSize,
		Concurrency:       settings.Concurrency,
		RequestsPerMinute: settings.RequestsPerMinute,
		TokensPerMinute:   settings.TokensPerMinute,
		MaxReviewTokens:   settings.MaxReviewTokens,
		Timeout:           settings.Timeout,
		MaxRetries:        settings.MaxRetries,
		Prices:            prices,
		DailyBudgetUSD:    settings.DailyBudgetUSD,
		Usage:             usage,
		HTTPClient:        &http.Client{},
		Logger:            logger,
	}
}
