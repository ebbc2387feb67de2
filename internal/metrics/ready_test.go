package metrics

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestReadyHandler(t *testing.T) {
	ok := func(context.Context) error { return nil }
	tests := []struct {
		name       string
		method     string
		checks     []Check
		wantStatus int
		wantBody   readyReply
	}{
		{
			name:       "all pass",
			checks:     []Check{{Name: "store", Check: ok}, {Name: "jobs", Check: ok}},
			wantStatus: http.StatusOK,
			wantBody:   readyReply{Status: "ready", Checks: map[string]string{"store": "ok", "jobs": "ok"}},
		},
		{
			name: "one fails",
			checks: []Check{
				{Name: "store", Check: func(context.Context) error { return errors.New("ping database: connection refused") }},
				{Name: "jobs", Check: ok},
			},
			wantStatus: http.StatusServiceUnavailable,
			wantBody:   readyReply{Status: "not ready", Checks: map[string]string{"store": "ping database: connection refused", "jobs": "ok"}},
		},
		{
			name: "check ignores its deadline",
			checks: []Check{{Name: "jobs", Timeout: 50 * time.Millisecond, Check: func(context.Context) error {
				time.Sleep(time.Second)
				return nil
			}}},
			wantStatus: http.StatusServiceUnavailable,
			wantBody:   readyReply{Status: "not ready", Checks: map[string]string{"jobs": "timed out after 50ms"}},
		},
		{
			name: "passwords masked",
			checks: []Check{{Name: "store", Check: func(context.Context) error {
				return errors.New("connect postgres://reelpulse:s3cret@db:5432/reelpulse: host=db password=s3cret failed")
			}}},
			wantStatus: http.StatusServiceUnavailable,
			wantBody: readyReply{Status: "not ready", Checks: map[string]string{
				"store": "connect postgres://reelpulse:xxxxx@db:5432/reelpulse: host=db password=xxxxx failed",
			}},
		},
		{
			name:       "no checks",
			wantStatus: http.StatusOK,
			wantBody:   readyReply{Status: "ready", Checks: map[string]string{}},
		},
		{
			name:       "POST refused",
			method:     http.MethodPost,
			checks:     []Check{{Name: "store", Check: ok}},
			wantStatus: http.StatusMethodNotAllowed,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method := tt.method
			if method == "" {
				method = http.MethodGet
			}
			rec := httptest.NewRecorder()

			ReadyHandler(tt.checks...).ServeHTTP(rec, httptest.NewRequestWithContext(t.Context(), method, "/readyz", nil))

			if rec.Code != tt.wantStatus {
				t.Errorf("status = %d, want %d", rec.Code, tt.wantStatus)
			}
			if tt.wantStatus == http.StatusMethodNotAllowed {
				return
			}
			if got := rec.Header().Get("Content-Type"); got != "application/json" {
				t.Errorf("Content-Type = %q, want application/json", got)
			}
			var body readyReply
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatalf("body %q: %v", rec.Body, err)
			}
			if body.Status != tt.wantBody.Status || len(body.Checks) != len(tt.wantBody.Checks) {
				t.Fatalf("body = %+v, want %+v", body, tt.wantBody)
			}
			for name, want := range tt.wantBody.Checks {
				if body.Checks[name] != want {
					t.Errorf("check %s = %q, want %q", name, body.Checks[name], want)
				}
			}
		})
	}
}

func TestCheckMessageCut(t *testing.T) {
	msg := checkMessage(errors.New(strings.Repeat("é", maxCheckMessage)))
	if !strings.HasSuffix(msg, "…") || len(msg) > maxCheckMessage+len("…") {
		t.Errorf("message of %d bytes not cut to %d: %q", len(msg), maxCheckMessage, msg)
	}
	if !strings.HasPrefix(msg, "éé") || strings.ContainsRune(msg, '\uFFFD') {
		t.Errorf("message cut inside a character: %q", msg)
	}
}
