package api

import (
	"bytes"
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

// bodyError is the reason decodeBody rejects a request body: the status
// of the response and a message fit to return to the client.
type bodyError struct {
	status  int
	message string
}

func (e *bodyError) Error() string { return e.message }

func badBody(format string, args ...any) *bodyError {
	return &bodyError{status: http.StatusBadRequest, message: fmt.Sprintf(format, args...)}
}

// decodeBody decodes one JSON object of at most maxBodyBytes into v,
// rejecting unknown fields, keys given twice and trailing data. Its errors
// are *bodyError values.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) error {
	if contentType := r.Header.Get("Content-Type"); contentType != "" && !strings.HasPrefix(contentType, "application/json") {
		return badBody("invalid Content-Type %q: send the body as application/json", contentType)
	}

	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if tooLarge := (*http.MaxBytesError)(nil); errors.As(err, &tooLarge) {
		return &bodyError{status: http.StatusRequestEntityTooLarge,
			message: fmt.Sprintf("request body larger than the limit of %d bytes: send only {\"id\": \"tt…\"}", tooLarge.Limit)}
	} else if err != nil {
		return badBody("the request body could not be read: %v; send it again", err)
	}

	if key, first := duplicateKey(data); key != "" {
		if key == first {
			return badBody("duplicate key %q in request body: give each field once", key)
		}
		return badBody("duplicate key %q in request body, which names the same field as %q: give each field once", key, first)
	}

	decoder := json.NewDecoder(bytes.NewReader(data))
	decoder.DisallowUnknownFields()
	err = decoder.Decode(v)
	switch {
	case errors.Is(err, io.EOF):
		return badBody("empty request body: send {\"id\": \"tt0013442\"} or an IMDb title URL as \"id\"")
	case err != nil && strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.TrimPrefix(err.Error(), "json: unknown field ")
		return badBody("unknown field %s in request body: send only \"id\"", field)
	case err != nil:
		return badBody("invalid JSON request body: %v; send {\"id\": \"tt0013442\"}", err)
	}

	var extra json.RawMessage
	if err := decoder.Decode(&extra); !errors.Is(err, io.EOF) {
		return badBody("invalid JSON request body: send exactly one JSON object")
	}
	return nil
}

// duplicateKey returns the first object key in the JSON value data that
// repeats an earlier key of the same object, together with that earlier
// key. Keys that differ only in case count as the same, because
// encoding/json matches field names that way. It returns empty strings
// when no key repeats or data is not valid JSON.
func duplicateKey(data []byte) (key, first string) {
	type level struct {
		keys      map[string]string // folded key to the key as given
		object    bool
		expectKey bool
	}
	decoder := json.NewDecoder(bytes.NewReader(data))
	decoder.UseNumber()
	var stack []*level
	for {
		token, err := decoder.Token()
		if err != nil {
			return "", ""
		}
		var top *level
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		switch token {
		case json.Delim('{'), json.Delim('['):
			stack = append(stack, &level{keys: map[string]string{}, object: token == json.Delim('{'), expectKey: token == json.Delim('{')})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				return "", ""
			}
			if parent := stack[len(stack)-1]; parent.object {
				parent.expectKey = true
			}
			continue
		}
		if top == nil {
			return "", ""
		}
		if top.object && top.expectKey {
			name, _ := token.(string)
			folded := strings.ToLower(strings.ToUpper(name))
			if earlier, ok := top.keys[folded]; ok {
				return name, earlier
			}
			top.keys[folded] = name
			top.expectKey = false
			continue
		}
		if top.object {
			top.expectKey = true
		}
	}
}
