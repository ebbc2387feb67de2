package api

import (
	_ "embed"
	"net/http"
)

// openAPI is the OpenAPI 3.1 description of every route in table, and a
// test keeps the two in step.
//
//go:embed openapi.json
var openAPI []byte

func serveOpenAPI(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(openAPI)
}
