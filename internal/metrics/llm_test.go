package metrics

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/reelpulse/reelpulse/internal/analyze/llm"
	"github.com/reelpulse/reelpulse/internal/store"
)

var _ llm.Usage = CountingUsage{}

// fakeUsage records calls and reports a fixed spend.
type fakeUsage struct {
	calls []store.LLMCall
	err   error
	spend float64
}

func (f *fakeUsage) RecordLLMCall(_ context.Context, call store.LLMCall) error {
	f.calls = append(f.calls, call)
	return f.err
}

func (f *fakeUsage) LLMSpend(context.Context, time.Time) (float64, error) {
	return f.spend, f.err
}

func TestCountingUsage(t *testing.T) {
	call := store.LLMCall{Model: "gpt-test", PromptTokens: 1200, CompletionTokens: 300, CostUSD: 0.0125, Outcome: "3 of 20 reviews invalid"}
	tests := []struct {
		name        string
		usage       *fakeUsage // nil leaves CountingUsage.Usage nil
		wantErr     bool
		wantStored  int
		wantSpend   float64
		wantOutcome string
	}{
		{name: "stores and counts", usage: &fakeUsage{spend: 1.5}, wantStored: 1, wantSpend: 1.5, wantOutcome: "invalid"},
		{name: "counts when storing fails", usage: &fakeUsage{err: errors.New("disk full")}, wantErr: true, wantStored: 1, wantOutcome: "invalid"},
		{name: "no store", wantOutcome: "invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := New()
			u := CountingUsage{Metrics: m}
			if tt.usage != nil {
				u.Usage = tt.usage
			}

			err := u.RecordLLMCall(t.Context(), call)
			spend, spendErr := u.LLMSpend(t.Context(), time.Now())

			if (err != nil) != tt.wantErr || (spendErr != nil) != tt.wantErr {
				t.Errorf("errors = %v, %v; want errors: %v", err, spendErr, tt.wantErr)
			}
			if tt.usage != nil && len(tt.usage.calls) != tt.wantStored {
				t.Errorf("%d calls handed on, want %d", len(tt.usage.calls), tt.wantStored)
			}
			if spend != tt.wantSpend {
				t.Errorf("spend = %v, want %v", spend, tt.wantSpend)
			}
			checks := []struct {
				name string
				got  float64
				want float64
			}{
				{"input tokens", testutil.ToFloat64(m.llmTokens.WithLabelValues("gpt-test", "input")), 1200},
				{"output tokens", testutil.ToFloat64(m.llmTokens.WithLabelValues("gpt-test", "output")), 300},
				{"cost", testutil.ToFloat64(m.llmCost.WithLabelValues("gpt-test")), 0.0125},
				{"requests", testutil.ToFloat64(m.llmRequests.WithLabelValues("gpt-test", tt.wantOutcome)), 1},
			}
			for _, c := range checks {
				if c.got != c.want {
					t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
				}
			}
		})
	}
}

func TestLLMOutcome(t *testing.T) {
	tests := map[string]string{
		"ok":                       "ok",
		"no choices":               "no_choices",
		"refused":                  "refused",
		"content filter":           "content_filter",
		"cut off":                  "cut_off",
		"unreadable":               "unreadable",
		"1 of 1 reviews invalid":   "invalid",
		"12 of 40 reviews invalid": "invalid",
		"something new":            "other",
		"":                         "other",
	}
	for outcome, want := range tests {
		if got := llmOutcome(outcome); got != want {
			t.Errorf("llmOutcome(%q) = %q, want %q", outcome, got, want)
		}
	}
}
