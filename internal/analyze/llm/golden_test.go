package llm

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/reelpulse/reelpulse/internal/analyze"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestRequestGolden pins the exact request body of each flavour.
func TestRequestGolden(t *testing.T) {
	tests := []struct {
		flavour string
		model   string
	}{
		{FlavourOpenAI, ""},
		{FlavourGemini, ""},
		{FlavourOpenAICompatible, "llama3.1:8b"},
	}
	in := []analyze.Input{
		{ReviewID: "rw1", MovieID: "tt0000001", Title: "A “quiet” triumph", Text: "The story is slow <at first> & then soars.\nThe score is lovely.", Rating: intPtr(9)},
		{ReviewID: "rw2", MovieID: "tt0000001", Title: "Meh", Text: "Nothing stayed with me.", Rating: nil},
	}
	for _, tt := range tests {
		t.Run(tt.flavour, func(t *testing.T) {
			rig := newRig(t, func(c *Config) {
				c.Flavour = tt.flavour
				c.Model = tt.model
			})

			if err := rig.a.Analyze(t.Context(), in, newCollector(t).save); err != nil {
				t.Fatalf("Analyze: %v", err)
			}

			reqs := rig.srv.Requests()
			if len(reqs) != 1 {
				t.Fatalf("requests = %d, want 1", len(reqs))
			}
			var got bytes.Buffer
			if err := json.Indent(&got, reqs[0].Body, "", "  "); err != nil {
				t.Fatalf("request body is not JSON: %v", err)
			}
			got.WriteByte('\n')
			checkGolden(t, filepath.Join("testdata", "request-"+tt.flavour+".golden"), got.Bytes())
		})
	}
}

func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("request body differs from %s (run go test -update after checking the change):\n%s", path, got)
	}
}
