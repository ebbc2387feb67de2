package imdb

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestParseSuggestions(t *testing.T) {
	suggestions, err := ParseSuggestions(readTestdata(t, "suggestion-nosferatu.json"))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}

	want := []Suggestion{
		{ID: "tt0013442", Title: "Nosferatu", Year: 1922, Kind: "movie", Stars: "Max Schreck, Alexander Granach", PosterURL: "https://example.com/nosferatu-1922.jpg"},
		{ID: "tt5040012", Title: "Nosferatu", Year: 2024, Kind: "movie", Stars: "Bill Skarsgård, Nicholas Hoult", PosterURL: "https://example.com/nosferatu-2024.jpg"},
		{ID: "tt0079641", Title: "Nosferatu the Vampyre", Kind: "feature", Stars: "Klaus Kinski, Isabelle Adjani"},
	}
	if len(suggestions) != len(want) {
		t.Fatalf("suggestions = %+v, want %d titles", suggestions, len(want))
	}
	for i := range want {
		if suggestions[i] != want[i] {
			t.Errorf("suggestion %d = %+v, want %+v", i, suggestions[i], want[i])
		}
	}
}

func TestParseSuggestionsPosterURL(t *testing.T) {
	tests := []struct {
		image string
		want  string
	}{
		{`"https://m.media-amazon.com/images/M/MV5B.jpg"`, "https://m.media-amazon.com/images/M/MV5B.jpg"},
		{`" http://127.0.0.1:8081/_replay/poster/tt0013442.svg "`, "http://127.0.0.1:8081/_replay/poster/tt0013442.svg"},
		{`"/images/M/MV5B.jpg"`, ""},
		{`"javascript:alert(1)"`, ""},
		{`"data:image/png;base64,AAAA"`, ""},
		{`"https://user:secret@m.media-amazon.com/p.jpg"`, ""},
		{`"https:///p.jpg"`, ""},
		{`""`, ""},
		{`null`, ""},
	}
	for _, tt := range tests {
		body := `{"d":[{"i":{"imageUrl":` + tt.image + `},"id":"tt0013442","l":"Nosferatu"}],"q":"nosferatu"}`
		suggestions, err := ParseSuggestions([]byte(body))
		if err != nil || len(suggestions) != 1 {
			t.Fatalf("ParseSuggestions(%s) = %+v, %v", body, suggestions, err)
		}
		if got := suggestions[0].PosterURL; got != tt.want {
			t.Errorf("imageUrl %s gave PosterURL %q, want %q", tt.image, got, tt.want)
		}
	}
}

func TestParseSuggestionsWithoutMatches(t *testing.T) {
	suggestions, err := ParseSuggestions([]byte(`{"q":"xyzzy","v":1}`))

	if err != nil || suggestions == nil || len(suggestions) != 0 {
		t.Errorf("suggestions = %v, error = %v; want an empty list", suggestions, err)
	}
}

func TestParseSuggestionsInvalid(t *testing.T) {
	tests := []struct {
		body    string
		target  error
		message string
	}{
		{`<html>`, nil, "invalid JSON in suggestion reply"},
		{`{"v":1}`, ErrLayoutChanged, `layout changed: suggestion reply has neither "d" nor "q"`},
		{`{"d":{"id":"tt0013442"},"q":"n"}`, nil, "invalid JSON in suggestion reply"},
		{`null`, ErrLayoutChanged, "layout changed"},
	}
	for _, tt := range tests {
		_, err := ParseSuggestions([]byte(tt.body))
		if err == nil {
			t.Errorf("ParseSuggestions(%s) = nil error", tt.body)
			continue
		}
		if tt.target != nil && !errors.Is(err, tt.target) {
			t.Errorf("ParseSuggestions(%s) error = %v, want it to match %v", tt.body, err, tt.target)
		}
		if !strings.Contains(err.Error(), tt.message) {
			t.Errorf("ParseSuggestions(%s) message %q does not contain %q", tt.body, err, tt.message)
		}
	}
}

func TestSearch(t *testing.T) {
	body := readTestdata(t, "suggestion-nosferatu.json")
	paths := make(chan string, 4)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /suggestion/", func(w http.ResponseWriter, r *http.Request) {
		paths <- r.URL.EscapedPath()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	})
	server := httptest.NewServer(mux)
	t.Cleanup(server.Close)
	client := NewClient(newFetchClient(t), Config{SuggestURL: server.URL + "/suggestion/"})

	tests := map[string]string{
		"Nosferatu":      "/suggestion/n/nosferatu.json",
		"  The  Matrix ": "/suggestion/t/the%20matrix.json", //nolint:gocritic // the spaces are the case under test
		"Élise":          "/suggestion/%C3%A9/%C3%A9lise.json",
		"a/b?c":          "/suggestion/a/a%2Fb%3Fc.json",
		".hack":          "/suggestion/%2E/%2Ehack.json",
	}
	for query, wantPath := range tests {
		suggestions, err := client.Search(context.Background(), query)
		if err != nil {
			t.Errorf("Search(%q): %v", query, err)
			continue
		}
		if got := <-paths; got != wantPath {
			t.Errorf("Search(%q) requested %s, want %s", query, got, wantPath)
		}
		if len(suggestions) != 3 || suggestions[0].ID != "tt0013442" {
			t.Errorf("Search(%q) = %+v", query, suggestions)
		}
	}
}

func TestSearchRejectsEmptyQuery(t *testing.T) {
	client := NewClient(newFetchClient(t), Config{SuggestURL: "http://127.0.0.1:1/suggestion"})

	for _, query := range []string{"", "   ", strings.Repeat("x", maxSearchQueryBytes+1)} {
		if _, err := client.Search(context.Background(), query); err == nil {
			t.Errorf("Search(%.20q) = nil error", query)
		}
	}
}

func TestDefaultSuggestURL(t *testing.T) {
	if got := DefaultConfig().SuggestURL; got != "https://v3.sg.media-imdb.com/suggestion" {
		t.Errorf("SuggestURL = %q", got)
	}
}
