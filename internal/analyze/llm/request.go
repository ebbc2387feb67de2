package llm

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/shared"

	"github.com/reelpulse/reelpulse/internal/analyze"
	"github.com/reelpulse/reelpulse/internal/store"
)

// PromptVersion changes whenever the prompt or the schema changes, which
// makes Version change and every review be analyzed again.
const PromptVersion = "p1"

// LabelNotMentioned is the score label of an aspect that a review does not
// judge. The other labels are "-2", "-1", "0", "+1" and "+2". Scores are
// strings so that one enum holds the scale and this mark.
const LabelNotMentioned = "not_mentioned"

// scoreLabels maps the labels of the scale to scores.
var scoreLabels = map[string]int{"-2": -2, "-1": -1, "0": 0, "+1": 1, "+2": 2}

// scaleLabels lists the labels of the scale in schema order.
var scaleLabels = []string{"-2", "-1", "0", "+1", "+2"}

// schemaName is the name of the response format sent to the provider.
const schemaName = "review_aspects"

const systemPromptHead = `You score film reviews by aspect.

For each review, and for each aspect below, decide whether the review judges that aspect of the film and how:
  "-2" very negative, "-1" negative, "0" neutral or mixed, "+1" positive, "+2" very positive,
  "not_mentioned" when the review does not judge the aspect.
Score "overall" for every review: the reviewer's verdict on the film, from the text and the star rating (1-10, null when absent).

Aspects:
`

const systemPromptTail = `
For every score other than "not_mentioned", "evidence" is one short quote copied verbatim from the review's title or text that supports the score, at most one sentence. Copy it exactly: do not fix spelling, do not paraphrase, do not add words. For "not_mentioned", "evidence" is "".
Judge the film under review only, not other films or the original a remake is compared with, and do not count plot summary as an opinion.
The user message is a JSON object with the reviews. Reply with one JSON object in the given schema, with exactly one entry per review, each with the review's "id".`

// systemPrompt lists the aspects with their descriptions between the
// fixed instructions.
func systemPrompt(aspects []analyze.Aspect) string {
	var b strings.Builder
	b.WriteString(systemPromptHead)
	for _, a := range aspects {
		fmt.Fprintf(&b, "- %s: %s\n", a.Name, a.Description)
	}
	b.WriteString(systemPromptTail)
	return b.String()
}

// promptReview is one review as sent to the model.
type promptReview struct {
	ID    string `json:"id"`
	Stars *int   `json:"stars"`
	Title string `json:"title"`
	Text  string `json:"text"`
}

// userPrompt encodes the reviews of one request, with short ids r1..rN.
func userPrompt(items []*item) string {
	reviews := make([]promptReview, len(items))
	for i, it := range items {
		reviews[i] = promptReview{ID: shortID(i), Stars: it.input.Rating, Title: it.input.Title, Text: it.text}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(struct {
		Reviews []promptReview `json:"reviews"`
	}{reviews}); err != nil {
		panic(fmt.Sprintf("llm: encode prompt: %v", err)) // strings and ints always encode
	}
	return strings.TrimSpace(buf.String())
}

func shortID(i int) string {
	return fmt.Sprintf("r%d", i+1)
}

// replySchema returns the strict JSON schema of a reply:
//
//	{"reviews": [{"id": "r1", "<aspect>": {"evidence": "...", "score": "+1"}, ..., "overall": {...}}]}
//
// Evidence comes before the score, so that the model quotes before it
// judges. Overall has no "not_mentioned" label.
func replySchema(aspects []analyze.Aspect) any {
	aspectProps := orderedObject{{"id", map[string]any{"type": "string"}}}
	required := []string{"id"}
	for _, a := range aspects {
		aspectProps = append(aspectProps, property{a.Name, scoreSchema(slices.Concat(scaleLabels, []string{LabelNotMentioned}))})
		required = append(required, a.Name)
	}
	aspectProps = append(aspectProps, property{store.Overall, scoreSchema(scaleLabels)})
	required = append(required, store.Overall)

	review := orderedObject{
		{"type", "object"},
		{"properties", aspectProps},
		{"required", required},
		{"additionalProperties", false},
	}
	return orderedObject{
		{"type", "object"},
		{"properties", orderedObject{{"reviews", orderedObject{{"type", "array"}, {"items", review}}}}},
		{"required", []string{"reviews"}},
		{"additionalProperties", false},
	}
}

func scoreSchema(labels []string) orderedObject {
	return orderedObject{
		{"type", "object"},
		{"properties", orderedObject{
			{"evidence", map[string]any{"type": "string"}},
			{"score", map[string]any{"type": "string", "enum": labels}},
		}},
		{"required", []string{"evidence", "score"}},
		{"additionalProperties", false},
	}
}

// property is one member of an orderedObject.
type property struct {
	Key   string
	Value any
}

// orderedObject is a JSON object that keeps its members in order, because
// structured-output models write properties in schema order.
type orderedObject []property

func (o orderedObject) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, p := range o {
		if i > 0 {
			buf.WriteByte(',')
		}
		key, err := json.Marshal(p.Key)
		if err != nil {
			return nil, err
		}
		value, err := json.Marshal(p.Value)
		if err != nil {
			return nil, fmt.Errorf("encode schema property %s: %w", p.Key, err)
		}
		buf.Write(key)
		buf.WriteByte(':')
		buf.Write(value)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// requestParams builds the chat-completions request for items. The
// flavours differ only where providers do: OpenAI takes
// max_completion_tokens, Gemini and local servers take max_tokens, and
// Gemini 2.5 Flash gets reasoning_effort "none" by default.
func (a *Analyzer) requestParams(items []*item) openai.ChatCompletionNewParams {
	params := openai.ChatCompletionNewParams{
		Model: a.cfg.Model,
		Messages: []openai.ChatCompletionMessageParamUnion{
			openai.SystemMessage(a.systemPrompt),
			openai.UserMessage(userPrompt(items)),
		},
		ResponseFormat: openai.ChatCompletionNewParamsResponseFormatUnion{
			OfJSONSchema: &shared.ResponseFormatJSONSchemaParam{
				JSONSchema: shared.ResponseFormatJSONSchemaJSONSchemaParam{
					Name:   schemaName,
					Strict: openai.Bool(true),
					Schema: a.schema,
				},
			},
		},
	}
	maxTokens := int64(a.cfg.MaxOutputTokens)
	if a.cfg.Flavour == FlavourOpenAI {
		params.MaxCompletionTokens = openai.Int(maxTokens)
	} else {
		params.MaxTokens = openai.Int(maxTokens)
	}
	if acceptsTemperature(a.cfg.Flavour, a.cfg.Model) {
		params.Temperature = openai.Float(0)
	}
	if a.cfg.ReasoningEffort != "" {
		params.ReasoningEffort = shared.ReasoningEffort(a.cfg.ReasoningEffort)
	}
	return params
}

// acceptsTemperature reports whether the model takes a temperature other
// than 1. OpenAI's reasoning models (o1, o3, o4, gpt-5 families) reject it
// with HTTP 400.
func acceptsTemperature(flavour, model string) bool {
	if flavour != FlavourOpenAI {
		return true
	}
	for _, prefix := range []string{"o1", "o3", "o4", "gpt-5"} {
		if strings.HasPrefix(model, prefix) {
			return false
		}
	}
	return true
}
