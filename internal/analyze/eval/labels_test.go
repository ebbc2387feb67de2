package eval

import (
	"strings"
	"testing"
)

const validLines = `{"review_id": "rw1", "movie_id": "tt1", "author": "a", "title": "Fine", "text": "Good story.", "rating": 8, "date": "2025-04-01", "labels": {"storytelling": 1, "acting": null, "visuals": null, "sound": null, "themes": null, "overall": 1}}

{"review_id": "rw2", "movie_id": "tt1", "title": "", "text": "Bad.", "rating": null, "labels": {"overall": -2}}
`

func TestReadLabelsFields(t *testing.T) {
	examples, err := ReadLabels(strings.NewReader(validLines))
	if err != nil {
		t.Fatalf("ReadLabels: %v", err)
	}
	if len(examples) != 2 {
		t.Fatalf("got %d examples, want 2 (blank line skipped)", len(examples))
	}

	first := examples[0]
	if first.ReviewID != "rw1" || first.Title != "Fine" || first.Text != "Good story." {
		t.Errorf("first example = %+v, want rw1 with its title and text", first)
	}
	if first.Rating == nil {
		t.Error("first rating = nil, want 8")
	} else if *first.Rating != 8 {
		t.Errorf("first rating = %d, want 8", *first.Rating)
	}
	if got := first.Labels["storytelling"]; got == nil || *got != 1 {
		t.Errorf("storytelling label = %v, want 1", got)
	}
	if got, ok := first.Labels["acting"]; !ok || got != nil {
		t.Errorf("acting label = %v (present %v), want null", got, ok)
	}
	if examples[1].Rating != nil {
		t.Errorf("second rating = %v, want nil", *examples[1].Rating)
	}
}

func TestReadLabelsMalformedLine(t *testing.T) {
	input := validLines + `{"review_id": "rw3", "labels": {"overall": 1}` + "\n"
	_, err := ReadLabels(strings.NewReader(input))
	if err == nil {
		t.Fatal("ReadLabels accepted a truncated object")
	}
	if !strings.Contains(err.Error(), "line 4") {
		t.Errorf("error %q does not name line 4", err)
	}
}

func TestReadLabelsInvalidValues(t *testing.T) {
	tests := []struct {
		line, want string
	}{
		{`{"review_id": "x", "text": "t"}`, "missing"},
		{`{"review_id": "x", "rating": 11, "labels": {"overall": 1}}`, "rating 11"},
		{`{"review_id": "x", "labels": {"overall": 3}}`, "overall label 3"},
		{`{"review_id": "x", "labels": {"music": 1}}`, `"music"`},
	}
	for _, tt := range tests {
		_, err := ReadLabels(strings.NewReader(tt.line))
		if err == nil {
			t.Errorf("ReadLabels(%s) succeeded, want an error", tt.line)
			continue
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ReadLabels(%s) error %q does not name %s", tt.line, err, tt.want)
		}
		if !strings.Contains(err.Error(), "line 1") {
			t.Errorf("ReadLabels(%s) error %q does not name line 1", tt.line, err)
		}
	}
}
