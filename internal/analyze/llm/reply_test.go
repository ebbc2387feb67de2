package llm

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

var testAspects = []string{"acting", "overall"}

func TestParseReply(t *testing.T) {
	texts := []string{
		normalizeForMatch("Great\nThe acting is “superb”, truly. I loved it."),
		normalizeForMatch("Dull\nNothing happens."),
	}
	valid := `{"id":"r2","acting":{"score":"not_mentioned","evidence":""},"overall":{"score":"-1","evidence":"Nothing happens."}}`
	tests := []struct {
		name    string
		content string
		want    []string // problem per review; "" for valid
		wantErr bool
	}{
		{"valid", `{"reviews":[{"id":"r1","acting":{"score":"+2","evidence":"the acting is \"superb\", truly"},"overall":{"score":"+2","evidence":"I loved it"}},` + valid + `]}`, []string{"", ""}, false},
		{"fenced", "```json\n" + `{"reviews":[` + valid + `]}` + "\n```", []string{"review missing from the reply", ""}, false},
		{"fence without tag", "```\n" + `{"reviews":[` + valid + `]}` + "```", []string{"review missing from the reply", ""}, false},
		{"prose around", `Sure! {"reviews":[` + valid + `]} Hope this helps.`, []string{"review missing from the reply", ""}, false},
		{"two objects", `{"reviews":[` + valid + `]} and {"reviews":[]}`, nil, true},
		{"two fences", "```json\n{}\n```\n```json\n{}\n```", nil, true},
		{"not JSON", "I cannot score these reviews.", nil, true},
		{"cut off", `{"reviews":[{"id":"r1","acting":{"sco`, nil, true},
		{"array at top", `[` + valid + `]`, nil, true},
		{"no reviews key", `{"results":[` + valid + `]}`, nil, true},
		{"bad label", `{"reviews":[{"id":"r1","acting":{"score":"+3","evidence":"superb"},"overall":{"score":"+2","evidence":"I loved it"}}]}`,
			[]string{`invalid score "+3" for acting: expected one of -2, -1, 0, +1, +2 or not_mentioned`, "review missing from the reply"}, false},
		{"numeric label", `{"reviews":[{"id":"r1","acting":{"score":2,"evidence":"superb"},"overall":{"score":"+2","evidence":"I loved it"}}]}`,
			[]string{"invalid score 2 for acting: expected a string label", "review missing from the reply"}, false},
		{"overall not mentioned", `{"reviews":[{"id":"r1","acting":{"score":"+2","evidence":"superb"},"overall":{"score":"not_mentioned","evidence":""}}]}`,
			[]string{`invalid score "not_mentioned" for overall: expected one of -2, -1, 0, +1, +2`, "review missing from the reply"}, false},
		{"missing aspect", `{"reviews":[{"id":"r1","overall":{"score":"+2","evidence":"I loved it"}}]}`,
			[]string{"aspect acting missing from the reply", "review missing from the reply"}, false},
		{"missing evidence", `{"reviews":[{"id":"r1","acting":{"score":"+1","evidence":" ... "},"overall":{"score":"+2","evidence":"I loved it"}}]}`,
			[]string{"missing evidence for acting", "review missing from the reply"}, false},
		{"invented evidence", `{"reviews":[{"id":"r1","acting":{"score":"+1","evidence":"the cast shines"},"overall":{"score":"+2","evidence":"I loved it"}}]}`,
			[]string{`evidence for acting does not occur in the review: "the cast shines"`, "review missing from the reply"}, false},
		{"evidence from the other review", `{"reviews":[{"id":"r1","acting":{"score":"-1","evidence":"Nothing happens"},"overall":{"score":"+2","evidence":"I loved it"}}]}`,
			[]string{`evidence for acting does not occur in the review: "Nothing happens"`, "review missing from the reply"}, false},
		{"repeated id", `{"reviews":[` + valid + `,` + valid + `]}`, []string{"review missing from the reply", "review appears more than once in the reply"}, false},
		{"unknown id only", `{"reviews":[{"id":"r3","acting":{"score":"0","evidence":""},"overall":{"score":"0","evidence":"x"}}]}`,
			[]string{"review missing from the reply", "review missing from the reply"}, false},
		{"aspect not an object", `{"reviews":[{"id":"r1","acting":"+2","overall":{"score":"+2","evidence":"I loved it"}}]}`,
			[]string{`aspect acting is not an object with score and evidence: "+2"`, "review missing from the reply"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseReply(tt.content, testAspects, texts)

			if tt.wantErr {
				if err == nil {
					t.Fatalf("parseReply succeeded with %+v, want an error", got)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseReply: %v", err)
			}
			for i, p := range got {
				if p.Problem != tt.want[i] {
					t.Errorf("review %d problem = %q, want %q", i, p.Problem, tt.want[i])
				}
				if (p.Problem == "") != (p.Aspects != nil) {
					t.Errorf("review %d has both or neither of scores %v and problem %q", i, p.Aspects, p.Problem)
				}
			}
		})
	}
}

func TestParseReplyScores(t *testing.T) {
	texts := []string{normalizeForMatch("T\nThe acting is superb.")}
	content := `{"reviews":[{"id":"r1","acting":{"score":"-2","evidence":" The acting is superb. "},"overall":{"score":"0","evidence":"T"}}]}`

	got, err := parseReply(content, testAspects, texts)
	if err != nil {
		t.Fatal(err)
	}

	scores := got[0].Aspects
	if len(scores) != 2 || scores[0].Aspect != "acting" || *scores[0].Score != -2 || scores[0].Evidence != "The acting is superb." {
		t.Errorf("acting = %+v, want -2 with the trimmed quote", scores[0])
	}
	if scores[1].Aspect != "overall" || *scores[1].Score != 0 {
		t.Errorf("overall = %+v, want 0", scores[1])
	}
}

func TestEvidenceOccurs(t *testing.T) {
	text := normalizeForMatch("It’s a “bold” film —\n  the  ACTING, though, is wooden... Sad.")
	tests := []struct {
		evidence string
		want     bool
	}{
		{"It's a \"bold\" film", true},
		{"the acting, though, is wooden", true},
		{"“the acting, though, is wooden.”", true},
		{"It's a bold film - the acting", true},
		{"bold film ... is wooden", true},
		{"is wooden … bold film", false},
		{"the acting is wooden", false},
		{"...", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := evidenceOccurs(tt.evidence, text); got != tt.want {
			t.Errorf("evidenceOccurs(%q) = %v, want %v", tt.evidence, got, tt.want)
		}
	}
}

func TestTrimToTokens(t *testing.T) {
	tests := []struct {
		name, text  string
		maxTokens   int
		want        string
		wantTrimmed bool
	}{
		{"short", "Fine film.", 10, "Fine film.", false},
		{"sentence end", "One two three. Four five six seven eight nine ten eleven.", 5, "One two three.", true},
		{"line break", "First line here\nsecond line is much longer than the budget", 5, "First line here", true},
		{"word boundary", "alpha beta gamma delta epsilon zeta eta theta", 5, "alpha beta gamma", true},
		{"one long word", strings.Repeat("a", 30), 2, strings.Repeat("a", 8), true},
		{"multibyte", "ééééé ééééé ééééé", 2, "ééééé", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, trimmed := trimToTokens(tt.text, tt.maxTokens)
			if got != tt.want || trimmed != tt.wantTrimmed {
				t.Errorf("trimToTokens = %q, %v; want %q, %v", got, trimmed, tt.want, tt.wantTrimmed)
			}
		})
	}
}

// FuzzParseReply checks that no reply makes the parser panic or pass a
// review that breaks the rules.
func FuzzParseReply(f *testing.F) {
	f.Add(`{"reviews":[{"id":"r1","acting":{"score":"+1","evidence":"good acting"},"overall":{"score":"+1","evidence":"fine"}}]}`, "good acting, fine film")
	f.Add("```json\n{\"reviews\":[]}\n```", "text")
	f.Add(`Here: {"reviews":[{"id":"r2"}]} bye`, "")
	f.Add(`{"reviews":[{"id":"r1","acting":{"score":"not_mentioned","evidence":""},"overall":{"score":"-2","evidence":"…"}}]}`, "… awful")
	f.Fuzz(func(t *testing.T, content, text string) {
		norm := normalizeForMatch(text)
		parsed, err := parseReply(content, testAspects, []string{norm, norm})
		if err != nil {
			return
		}
		if len(parsed) != 2 {
			t.Fatalf("got %d reviews, want 2", len(parsed))
		}
		for _, p := range parsed {
			if p.Problem != "" {
				if p.Aspects != nil {
					t.Fatalf("invalid review carries scores: %+v", p)
				}
				continue
			}
			if len(p.Aspects) != len(testAspects) {
				t.Fatalf("valid review has %d aspects", len(p.Aspects))
			}
			for _, s := range p.Aspects {
				if s.Score == nil {
					if s.Aspect == "overall" {
						t.Fatal("overall without a score passed")
					}
					continue
				}
				if *s.Score < -2 || *s.Score > 2 {
					t.Fatalf("score %d out of range", *s.Score)
				}
				if !evidenceOccurs(s.Evidence, norm) {
					t.Fatalf("evidence %q passed but is not in %q", s.Evidence, text)
				}
			}
		}
	})
}

// FuzzExtractJSON checks that what extractJSON returns is one JSON object
// taken from the message, and that extracting again changes nothing.
func FuzzExtractJSON(f *testing.F) {
	f.Add(`{"a":1}`)
	f.Add("```json\n{\"a\":1}\n```")
	f.Add(`text {"a":"}"} text`)
	f.Add(`{"a":1} {"b":2}`)
	f.Fuzz(func(t *testing.T, content string) {
		got, ok := extractJSON(content)
		if !ok {
			return
		}
		if !json.Valid(got) || got[0] != '{' {
			t.Fatalf("extracted %q, which is not a JSON object", got)
		}
		if !strings.Contains(content, string(got)) {
			t.Fatalf("extracted %q, which is not part of the message", got)
		}
		again, ok := extractJSON(string(got))
		if !ok || string(again) != string(got) {
			t.Fatalf("extracting %q again gave %q, %v", got, again, ok)
		}
		if !utf8.Valid(got) && utf8.ValidString(content) {
			t.Fatalf("extraction broke UTF-8: %q", got)
		}
	})
}
