package authn

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestPlainEmail(t *testing.T) {
	tests := []struct {
		email string
		want  bool
	}{
		{"kate@studio.example", true},
		{"Kate.Smith-2_x@Studio.example", true},
		{"\u212aate@studio.example", false}, // Kelvin sign, which strings.ToLower folds to k
		{"kate@studio.example.", false},
		{"kate@.studio.example", false},
		{"kate@studio..example", false},
		{".kate@studio.example", false},
		{"kate.@studio.example", false},
		{"kate+films@studio.example", false},
		{"kate@studio@example", false},
		{"ada", false},
		{"@studio.example", false},
		{"kate@", false},
		{"kåte@studio.example", false},
	}
	for _, tt := range tests {
		if got := plainEmail(tt.email); got != tt.want {
			t.Errorf("plainEmail(%q) = %t, want %t", tt.email, got, tt.want)
		}
	}
}

func TestTruncateKeepsUTF8(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"ééé", 3, "é"}, // cut inside the second é
		{"ééé", 4, "éé"},
		{"a\x00b", 10, "ab"},
		{"a\xffb", 10, "a\uFFFDb"},
	}
	for _, tt := range tests {
		got := truncate(tt.in, tt.n)
		if got != tt.want {
			t.Errorf("truncate(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
		if !utf8.ValidString(got) {
			t.Errorf("truncate(%q, %d) = %q is not valid UTF-8", tt.in, tt.n, got)
		}
	}
}

func TestErrorCode(t *testing.T) {
	if got := errorCode("access_denied"); got != "access_denied" {
		t.Errorf("errorCode(access_denied) = %q", got)
	}
	if got := errorCode("bad\"code\\\x00\n" + strings.Repeat("x", 100)); got != "badcode"+strings.Repeat("x", 57) {
		t.Errorf("errorCode of a code with quotes, controls and 107 characters = %q, want the allowed characters cut to 64", got)
	}
}
