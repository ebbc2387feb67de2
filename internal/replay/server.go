package replay

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"
)

// Options change how a replay server behaves.
type Options struct {
	// Latency is added to every request before it is handled. A request
	// whose client goes away during the wait gets no response.
	Latency time.Duration

	// Challenge makes every request get the AWS WAF challenge that IMDb sends
	// to clients it takes for bots: HTTP 202, an empty body and the header
	// x-amzn-waf-action: challenge. Site.SetChallenged does the same for one
	// title.
	Challenge bool

	// Logger receives one debug record per request. Nil discards them.
	Logger *slog.Logger
}

// Paths served besides IMDb's own title and reviews pages.
const (
	GraphQLPath = "/graphql"
	posterPath  = "/_replay/poster/"
)

// server routes requests to a Site's pages.
type server struct {
	site   *Site
	opts   Options
	logger *slog.Logger
	mux    *http.ServeMux
}

// NewServer returns a handler that serves the site in IMDb's layouts:
//
//	GET  /title/{id}/                 title page
//	GET  /title/{id}/reviews/         server-rendered reviews page; the query string is ignored
//	POST /graphql                     TitleReviewsRefine as JSON {operationName, query, variables}
//	GET  /graphql?operationName=…&variables=…&extensions=…   the persisted-query form
//	GET  /_replay/poster/{id}.svg     a generated poster that shows the title name
//	GET  /suggestion/{letter}/{query}.json   search suggestions, as at v3.sg.media-imdb.com
//
// A missing page gets HTTP 404. Like IMDb, GraphQL reports an unknown title
// as data.title null and an unknown cursor as an errors reply with HTTP 200.
func NewServer(site *Site, opts Options) http.Handler {
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &server{site: site, opts: opts, logger: logger, mux: http.NewServeMux()}

	s.mux.HandleFunc("GET /title/{id}/{$}", s.serveTitlePage)
	s.mux.HandleFunc("GET /title/{id}/reviews/{$}", s.serveReviewsPage)
	s.mux.HandleFunc("GET /title/{id}", redirectToSlash)
	s.mux.HandleFunc("GET /title/{id}/reviews", redirectToSlash)
	s.mux.HandleFunc(GraphQLPath, s.serveGraphQL)
	s.mux.HandleFunc("GET "+posterPath+"{file}", s.servePoster)
	s.mux.HandleFunc("GET "+SuggestionPath+"/{letter}/{file}", s.serveSuggestions)
	s.mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) { writeNotFound(w) })
	return s
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.site.requests.Add(1)
	start := time.Now()
	recorder := &statusRecorder{ResponseWriter: w}

	if !s.wait(r) {
		s.logger.Debug("replay request canceled", "method", r.Method, "path", r.URL.Path, "error", r.Context().Err())
		return
	}

	if s.opts.Challenge {
		writeChallenge(recorder)
	} else {
		s.mux.ServeHTTP(recorder, r)
	}

	s.logger.Debug("replay request served",
		"method", r.Method,
		"path", r.URL.Path,
		"status", recorder.status,
		"bytes", recorder.bytes,
		"duration_ms", time.Since(start).Milliseconds())
}

// wait sleeps for the configured latency and reports whether the request is
// still wanted.
func (s *server) wait(r *http.Request) bool {
	if s.opts.Latency <= 0 {
		return true
	}

	timer := time.NewTimer(s.opts.Latency)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

func (s *server) serveTitlePage(w http.ResponseWriter, r *http.Request) {
	title := s.site.title(r.PathValue("id"))
	switch {
	case title != nil && title.movedTo != "":
		http.Redirect(w, r, "/title/"+title.movedTo+"/", http.StatusMovedPermanently)
	case title == nil || title.titlePage == nil:
		writeNotFound(w)
	case title.challenged:
		writeChallenge(w)
	default:
		writePage(w, r, "text/html; charset=utf-8", title.titlePage)
	}
}

func (s *server) serveReviewsPage(w http.ResponseWriter, r *http.Request) {
	title := s.site.title(r.PathValue("id"))
	switch {
	case title != nil && title.movedTo != "":
		http.Redirect(w, r, "/title/"+title.movedTo+"/reviews/", http.StatusMovedPermanently)
	case title == nil || title.reviewsPage == nil:
		writeNotFound(w)
	case title.challenged:
		writeChallenge(w)
	default:
		writePage(w, r, "text/html; charset=utf-8", title.reviewsPage)
	}
}

func (s *server) servePoster(w http.ResponseWriter, r *http.Request) {
	id, ok := strings.CutSuffix(r.PathValue("file"), ".svg")
	title := s.site.title(id)
	if !ok || title == nil {
		writeNotFound(w)
		return
	}

	name := title.name
	if name == "" {
		name = id
	}
	writePage(w, r, "image/svg+xml", posterSVG(name))
}

// redirectToSlash sends a path without its trailing slash to the canonical
// one, as IMDb does.
func redirectToSlash(w http.ResponseWriter, r *http.Request) {
	target := r.URL.Path + "/"
	if r.URL.RawQuery != "" {
		target += "?" + r.URL.RawQuery
	}
	http.Redirect(w, r, target, http.StatusMovedPermanently)
}

// writePage writes a stored page after replacing BasePlaceholder.
func writePage(w http.ResponseWriter, r *http.Request, contentType string, page []byte) {
	placeholder := []byte(BasePlaceholder)
	if bytes.Contains(page, placeholder) {
		page = bytes.ReplaceAll(page, placeholder, []byte("http://"+r.Host))
	}

	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", fmt.Sprint(len(page)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(page)
}

// writeChallenge writes the response that AWS WAF sends instead of the page
// when it wants the client to solve a JavaScript challenge.
func writeChallenge(w http.ResponseWriter) {
	w.Header().Set("x-amzn-waf-action", "challenge")
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusAccepted)
}

const notFoundPage = `<!DOCTYPE html><html lang="en-US"><head><meta charset="utf-8"/><title>404 Error - IMDb</title></head>` +
	`<body><h1>404 Error</h1><p>The requested URL was not found on our server.</p></body></html>`

func writeNotFound(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Length", fmt.Sprint(len(notFoundPage)))
	w.WriteHeader(http.StatusNotFound)
	_, _ = io.WriteString(w, notFoundPage)
}

// statusRecorder records the status and size of a response for the log.
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (r *statusRecorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *statusRecorder) Write(p []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(p)
	r.bytes += n
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *statusRecorder) Unwrap() http.ResponseWriter {
	return r.ResponseWriter
}
