package api

import (
	"encoding/json"
	"strings"
	"testing"
)

// FuzzDuplicateKey checks that duplicateKey never panics, that a key it
// reports equals an earlier one without case, and that it reports a key of
// a valid object given once more in front.
func FuzzDuplicateKey(f *testing.F) {
	for _, seed := range []string{
		`{"id":"tt0013442"}`,
		`{"id":"a","id":"b"}`,
		`{"id":"a","ID":"b"}`,
		`{"a":{"b":1,"b":2}}`,
		`[{"a":1},{"a":2}]`,
		`{"a":[{"b":1}],"b":2}`,
		`{"a":`,
		`"text"`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		key, first := duplicateKey(data)
		if key != "" && !strings.EqualFold(key, first) {
			t.Fatalf("duplicateKey(%q) = %q, %q: the keys differ", data, key, first)
		}

		// A key of a valid object without repeats, given once more in
		// front, must be reported.
		var object map[string]json.RawMessage
		if key != "" || json.Unmarshal(data, &object) != nil || len(object) == 0 {
			return
		}
		for k := range object {
			name, err := json.Marshal(k)
			if err != nil {
				return
			}
			doubled := append([]byte(`{`+string(name)+`:0,`), data[strings.Index(string(data), "{")+1:]...)
			if got, _ := duplicateKey(doubled); !strings.EqualFold(got, k) {
				t.Fatalf("duplicateKey(%q) = %q, want %q", doubled, got, k)
			}
			break
		}
	})
}
