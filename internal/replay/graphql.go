package replay

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// ReviewsOperation is the GraphQL operation that IMDb's reviews page uses to
// load further pages of reviews, and the only one the replay server serves.
const ReviewsOperation = "TitleReviewsRefine"

// maxGraphQLRequestBytes bounds a POST body. IMDb's web client sends about
// 2 KB, most of it query text.
const maxGraphQLRequestBytes = 1 << 20

// graphQLRequest is a GraphQL request in either of its HTTP forms. The query
// text and the persisted-query extensions are accepted but not checked.
type graphQLRequest struct {
	OperationName string           `json:"operationName"`
	Query         string           `json:"query"`
	Variables     graphQLVariables `json:"variables"`
	Extensions    json.RawMessage  `json:"extensions"`
}

// graphQLVariables are the TitleReviewsRefine variables that select a page.
// The page size in "first" is ignored, because stored pages have a fixed
// size.
type graphQLVariables struct {
	Const string `json:"const"`
	After string `json:"after"`
	First int    `json:"first"`
}

// graphQLError is one entry of the errors list of a GraphQL response.
type graphQLError struct {
	Message    string            `json:"message"`
	Path       []string          `json:"path,omitempty"`
	Extensions map[string]string `json:"extensions,omitempty"`
}

func (s *server) serveGraphQL(w http.ResponseWriter, r *http.Request) {
	request, err := parseGraphQLRequest(w, r)
	if err != nil {
		s.logger.Warn("replay rejected GraphQL request", "method", r.Method, "error", err)
		var methodErr *methodError
		if errors.As(err, &methodErr) {
			w.Header().Set("Allow", "GET, POST")
			http.Error(w, err.Error(), http.StatusMethodNotAllowed)
			return
		}
		writeGraphQLErrors(w, http.StatusBadRequest, graphQLError{Message: err.Error()})
		return
	}

	if request.OperationName != ReviewsOperation {
		s.logger.Warn("replay rejected unknown GraphQL operation", "operation", request.OperationName)
		writeGraphQLErrors(w, http.StatusOK, graphQLError{
			Message:    fmt.Sprintf("unknown operation %q: the replay server serves only %s", request.OperationName, ReviewsOperation),
			Extensions: map[string]string{"code": "BAD_REQUEST"},
		})
		return
	}
	s.serveReviewsOperation(w, r, request.Variables)
}

func (s *server) serveReviewsOperation(w http.ResponseWriter, r *http.Request, variables graphQLVariables) {
	title := s.site.title(variables.Const)
	if title == nil {
		writeJSON(w, http.StatusOK, []byte(`{"data":{"title":null}}`))
		return
	}
	if title.challenged {
		writeChallenge(w)
		return
	}

	page, found := title.graphQLPage(variables.After)
	switch {
	case !found:
		s.logger.Warn("replay rejected unknown review cursor", "title_id", variables.Const, "cursor", variables.After)
		writeGraphQLErrors(w, http.StatusOK, graphQLError{
			Message:    fmt.Sprintf("invalid cursor %q for title %s: pass the endCursor of the previous page as after", variables.After, variables.Const),
			Path:       []string{"title", "reviews"},
			Extensions: map[string]string{"code": "BAD_USER_INPUT"},
		})
	case page == nil:
		s.logger.Warn("replay has no GraphQL page after cursor", "title_id", variables.Const, "cursor", variables.After)
		writeNotFound(w)
	default:
		writePage(w, r, "application/json", page)
	}
}

// methodError rejects an HTTP method that GraphQL does not accept.
type methodError struct {
	method string
}

func (e *methodError) Error() string {
	return fmt.Sprintf("method %s not allowed on %s: use GET or POST", e.method, GraphQLPath)
}

// parseGraphQLRequest reads a request from a POST body or from the query
// string of a GET, the form that persisted queries use.
func parseGraphQLRequest(w http.ResponseWriter, r *http.Request) (graphQLRequest, error) {
	var request graphQLRequest
	switch r.Method {
	case http.MethodPost:
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxGraphQLRequestBytes))
		if err != nil {
			return request, fmt.Errorf("read GraphQL request body: %w", err)
		}
		if err := json.Unmarshal(body, &request); err != nil {
			return request, fmt.Errorf("invalid GraphQL request JSON: %w", err)
		}

	case http.MethodGet, http.MethodHead:
		query := r.URL.Query()
		request.OperationName = query.Get("operationName")
		request.Query = query.Get("query")
		if text := query.Get("variables"); text != "" {
			if err := json.Unmarshal([]byte(text), &request.Variables); err != nil {
				return request, fmt.Errorf("invalid variables parameter %q: %w", text, err)
			}
		}
		if text := query.Get("extensions"); text != "" {
			if !json.Valid([]byte(text)) {
				return request, fmt.Errorf("invalid extensions parameter %q: expected JSON", text)
			}
			request.Extensions = json.RawMessage(text)
		}

	default:
		return request, &methodError{method: r.Method}
	}

	if request.Variables.Const == "" {
		return request, fmt.Errorf("missing variable const: set it to the title id, such as tt0013442")
	}
	return request, nil
}

func writeGraphQLErrors(w http.ResponseWriter, status int, errs ...graphQLError) {
	body, err := json.Marshal(struct {
		Errors []graphQLError `json:"errors"`
		Data   any            `json:"data"`
	}{Errors: errs})
	if err != nil {
		http.Error(w, "encode GraphQL errors: "+err.Error(), http.StatusInternalServerError)
		return
	}
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
