package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

type errorBody struct {
	Error string `json:"error"`
}

// writeJSON writes v with the status. Encoding errors after the header is
// sent cannot change the status, so they are only returned.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "the response could not be encoded; try again later")
		return fmt.Errorf("encode response: %w", err)
	}

	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, err = w.Write(append(body, '\n'))
	return err
}

func writeError(w http.ResponseWriter, status int, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(errorBody{Error: message})
}

func notFound(w http.ResponseWriter, r *http.Request) {
	writeError(w, http.StatusNotFound, fmt.Sprintf("no API endpoint at %s: see GET /api/v1/movies", r.URL.Path))
}

func methodNotAllowed(allowed string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", allowed)
		writeError(w, http.StatusMethodNotAllowed, fmt.Sprintf("method %s is not allowed on %s: use %s", r.Method, r.URL.Path, allowed))
	}
}

// decodeBody decodes one JSON object of at most maxBodyBytes into v,
// rejecting unknown fields and trailing data. Its errors are fit to return
// to the client.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) error {
	if contentType := r.Header.Get("Content-Type"); contentType != "" && !strings.HasPrefix(contentType, "application/json") {
		return fmt.Errorf("invalid Content-Type %q: send the body as application/json", contentType)
	}

	decoder := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	decoder.DisallowUnknownFields()
	err := decoder.Decode(v)
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return fmt.Errorf("request body larger than %d bytes: send only {\"id\": \"tt…\"}", tooLarge.Limit)
	case errors.Is(err, io.EOF):
		return errors.New("empty request body: send {\"id\": \"tt0013442\"} or an IMDb title URL as \"id\"")
	case err != nil && strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.TrimPrefix(err.Error(), "json: unknown field ")
		return fmt.Errorf("unknown field %s in request body: send only \"id\"", field)
	case err != nil:
		return fmt.Errorf("invalid JSON request body: %w; send {\"id\": \"tt0013442\"}", err)
	}

	var extra json.RawMessage
	if err := decoder.Decode(&extra); !errors.Is(err, io.EOF) {
		return errors.New("invalid JSON request body: send exactly one JSON object")
	}
	return nil
}
