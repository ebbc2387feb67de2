package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/reelpulse/reelpulse/internal/authn"
	"github.com/reelpulse/reelpulse/internal/imdb"
)

// Suggestion is a title offered by the title search.
type Suggestion struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Year  int    `json:"year,omitempty"`
	Kind  string `json:"kind,omitempty"`  // e.g. "feature", "TV series"
	Stars string `json:"stars,omitempty"` // leading cast, as IMDb lists it
	// PosterURL is the title's image on IMDb's image server, empty when it
	// has none. Browsers never load it: the dashboard serves it from its
	// own origin at Poster, so it is left out of the JSON.
	PosterURL string `json:"-"`
	// Tracked is the mark of a title that the dashboard's user already
	// tracks: "on your list", or "tracked" for an admin, to whom every
	// tracked movie is visible. It is empty otherwise, and searches never
	// set it.
	Tracked string `json:"-"`
}

// MoviePage returns the path of the title's movie page.
func (s Suggestion) MoviePage() string { return "/movies/" + url.PathEscape(s.ID) }

// Texts of Suggestion.Tracked.
const (
	onYourList    = "on your list"
	trackedForAll = "tracked"
)

// markTracked sets Tracked on the suggestions that the signed-in user can
// already open: those on the user's list, and for an admin also every
// other tracked movie. An analyst learns nothing about other users' lists.
func (s *server) markTracked(ctx context.Context, suggestions []Suggestion) error {
	identity := authn.FromContext(ctx)
	if identity == nil || len(suggestions) == 0 {
		return nil
	}
	listed, err := s.accounts.UserMovieIDs(ctx, identity.User.ID)
	if err != nil {
		return fmt.Errorf("read the list of user %q: %w", identity.User.Name, err)
	}
	marks := map[string]string{}
	if identity.IsAdmin() {
		tracked, err := s.store.ListMovies(ctx, true)
		if err != nil {
			return fmt.Errorf("list the tracked movies: %w", err)
		}
		for _, m := range tracked {
			marks[m.ID] = trackedForAll
		}
	}
	for _, id := range listed {
		marks[id] = onYourList
	}
	for i := range suggestions {
		suggestions[i].Tracked = marks[suggestions[i].ID]
	}
	return nil
}

// Poster returns the dashboard's own URL of the suggestion's poster, or ""
// when there is none to show.
func (s Suggestion) Poster() string {
	if s.PosterURL == "" {
		return ""
	}
	return "/suggestions/" + url.PathEscape(s.ID) + "/poster"
}

// Searcher finds titles by name; the IMDb client implements it through
// IMDb's suggestion endpoint.
type Searcher interface {
	Search(ctx context.Context, query string) ([]Suggestion, error)
}

// ImageFetcher downloads the image at url and returns its media type, as
// sniffed from the bytes, and the bytes. poster.Download over the fetch
// layer implements it.
type ImageFetcher func(ctx context.Context, url string) (contentType string, data []byte, err error)

// Limits of the suggestion cache. A search result is kept long enough for
// the user to pick a title and for its posters to load. Posters are kept
// as long, within a byte budget, because a type-ahead requests the same few
// again and again.
const (
	minSuggestQuery     = 2
	maxSuggestQuery     = 200
	suggestionTTL       = 10 * time.Minute
	maxCachedSearches   = 256
	maxPosterSources    = 2048
	maxCachedPosters    = 64
	maxCachedPosterSize = 16 << 20 // bytes over all cached posters
	posterFetchTimeout  = 15 * time.Second
)

// suggestionCache remembers recent search results, the image URL of each
// suggested title and recently fetched suggestion posters. The poster route
// only fetches URLs that a search result named, from the allowed hosts, so
// it cannot be used to fetch anything else.
type suggestionCache struct {
	fetch ImageFetcher
	hosts map[string]bool
	now   func() time.Time

	mu       sync.Mutex
	searches map[string]cachedSearch
	sources  map[string]cachedSource // title id to image URL
	posters  map[string]cachedPoster // title id to image
	bytes    int
}

type cachedSearch struct {
	suggestions []Suggestion
	at          time.Time
}

type cachedSource struct {
	url string
	at  time.Time
}

type cachedPoster struct {
	contentType string
	data        []byte
	at          time.Time
}

// newSuggestionCache returns a cache that fetches posters with fetch from
// the given hosts ("m.media-amazon.com", or "host:port" for a replay
// server). A nil fetch or no hosts leaves every suggestion without a poster.
func newSuggestionCache(fetch ImageFetcher, hosts []string, now func() time.Time) *suggestionCache {
	c := &suggestionCache{
		fetch:    fetch,
		hosts:    map[string]bool{},
		now:      now,
		searches: map[string]cachedSearch{},
		sources:  map[string]cachedSource{},
		posters:  map[string]cachedPoster{},
	}
	for _, h := range hosts {
		if h = strings.ToLower(strings.TrimSpace(h)); h != "" {
			c.hosts[h] = true
		}
	}
	return c
}

// allowed reports whether the image at raw may be fetched: an http or https
// URL on one of the allowed hosts, without credentials.
func (c *suggestionCache) allowed(raw string) bool {
	if c.fetch == nil {
		return false
	}
	u, err := url.Parse(raw)
	if err != nil || u.User != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return false
	}
	return c.hosts[strings.ToLower(u.Host)]
}

// cachingSearcher wraps the configured Searcher. It returns a repeated
// query's result from the cache, stores each suggestion's image URL for
// the poster route and drops image URLs that the route would not fetch.
type cachingSearcher struct {
	next  Searcher
	cache *suggestionCache
}

func (s cachingSearcher) Search(ctx context.Context, query string) ([]Suggestion, error) {
	key := strings.ToLower(strings.Join(strings.Fields(query), " "))
	c := s.cache
	c.mu.Lock()
	hit, ok := c.searches[key]
	c.mu.Unlock()
	if ok && c.now().Sub(hit.at) < suggestionTTL {
		return append([]Suggestion(nil), hit.suggestions...), nil
	}

	found, err := s.next.Search(ctx, query)
	if err != nil {
		return nil, err
	}
	suggestions := make([]Suggestion, 0, len(found))
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, f := range found {
		if f.PosterURL != "" && !c.allowed(f.PosterURL) {
			f.PosterURL = ""
		}
		if f.PosterURL != "" {
			c.sources[f.ID] = cachedSource{url: f.PosterURL, at: now}
		}
		suggestions = append(suggestions, f)
	}
	c.searches[key] = cachedSearch{suggestions: suggestions, at: now}
	c.prune(now)
	return append([]Suggestion(nil), suggestions...), nil
}

// prune drops expired entries and, when a map is still over its limit,
// arbitrary ones. The caller holds c.mu.
func (c *suggestionCache) prune(now time.Time) {
	if len(c.searches) > maxCachedSearches {
		for key, e := range c.searches {
			if now.Sub(e.at) >= suggestionTTL || len(c.searches) > maxCachedSearches {
				delete(c.searches, key)
			}
		}
	}
	if len(c.sources) > maxPosterSources {
		for id, e := range c.sources {
			if now.Sub(e.at) >= suggestionTTL || len(c.sources) > maxPosterSources {
				delete(c.sources, id)
			}
		}
	}
	for id, p := range c.posters {
		if now.Sub(p.at) >= suggestionTTL || len(c.posters) > maxCachedPosters || c.bytes > maxCachedPosterSize {
			c.bytes -= len(p.data)
			delete(c.posters, id)
		}
	}
}

// errNoPoster means that the title has no poster the route may serve.
var errNoPoster = errors.New("no suggestion poster")

// poster returns the image of a suggested title, fetching it on first use.
func (c *suggestionCache) poster(ctx context.Context, id string) (cachedPoster, error) {
	now := c.now()
	c.mu.Lock()
	if p, ok := c.posters[id]; ok && now.Sub(p.at) < suggestionTTL {
		c.mu.Unlock()
		return p, nil
	}
	source, ok := c.sources[id]
	c.mu.Unlock()
	if !ok || now.Sub(source.at) >= suggestionTTL || !c.allowed(source.url) {
		return cachedPoster{}, errNoPoster
	}

	ctx, cancel := context.WithTimeout(ctx, posterFetchTimeout)
	defer cancel()
	contentType, data, err := c.fetch(ctx, source.url)
	if err != nil {
		return cachedPoster{}, fmt.Errorf("fetch the suggestion poster of %s from %s: %w", id, source.url, err)
	}
	p := cachedPoster{contentType: contentType, data: data, at: now}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.posters[id]; ok {
		c.bytes -= len(old.data)
	}
	c.posters[id] = p
	c.bytes += len(data)
	c.prune(now)
	return p, nil
}

// suggestionJSON is one title of GET /suggestions.
type suggestionJSON struct {
	ID     string `json:"id"`
	Title  string `json:"title"`
	Year   int    `json:"year,omitempty"`
	Kind   string `json:"kind,omitempty"`
	Stars  string `json:"stars,omitempty"`
	Poster string `json:"poster,omitempty"` // same-origin image path
	// Tracked is "on your list" or "tracked" for a title the user can
	// already open at URL, its movie page; both are left out otherwise.
	Tracked string `json:"tracked,omitempty"`
	URL     string `json:"url,omitempty"`
}

// suggestionsReply is the body of GET /suggestions.
type suggestionsReply struct {
	Query       string           `json:"query"`
	Suggestions []suggestionJSON `json:"suggestions"`
}

// suggestions serves GET /suggestions?q=TITLE, the add form's type-ahead:
// the matching titles as JSON, each with a same-origin poster path when
// IMDb lists an image, and with its movie page when the user already
// tracks it. Ids and URLs are not searched.
func (s *server) suggestions(w http.ResponseWriter, r *http.Request) {
	query := strings.TrimSpace(r.URL.Query().Get("q"))
	switch n := utf8.RuneCountInString(query); {
	case s.searcher == nil:
		s.writeJSON(w, http.StatusNotFound, errorReply{"The title search is not configured; enter an IMDb id or URL instead."})
		return
	case n < minSuggestQuery:
		s.writeJSON(w, http.StatusBadRequest, errorReply{fmt.Sprintf(
			"The q parameter %q is too short; pass at least %d characters of a title.", query, minSuggestQuery)})
		return
	case len(query) > maxSuggestQuery:
		s.writeJSON(w, http.StatusBadRequest, errorReply{fmt.Sprintf(
			"The q parameter is %d bytes long; pass at most %d.", len(query), maxSuggestQuery)})
		return
	case !looksLikeTitle(query):
		s.writeJSON(w, http.StatusBadRequest, errorReply{fmt.Sprintf(
			"The q parameter %q is an IMDb id or URL, not a title; submit the add form to track it.", query)})
		return
	}

	found, err := s.searcher.Search(r.Context(), query)
	if errors.Is(r.Context().Err(), context.Canceled) {
		return // the type-ahead moved on to a longer query
	}
	if err != nil {
		s.logger.Error("Title suggestions failed", "query", query, "error", err)
		s.writeJSON(w, http.StatusBadGateway, errorReply{"The title search failed because IMDb did not respond; try again later or enter the IMDb id."})
		return
	}
	if err := s.markTracked(r.Context(), found); err != nil {
		s.logger.Error("Marking the tracked titles among the suggestions failed", "query", query, "error", err)
		s.writeJSON(w, http.StatusInternalServerError, errorReply{"The suggestions could not be checked against your list; try again later."})
		return
	}
	reply := suggestionsReply{Query: query, Suggestions: make([]suggestionJSON, 0, len(found))}
	for _, f := range found {
		item := suggestionJSON{ID: f.ID, Title: f.Title, Year: f.Year, Kind: f.Kind, Stars: f.Stars, Poster: f.Poster(), Tracked: f.Tracked}
		if f.Tracked != "" {
			item.URL = f.MoviePage()
		}
		reply.Suggestions = append(reply.Suggestions, item)
	}
	s.writeJSON(w, http.StatusOK, reply)
}

// suggestionPoster serves GET /suggestions/{id}/poster: the image of a title
// that a recent search suggested, fetched from IMDb's image host. Any other
// id, and a poster that cannot be fetched, gets 404.
func (s *server) suggestionPoster(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	h := w.Header()
	h.Set("Content-Security-Policy", posterPolicy)
	if canonical, err := imdb.ParseID(id); err != nil || canonical != id {
		http.Error(w, "no poster for "+strconv.Quote(id)+": pass the IMDb id of a suggested title", http.StatusNotFound)
		return
	}

	p, err := s.suggested.poster(r.Context(), id)
	if errors.Is(err, errNoPoster) {
		http.Error(w, "no poster for "+id+": search for the title first", http.StatusNotFound)
		return
	}
	if err != nil {
		s.logger.Warn("Suggestion poster unavailable", "movie_id", id, "error", err)
		http.Error(w, "the poster of "+id+" could not be fetched", http.StatusNotFound)
		return
	}
	h.Set("Content-Type", p.contentType)
	h.Set("Content-Length", strconv.Itoa(len(p.data)))
	h.Set("Cache-Control", "private, max-age=600")
	_, _ = w.Write(p.data)
}

// errorReply is the JSON body of a failed JSON request.
type errorReply struct {
	Error string `json:"error"`
}

// writeJSON writes v as the JSON body of an uncached response.
func (s *server) writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		s.logger.Error("Encoding a JSON reply failed", "error", err)
		http.Error(w, "The reply could not be encoded; try again later.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
