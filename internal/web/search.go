package web

import "context"

// Suggestion is a title offered by the title search.
type Suggestion struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Year  int    `json:"year,omitempty"`
	Kind  string `json:"kind,omitempty"`  // e.g. "feature", "TV series"
	Stars string `json:"stars,omitempty"` // leading cast, as IMDb lists it
}

// Searcher finds titles by name; the IMDb client implements it through
// IMDb's suggestion endpoint.
type Searcher interface {
	Search(ctx context.Context, query string) ([]Suggestion, error)
}
