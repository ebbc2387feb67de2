// Package llmtest runs a loopback server that speaks the OpenAI
// chat-completions wire format the way package llm uses it, for tests that
// must not reach a real provider.
//
// By default the server replies to every request validly and
// deterministically: it reads the reviews from the user message and the
// aspects from the response schema, scores an aspect when its name or one
// of a few keywords occurs in the review (from the star rating, with the
// sentence that contains the word as evidence), and reports usage of about
// one token per four characters. Faults, queued per request with Enqueue or
// applied to every request with SetHook, change that answer.
package llmtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// Score labels of the wire format of package llm.
const (
	LabelNotMentioned = "not_mentioned"
	overall           = "overall"
)

// Server is a chat-completions server on 127.0.0.1. Its methods are safe
// for concurrent use.
type Server struct {
	// URL is the base URL to configure, ending in "/v1/".
	URL string

	srv      *httptest.Server
	mu       sync.Mutex
	queue    []Fault
	hook     Fault
	requests []Request
}

// Review is one review of a request, as sent by package llm.
type Review struct {
	ID    string `json:"id"`
	Stars *int   `json:"stars"`
	Title string `json:"title"`
	Text  string `json:"text"`
}

// Request is a request the server received.
type Request struct {
	Body    []byte // the raw JSON body
	Header  http.Header
	Model   string
	Reviews []Review // from the user message; nil when it is not the JSON of package llm
	Aspects []string // property names of a review in the response schema, overall included
}

// Reply is the response to one request. Faults change it before it is sent.
type Reply struct {
	Status int // 200 unless a fault sets another
	Header http.Header
	Delay  time.Duration // wait before the response, cut short when the client goes away
	// Body, when set, is sent as is in place of a chat completion.
	Body []byte
	// Scores is the structured reply, encoded into Content unless a fault
	// sets Content.
	Scores       []ReviewScores
	Content      string
	Refusal      string
	FinishReason string // "stop" unless a fault sets another
	// PromptTokens and CompletionTokens are reported as usage. Zero values
	// are replaced by estimates of about four characters per token.
	PromptTokens     int64
	CompletionTokens int64
}

// ReviewScores is the reply for one review.
type ReviewScores struct {
	ID      string
	Aspects []AspectScore // in schema order, overall last
}

// AspectScore is the score of one aspect of a review.
type AspectScore struct {
	Name     string
	Score    string // "-2".."+2" or LabelNotMentioned
	Evidence string
}

// Fault changes the reply to a request.
type Fault func(req *Request, rep *Reply)

// NewServer starts a server that tb closes at cleanup.
func NewServer(tb testing.TB) *Server {
	tb.Helper()
	s := Start()
	tb.Cleanup(s.Close)
	return s
}

// Start starts a server that the caller must Close, for use outside tests
// such as in examples and demos.
func Start() *Server {
	s := &Server{}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL + "/v1/"
	return s
}

// Close stops the server and waits for the requests in progress.
func (s *Server) Close() {
	s.srv.Close()
}

// Enqueue adds faults for the next requests, one fault per request in
// order of arrival. A nil fault leaves its request's reply as it is.
func (s *Server) Enqueue(faults ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queue = append(s.queue, faults...)
}

// SetHook sets a fault applied to every request after the queued one. Nil
// removes it.
func (s *Server) SetHook(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hook = f
}

// Requests returns the requests received so far, in order of arrival.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// Count returns the number of requests received so far.
func (s *Server) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.requests)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/chat/completions") {
		writeError(w, http.StatusNotFound, "not_found", "no route for "+r.Method+" "+r.URL.Path)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "unreadable body")
		return
	}
	req := parseRequest(body, r.Header.Clone())

	s.mu.Lock()
	s.requests = append(s.requests, req)
	var fault Fault
	if len(s.queue) > 0 {
		fault, s.queue = s.queue[0], s.queue[1:]
	}
	hook := s.hook
	s.mu.Unlock()

	rep := &Reply{Status: http.StatusOK, Header: http.Header{}, FinishReason: "stop", Scores: DefaultScores(req)}
	for _, f := range []Fault{fault, hook} {
		if f != nil {
			f(&req, rep)
		}
	}
	if rep.Delay > 0 {
		select {
		case <-time.After(rep.Delay):
		case <-r.Context().Done():
			return
		}
	}
	s.write(w, req, rep)
}

func (s *Server) write(w http.ResponseWriter, req Request, rep *Reply) {
	for k, v := range rep.Header {
		w.Header()[k] = v
	}
	if rep.Body != nil {
		if w.Header().Get("Content-Type") == "" {
			w.Header().Set("Content-Type", "application/json")
		}
		w.WriteHeader(rep.Status)
		_, _ = w.Write(rep.Body)
		return
	}
	if rep.Content == "" && rep.Refusal == "" && rep.FinishReason != "content_filter" {
		rep.Content = rep.JSON()
	}
	if rep.PromptTokens == 0 {
		rep.PromptTokens = int64(len(req.Body)+3) / 4
	}
	if rep.CompletionTokens == 0 {
		rep.CompletionTokens = int64(len(rep.Content)+len(rep.Refusal)+3) / 4
	}

	message := map[string]any{"role": "assistant", "content": rep.Content, "refusal": nil}
	if rep.Refusal != "" {
		message["content"], message["refusal"] = nil, rep.Refusal
	}
	completion := map[string]any{
		"id":      fmt.Sprintf("chatcmpl-llmtest-%d", s.Count()),
		"object":  "chat.completion",
		"created": 1764806400,
		"model":   req.Model,
		"choices": []any{map[string]any{"index": 0, "message": message, "finish_reason": rep.FinishReason, "logprobs": nil}},
		"usage": map[string]any{
			"prompt_tokens":     rep.PromptTokens,
			"completion_tokens": rep.CompletionTokens,
			"total_tokens":      rep.PromptTokens + rep.CompletionTokens,
		},
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(rep.Status)
	_ = json.NewEncoder(w).Encode(completion)
}

func writeError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"message": message, "type": code, "code": code}})
}

// JSON returns Content when a fault set it, and the encoding of Scores in
// the reply schema of package llm otherwise.
func (rep *Reply) JSON() string {
	if rep.Content != "" {
		return rep.Content
	}
	var b bytes.Buffer
	b.WriteString(`{"reviews":[`)
	for i, r := range rep.Scores {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"id":`)
		b.Write(mustJSON(r.ID))
		for _, a := range r.Aspects {
			fmt.Fprintf(&b, `,%s:{"evidence":%s,"score":%s}`, mustJSON(a.Name), mustJSON(a.Evidence), mustJSON(a.Score))
		}
		b.WriteByte('}')
	}
	b.WriteString(`]}`)
	return b.String()
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // strings always encode
	}
	return b
}

// parseRequest extracts the model, reviews and aspects that the default
// reply needs from a request body.
func parseRequest(body []byte, header http.Header) Request {
	req := Request{Body: body, Header: header}
	var wire struct {
		Model    string `json:"model"`
		Messages []struct {
			Role    string          `json:"role"`
			Content json.RawMessage `json:"content"`
		} `json:"messages"`
		ResponseFormat struct {
			JSONSchema struct {
				Schema struct {
					Properties struct {
						Reviews struct {
							Items struct {
								Properties json.RawMessage `json:"properties"`
							} `json:"items"`
						} `json:"reviews"`
					} `json:"properties"`
				} `json:"schema"`
			} `json:"json_schema"`
		} `json:"response_format"`
	}
	if json.Unmarshal(body, &wire) != nil {
		return req
	}
	req.Model = wire.Model
	for _, key := range objectKeys(wire.ResponseFormat.JSONSchema.Schema.Properties.Reviews.Items.Properties) {
		if key != "id" {
			req.Aspects = append(req.Aspects, key)
		}
	}
	for _, m := range wire.Messages {
		var text string
		if m.Role != "user" || json.Unmarshal(m.Content, &text) != nil {
			continue
		}
		var prompt struct {
			Reviews []Review `json:"reviews"`
		}
		if json.Unmarshal([]byte(text), &prompt) == nil {
			req.Reviews = prompt.Reviews
		}
	}
	return req
}

// objectKeys returns the keys of a JSON object in order.
func objectKeys(raw json.RawMessage) []string {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return keys
		}
		key, _ := tok.(string)
		keys = append(keys, key)
		var skip json.RawMessage
		if dec.Decode(&skip) != nil {
			return keys
		}
	}
	return keys
}
