package imdb

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/reelpulse/reelpulse/internal/fetch"
)

func newFetchClient(t *testing.T) *fetch.Client {
	t.Helper()
	cfg := fetch.DefaultConfig()
	cfg.RequestsPerSecond = 1000
	cfg.Burst = 100
	cfg.MaxRetries = 0
	cfg.Timeout = 5 * time.Second
	cfg.AllowedPrivateHosts = []string{"127.0.0.1"} // httptest servers
	return fetch.New(cfg, nil)
}

// graphQLPage returns a one-review GraphQL reply whose cursor points at
// the next page, or ends the list when next is empty.
func graphQLPage(reviewID, next string) string {
	cursor := "null"
	if next != "" {
		cursor = fmt.Sprintf("%q", next)
	}
	return fmt.Sprintf(`{"data":{"title":{"reviews":{"total":4,"pageInfo":{"endCursor":%s,"hasNextPage":%t},`+
		`"edges":[{"node":{"id":%q,"author":{"username":{"text":"someone"},"userId":"ur1"},"summary":{"originalText":"s"},`+
		`"text":{"originalText":{"plaidHtml":"t"}},"authorRating":7,"submissionDate":"2025-01-02","helpfulness":{"upVotes":1,"downVotes":0},"spoiler":false}}]}}}}`,
		cursor, next != "", reviewID)
}

// fakeIMDb serves the small reviews page and two further GraphQL pages,
// and checks every GraphQL request against the expected shape.
func fakeIMDb(t *testing.T) *httptest.Server {
	t.Helper()
	reviewsPage := readTestdata(t, "reviews-small.html")
	reviewsPage = []byte(strings.Replace(string(reviewsPage), `"endCursor":null,"hasNextPage":false`, `"endCursor":"cursor-1","hasNextPage":true`, 1))

	mux := http.NewServeMux()
	mux.HandleFunc("GET /title/tt0000001/reviews/", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write(reviewsPage)
	})
	mux.HandleFunc("GET /title/tt0108052/", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write(readTestdata(t, "title-linked-data.html"))
	})
	mux.HandleFunc("POST /graphql", func(w http.ResponseWriter, r *http.Request) {
		request := checkGraphQLRequest(t, r)
		switch request.Variables.After {
		case "cursor-1":
			_, _ = io.WriteString(w, graphQLPage("rw0000010", "cursor-2"))
		case "cursor-2":
			_, _ = io.WriteString(w, graphQLPage("rw0000011", ""))
		default:
			http.Error(w, `{"errors":[{"message":"unknown cursor"}]}`, http.StatusBadRequest)
		}
	})

	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func checkGraphQLRequest(t *testing.T, r *http.Request) graphQLRequest {
	t.Helper()
	if got := r.Header.Get("Content-Type"); got != "application/json" {
		t.Errorf("content-type = %q", got)
	}
	if got := r.Header.Get("X-Imdb-Client-Name"); got != "imdb-web-next" {
		t.Errorf("x-imdb-client-name = %q", got)
	}

	body, _ := io.ReadAll(r.Body)
	var raw map[string]any
	if err := json.Unmarshal(body, &raw); err != nil {
		t.Errorf("request body is not JSON: %v", err)
	}
	if _, ok := raw["extensions"]; ok {
		t.Error("request carries extensions; the full query must not need a persisted-query hash")
	}
	variables, _ := raw["variables"].(map[string]any)
	for _, key := range []string{"const", "after", "first", "filter", "sort", "locale"} {
		if _, ok := variables[key]; !ok {
			t.Errorf("variables lack %q: %s", key, body)
		}
	}

	var request graphQLRequest
	_ = json.Unmarshal(body, &request)
	if request.OperationName != "TitleReviewsRefine" {
		t.Errorf("operationName = %q", request.OperationName)
	}
	if !strings.HasPrefix(request.Query, "query TitleReviewsRefine(") {
		t.Errorf("query does not declare the operation: %.60q", request.Query)
	}
	v := request.Variables
	if v.Const != "tt0000001" || v.First != 25 || v.Locale != "en-US" || v.Sort != (reviewsSort{By: "HELPFULNESS_SCORE", Order: "DESC"}) {
		t.Errorf("variables = %+v", v)
	}
	return request
}

func TestClientPaginates(t *testing.T) {
	srv := fakeIMDb(t)
	client := NewClient(newFetchClient(t), Config{BaseURL: srv.URL + "/", GraphQLURL: srv.URL + "/graphql"})

	title, page, err := client.FirstReviews(t.Context(), "https://www.imdb.com/title/tt0000001/")
	if err != nil {
		t.Fatalf("FirstReviews: %v", err)
	}
	if title.Title != "Amélie & Friends" {
		t.Errorf("title = %q", title.Title)
	}

	var ids []string
	for {
		for _, r := range page.Reviews {
			ids = append(ids, r.ID)
		}
		if !page.HasNextPage {
			break
		}
		page, err = client.NextReviews(t.Context(), "tt0000001", page.EndCursor)
		if err != nil {
			t.Fatalf("NextReviews: %v", err)
		}
	}

	want := "rw0000001 rw0000002 rw0000010 rw0000011"
	if got := strings.Join(ids, " "); got != want {
		t.Errorf("review ids = %s, want %s", got, want)
	}
}

func TestClientTitle(t *testing.T) {
	srv := fakeIMDb(t)
	client := NewClient(newFetchClient(t), Config{BaseURL: srv.URL})

	title, err := client.Title(t.Context(), "TT0108052")
	if err != nil {
		t.Fatalf("Title: %v", err)
	}

	if title.ID != "tt0108052" || title.Title != "Schindler's List" {
		t.Errorf("title = %q %q", title.ID, title.Title)
	}
}

// TestClientTitleMoved follows IMDb's redirect of a merged title and
// expects a *MovedError naming both ids, by the page's id or by the URL.
func TestClientTitleMoved(t *testing.T) {
	srv := fakeIMDb(t)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /title/tt0000098/", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, srv.URL+"/title/tt0108052/", http.StatusMovedPermanently)
	})
	mux.HandleFunc("GET /title/tt0000099/reviews/", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, srv.URL+"/title/tt0000001/reviews/", http.StatusMovedPermanently)
	})
	redirects := httptest.NewServer(mux)
	t.Cleanup(redirects.Close)
	client := NewClient(newFetchClient(t), Config{BaseURL: redirects.URL})

	tests := []struct {
		name   string
		fetch  func(id string) error
		id     string
		target string
	}{
		{"title page", func(id string) error { _, err := client.Title(t.Context(), id); return err }, "tt0000098", "tt0108052"},
		{"reviews page", func(id string) error { _, _, err := client.FirstReviews(t.Context(), id); return err }, "tt0000099", "tt0000001"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.fetch(tt.id)
			var moved *MovedError
			if !errors.As(err, &moved) {
				t.Fatalf("error = %v, want a *MovedError", err)
			}
			if moved.ID != tt.id || moved.Target != tt.target {
				t.Errorf("moved from %s to %s, want from %s to %s", moved.ID, moved.Target, tt.id, tt.target)
			}
			if !errors.Is(err, ErrTitleMoved) {
				t.Errorf("error %v does not match ErrTitleMoved", err)
			}
			if !strings.Contains(err.Error(), "track "+tt.target+" instead") {
				t.Errorf("error %q does not say which id to track", err)
			}
		})
	}
}

func TestCheckServed(t *testing.T) {
	tests := []struct {
		name, pageID, finalURL string
		target                 string // "" when the page is of the requested title
	}{
		{"same page id", "tt0000001", "http://127.0.0.1:1/title/tt0000002/", ""},
		{"other page id", "tt0000002", "http://127.0.0.1:1/title/tt0000001/", "tt0000002"},
		{"no page id, same path", "", "http://127.0.0.1:1/de/title/tt0000001/reviews/", ""},
		{"no page id, other path", "", "http://127.0.0.1:1/title/tt0000003/reviews/?ref_=x", "tt0000003"},
		{"no page id, no title path", "", "http://127.0.0.1:1/search", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkServed("tt0000001", tt.pageID, tt.finalURL)
			var moved *MovedError
			switch {
			case tt.target == "" && err != nil:
				t.Errorf("error = %v, want none", err)
			case tt.target != "" && !errors.As(err, &moved):
				t.Errorf("error = %v, want a *MovedError", err)
			case tt.target != "" && moved.Target != tt.target:
				t.Errorf("target = %s, want %s", moved.Target, tt.target)
			}
		})
	}
}

func TestClientNextReviewsGraphQLFailure(t *testing.T) {
	srv := fakeIMDb(t)
	client := NewClient(newFetchClient(t), Config{BaseURL: srv.URL, GraphQLURL: srv.URL + "/graphql"})

	_, err := client.NextReviews(t.Context(), "tt0000001", "stale")

	if !errors.Is(err, fetch.ErrStatus) {
		t.Fatalf("error = %v, want fetch.ErrStatus", err)
	}
	var graphQLErr *GraphQLError
	if !errors.As(err, &graphQLErr) {
		t.Errorf("error = %v, want a wrapped *GraphQLError", err)
	}
	for _, part := range []string{"tt0000001", `"stale"`, "unknown cursor"} {
		if !strings.Contains(err.Error(), part) {
			t.Errorf("message %q does not contain %s", err, part)
		}
	}
}

func TestClientFetchErrors(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if strings.Contains(r.URL.Path, "tt0000404") {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()
	client := NewClient(newFetchClient(t), Config{BaseURL: srv.URL, GraphQLURL: srv.URL + "/graphql"})

	_, _, err := client.FirstReviews(t.Context(), "tt0000404")
	if !errors.Is(err, fetch.ErrNotFound) {
		t.Errorf("404: error = %v, want fetch.ErrNotFound", err)
	}
	if err != nil && !strings.HasPrefix(err.Error(), "fetch reviews page of tt0000404: ") {
		t.Errorf("404: message %q does not name the step and id", err)
	}

	_, err = client.Title(t.Context(), "tt0000202")
	if !errors.Is(err, fetch.ErrChallenged) {
		t.Errorf("202: error = %v, want fetch.ErrChallenged", err)
	}

	_, err = client.NextReviews(t.Context(), "tt0000202", "cursor")
	if !errors.Is(err, fetch.ErrChallenged) {
		t.Errorf("GraphQL 202: error = %v, want fetch.ErrChallenged", err)
	}

	before := calls.Load()
	if _, err := client.Title(t.Context(), "not-an-id"); err == nil {
		t.Error("invalid id: error = nil")
	}
	if _, err := client.NextReviews(t.Context(), "tt0000001", ""); err == nil || !strings.Contains(err.Error(), "FirstReviews") {
		t.Errorf("empty cursor: error = %v", err)
	}
	if calls.Load() != before {
		t.Error("invalid input sent a request")
	}
}

func TestNewClientDefaults(t *testing.T) {
	client := NewClient(newFetchClient(t), Config{})

	if client.config != DefaultConfig() {
		t.Errorf("config = %+v, want %+v", client.config, DefaultConfig())
	}
}
