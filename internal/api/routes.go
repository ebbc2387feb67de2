package api

import (
	"net/http"
	"slices"
	"strings"
)

// Route is one endpoint of the API: a method and a ServeMux path pattern
// such as /api/v1/movies/{id}.
type Route struct {
	Method  string
	Pattern string
}

// route is an endpoint with its handler.
type route struct {
	Route
	handler func(s *server) http.HandlerFunc
}

// table lists every endpoint. New builds the mux from it, and the OpenAPI
// document describes the same list.
var table = []route{
	{Route{http.MethodGet, "/api/v1/movies"}, func(s *server) http.HandlerFunc { return s.listMovies }},
	{Route{http.MethodPost, "/api/v1/movies"}, func(s *server) http.HandlerFunc { return s.trackMovie }},
	{Route{http.MethodGet, "/api/v1/movies/{id}"}, func(s *server) http.HandlerFunc { return s.getMovie }},
	{Route{http.MethodDelete, "/api/v1/movies/{id}"}, func(s *server) http.HandlerFunc { return s.untrackMovie }},
	{Route{http.MethodGet, "/api/v1/movies/{id}/reviews"}, func(s *server) http.HandlerFunc { return s.listReviews }},
	{Route{http.MethodGet, "/api/v1/movies/{id}/reviews/export"}, func(s *server) http.HandlerFunc { return s.exportReviews }},
	{Route{http.MethodGet, "/api/v1/movies/{id}/timeseries"}, func(s *server) http.HandlerFunc { return s.timeSeries }},
	{Route{http.MethodGet, "/api/v1/movies/{id}/aspects"}, func(s *server) http.HandlerFunc { return s.aspectSummaries }},
	{Route{http.MethodGet, "/api/v1/movies/{id}/snapshots"}, func(s *server) http.HandlerFunc { return s.listSnapshots }},
	{Route{http.MethodGet, "/api/v1/movies/{id}/runs"}, func(s *server) http.HandlerFunc { return s.listRuns }},
	{Route{http.MethodPost, "/api/v1/movies/{id}/unpark"}, func(s *server) http.HandlerFunc { return s.unparkMovie }},
	{Route{http.MethodGet, "/api/v1/search"}, func(s *server) http.HandlerFunc { return s.search }},
	{Route{http.MethodGet, "/api/v1/admin/users"}, func(s *server) http.HandlerFunc { return adminOnly(s.listUsers) }},
	{Route{http.MethodGet, "/api/v1/openapi.json"}, func(s *server) http.HandlerFunc { return serveOpenAPI }},
}

// Routes returns the API's endpoints in the order New registers them.
func Routes() []Route {
	routes := make([]Route, len(table))
	for i, r := range table {
		routes[i] = r.Route
	}
	return routes
}

// routes builds the mux: each endpoint, a 405 with the Allow header for
// other methods on a known path, and a JSON 404 for the rest of /api/.
func (s *server) routes() *http.ServeMux {
	mux := http.NewServeMux()
	allowed := map[string][]string{}
	var paths []string
	for _, r := range table {
		mux.HandleFunc(r.Method+" "+r.Pattern, r.handler(s))
		if _, ok := allowed[r.Pattern]; !ok {
			paths = append(paths, r.Pattern)
		}
		allowed[r.Pattern] = append(allowed[r.Pattern], r.Method)
	}
	for _, path := range paths {
		mux.HandleFunc(path, methodNotAllowed(strings.Join(slices.Clone(allowed[path]), ", ")))
	}
	mux.HandleFunc("/api/", notFound)
	return mux
}
