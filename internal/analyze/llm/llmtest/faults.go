package llmtest

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Faults that change the message text. Each starts from Reply.JSON, so they
// apply to the default scores and to the result of earlier faults.

// CodeFence wraps the reply in a ```json fenced code block.
func CodeFence() Fault {
	return func(_ *Request, rep *Reply) {
		rep.Content = "```json\n" + rep.JSON() + "\n```"
	}
}

// Prose puts sentences before and after the JSON object.
func Prose() Fault {
	return func(_ *Request, rep *Reply) {
		rep.Content = "Here are the scores you asked for:\n" + rep.JSON() + "\nLet me know if you need anything else."
	}
}

// InvalidJSON cuts the reply in the middle while finish_reason stays "stop".
func InvalidJSON() Fault {
	return func(_ *Request, rep *Reply) {
		content := rep.JSON()
		rep.Content = content[:len(content)/2]
	}
}

// Cutoff cuts the reply in the middle and sets finish_reason "length", as
// when the output token limit is reached.
func Cutoff() Fault {
	return func(_ *Request, rep *Reply) {
		content := rep.JSON()
		rep.Content = content[:len(content)/2]
		rep.FinishReason = "length"
	}
}

// ContentFilter sends no content and finish_reason "content_filter", as
// when a provider's safety filter blocks the reply.
func ContentFilter() Fault {
	return func(_ *Request, rep *Reply) {
		rep.Content = ""
		rep.Scores = nil
		rep.FinishReason = "content_filter"
	}
}

// Refusal sends an OpenAI refusal message in place of content.
func Refusal(message string) Fault {
	return func(_ *Request, rep *Reply) {
		rep.Content = ""
		rep.Scores = nil
		rep.Refusal = message
	}
}

// Faults that change the scores of the reviews whose title or text
// contains match. An empty match selects every review.

// BadLabel sets the score of the first aspect to "+3", which is outside the
// scale.
func BadLabel(match string) Fault {
	return eachReview(match, func(_ Review, s *ReviewScores) {
		s.Aspects[0].Score = "+3"
		s.Aspects[0].Evidence = ""
	})
}

// FakeEvidence gives the first aspect a score with a quote that is not in
// the review.
func FakeEvidence(match string) Fault {
	return eachReview(match, func(_ Review, s *ReviewScores) {
		s.Aspects[0].Score = "+2"
		s.Aspects[0].Evidence = "A quote that appears nowhere in the review."
	})
}

// DropAspect removes the first aspect from the reply.
func DropAspect(match string) Fault {
	return eachReview(match, func(_ Review, s *ReviewScores) {
		s.Aspects = s.Aspects[1:]
	})
}

// DropReview leaves the reviews out of the reply.
func DropReview(match string) Fault {
	return func(req *Request, rep *Reply) {
		kept := rep.Scores[:0]
		for _, s := range rep.Scores {
			if r, ok := reviewByID(req, s.ID); !ok || !matches(r, match) {
				kept = append(kept, s)
			}
		}
		rep.Scores = kept
	}
}

// UnknownID renames the reviews' ids to ids that were not sent.
func UnknownID(match string) Fault {
	return eachReview(match, func(r Review, s *ReviewScores) {
		s.ID = "x" + r.ID
	})
}

func eachReview(match string, change func(Review, *ReviewScores)) Fault {
	return func(req *Request, rep *Reply) {
		for i := range rep.Scores {
			r, ok := reviewByID(req, rep.Scores[i].ID)
			if ok && matches(r, match) && len(rep.Scores[i].Aspects) > 0 {
				change(r, &rep.Scores[i])
			}
		}
	}
}

func reviewByID(req *Request, id string) (Review, bool) {
	for _, r := range req.Reviews {
		if r.ID == id {
			return r, true
		}
	}
	return Review{}, false
}

func matches(r Review, match string) bool {
	return strings.Contains(r.Title, match) || strings.Contains(r.Text, match)
}

// HTTP faults.

// RateLimited responds with HTTP 429 and a Retry-After header, such as "1" or an
// HTTP date; an empty value sends no header.
func RateLimited(retryAfter string) Fault {
	return func(_ *Request, rep *Reply) {
		rep.Status = http.StatusTooManyRequests
		if retryAfter != "" {
			rep.Header.Set("Retry-After", retryAfter)
		}
		rep.Body = errorBody("rate_limit_exceeded", "Rate limit reached for requests")
	}
}

// RateLimitedMs responds with HTTP 429 and a retry-after-ms header.
func RateLimitedMs(ms int) Fault {
	return func(_ *Request, rep *Reply) {
		rep.Status = http.StatusTooManyRequests
		rep.Header.Set("Retry-After-Ms", fmt.Sprint(ms))
		rep.Body = errorBody("rate_limit_exceeded", "Rate limit reached for requests")
	}
}

// ServerError responds with HTTP 500.
func ServerError() Fault {
	return Status(http.StatusInternalServerError, string(errorBody("server_error", "The server had an error while processing your request.")))
}

// Status responds with the status code and body.
func Status(code int, body string) Fault {
	return func(_ *Request, rep *Reply) {
		rep.Status = code
		rep.Body = []byte(body)
	}
}

// Slow delays the reply.
func Slow(d time.Duration) Fault {
	return func(_ *Request, rep *Reply) {
		rep.Delay = d
	}
}

// All applies faults in order.
func All(faults ...Fault) Fault {
	return func(req *Request, rep *Reply) {
		for _, f := range faults {
			if f != nil {
				f(req, rep)
			}
		}
	}
}

func errorBody(code, message string) []byte {
	return mustJSON(map[string]any{"error": map[string]any{"message": message, "type": code, "code": code}})
}
