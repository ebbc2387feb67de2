package llm

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"golang.org/x/time/rate"

	"github.com/reelpulse/reelpulse/internal/analyze"
	"github.com/reelpulse/reelpulse/internal/config"
)

// Analyzer scores reviews with a chat-completions model. It is safe for
// concurrent use, and its rate limits hold across calls of Analyze.
type Analyzer struct {
	cfg          Config
	endpoint     string // cfg.BaseURL without its password, for messages
	chat         openai.ChatCompletionService
	systemPrompt string
	schema       any
	aspectNames  []string // cfg.Aspects then store.Overall
	version      string
	requests     *rate.Limiter // nil when RequestsPerMinute is 0
	tokens       *rate.Limiter // nil when TokensPerMinute is 0
	sleep        func(ctx context.Context, d time.Duration) error
	priceWarning sync.Once
}

var _ analyze.Analyzer = (*Analyzer)(nil)

// New validates cfg, applies its defaults and returns an Analyzer. It makes
// no request.
func New(cfg Config) (*Analyzer, error) {
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("invalid LLM analyzer configuration: %w", err)
	}
	cfg = cfg.withDefaults()

	// The service is built from explicit options only, unlike
	// openai.NewClient, which also reads OPENAI_API_KEY, OPENAI_BASE_URL and
	// other variables from the environment and could send an OpenAI key to
	// a Gemini or local server. Retries are done by Analyzer.call, which
	// records and budgets every attempt.
	opts := []option.RequestOption{
		option.WithBaseURL(cfg.BaseURL),
		option.WithHTTPClient(cfg.HTTPClient),
		option.WithMaxRetries(0),
	}
	if cfg.APIKey != "" {
		opts = append(opts, option.WithAPIKey(cfg.APIKey))
	}

	a := &Analyzer{
		cfg:          cfg,
		endpoint:     config.Mask(cfg.BaseURL),
		chat:         openai.NewChatCompletionService(opts...),
		systemPrompt: systemPrompt(cfg.Aspects),
		schema:       replySchema(cfg.Aspects),
		aspectNames:  analyze.Names(cfg.Aspects),
		version:      version(cfg.Model, cfg.Aspects),
		sleep:        sleepContext,
	}
	if cfg.RequestsPerMinute > 0 {
		a.requests = rate.NewLimiter(rate.Limit(float64(cfg.RequestsPerMinute)/60), 1)
	}
	if cfg.TokensPerMinute > 0 {
		a.tokens = rate.NewLimiter(rate.Limit(float64(cfg.TokensPerMinute)/60), cfg.TokensPerMinute)
	}
	return a, nil
}

// Name returns the flavour, such as "openai".
func (a *Analyzer) Name() string { return a.cfg.Flavour }

// Version returns the model and PromptVersion, such as "gpt-4o-mini/p1",
// followed by "+" and a hash of the aspects when they differ from the
// built-in ones, so that a change of any of them analyzes again.
func (a *Analyzer) Version() string { return a.version }

// Model returns the model name in use.
func (a *Analyzer) Model() string { return a.cfg.Model }

func version(model string, aspects []analyze.Aspect) string {
	v := model + "/" + PromptVersion
	builtIn := slices.EqualFunc(aspects, analyze.Aspects, func(x, y analyze.Aspect) bool {
		return x.Name == y.Name && x.Description == y.Description
	})
	if builtIn {
		return v
	}
	h := sha256.New()
	for _, asp := range aspects {
		fmt.Fprintf(h, "%s\x00%s\x00", asp.Name, asp.Description)
	}
	return v + "+" + hex.EncodeToString(h.Sum(nil))[:8]
}

// item is one review on its way through requests.
type item struct {
	input   analyze.Input
	text    string // the text as sent, trimmed to MaxReviewTokens
	trimmed bool
	match   string // title and text, normalized for evidence matching
	tokens  int    // estimate of title and text
	replies int    // replies that covered this review so far
}

// job is the reviews of one request.
type job struct {
	items []*item
}

// jobOutcome is the product of a job: results to save, reviews to send
// again alone, and an error that stops the run.
type jobOutcome struct {
	results []analyze.Result
	retry   []*item
	err     error
}

// Analyze implements analyze.Analyzer. It sends short reviews of the same
// movie in batches and long ones alone, Concurrency requests at a time, and
// calls save after each request with the results it settled. Invalid
// reviews are sent once more alone and then returned as failures.
//
// It stops sending requests on the first error that retries do not cure
// (such as ErrBudgetReached or a rejected API key), on an error from save,
// or when ctx is done. It then waits for the requests in flight, saves
// their results, and returns the error.
func (a *Analyzer) Analyze(ctx context.Context, reviews []analyze.Input, save func([]analyze.Result) error) error {
	queue := a.plan(a.prepare(reviews))
	if len(queue) == 0 {
		return nil
	}

	jobs := make(chan job)
	outcomes := make(chan jobOutcome)
	var workers sync.WaitGroup
	for range min(a.cfg.Concurrency, len(queue)) {
		workers.Go(func() {
			for j := range jobs {
				outcomes <- a.run(ctx, j)
			}
		})
	}

	var stopErr error
	inFlight := 0
	done := ctx.Done()
	for inFlight > 0 || (len(queue) > 0 && stopErr == nil && ctx.Err() == nil) {
		var send chan<- job
		var next job
		if len(queue) > 0 && stopErr == nil && ctx.Err() == nil {
			send, next = jobs, queue[0]
		}
		select {
		case send <- next:
			queue = queue[1:]
			inFlight++
		case out := <-outcomes:
			inFlight--
			if len(out.results) > 0 {
				if err := save(out.results); err != nil && stopErr == nil {
					stopErr = fmt.Errorf("save %d LLM results: %w", len(out.results), err)
				}
			}
			for _, it := range out.retry {
				queue = append(queue, job{items: []*item{it}})
			}
			if out.err != nil && stopErr == nil {
				stopErr = out.err
			}
		case <-done:
			// The loop condition stops sending, and the requests in flight
			// end with ctx. A nil channel keeps the select from spinning.
			done = nil
		}
	}
	close(jobs)
	workers.Wait()

	if stopErr != nil {
		return stopErr
	}
	return ctx.Err()
}

// prepare trims the reviews and estimates their sizes.
func (a *Analyzer) prepare(reviews []analyze.Input) []*item {
	items := make([]*item, len(reviews))
	for i, in := range reviews {
		text, trimmed := trimToTokens(in.Text, a.cfg.MaxReviewTokens)
		items[i] = &item{
			input:   in,
			text:    text,
			trimmed: trimmed,
			match:   normalizeForMatch(in.Title + "\n" + text),
			tokens:  estimateTokens(in.Title) + estimateTokens(text),
		}
	}
	return items
}

// plan groups short reviews of the same movie into batches, in input
// order, and gives every long review a request of its own.
func (a *Analyzer) plan(items []*item) []job {
	batchSize := a.batchSize()
	var jobs []job
	open := make(map[string]int) // movie id to the index of its last batch
	for _, it := range items {
		if batchSize == 1 || it.tokens > a.cfg.ShortReviewTokens {
			jobs = append(jobs, job{items: []*item{it}})
			continue
		}
		k, ok := open[it.input.MovieID]
		if ok && len(jobs[k].items) < batchSize {
			jobs[k].items = append(jobs[k].items, it)
			continue
		}
		open[it.input.MovieID] = len(jobs)
		jobs = append(jobs, job{items: []*item{it}})
	}
	return jobs
}

// batchSize returns BatchSize, lowered when the replies of a full batch
// would not fit in MaxOutputTokens with a margin of two.
func (a *Analyzer) batchSize() int {
	fits := a.cfg.MaxOutputTokens / (2 * a.replyTokensPerReview())
	return max(1, min(a.cfg.BatchSize, fits))
}

// replyTokensPerReview estimates the reply tokens of one review: an id and
// a score with a one-sentence quote per aspect.
func (a *Analyzer) replyTokensPerReview() int {
	return 10 + 40*len(a.aspectNames)
}

// run sends one job's request and judges the reply.
func (a *Analyzer) run(ctx context.Context, j job) jobOutcome {
	started := time.Now()
	completion, err := a.call(ctx, j.items)
	if err != nil {
		return jobOutcome{err: err}
	}
	parsed, outcome := a.judge(j.items, completion)
	cost := a.cost(completion.Usage)
	a.cfg.Logger.Debug("LLM call", "model", a.cfg.Model, "movie_id", j.items[0].input.MovieID,
		"reviews", len(j.items), "prompt_tokens", completion.Usage.PromptTokens,
		"completion_tokens", completion.Usage.CompletionTokens, "cost_usd", cost,
		"outcome", outcome, "duration", time.Since(started))

	var out jobOutcome
	for i, it := range j.items {
		it.replies++
		p := parsed[i]
		switch {
		case p.Problem == "":
			out.results = append(out.results, analyze.Result{ReviewID: it.input.ReviewID, Aspects: p.Aspects, Trimmed: it.trimmed})
		case it.replies < 2:
			a.cfg.Logger.Warn("Invalid LLM reply for a review, sending it again alone",
				"review_id", it.input.ReviewID, "movie_id", it.input.MovieID, "model", a.cfg.Model, "problem", p.Problem)
			out.retry = append(out.retry, it)
		default:
			a.cfg.Logger.Warn("Invalid LLM reply for a review again, marking it failed",
				"review_id", it.input.ReviewID, "movie_id", it.input.MovieID, "model", a.cfg.Model, "problem", p.Problem)
			out.results = append(out.results, analyze.Result{ReviewID: it.input.ReviewID, Failure: p.Problem})
		}
	}
	out.err = a.record(ctx, j.items, completion.Usage, cost, outcome)
	return out
}
