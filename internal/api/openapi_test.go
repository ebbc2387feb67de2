package api_test

import (
	"encoding/json"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/reelpulse/reelpulse/internal/api"
)

// openAPIDocument is the part of the document that the tests read.
type openAPIDocument struct {
	OpenAPI    string                                `json:"openapi"`
	Paths      map[string]map[string]json.RawMessage `json:"paths"`
	Components struct {
		Parameters map[string]openAPIParameter `json:"parameters"`
	} `json:"components"`
}

type openAPIParameter struct {
	Ref  string `json:"$ref"`
	Name string `json:"name"`
	In   string `json:"in"`
}

var pathParameter = regexp.MustCompile(`\{([^}]+)\}`)

func readOpenAPI(t *testing.T) (openAPIDocument, []byte) {
	t.Helper()
	data, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc openAPIDocument
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("openapi.json is not valid JSON: %v", err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi = %q, want 3.1.0", doc.OpenAPI)
	}
	return doc, data
}

// resolve returns the parameter that p refers to.
func (doc openAPIDocument) resolve(t *testing.T, p openAPIParameter) openAPIParameter {
	t.Helper()
	if p.Ref == "" {
		return p
	}
	name, ok := strings.CutPrefix(p.Ref, "#/components/parameters/")
	resolved, found := doc.Components.Parameters[name]
	if !ok || !found {
		t.Errorf("unresolved parameter reference %s", p.Ref)
	}
	return resolved
}

// parameters returns the sorted names of the parameters in the path or the
// query (in) that the document declares for the operation, at path or
// operation level.
func (doc openAPIDocument) parameters(t *testing.T, path, method, in string) []string {
	t.Helper()
	var declared []openAPIParameter
	for _, raw := range []json.RawMessage{doc.Paths[path]["parameters"], doc.Paths[path][method]} {
		if raw == nil {
			continue
		}
		var list []openAPIParameter
		if !strings.HasPrefix(strings.TrimSpace(string(raw)), "[") {
			var operation struct {
				Parameters []openAPIParameter `json:"parameters"`
			}
			if err := json.Unmarshal(raw, &operation); err != nil {
				t.Fatalf("%s %s: %v", method, path, err)
			}
			list = operation.Parameters
		} else if err := json.Unmarshal(raw, &list); err != nil {
			t.Fatalf("%s parameters: %v", path, err)
		}
		declared = append(declared, list...)
	}

	names := []string{}
	for _, p := range declared {
		if p = doc.resolve(t, p); p.In == in {
			names = append(names, p.Name)
		}
	}
	slices.Sort(names)
	return names
}

func TestOpenAPIMatchesRoutes(t *testing.T) {
	doc, _ := readOpenAPI(t)
	registered := map[string]bool{}
	for _, route := range api.Routes() {
		method := strings.ToLower(route.Method)
		registered[method+" "+route.Pattern] = true
		if _, ok := doc.Paths[route.Pattern][method]; !ok {
			t.Errorf("route %s %s is missing from openapi.json", route.Method, route.Pattern)
			continue
		}

		want := []string{}
		for _, match := range pathParameter.FindAllStringSubmatch(route.Pattern, -1) {
			want = append(want, match[1])
		}
		slices.Sort(want)
		if got := doc.parameters(t, route.Pattern, method, "path"); !slices.Equal(got, want) {
			t.Errorf("%s %s: document path parameters %v, want %v", route.Method, route.Pattern, got, want)
		}
		// The API rejects every other query parameter, so the document
		// must list exactly the ones the route takes.
		want = slices.Sorted(slices.Values(route.Parameters))
		if want == nil {
			want = []string{}
		}
		if got := doc.parameters(t, route.Pattern, method, "query"); !slices.Equal(got, want) {
			t.Errorf("%s %s: document query parameters %v, want %v", route.Method, route.Pattern, got, want)
		}
	}

	for path, item := range doc.Paths {
		for method := range item {
			if method == "parameters" {
				continue
			}
			if !registered[method+" "+path] {
				t.Errorf("openapi.json describes %s %s, which the API does not serve", strings.ToUpper(method), path)
			}
		}
	}
}

func TestOpenAPIReferencesResolve(t *testing.T) {
	_, data := readOpenAPI(t)
	var tree any
	if err := json.Unmarshal(data, &tree); err != nil {
		t.Fatal(err)
	}
	var walk func(node any)
	walk = func(node any) {
		switch v := node.(type) {
		case map[string]any:
			if ref, ok := v["$ref"].(string); ok && !resolves(tree, ref) {
				t.Errorf("reference %s does not resolve", ref)
			}
			for _, child := range v {
				walk(child)
			}
		case []any:
			for _, child := range v {
				walk(child)
			}
		}
	}
	walk(tree)
}

func resolves(tree any, ref string) bool {
	node := tree
	for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
		object, ok := node.(map[string]any)
		if !ok {
			return false
		}
		if node, ok = object[part]; !ok {
			return false
		}
	}
	return true
}

func TestServeOpenAPI(t *testing.T) {
	f := newFixture(t)
	_, want := readOpenAPI(t)
	response, body := f.do(t, http.MethodGet, "/api/v1/openapi.json", "")
	if response.StatusCode != http.StatusOK || response.Header.Get("Content-Type") != "application/json" {
		t.Errorf("status %d, Content-Type %q; want 200, application/json", response.StatusCode, response.Header.Get("Content-Type"))
	}
	if string(body) != string(want) {
		t.Error("served document differs from openapi.json")
	}
}
