package imdb

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/reelpulse/reelpulse/internal/fetch"
)

// maxSearchQueryBytes bounds a search query, which becomes a URL path
// segment, so that a pasted text cannot make an overlong request.
const maxSearchQueryBytes = 200

// Suggestion is one title that IMDb's search suggestions return.
type Suggestion struct {
	ID        string // "tt…"
	Title     string
	Year      int    // 0 when IMDb gives none
	Kind      string // qid, such as "movie" or "tvSeries", or else the display kind q, such as "feature"
	Stars     string // main cast as IMDb lists it, "Max Schreck, Greta Schröder"
	PosterURL string // absolute http(s) URL; empty when the title has no image
}

// suggestionReply is the JSON of GET {suggest base}/{letter}/{query}.json.
type suggestionReply struct {
	Entries *[]suggestionJSON `json:"d"`
	Query   *string           `json:"q"`
}

type suggestionJSON struct {
	ID     string `json:"id"`
	Label  string `json:"l"`
	Year   int    `json:"y"`
	Kind   string `json:"q"`
	KindID string `json:"qid"`
	Stars  string `json:"s"`
	Image  *struct {
		URL string `json:"imageUrl"`
	} `json:"i"`
}

// ParseSuggestions reads the reply of IMDb's suggestion endpoint,
// {"d":[{"id":"tt0013442","l":"Nosferatu","y":1922,…}],"q":"nosferatu","v":1},
// keeping only titles, whose ids start with "tt", in reply order. People
// (nm…) and other entries are left out. A reply without "d" has no
// suggestions, provided it echoes the query in "q". A reply with neither
// returns an error matching ErrLayoutChanged.
func ParseSuggestions(body []byte) ([]Suggestion, error) {
	var reply suggestionReply
	if err := decodeJSON(bytes.TrimSpace(body), &reply, "suggestion reply"); err != nil {
		return nil, err
	}
	if reply.Entries == nil {
		if reply.Query == nil {
			return nil, layoutChanged(`suggestion reply has neither "d" nor "q"`)
		}
		return []Suggestion{}, nil
	}

	suggestions := make([]Suggestion, 0, len(*reply.Entries))
	for _, entry := range *reply.Entries {
		id, ok := canonicalID(entry.ID)
		if !ok {
			continue
		}
		suggestions = append(suggestions, entry.suggestion(id))
	}
	return suggestions, nil
}

func (e *suggestionJSON) suggestion(id string) Suggestion {
	s := Suggestion{
		ID:    id,
		Title: strings.TrimSpace(cleanText(e.Label)),
		Year:  max(e.Year, 0),
		Kind:  cleanText(firstNonEmpty(e.KindID, e.Kind)),
		Stars: strings.TrimSpace(cleanText(e.Stars)),
	}
	if e.Image != nil {
		s.PosterURL = suggestionImageURL(e.Image.URL)
	}
	return s
}

// suggestionImageURL returns an image URL of a suggestion if it is an absolute http
// or https URL without credentials, and "" otherwise, so that a reply
// cannot make the dashboard download from a relative or script URL.
func suggestionImageURL(raw string) string {
	raw = strings.TrimSpace(cleanText(raw))
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return ""
	}
	return raw
}

// Search returns IMDb's title suggestions for query, as the site's search
// box shows them while the user types. The request goes to
// {SuggestURL}/{letter}/{query}.json, where query is trimmed and lower-cased
// and letter is its first character.
func (c *Client) Search(ctx context.Context, query string) ([]Suggestion, error) {
	path, err := suggestionPath(query)
	if err != nil {
		return nil, err
	}

	resp, err := fetch.Get(ctx, c.fetch, c.config.SuggestURL+path, nil)
	if errors.Is(err, fetch.ErrNotFound) {
		return []Suggestion{}, nil // the endpoint has no file for queries without a match
	}
	if err != nil {
		return nil, fmt.Errorf("fetch suggestions for %q: %w", query, err)
	}
	suggestions, err := ParseSuggestions(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("parse suggestions for %q: %w", query, err)
	}
	return suggestions, nil
}

// suggestionPath returns "/{letter}/{query}.json" for a search query.
func suggestionPath(query string) (string, error) {
	normalized := strings.ToLower(strings.Join(strings.Fields(cleanText(query)), " "))
	switch {
	case normalized == "":
		return "", fmt.Errorf("search IMDb: empty query; pass part of a title, such as \"nosferatu\"")
	case len(normalized) > maxSearchQueryBytes:
		return "", fmt.Errorf("search IMDb: query of %d bytes is longer than %d; shorten it", len(normalized), maxSearchQueryBytes)
	}

	_, size := utf8.DecodeRuneInString(normalized)
	return "/" + escapeSegment(normalized[:size]) + "/" + escapeSegment(normalized) + ".json", nil
}

// escapeSegment escapes a path segment, including a leading dot, which
// url.PathEscape keeps: "." and ".." segments, and "./" inside a path, are
// removed by servers and proxies that normalise paths (".hack" is a title).
func escapeSegment(s string) string {
	escaped := url.PathEscape(s)
	if strings.HasPrefix(escaped, ".") {
		escaped = "%2E" + escaped[1:]
	}
	return escaped
}
