package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const evalLabels = `{"review_id": "rw1", "title": "A delight", "text": "The story is wonderful and the acting is superb.", "rating": 10, "labels": {"storytelling": 2, "acting": 2, "visuals": null, "sound": null, "themes": null, "overall": 2}}
{"review_id": "rw2", "title": "Awful", "text": "The plot is dull and the acting is terrible.", "rating": 1, "labels": {"storytelling": -2, "acting": -2, "visuals": null, "sound": null, "themes": null, "overall": -2}}
`

func writeLabels(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "labels.jsonl")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestEvalJSON(t *testing.T) {
	var stdout, stderr bytes.Buffer
	env := &environment{stdout: &stdout, stderr: &stderr}
	if err := runEval(context.Background(), env, []string{"--labels", writeLabels(t, evalLabels), "--json"}); err != nil {
		t.Fatalf("runEval: %v (stderr %s)", err, stderr.String())
	}

	var report struct {
		Reviews                  int                        `json:"reviews"`
		OverallPolarityAgreement *float64                   `json:"overall_polarity_agreement"`
		OverallExactAgreement    *float64                   `json:"overall_exact_agreement"`
		AspectMentionMicroF1     *float64                   `json:"aspect_mention_micro_f1"`
		AspectPolarityAgreement  *float64                   `json:"aspect_polarity_agreement"`
		PerAspect                map[string]json.RawMessage `json:"per_aspect"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &report); err != nil {
		t.Fatalf("output is not one JSON object: %v\n%s", err, stdout.String())
	}

	if report.Reviews != 2 {
		t.Errorf("reviews = %d, want 2", report.Reviews)
	}
	// Ten and one stars fix the overall sign regardless of the text.
	if report.OverallPolarityAgreement == nil || *report.OverallPolarityAgreement != 1 {
		t.Errorf("overall_polarity_agreement = %v, want 1", report.OverallPolarityAgreement)
	}
	for name, value := range map[string]*float64{
		"overall_exact_agreement":   report.OverallExactAgreement,
		"aspect_mention_micro_f1":   report.AspectMentionMicroF1,
		"aspect_polarity_agreement": report.AspectPolarityAgreement,
	} {
		if value == nil || *value < 0 || *value > 1 {
			t.Errorf("%s = %v, want a fraction in 0..1", name, value)
		}
	}
	for _, name := range []string{"storytelling", "acting", "visuals", "sound", "themes"} {
		if _, ok := report.PerAspect[name]; !ok {
			t.Errorf("per_aspect lacks %s", name)
		}
	}
}

func TestEvalTable(t *testing.T) {
	var stdout, stderr bytes.Buffer
	env := &environment{stdout: &stdout, stderr: &stderr}
	if err := runEval(context.Background(), env, []string{"--labels", writeLabels(t, evalLabels)}); err != nil {
		t.Fatalf("runEval: %v", err)
	}
	if !strings.Contains(stdout.String(), "Overall polarity agreement") {
		t.Errorf("table lacks the overall polarity row:\n%s", stdout.String())
	}
}

func TestEvalUnknownAnalyzer(t *testing.T) {
	var stdout, stderr bytes.Buffer
	env := &environment{stdout: &stdout, stderr: &stderr}
	err := runEval(context.Background(), env, []string{"--labels", writeLabels(t, evalLabels), "--analyzer", "gpt"})
	if err == nil {
		t.Fatal("runEval accepted an unknown analyzer")
	}
	if !strings.Contains(err.Error(), `"gpt"`) {
		t.Errorf("error %q does not name the rejected value gpt", err)
	}
	if !strings.Contains(err.Error(), "lexicon") {
		t.Errorf("error %q does not name the supported analyzer lexicon", err)
	}
}

func TestEvalMalformedLabels(t *testing.T) {
	var stdout, stderr bytes.Buffer
	env := &environment{stdout: &stdout, stderr: &stderr}
	err := runEval(context.Background(), env, []string{"--labels", writeLabels(t, evalLabels+"{not json\n")})
	if err == nil {
		t.Fatal("runEval accepted a malformed line")
	}
	if !strings.Contains(err.Error(), "line 3") {
		t.Errorf("runEval error %q does not name line 3", err)
	}
}

func TestEvalMissingLabels(t *testing.T) {
	var stdout, stderr bytes.Buffer
	env := &environment{stdout: &stdout, stderr: &stderr}
	if err := runEval(context.Background(), env, nil); !errors.Is(err, errUsage) {
		t.Errorf("runEval without --labels = %v, want errUsage", err)
	}
}
