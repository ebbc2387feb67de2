package api

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/reelpulse/reelpulse/internal/reviewquery"
)

// Route is one endpoint of the API: a method, a ServeMux path pattern such
// as /api/v1/movies/{id} and the query parameters that the endpoint takes.
type Route struct {
	Method     string
	Pattern    string
	Parameters []string
}

// route is an endpoint with its handler.
type route struct {
	Route
	handler func(s *server) http.HandlerFunc
}

// Query parameters of the endpoints that take more than one.
var (
	reviewParameters = slices.Concat(reviewquery.FilterParameters, reviewquery.PageParameters)
	exportParameters = append(slices.Clone(reviewquery.FilterParameters), "format")
)

// table lists every endpoint. New builds the mux from it, and the OpenAPI
// document describes the same list. Every endpoint rejects query parameters
// that are not in its list, so that a typo or a parameter that another
// endpoint takes is not silently ignored.
var table = []route{
	{Route{http.MethodGet, "/api/v1/movies", []string{"all"}}, func(s *server) http.HandlerFunc { return s.listMovies }},
	{Route{http.MethodPost, "/api/v1/movies", nil}, func(s *server) http.HandlerFunc { return s.trackMovie }},
	{Route{http.MethodGet, "/api/v1/movies/{id}", nil}, func(s *server) http.HandlerFunc { return s.getMovie }},
	{Route{http.MethodDelete, "/api/v1/movies/{id}", nil}, func(s *server) http.HandlerFunc { return s.untrackMovie }},
	{Route{http.MethodGet, "/api/v1/movies/{id}/reviews", reviewParameters}, func(s *server) http.HandlerFunc { return s.listReviews }},
	{Route{http.MethodGet, "/api/v1/movies/{id}/reviews/export", exportParameters}, func(s *server) http.HandlerFunc { return s.exportReviews }},
	{Route{http.MethodGet, "/api/v1/movies/{id}/timeseries", []string{"bucket"}}, func(s *server) http.HandlerFunc { return s.timeSeries }},
	{Route{http.MethodGet, "/api/v1/movies/{id}/aspects", nil}, func(s *server) http.HandlerFunc { return s.aspectSummaries }},
	{Route{http.MethodGet, "/api/v1/movies/{id}/snapshots", nil}, func(s *server) http.HandlerFunc { return s.listSnapshots }},
	{Route{http.MethodGet, "/api/v1/movies/{id}/runs", nil}, func(s *server) http.HandlerFunc { return s.listRuns }},
	{Route{http.MethodPost, "/api/v1/movies/{id}/unpark", nil}, func(s *server) http.HandlerFunc { return s.unparkMovie }},
	{Route{http.MethodGet, "/api/v1/search", []string{"q"}}, func(s *server) http.HandlerFunc { return s.search }},
	{Route{http.MethodGet, "/api/v1/admin/users", nil}, func(s *server) http.HandlerFunc { return adminOnly(s.listUsers) }},
	{Route{http.MethodGet, "/api/v1/openapi.json", nil}, func(s *server) http.HandlerFunc { return serveOpenAPI }},
}

// Routes returns the API's endpoints in the order New registers them.
func Routes() []Route {
	routes := make([]Route, len(table))
	for i, r := range table {
		routes[i] = r.Route
		routes[i].Parameters = slices.Clone(r.Parameters)
	}
	return routes
}

// onlyParameters responds 400 to a request with a query parameter that is
// not in known, or with one given more than once, and passes the rest to
// next.
func onlyParameters(known []string, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		// r.URL.Query drops the pairs it cannot decode, which would hide a
		// parameter that the caller meant to give.
		query, err := url.ParseQuery(r.URL.RawQuery)
		if err != nil {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("invalid query string: %v; percent-encode the values and separate the parameters with &", err))
			return
		}
		if err := checkParameters(query, known); err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
		next(w, r)
	}
}

// routes builds the mux: each endpoint, a 405 with the Allow header for
// other methods on a known path, and a JSON 404 for the rest of /api/.
func (s *server) routes() *http.ServeMux {
	mux := http.NewServeMux()
	allowed := map[string][]string{}
	var paths []string
	for _, r := range table {
		mux.HandleFunc(r.Method+" "+r.Pattern, onlyParameters(r.Parameters, r.handler(s)))
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
