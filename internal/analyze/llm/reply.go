package llm

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/reelpulse/reelpulse/internal/store"
)

// errUnreadableReply is returned by parseReply when no JSON object in the
// reply schema can be read from the model's message.
var errUnreadableReply = errors.New("reply is not a JSON object with a reviews list")

// parsedReview is the validated reply for one review of a request: either
// its scores or the problem that makes it invalid.
type parsedReview struct {
	Aspects []store.AspectScore
	Problem string
}

// parseReply reads a model's message for a request of len(texts) reviews,
// sent with ids r1..rN. texts[i] is the title and text of review i as sent,
// passed through normalizeForMatch. aspects names the scored aspects,
// overall last, which takes no "not_mentioned" label.
//
// It returns one parsedReview per review, or errUnreadableReply when the
// message as a whole cannot be read. A review is invalid when it is missing
// or repeated, lacks an aspect, has a label outside the enum, or has
// evidence that does not occur in its title or text.
func parseReply(content string, aspects []string, texts []string) ([]parsedReview, error) {
	raw, ok := extractJSON(content)
	if !ok {
		return nil, errUnreadableReply
	}
	var doc struct {
		Reviews []json.RawMessage `json:"reviews"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil || doc.Reviews == nil {
		return nil, errUnreadableReply
	}

	entries := make([]map[string]json.RawMessage, len(texts))
	repeated := make([]bool, len(texts))
	for _, rawEntry := range doc.Reviews {
		var entry map[string]json.RawMessage
		var id string
		if json.Unmarshal(rawEntry, &entry) != nil || json.Unmarshal(entry["id"], &id) != nil {
			continue // an entry without an id cannot be matched to a review
		}
		i := shortIDIndex(id, len(texts))
		if i < 0 {
			continue
		}
		if entries[i] != nil {
			repeated[i] = true
		}
		entries[i] = entry
	}

	parsed := make([]parsedReview, len(texts))
	for i, entry := range entries {
		switch {
		case entry == nil:
			parsed[i].Problem = "review missing from the reply"
		case repeated[i]:
			parsed[i].Problem = "review appears more than once in the reply"
		default:
			parsed[i] = parseReview(entry, aspects, texts[i])
		}
	}
	return parsed, nil
}

// shortIDIndex returns the index of the review that id ("r1".."rN") names,
// or -1.
func shortIDIndex(id string, n int) int {
	for i := range n {
		if id == shortID(i) {
			return i
		}
	}
	return -1
}

// parseReview validates one review's entry.
func parseReview(entry map[string]json.RawMessage, aspects []string, text string) parsedReview {
	scores := make([]store.AspectScore, 0, len(aspects))
	for _, name := range aspects {
		raw, ok := entry[name]
		if !ok {
			return parsedReview{Problem: fmt.Sprintf("aspect %s missing from the reply", name)}
		}
		score, problem := parseAspect(name, raw, text)
		if problem != "" {
			return parsedReview{Problem: problem}
		}
		scores = append(scores, score)
	}
	return parsedReview{Aspects: scores}
}

func parseAspect(name string, raw json.RawMessage, text string) (store.AspectScore, string) {
	var v struct {
		Score    json.RawMessage `json:"score"`
		Evidence *string         `json:"evidence"`
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return store.AspectScore{}, fmt.Sprintf("aspect %s is not an object with score and evidence: %s", name, clip(string(raw)))
	}
	var label string
	if json.Unmarshal(v.Score, &label) != nil {
		return store.AspectScore{}, fmt.Sprintf("invalid score %s for %s: expected a string label", clip(string(v.Score)), name)
	}
	evidence := ""
	if v.Evidence != nil {
		evidence = strings.TrimSpace(*v.Evidence)
	}

	if label == LabelNotMentioned && name != store.Overall {
		return store.AspectScore{Aspect: name}, ""
	}
	score, ok := scoreLabels[label]
	if !ok {
		allowed := strings.Join(scaleLabels, ", ")
		if name != store.Overall {
			allowed += " or " + LabelNotMentioned
		}
		return store.AspectScore{}, fmt.Sprintf("invalid score %q for %s: expected one of %s", clip(label), name, allowed)
	}
	if !hasWordCharacter(evidence) {
		return store.AspectScore{}, fmt.Sprintf("missing evidence for %s", name)
	}
	if !evidenceOccurs(evidence, text) {
		return store.AspectScore{}, fmt.Sprintf("evidence for %s does not occur in the review: %q", name, clip(evidence))
	}
	return store.AspectScore{Aspect: name, Score: &score, Evidence: evidence}, ""
}

// clip shortens s for an error message.
func clip(s string) string {
	const limit = 80
	if len(s) <= limit {
		return s
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

// extractJSON returns the JSON object in a model's message. Besides a bare
// object it accepts the two unambiguous wrappings seen in replies: one
// fenced code block (```json ... ```), and one object with prose before or
// after it. It reports false for anything else, such as two objects.
func extractJSON(content string) ([]byte, bool) {
	s := bytes.TrimSpace([]byte(content))
	if isJSONObject(s) {
		return s, true
	}
	if block, ok := fencedBlock(s); ok && isJSONObject(block) {
		return block, true
	}
	start := bytes.IndexByte(s, '{')
	end := bytes.LastIndexByte(s, '}')
	if start >= 0 && end > start && isJSONObject(s[start:end+1]) {
		return s[start : end+1], true
	}
	return nil, false
}

func isJSONObject(b []byte) bool {
	return len(b) > 0 && b[0] == '{' && json.Valid(b)
}

// fencedBlock returns the content of the only fenced code block in s,
// without its language tag.
func fencedBlock(s []byte) ([]byte, bool) {
	const fence = "```"
	if bytes.Count(s, []byte(fence)) != 2 {
		return nil, false
	}
	open := bytes.Index(s, []byte(fence))
	rest := s[open+len(fence):]
	closing := bytes.Index(rest, []byte(fence))
	if closing < 0 {
		return nil, false
	}
	block := rest[:closing]
	if nl := bytes.IndexByte(block, '\n'); nl >= 0 && !bytes.ContainsAny(block[:nl], "{[") {
		block = block[nl+1:] // the language tag, such as "json"
	}
	return bytes.TrimSpace(block), true
}
