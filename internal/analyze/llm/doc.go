// Package llm scores reviews by aspect with a language model behind an
// OpenAI-compatible chat-completions API, through openai-go.
//
// # Providers
//
// The flavour selects the provider and is the analyzer's name, so results of
// different providers are stored apart:
//
//   - openai: https://api.openai.com/v1/, model gpt-4o-mini by default,
//     key in OPENAI_API_KEY.
//   - gemini: Google's OpenAI-compatible endpoint
//     https://generativelanguage.googleapis.com/v1beta/openai/, model
//     gemini-2.5-flash by default, key in GEMINI_API_KEY. For
//     gemini-2.5-flash models the request carries reasoning_effort "none",
//     which turns thinking off, because thinking tokens are billed as
//     output.
//   - openai-compatible: a server such as Ollama
//     (http://127.0.0.1:11434/v1/), vLLM or the llama.cpp server. Base URL
//     and model must be set; the API key is optional.
//
// The client is built from the Config only and ignores the OPENAI_*
// variables that openai-go reads by itself.
//
// # Requests and replies
//
// Short reviews of the same movie go in batches of Config.BatchSize, long
// ones alone, each with a short id (r1, r2, ...), its star rating and its
// title. A text longer than Config.MaxReviewTokens is cut at a sentence end
// and its Result is marked Trimmed. The reply must follow a strict JSON
// schema:
//
//	{"reviews": [{"id": "r1",
//	              "storytelling": {"evidence": "The plot drags.", "score": "-1"},
//	              ...,
//	              "overall": {"evidence": "...", "score": "+1"}}]}
//
// Scores are the strings "-2", "-1", "0", "+1", "+2", or "not_mentioned"
// with empty evidence; overall is always scored. Evidence must occur in the
// review's title or text, compared without regard to case, white space and
// quote marks.
//
// A message wrapped in a code fence or in prose is read when it holds
// exactly one JSON object. Any other fault makes the affected reviews
// invalid: unreadable JSON, a label outside the enum, a missing aspect or
// review, evidence not in the review, a reply cut off by the token limit
// (finish_reason "length"), a content filter block or a refusal. Valid
// reviews of a batch are kept. An invalid review is sent once more alone,
// and if that reply is invalid too it becomes a Result with Failure set.
// Invalid replies never become scores.
//
// HTTP 429, 5xx, timeouts and network errors are retried up to
// Config.MaxRetries times, after the delay of Retry-After or
// retry-after-ms, or with exponential back-off. Other 4xx statuses fail at
// once with an error that names the setting to check.
//
// # Costs
//
// Every reply is recorded through Config.Usage with its token usage and
// its cost from Config.Prices, in US dollars per million tokens
// (DefaultPrices holds prices as published in 2026; override them with
// REELPULSE_LLM_PRICES). A model without a price costs zero and is logged
// once. Before each request the spend since the start of the UTC day is
// compared with Config.DailyBudgetUSD, and once it reaches the budget
// Analyze stops with ErrBudgetReached. Results are saved after every
// request, so a run that stops or is cancelled resumes without paying
// again for saved reviews.
package llm
