// Package replay serves IMDb's page layouts from memory on a local HTTP
// server, so that tests, benchmarks and the offline demo can run the real
// IMDb client without reaching imdb.com.
//
// A Site holds the pages of each title: the title page, the server-rendered
// reviews page and the GraphQL TitleReviewsRefine pages that follow it. The
// pages come from captures on disk (LoadDir) or are generated from a Movie
// (AddMovie, Synthetic, Example). NewServer serves a Site over HTTP.
package replay

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
)

// BasePlaceholder is replaced in every served page with "http://" followed
// by the Host header of the request, so that links in a page, such as poster
// URLs, point at the replay server that serves it.
const BasePlaceholder = "{{REPLAY_BASE}}"

// Site is the in-memory content of a replay server. Its methods are safe for
// concurrent use, so a test may change a Site while a server serves it. The
// zero value is an empty Site.
type Site struct {
	mu     sync.RWMutex
	titles map[string]*titlePages

	requests atomic.Int64
}

// titlePages holds the pages of one title. Page bodies are never modified
// after they are stored, so a handler may use them after releasing the lock.
type titlePages struct {
	name          string
	titlePage     []byte
	reviewsPage   []byte
	reviewsCursor string
	graphQLPages  [][]byte
	graphQLCursor []string
	challenged    bool
	movedTo       string // id that the title and reviews pages redirect to
}

// NewSite returns an empty Site.
func NewSite() *Site {
	return &Site{}
}

// Titles returns the sorted ids of the titles that have any page or switch
// set.
func (s *Site) Titles() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()

	ids := make([]string, 0, len(s.titles))
	for id := range s.titles {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// SetTitlePage stores the HTML served at /title/{id}/.
func (s *Site) SetTitlePage(id string, page []byte) {
	s.update(id, func(t *titlePages) {
		t.titlePage = bytes.Clone(page)
		if t.name == "" {
			t.name = pageTitleName(page)
		}
	})
}

// SetReviewsPage stores the HTML served at /title/{id}/reviews/. The end
// cursor in its __NEXT_DATA__ script takes part in GraphQL page chaining. A
// page whose cursor cannot be read is still served but chains to nothing.
func (s *Site) SetReviewsPage(id string, page []byte) {
	cursor, _ := reviewsPageCursor(page)
	s.update(id, func(t *titlePages) {
		t.reviewsPage = bytes.Clone(page)
		t.reviewsCursor = cursor
		if t.name == "" {
			t.name = pageTitleName(page)
		}
	})
}

// AddGraphQLPage appends a complete GraphQL response body to the pages of
// the title. A body whose data.title.reviews.pageInfo.endCursor cannot be
// read is still served but chains to nothing.
func (s *Site) AddGraphQLPage(id string, body []byte) {
	cursor, _ := graphQLPageCursor(body)
	s.update(id, func(t *titlePages) {
		t.graphQLPages = append(t.graphQLPages, bytes.Clone(body))
		t.graphQLCursor = append(t.graphQLCursor, cursor)
	})
}

// SetChallenged makes the server respond to every request for the title with an
// AWS WAF challenge, as IMDb does for clients it suspects of being bots.
func (s *Site) SetChallenged(id string, challenged bool) {
	s.update(id, func(t *titlePages) {
		t.challenged = challenged
	})
}

// SetMoved makes the title and reviews pages of id redirect permanently to
// those of target, as IMDb does for a duplicate title merged into another.
// An empty target ends the redirect.
func (s *Site) SetMoved(id, target string) {
	s.update(id, func(t *titlePages) {
		t.movedTo = target
	})
}

// Requests returns the number of requests that servers of this Site have
// received, including challenged and failed ones.
func (s *Site) Requests() int64 {
	return s.requests.Load()
}

func (s *Site) update(id string, change func(t *titlePages)) {
	s.mu.Lock()
	defer s.mu.Unlock()

	if s.titles == nil {
		s.titles = make(map[string]*titlePages)
	}
	t := s.titles[id]
	if t == nil {
		t = &titlePages{}
		s.titles[id] = t
	}
	change(t)
}

// title returns a snapshot of the pages of a title, or nil when the Site
// does not know the title.
func (s *Site) title(id string) *titlePages {
	s.mu.RLock()
	defer s.mu.RUnlock()

	t := s.titles[id]
	if t == nil {
		return nil
	}
	snapshot := *t
	return &snapshot
}

// graphQLPage finds the GraphQL page that a request with the given after
// cursor gets. An empty cursor selects the first page. Otherwise the result
// is the page that follows the first GraphQL page whose end cursor equals
// after, in the order the pages were added. When no GraphQL page has that
// cursor but the reviews page does, the result is the first GraphQL page,
// because the reviews page shows the reviews that come before all of them.
//
// found is false when no page has the cursor. A nil page with found true
// means the cursor is known but no page follows it.
func (t *titlePages) graphQLPage(after string) (page []byte, found bool) {
	next := -1
	switch after {
	case "":
		next = 0
	default:
		for i, cursor := range t.graphQLCursor {
			if cursor != "" && cursor == after {
				next = i + 1
				break
			}
		}
		if next < 0 && t.reviewsCursor != "" && t.reviewsCursor == after {
			next = 0
		}
	}

	if next < 0 {
		return nil, false
	}
	if next >= len(t.graphQLPages) {
		return nil, true
	}
	return t.graphQLPages[next], true
}

// graphQLEnvelope is the part of a TitleReviewsRefine response that page
// chaining needs.
type graphQLEnvelope struct {
	Data struct {
		Title *struct {
			Reviews *struct {
				PageInfo struct {
					EndCursor *string `json:"endCursor"`
				} `json:"pageInfo"`
			} `json:"reviews"`
		} `json:"title"`
	} `json:"data"`
}

// graphQLPageCursor returns the end cursor of a GraphQL response body. It is
// empty on the last page, where IMDb sends null.
func graphQLPageCursor(body []byte) (string, error) {
	var envelope graphQLEnvelope
	if err := json.Unmarshal(body, &envelope); err != nil {
		return "", fmt.Errorf("invalid GraphQL response JSON: %w", err)
	}
	title := envelope.Data.Title
	if title == nil || title.Reviews == nil {
		return "", fmt.Errorf("GraphQL response has no data.title.reviews object")
	}
	if title.Reviews.PageInfo.EndCursor == nil {
		return "", nil
	}
	return *title.Reviews.PageInfo.EndCursor, nil
}

var nextDataPattern = regexp.MustCompile(`(?s)<script[^>]*\bid="__NEXT_DATA__"[^>]*>(.*?)</script>`)

// nextData returns the JSON text of the __NEXT_DATA__ script of a Next.js
// page.
func nextData(page []byte) ([]byte, error) {
	match := nextDataPattern.FindSubmatch(page)
	if match == nil {
		return nil, fmt.Errorf("page has no <script id=\"__NEXT_DATA__\"> element")
	}
	return match[1], nil
}

// reviewsPageCursor returns the end cursor of the reviews shown on a
// server-rendered reviews page.
func reviewsPageCursor(page []byte) (string, error) {
	data, err := nextData(page)
	if err != nil {
		return "", err
	}

	var next struct {
		Props struct {
			PageProps struct {
				ContentData graphQLEnvelope `json:"contentData"`
			} `json:"pageProps"`
		} `json:"props"`
	}
	if err := json.Unmarshal(data, &next); err != nil {
		return "", fmt.Errorf("invalid __NEXT_DATA__ JSON: %w", err)
	}

	title := next.Props.PageProps.ContentData.Data.Title
	if title == nil || title.Reviews == nil {
		return "", fmt.Errorf("__NEXT_DATA__ has no props.pageProps.contentData.data.title.reviews object")
	}
	if title.Reviews.PageInfo.EndCursor == nil {
		return "", nil
	}
	return *title.Reviews.PageInfo.EndCursor, nil
}

var titleElementPattern = regexp.MustCompile(`(?s)<title>(.*?)</title>`)

// pageTitleName returns the movie name from the <title> element of an IMDb
// page ("Nosferatu (1922) - IMDb"), or "" when the page has none. It only
// labels generated posters, so a rough cut is good enough.
func pageTitleName(page []byte) string {
	match := titleElementPattern.FindSubmatch(page)
	if match == nil {
		return ""
	}
	name := strings.TrimSpace(string(match[1]))
	if i := strings.Index(name, " ("); i > 0 {
		name = name[:i]
	}
	return html.UnescapeString(name)
}
