package llm

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/reelpulse/reelpulse/internal/analyze"
	"github.com/reelpulse/reelpulse/internal/store"
)

// Flavours of chat-completions providers. The flavour is the analyzer's
// Name, so results of different providers are stored apart.
const (
	FlavourOpenAI           = "openai"
	FlavourGemini           = "gemini"
	FlavourOpenAICompatible = "openai-compatible"
)

// Provider defaults. An openai-compatible server (Ollama, vLLM, llama.cpp)
// has none: its base URL and model must be set, for example
// http://127.0.0.1:11434/v1/ for Ollama.
const (
	DefaultOpenAIBaseURL = "https://api.openai.com/v1/"
	DefaultOpenAIModel   = "gpt-4o-mini"
	DefaultGeminiBaseURL = "https://generativelanguage.googleapis.com/v1beta/openai/"
	DefaultGeminiModel   = "gemini-2.5-flash"
)

// Defaults of the Config fields whose zero value means "use the default".
const (
	DefaultBatchSize         = 8
	DefaultShortReviewTokens = 400
	DefaultConcurrency       = 4
	DefaultMaxReviewTokens   = 2000
	DefaultMaxOutputTokens   = 4096
	DefaultTimeout           = 90 * time.Second
	DefaultMaxRetries        = 4
)

// Price is the cost of a model in US dollars per million tokens.
type Price struct {
	InputPerMillion  float64
	OutputPerMillion float64
}

// DefaultPrices returns the standard (not batch, not cached) prices as
// published in 2026 by OpenAI and Google. Override them with
// REELPULSE_LLM_PRICES, because providers change prices.
func DefaultPrices() map[string]Price {
	return map[string]Price{
		"gpt-4o-mini":           {InputPerMillion: 0.15, OutputPerMillion: 0.60},
		"gemini-2.5-flash":      {InputPerMillion: 0.30, OutputPerMillion: 2.50},
		"gemini-2.5-flash-lite": {InputPerMillion: 0.10, OutputPerMillion: 0.40},
		"gemini-2.0-flash":      {InputPerMillion: 0.10, OutputPerMillion: 0.40},
	}
}

// Usage stores the record of each model call and sums the spend for the
// daily budget. store.Store satisfies it.
type Usage interface {
	RecordLLMCall(ctx context.Context, call store.LLMCall) error
	LLMSpend(ctx context.Context, since time.Time) (float64, error)
}

// Config configures an Analyzer. A zero numeric field means the documented
// default unless its comment states otherwise.
type Config struct {
	// Flavour is FlavourOpenAI, FlavourGemini or FlavourOpenAICompatible
	// (REELPULSE_ANALYZER).
	Flavour string
	// BaseURL is the API root that chat/completions is appended to
	// (REELPULSE_LLM_BASE_URL). Empty means the flavour's default.
	BaseURL string
	// APIKey is sent as a bearer token (OPENAI_API_KEY or GEMINI_API_KEY).
	// It is required by openai and gemini, optional for openai-compatible.
	APIKey string
	// Model is the model name (REELPULSE_LLM_MODEL). Empty means the
	// flavour's default.
	Model string
	// Aspects are scored besides overall; their descriptions go into the
	// prompt. Nil means analyze.Aspects.
	Aspects []analyze.Aspect
	// BatchSize is the number of short reviews sent in one request
	// (REELPULSE_LLM_BATCH_SIZE); 1 sends every review alone.
	BatchSize int
	// ShortReviewTokens is the estimated size up to which a review is
	// batched with others; longer reviews go alone.
	ShortReviewTokens int
	// Concurrency is the number of requests in flight
	// (REELPULSE_LLM_CONCURRENCY).
	Concurrency int
	// RequestsPerMinute and TokensPerMinute cap the request rate
	// (REELPULSE_LLM_REQUESTS_PER_MINUTE, REELPULSE_LLM_TOKENS_PER_MINUTE).
	// Zero means no limit. Tokens are estimated before each request.
	RequestsPerMinute int
	TokensPerMinute   int
	// MaxReviewTokens is the estimated token budget of one review's text
	// (REELPULSE_LLM_MAX_REVIEW_TOKENS). A longer text is trimmed to it and
	// its Result is marked Trimmed.
	MaxReviewTokens int
	// MaxOutputTokens caps the tokens of one reply.
	MaxOutputTokens int
	// ReasoningEffort is sent as reasoning_effort when set. Empty means
	// "none" for gemini-2.5-flash models on the gemini flavour, which turns
	// their thinking off (thinking tokens are billed as output), and
	// nothing otherwise.
	ReasoningEffort string
	// Timeout bounds one HTTP request (REELPULSE_LLM_TIMEOUT).
	Timeout time.Duration
	// MaxRetries is the number of retries of a request that failed with
	// HTTP 429, a 5xx status, a timeout or a network error. Zero means
	// DefaultMaxRetries and a negative value means no retries.
	MaxRetries int
	// Prices maps model names to prices (REELPULSE_LLM_PRICES). Nil means
	// DefaultPrices. A model without a price is counted at zero cost.
	Prices map[string]Price
	// DailyBudgetUSD stops new requests once the spend since the start of
	// the UTC day reaches it (REELPULSE_LLM_DAILY_BUDGET_USD). Zero means
	// no budget.
	DailyBudgetUSD float64
	// Usage records calls and reads the spend. It may be nil when
	// DailyBudgetUSD is zero, and then nothing is recorded.
	Usage      Usage
	HTTPClient *http.Client // nil means a client without a total timeout
	Logger     *slog.Logger // nil means slog.Default()
	Now        func() time.Time
}

// validate reports every invalid field at once, naming the environment
// variable that sets it.
func (c *Config) validate() error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	switch c.Flavour {
	case FlavourOpenAI, FlavourGemini:
		if c.APIKey == "" {
			add("missing API key for %s: set %s", c.Flavour, apiKeyVariable(c.Flavour))
		}
	case FlavourOpenAICompatible:
		if c.BaseURL == "" {
			add("missing base URL for openai-compatible: set REELPULSE_LLM_BASE_URL, such as http://127.0.0.1:11434/v1/ for Ollama")
		}
		if c.Model == "" {
			add("missing model for openai-compatible: set REELPULSE_LLM_MODEL to a model the server has loaded")
		}
	default:
		add("invalid analyzer flavour %q (REELPULSE_ANALYZER): expected %s, %s or %s", c.Flavour, FlavourOpenAI, FlavourGemini, FlavourOpenAICompatible)
	}
	if c.BaseURL != "" {
		if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			add("invalid REELPULSE_LLM_BASE_URL %q: expected an http or https URL such as %s", c.BaseURL, DefaultOpenAIBaseURL)
		}
	}

	checkNotNegative := func(v int, name string) {
		if v < 0 {
			add("invalid %s %d: must not be negative", name, v)
		}
	}
	checkNotNegative(c.BatchSize, "REELPULSE_LLM_BATCH_SIZE")
	checkNotNegative(c.ShortReviewTokens, "ShortReviewTokens")
	checkNotNegative(c.Concurrency, "REELPULSE_LLM_CONCURRENCY")
	checkNotNegative(c.RequestsPerMinute, "REELPULSE_LLM_REQUESTS_PER_MINUTE")
	checkNotNegative(c.TokensPerMinute, "REELPULSE_LLM_TOKENS_PER_MINUTE")
	checkNotNegative(c.MaxReviewTokens, "REELPULSE_LLM_MAX_REVIEW_TOKENS")
	checkNotNegative(c.MaxOutputTokens, "MaxOutputTokens")
	if c.MaxReviewTokens > 0 && c.MaxReviewTokens < 50 {
		add("invalid REELPULSE_LLM_MAX_REVIEW_TOKENS %d: must be at least 50", c.MaxReviewTokens)
	}
	if c.Timeout < 0 {
		add("invalid REELPULSE_LLM_TIMEOUT %s: must not be negative", c.Timeout)
	}
	if c.DailyBudgetUSD < 0 || c.DailyBudgetUSD != c.DailyBudgetUSD {
		add("invalid REELPULSE_LLM_DAILY_BUDGET_USD %v: must be a non-negative number of US dollars", c.DailyBudgetUSD)
	}
	if c.DailyBudgetUSD > 0 && c.Usage == nil {
		add("REELPULSE_LLM_DAILY_BUDGET_USD needs a store to sum the spend, but Config.Usage is nil")
	}
	for _, model := range slices.Sorted(maps.Keys(c.Prices)) {
		p := c.Prices[model]
		if p.InputPerMillion < 0 || p.OutputPerMillion < 0 {
			add("invalid price of %s in REELPULSE_LLM_PRICES: must not be negative", model)
		}
	}
	errs = append(errs, validateAspects(c.Aspects)...)
	return errors.Join(errs...)
}

func validateAspects(aspects []analyze.Aspect) []error {
	var errs []error
	seen := make(map[string]bool)
	for _, a := range aspects {
		if err := analyze.CheckAspectName(a.Name); err != nil {
			errs = append(errs, err)
		} else if seen[a.Name] {
			errs = append(errs, fmt.Errorf("duplicate aspect %q", a.Name))
		}
		seen[a.Name] = true
	}
	return errs
}

// withDefaults returns a copy of c with every zero field that has a default
// set to it.
func (c Config) withDefaults() Config {
	if c.BaseURL == "" {
		c.BaseURL = defaultBaseURL(c.Flavour)
	}
	if c.Model == "" {
		c.Model = defaultModel(c.Flavour)
	}
	if c.Aspects == nil {
		c.Aspects = analyze.Aspects
	}

	setDefault(&c.BatchSize, DefaultBatchSize)
	setDefault(&c.ShortReviewTokens, DefaultShortReviewTokens)
	setDefault(&c.Concurrency, DefaultConcurrency)
	setDefault(&c.MaxReviewTokens, DefaultMaxReviewTokens)
	setDefault(&c.MaxOutputTokens, DefaultMaxOutputTokens)
	setDefault(&c.MaxRetries, DefaultMaxRetries)
	if c.MaxRetries < 0 {
		c.MaxRetries = 0
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}

	if c.ReasoningEffort == "" && c.Flavour == FlavourGemini && strings.HasPrefix(c.Model, "gemini-2.5-flash") {
		c.ReasoningEffort = "none"
	}
	if c.Prices == nil {
		c.Prices = DefaultPrices()
	}

	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{}
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

func setDefault(v *int, def int) {
	if *v == 0 {
		*v = def
	}
}

func defaultBaseURL(flavour string) string {
	switch flavour {
	case FlavourOpenAI:
		return DefaultOpenAIBaseURL
	case FlavourGemini:
		return DefaultGeminiBaseURL
	}
	return ""
}

func defaultModel(flavour string) string {
	switch flavour {
	case FlavourOpenAI:
		return DefaultOpenAIModel
	case FlavourGemini:
		return DefaultGeminiModel
	}
	return ""
}

// apiKeyVariable names the environment variable that holds the flavour's
// API key.
func apiKeyVariable(flavour string) string {
	if flavour == FlavourGemini {
		return "GEMINI_API_KEY"
	}
	return "OPENAI_API_KEY"
}
