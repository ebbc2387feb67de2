package auth

import (
	"regexp"
	"strings"
	"testing"
)

func TestSecrets(t *testing.T) {
	tests := []struct {
		name    string
		newFunc func() string
		pattern string
	}{
		{"session id", NewSessionID, `^[A-Za-z0-9_-]{43}$`},
		{"API token", NewAPIToken, `^rp_[A-Za-z0-9_-]{43}$`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seen := map[string]bool{}
			for range 100 {
				s := tt.newFunc()
				if !regexp.MustCompile(tt.pattern).MatchString(s) {
					t.Fatalf("%q does not match %s", s, tt.pattern)
				}
				if seen[s] {
					t.Fatalf("%q returned twice", s)
				}
				seen[s] = true
			}
		})
	}
}

func TestHashSecret(t *testing.T) {
	// SHA-256 of "abc" (FIPS 180-2, appendix B.1).
	if got := HashSecret("abc"); got != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Errorf("HashSecret(abc) = %s", got)
	}
	token := NewAPIToken()
	if HashSecret(token) == HashSecret(NewAPIToken()) {
		t.Errorf("two tokens share a hash")
	}
	if strings.Contains(HashSecret(token), token[len(TokenPrefix):]) {
		t.Errorf("hash contains the token")
	}
}

func TestTokenDisplayPrefix(t *testing.T) {
	tests := []struct {
		token string
		want  string
	}{
		{"rp_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcde", "rp_AbCdEf"},
		{"rp_Ab", "rp_Ab"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := TokenDisplayPrefix(tt.token); got != tt.want {
			t.Errorf("TokenDisplayPrefix(%q) = %q, want %q", tt.token, got, tt.want)
		}
	}
}

func TestIsAPIToken(t *testing.T) {
	valid := NewAPIToken()
	tests := []struct {
		name  string
		value string
		want  bool
	}{
		{"new token", valid, true},
		{"no prefix", valid[len(TokenPrefix):], false},
		{"other prefix", "gh_" + valid[len(TokenPrefix):], false},
		{"one character short", valid[:len(valid)-1], false},
		{"one character long", valid + "A", false},
		{"standard base64", "rp_" + strings.Repeat("+", 43), false},
		{"session id", NewSessionID(), false},
		{"empty", "", false},
	}
	for _, tt := range tests {
		if got := IsAPIToken(tt.value); got != tt.want {
			t.Errorf("%s: IsAPIToken(%q) = %v, want %v", tt.name, tt.value, got, tt.want)
		}
	}
}
