package llm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"github.com/reelpulse/reelpulse/internal/analyze"
	"github.com/reelpulse/reelpulse/internal/store"
)

// ErrBudgetReached is returned, wrapped, by Analyze when the day's spend
// has reached Config.DailyBudgetUSD. It is analyze.ErrBudgetReached, which
// callers that know no analyzer in particular test for.
var ErrBudgetReached = analyze.ErrBudgetReached

// Back-off of retried requests without Retry-After: 1 s, 2 s, 4 s and so on,
// at most maxBackoff, less up to a quarter of jitter.
const (
	baseBackoff = time.Second
	maxBackoff  = 30 * time.Second
	// maxRetryAfter is the longest Retry-After that a request waits for.
	// Providers ask for longer waits when a quota is spent for the day.
	maxRetryAfter = 2 * time.Minute
)

// call sends the request for items, retrying HTTP 429, 5xx, timeouts and
// network errors. Before every attempt it checks the daily budget and waits
// for the rate limits.
func (a *Analyzer) call(ctx context.Context, items []*item) (*openai.ChatCompletion, error) {
	params := a.requestParams(items)
	estimate := estimateTokens(a.systemPrompt) + estimateTokens(userPrompt(items)) + len(items)*a.replyTokensPerReview()

	for attempt := 0; ; attempt++ {
		if err := a.checkBudget(ctx); err != nil {
			return nil, err
		}
		if err := a.waitForLimits(ctx, estimate); err != nil {
			return nil, err
		}
		var resp *http.Response
		requestCtx, cancel := context.WithTimeout(ctx, a.cfg.Timeout)
		completion, err := a.chat.New(requestCtx, params, option.WithResponseInto(&resp))
		cancel()
		if err == nil {
			return completion, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}

		failure := a.classify(err, resp)
		if !failure.retry || attempt >= a.cfg.MaxRetries {
			if failure.retry {
				return nil, fmt.Errorf("LLM request for %d reviews of %s failed %d times, last with %w; try again later",
					len(items), items[0].input.MovieID, attempt+1, failure.err)
			}
			return nil, failure.err
		}
		delay := failure.retryAfter
		if delay == 0 {
			delay = backoff(attempt)
		}
		a.cfg.Logger.Warn("LLM request failed, retrying", "model", a.cfg.Model, "movie_id", items[0].input.MovieID,
			"attempt", attempt+1, "delay", delay, "error", failure.err)
		if err := a.sleep(ctx, delay); err != nil {
			return nil, err
		}
	}
}

// requestFailure is a failed attempt: its error, whether to retry, and the
// delay that the provider requested.
type requestFailure struct {
	err        error
	retry      bool
	retryAfter time.Duration
}

// classify turns a failed attempt into an error that names what to check.
// resp is the HTTP response when one arrived, also when the SDK could not
// decode its error body (Gemini sends errors as a JSON list).
func (a *Analyzer) classify(err error, resp *http.Response) requestFailure {
	if resp == nil || resp.StatusCode < 400 {
		switch {
		case errors.Is(err, context.DeadlineExceeded):
			return requestFailure{retry: true, err: fmt.Errorf("no reply within %s (REELPULSE_LLM_TIMEOUT): %w", a.cfg.Timeout, err)}
		case resp != nil:
			return requestFailure{retry: true, err: fmt.Errorf("unreadable reply from %s (HTTP %d): %w", a.endpoint, resp.StatusCode, err)}
		}
		return requestFailure{retry: true, err: fmt.Errorf("request to %s failed: %w", a.endpoint, err)}
	}

	var apiErr *openai.Error
	var code, detail string
	if errors.As(err, &apiErr) {
		code, detail = apiErr.Code, a.providerMessage(apiErr.Message, apiErr.RawJSON())
	} else if resp.Body != nil {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		detail = a.providerMessage("", string(body))
	}
	status := resp.StatusCode
	httpStatus := fmt.Sprintf("HTTP %d %s", status, http.StatusText(status))
	switch {
	case status == http.StatusTooManyRequests && code == "insufficient_quota":
		return requestFailure{err: fmt.Errorf("%s from %s: the account has no quota or credit left%s", httpStatus, a.endpoint, detail)}
	case status == http.StatusTooManyRequests:
		wait, ok := retryAfter(resp, a.cfg.Now())
		if ok && wait > maxRetryAfter {
			return requestFailure{err: fmt.Errorf("%s from %s: the provider asks to wait %s, longer than %s; lower REELPULSE_LLM_REQUESTS_PER_MINUTE or REELPULSE_LLM_TOKENS_PER_MINUTE, or try again later%s",
				httpStatus, a.endpoint, wait.Round(time.Second), maxRetryAfter, detail)}
		}
		return requestFailure{retry: true, retryAfter: wait, err: fmt.Errorf("%s (rate limited)%s", httpStatus, detail)}
	case status >= 500 || status == http.StatusRequestTimeout || status == http.StatusConflict:
		wait, _ := retryAfter(resp, a.cfg.Now())
		return requestFailure{retry: true, retryAfter: min(wait, maxRetryAfter), err: fmt.Errorf("%s%s", httpStatus, detail)}
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return requestFailure{err: fmt.Errorf("%s from %s: the API key was rejected; check %s", httpStatus, a.endpoint, apiKeyVariable(a.cfg.Flavour))}
	case status == http.StatusNotFound:
		return requestFailure{err: fmt.Errorf("%s from %s: check that model %q exists there (REELPULSE_LLM_MODEL) and that the base URL ends at the API root, such as .../v1/ (REELPULSE_LLM_BASE_URL)%s",
			httpStatus, a.endpoint+"chat/completions", a.cfg.Model, detail)}
	default:
		return requestFailure{err: fmt.Errorf("%s from %s: the provider rejected the request for model %q; check that the model supports JSON schema output%s",
			httpStatus, a.endpoint, a.cfg.Model, detail)}
	}
}

// providerMessage returns the provider's error message for an error text,
// as ": message", with the API key removed in case the provider echoes it.
func (a *Analyzer) providerMessage(message, raw string) string {
	msg := message
	if msg == "" {
		msg = raw
	}
	msg = strings.Join(strings.Fields(msg), " ")
	if a.cfg.APIKey != "" {
		msg = strings.ReplaceAll(msg, a.cfg.APIKey, "[API key]")
	}
	if msg == "" {
		return ""
	}
	const limit = 300
	if len(msg) > limit {
		msg = clip(msg[:limit])
	}
	return ": " + msg
}

// retryAfter reads the delay that a response requests from retry-after-ms
// (milliseconds) or Retry-After (seconds or an HTTP date).
func retryAfter(resp *http.Response, now time.Time) (time.Duration, bool) {
	if resp == nil {
		return 0, false
	}
	if v := resp.Header.Get("Retry-After-Ms"); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil && ms >= 0 && ms < 1e9 {
			return time.Duration(ms * float64(time.Millisecond)), true
		}
	}
	v := resp.Header.Get("Retry-After")
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil && s >= 0 && s < 1e6 {
		return time.Duration(s * float64(time.Second)), true
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(0, at.Sub(now)), true
	}
	return 0, false
}

func backoff(attempt int) time.Duration {
	d := min(maxBackoff, baseBackoff<<min(attempt, 10))
	return d - rand.N(d/4+1)
}

func sleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// waitForLimits waits until the request and token rate limits allow a
// request of about tokens tokens.
func (a *Analyzer) waitForLimits(ctx context.Context, tokens int) error {
	if a.requests != nil {
		if err := a.requests.Wait(ctx); err != nil {
			return fmt.Errorf("wait for REELPULSE_LLM_REQUESTS_PER_MINUTE: %w", err)
		}
	}
	if a.tokens != nil {
		if err := a.tokens.WaitN(ctx, min(tokens, a.tokens.Burst())); err != nil {
			return fmt.Errorf("wait for REELPULSE_LLM_TOKENS_PER_MINUTE: %w", err)
		}
	}
	return nil
}

// checkBudget returns ErrBudgetReached when the spend since the start of
// the UTC day has reached the daily budget. Requests in flight are not
// counted, so concurrent requests can overshoot the budget by their cost.
func (a *Analyzer) checkBudget(ctx context.Context) error {
	budget := a.cfg.DailyBudgetUSD
	if budget <= 0 {
		return nil
	}
	now := a.cfg.Now().UTC()
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	spend, err := a.cfg.Usage.LLMSpend(ctx, day)
	if err != nil {
		return fmt.Errorf("read today's LLM spend for the daily budget: %w", err)
	}
	if spend < budget {
		return nil
	}
	a.cfg.Logger.Warn("LLM daily budget reached, sending no more requests today",
		"spend_usd", spend, "budget_usd", budget, "model", a.cfg.Model)
	return fmt.Errorf("%w: spent $%.4f of $%.2f since %s UTC; raise REELPULSE_LLM_DAILY_BUDGET_USD or wait for the next UTC day",
		ErrBudgetReached, spend, budget, day.Format("2006-01-02 15:04"))
}

// judge checks a completion as a whole and then review by review. It
// returns one parsedReview per item and the call's outcome: "ok" or what
// was wrong.
func (a *Analyzer) judge(items []*item, c *openai.ChatCompletion) ([]parsedReview, string) {
	all := func(problem, outcome string) ([]parsedReview, string) {
		parsed := make([]parsedReview, len(items))
		for i := range parsed {
			parsed[i].Problem = problem
		}
		return parsed, outcome
	}
	if len(c.Choices) == 0 {
		return all("reply has no choices", "no choices")
	}
	choice := c.Choices[0]
	switch {
	case choice.Message.Refusal != "":
		return all("model refused: "+clip(choice.Message.Refusal), "refused")
	case choice.FinishReason == "content_filter":
		return all("reply blocked by the provider's content filter (finish_reason content_filter)", "content filter")
	case choice.FinishReason == "length":
		return all("reply cut off at the output token limit (finish_reason length)", "cut off")
	}

	texts := make([]string, len(items))
	for i, it := range items {
		texts[i] = it.match
	}
	parsed, err := parseReply(choice.Message.Content, a.aspectNames, texts)
	if err != nil {
		return all(err.Error(), "unreadable")
	}
	invalid := 0
	for _, p := range parsed {
		if p.Problem != "" {
			invalid++
		}
	}
	if invalid > 0 {
		return parsed, fmt.Sprintf("%d of %d reviews invalid", invalid, len(items))
	}
	return parsed, "ok"
}

// cost returns the price of a call in US dollars, zero for a model without
// a price, which is logged once.
//
// NOTE: cached prompt tokens (usage.prompt_tokens_details.cached_tokens),
// which providers may bill at a discount, are counted at the full input
// price, so the cost can be an overestimate.
func (a *Analyzer) cost(u openai.CompletionUsage) float64 {
	price, ok := a.cfg.Prices[a.cfg.Model]
	if !ok {
		a.priceWarning.Do(func() {
			a.cfg.Logger.Warn("No price for the LLM model, counting its calls at zero cost; set REELPULSE_LLM_PRICES",
				"model", a.cfg.Model)
		})
		return 0
	}
	return (float64(u.PromptTokens)*price.InputPerMillion + float64(u.CompletionTokens)*price.OutputPerMillion) / 1e6
}

// record stores the call. It uses a context that is not cancelled with
// ctx, because a reply that arrived has been paid for.
func (a *Analyzer) record(ctx context.Context, items []*item, u openai.CompletionUsage, cost float64, outcome string) error {
	if a.cfg.Usage == nil {
		return nil
	}
	call := store.LLMCall{
		At:               a.cfg.Now(),
		Analyzer:         a.cfg.Flavour,
		Model:            a.cfg.Model,
		MovieID:          items[0].input.MovieID,
		Reviews:          len(items),
		PromptTokens:     u.PromptTokens,
		CompletionTokens: u.CompletionTokens,
		CostUSD:          cost,
		Outcome:          outcome,
	}
	if err := a.cfg.Usage.RecordLLMCall(context.WithoutCancel(ctx), call); err != nil {
		return fmt.Errorf("record LLM call for %s: %w", call.MovieID, err)
	}
	return nil
}
