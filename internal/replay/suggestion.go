package replay

import (
	"bytes"
	"encoding/json"
	"html"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// SuggestionPath is the base of the search suggestions that the replay
// server serves as GET {SuggestionPath}/{letter}/{query}.json, in the shape
// of IMDb's https://v3.sg.media-imdb.com/suggestion. Point a client's
// suggestion base URL (imdb.Config.SuggestURL) at {replay base}/suggestion.
const SuggestionPath = "/suggestion"

// maxSuggestions bounds the titles of one reply. It is this server's
// choice, not a documented IMDb limit.
const maxSuggestions = 8

// suggestionReply is the JSON of a suggestion reply, in IMDb's key order.
type suggestionReply struct {
	Entries []suggestionEntry `json:"d"`
	Query   string            `json:"q"`
	Version int               `json:"v"`
}

type suggestionEntry struct {
	Image  suggestionImage `json:"i"`
	ID     string          `json:"id"`
	Label  string          `json:"l"`
	Kind   string          `json:"q"`
	KindID string          `json:"qid"`
	Rank   int             `json:"rank"`
	Year   int             `json:"y,omitempty"`
}

type suggestionImage struct {
	Height   int    `json:"height"`
	ImageURL string `json:"imageUrl"`
	Width    int    `json:"width"`
}

// serveSuggestions serves GET {SuggestionPath}/{letter}/{file} with the
// titles whose name contains the query, ignoring letter case. The file is
// the query followed by ".json". IMDb takes the first letter of the query
// as {letter}, but this server accepts any letter.
func (s *server) serveSuggestions(w http.ResponseWriter, r *http.Request) {
	query, ok := strings.CutSuffix(r.PathValue("file"), ".json")
	query = strings.TrimSpace(query)
	if !ok || query == "" || r.PathValue("letter") == "" {
		writeNotFound(w)
		return
	}

	reply := suggestionReply{Entries: s.site.suggestions(query), Query: strings.ToLower(query), Version: 1}
	var body bytes.Buffer
	encoder := json.NewEncoder(&body)
	encoder.SetEscapeHTML(false)
	mustEncode(encoder, reply)
	writePage(w, r, "application/json", bytes.TrimSuffix(body.Bytes(), []byte("\n")))
}

// suggestions returns the named titles whose name contains query, ignoring
// letter case: names that start with the query first, then in name order
// ignoring case, then in id order.
//
// NOTE: a Site does not store the kind of a title, so every suggestion is
// a feature film ("feature", qid "movie"), and none has the cast that IMDb
// sends as "s".
func (s *Site) suggestions(query string) []suggestionEntry {
	needle := strings.ToLower(query)

	s.mu.RLock()
	var entries []suggestionEntry
	for id, title := range s.titles {
		name := strings.ToLower(title.name)
		if title.name == "" || !strings.Contains(name, needle) {
			continue
		}
		entries = append(entries, suggestionEntry{
			Image:  suggestionImage{Height: 450, ImageURL: posterURL(id), Width: 300},
			ID:     id,
			Label:  title.name,
			Kind:   "feature",
			KindID: "movie",
			Year:   pageYear(title.titlePage),
		})
	}
	s.mu.RUnlock()

	sort.Slice(entries, func(i, j int) bool {
		a, b := strings.ToLower(entries[i].Label), strings.ToLower(entries[j].Label)
		aPrefix, bPrefix := strings.HasPrefix(a, needle), strings.HasPrefix(b, needle)
		switch {
		case aPrefix != bPrefix:
			return aPrefix
		case a != b:
			return a < b
		}
		return entries[i].ID < entries[j].ID
	})

	entries = entries[:min(len(entries), maxSuggestions)]
	for i := range entries {
		entries[i].Rank = i + 1
	}
	return entries
}

// yearPattern finds the year in the parenthesis of a page title such as
// "Nosferatu (1922) - IMDb" or "Dark (TV Series 2017–2020) - IMDb".
var yearPattern = regexp.MustCompile(`\((?:[^()]*\s)?(\d{4})(?:[–-]\d{0,4})?\)`)

// pageYear returns the year in the <title> element of a title page, or 0.
func pageYear(page []byte) int {
	match := titleElementPattern.FindSubmatch(page)
	if match == nil {
		return 0
	}
	found := yearPattern.FindAllStringSubmatch(html.UnescapeString(string(match[1])), -1)
	if found == nil {
		return 0
	}
	year, _ := strconv.Atoi(found[len(found)-1][1])
	return year
}
