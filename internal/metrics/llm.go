package metrics

import (
	"context"
	"strings"
	"time"

	"github.com/reelpulse/reelpulse/internal/store"
)

// Usage is the store of language model calls, with the methods of
// llm.Usage. store.Store implements it.
type Usage interface {
	RecordLLMCall(ctx context.Context, call store.LLMCall) error
	LLMSpend(ctx context.Context, since time.Time) (float64, error)
}

// CountingUsage counts every language model call in Metrics and hands it
// on to Usage. It implements llm.Usage, so it goes where the store went:
//
//	llm.Config{Usage: metrics.CountingUsage{Usage: st, Metrics: m}}
//
// A nil Usage stores nothing and reports no spend. A nil Metrics counts
// nothing.
type CountingUsage struct {
	Usage   Usage
	Metrics *Metrics
}

// RecordLLMCall counts the call, then stores it. The call is counted even
// when storing it fails, because the provider bills it all the same.
func (u CountingUsage) RecordLLMCall(ctx context.Context, call store.LLMCall) error {
	u.Metrics.LLMCall(call)
	if u.Usage == nil {
		return nil
	}
	return u.Usage.RecordLLMCall(ctx, call)
}

// LLMSpend returns the spend that Usage reports.
func (u CountingUsage) LLMSpend(ctx context.Context, since time.Time) (float64, error) {
	if u.Usage == nil {
		return 0, nil
	}
	return u.Usage.LLMSpend(ctx, since)
}

// LLMCall counts the tokens, cost and outcome of one language model call.
func (m *Metrics) LLMCall(call store.LLMCall) {
	if m == nil {
		return
	}
	addPositive64(m.llmTokens.WithLabelValues(call.Model, "input"), call.PromptTokens)
	addPositive64(m.llmTokens.WithLabelValues(call.Model, "output"), call.CompletionTokens)
	if call.CostUSD > 0 {
		m.llmCost.WithLabelValues(call.Model).Add(call.CostUSD)
	}
	m.llmRequests.WithLabelValues(call.Model, llmOutcome(call.Outcome)).Inc()
}

// llmOutcome maps the outcome that the llm analyzer records, a short
// phrase, to a label value from a fixed set, so that replies such as
// "3 of 20 reviews invalid" do not each make a new series.
func llmOutcome(outcome string) string {
	switch outcome {
	case "ok":
		return "ok"
	case "no choices":
		return "no_choices"
	case "refused":
		return "refused"
	case "content filter":
		return "content_filter"
	case "cut off":
		return "cut_off"
	case "unreadable":
		return "unreadable"
	}
	if strings.HasSuffix(outcome, "reviews invalid") {
		return "invalid"
	}
	return "other"
}

func addPositive64(c interface{ Add(float64) }, n int64) {
	if n > 0 {
		c.Add(float64(n))
	}
}
