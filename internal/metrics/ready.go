package metrics

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"time"
	"unicode/utf8"
)

// DefaultCheckTimeout bounds a readiness check whose Timeout is zero.
const DefaultCheckTimeout = 2 * time.Second

// maxCheckMessage is the longest error text that /readyz shows per check.
const maxCheckMessage = 300

// Check is one dependency that the readiness handler tests, such as the
// store or the job client.
type Check struct {
	Name string
	// Check returns nil when the dependency can serve. It should return
	// once ctx is done; the handler stops waiting for it then anyway.
	Check func(ctx context.Context) error
	// Timeout bounds the check. Zero means DefaultCheckTimeout.
	Timeout time.Duration
}

// readyReply is the JSON body of a readiness reply.
type readyReply struct {
	Status string            `json:"status"`          // "ready" or "not ready"
	Checks map[string]string `json:"checks,omitzero"` // "ok" or the error, by check name
}

// ReadyHandler serves GET and HEAD requests by running every check at
// once, each within its timeout. It replies 200 with
// {"status":"ready","checks":{"store":"ok",...}} when all pass, and 503 with
// {"status":"not ready",...} and the error of each failing check otherwise.
// Passwords in URLs and in password=... settings are masked in the errors.
func ReadyHandler(checks ...Check) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}

		results, ready := runChecks(r.Context(), checks)
		reply := readyReply{Status: "ready", Checks: results}
		status := http.StatusOK
		if !ready {
			reply.Status, status = "not ready", http.StatusServiceUnavailable
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(reply)
	})
}

// runChecks runs the checks concurrently and returns "ok" or the error
// text of each, by name, and whether all passed.
func runChecks(ctx context.Context, checks []Check) (results map[string]string, ready bool) {
	type outcome struct {
		name string
		err  error
	}
	done := make(chan outcome, len(checks))
	for _, c := range checks {
		go func() { done <- outcome{c.Name, runCheck(ctx, c)} }()
	}

	results = make(map[string]string, len(checks))
	ready = true
	for range checks {
		o := <-done
		results[o.name] = "ok"
		if o.err != nil {
			results[o.name] = checkMessage(o.err)
			ready = false
		}
	}
	return results, ready
}

// runCheck runs one check within its timeout. A check that ignores its
// context is left to finish in the background.
func runCheck(ctx context.Context, c Check) error {
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultCheckTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	errs := make(chan error, 1)
	go func() { errs <- c.Check(ctx) }()
	select {
	case err := <-errs:
		return err
	case <-ctx.Done():
		return fmt.Errorf("timed out after %s", timeout)
	}
}

var (
	urlPassword     = regexp.MustCompile(`(://[^:/@\s]*:)[^@\s]*@`)
	settingPassword = regexp.MustCompile(`(?i)(password\s*=\s*)\S+`)
)

// checkMessage is the error text that /readyz shows: passwords masked,
// cut to maxCheckMessage bytes.
func checkMessage(err error) string {
	msg := urlPassword.ReplaceAllString(err.Error(), "${1}xxxxx@")
	msg = settingPassword.ReplaceAllString(msg, "${1}xxxxx")
	if len(msg) > maxCheckMessage {
		cut := maxCheckMessage
		for cut > 0 && !utf8.RuneStart(msg[cut]) {
			cut--
		}
		msg = msg[:cut] + "…"
	}
	if msg == "" {
		msg = "failed"
	}
	return msg
}
