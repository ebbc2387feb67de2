package web

import (
	"testing"
	"time"

	"github.com/reelpulse/reelpulse/internal/authn"
	"github.com/reelpulse/reelpulse/internal/store"
)

// TestNewTokenCookieExpires seals a new token and opens it again: within
// newTokenMaxAge for the same session and user only, whatever the browser
// does with the cookie's Max-Age.
func TestNewTokenCookieExpires(t *testing.T) {
	sealedAt := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
	owner := &authn.Identity{User: store.User{ID: 7}, SessionID: "session of user 7"}
	value, ok := sealNewToken(owner, "rp_secret", sealedAt)
	if !ok {
		t.Fatal("sealNewToken failed")
	}

	tests := []struct {
		name     string
		identity *authn.Identity
		at       time.Time
		want     bool
	}{
		{"at once", owner, sealedAt, true},
		{"within the maximum age", owner, sealedAt.Add(newTokenMaxAge), true},
		{"after the maximum age", owner, sealedAt.Add(newTokenMaxAge + time.Second), false},
		{"another session", &authn.Identity{User: store.User{ID: 7}, SessionID: "another session"}, sealedAt, false},
		{"another user with the same session id", &authn.Identity{User: store.User{ID: 8}, SessionID: "session of user 7"}, sealedAt, false},
		{"an API token", &authn.Identity{User: store.User{ID: 7}}, sealedAt, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			secret, ok := openNewToken(tt.identity, value, tt.at)
			if ok != tt.want {
				t.Fatalf("opened %t, want %t", ok, tt.want)
			}
			if ok && secret != "rp_secret" {
				t.Errorf("secret = %q, want rp_secret", secret)
			}
		})
	}
}
