package cli

import "testing"

func TestPlural(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{0, "0 movies"},
		{1, "1 movie"},
		{2, "2 movies"},
		{-1, "-1 movies"},
		{1_000_000, "1000000 movies"},
	}
	for _, tt := range tests {
		if got := plural64(tt.n, "movie", "movies"); got != tt.want {
			t.Errorf("plural64(%d) = %q, want %q", tt.n, got, tt.want)
		}
		if got := plural(int(tt.n), "movie", "movies"); got != tt.want {
			t.Errorf("plural(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}
