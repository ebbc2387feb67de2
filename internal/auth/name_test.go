package auth

import (
	"strings"
	"testing"
)

func TestCheckUserName(t *testing.T) {
	tests := []struct {
		name    string
		wantErr string
	}{
		{"ada", ""},
		{"Ada.Lovelace", ""},
		{"ada@example.org", ""},
		{"7of9", ""},
		{strings.Repeat("a", 64), ""},
		{strings.Repeat("a", 65), "invalid user name"},
		{"", "invalid user name"},
		{"-ada", "invalid user name"},
		{"ada lovelace", "invalid user name"},
		{"ada\n", "invalid user name"},
		{"adé", "invalid user name"},
		{"cli", "reserved"},
	}
	for _, tt := range tests {
		err := CheckUserName(tt.name)
		if tt.wantErr == "" && err != nil {
			t.Errorf("CheckUserName(%q) = %v, want nil", tt.name, err)
		}
		if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("CheckUserName(%q) = %v, want an error containing %q", tt.name, err, tt.wantErr)
		}
	}
}
