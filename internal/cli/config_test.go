package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runConfigWith runs `reelpulse config` in an empty directory with the
// given settings and returns its standard output and error.
func runConfigWith(t *testing.T, settings map[string]string) (string, error) {
	t.Helper()
	isolate(t, settings)
	var stdout, stderr bytes.Buffer
	err := runConfig(context.Background(), &environment{stdout: &stdout, stderr: &stderr}, nil)
	return stdout.String() + stderr.String(), err
}

// `reelpulse config` shows SQLite paths in full, hides the password of a
// URL even when the URL does not parse, and rejects what serve would
// refuse to start with.
func TestConfigCommand(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	valid := write("valid.json", `{"aspects": [{"name": "humor", "description": "jokes and comic timing", "terms": ["funny"]}]}`)
	builtIn := write("acting.json", `{"aspects": [{"name": "acting"}]}`)
	notJSON := write("broken.json", `{"aspects": [`)
	missing := filepath.Join(dir, "absent.json")

	tests := []struct {
		name     string
		settings map[string]string
		want     []string // in the output
		wantErr  []string // in the error; nil when config must succeed
	}{
		{"defaults", nil, []string{"DATABASE_URL=reelpulse.db\n"}, nil},
		{"SQLite path", map[string]string{"DATABASE_URL": "/tmp/x.db"}, []string{"DATABASE_URL=/tmp/x.db\n"}, nil},
		{"PostgreSQL password", map[string]string{"DATABASE_URL": "postgres://u:secret@127.0.0.1:1/db"},
			[]string{"DATABASE_URL=postgres://u:xxxxx@127.0.0.1:1/db\n"}, nil},
		{"bad escape in the password", map[string]string{"DATABASE_URL": "postgres://u:sec%ret@127.0.0.1:1/db"},
			[]string{"DATABASE_URL=postgres://u:xxxxx@127.0.0.1:1/db\n"}, []string{"DATABASE_URL", "percent-encode", "%25"}},
		{"# in the password", map[string]string{"DATABASE_URL": "postgres://u:sec#ret@127.0.0.1:1/db"},
			[]string{"DATABASE_URL=postgres://u:xxxxx@127.0.0.1:1/db\n"}, []string{"DATABASE_URL", "%23"}},
		{"password in a backup target", map[string]string{"REELPULSE_BACKUP_TARGET": "s3://key:secret@bucket/reelpulse"},
			[]string{"REELPULSE_BACKUP_TARGET=s3://key:xxxxx@bucket/reelpulse\n"}, nil},
		{"NaN rate", map[string]string{"REELPULSE_REQUESTS_PER_SECOND": "NaN"}, nil, []string{"REELPULSE_REQUESTS_PER_SECOND", "decimal number"}},
		{"aspects file", map[string]string{"REELPULSE_ASPECTS_FILE": valid}, []string{"REELPULSE_ASPECTS_FILE=" + valid}, nil},
		{"aspects file repeating a built-in aspect", map[string]string{"REELPULSE_ASPECTS_FILE": builtIn}, nil, []string{builtIn, `"acting"`}},
		{"aspects file of broken JSON", map[string]string{"REELPULSE_ASPECTS_FILE": notJSON}, nil, []string{notJSON, "expected"}},
		{"missing aspects file", map[string]string{"REELPULSE_ASPECTS_FILE": missing}, nil, []string{"REELPULSE_ASPECTS_FILE", missing}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := runConfigWith(t, tt.settings)
			for _, want := range tt.want {
				if !strings.Contains(out, want) {
					t.Errorf("output lacks %q:\n%s", want, out)
				}
			}
			switch {
			case tt.wantErr == nil && err != nil:
				t.Errorf("config failed: %v", err)
			case tt.wantErr != nil && err == nil:
				t.Errorf("config accepted the settings, want an error with %q", tt.wantErr)
			}
			for _, want := range tt.wantErr {
				if err != nil && !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
			all := out
			if err != nil {
				all += err.Error()
			}
			if strings.Contains(all, "secret") || strings.Contains(all, "sec%ret") || strings.Contains(all, "sec#ret") {
				t.Errorf("output or error shows a password:\n%s", all)
			}
		})
	}
}

// TestConfigWarnsOfIMDbURLsLeft changes one IMDb URL and expects config to
// name the others, which still point at IMDb, as every command does.
func TestConfigWarnsOfIMDbURLsLeft(t *testing.T) {
	out, err := runConfigWith(t, map[string]string{"REELPULSE_IMDB_BASE_URL": "http://127.0.0.1:18080"})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"warning: some IMDb URLs were changed", "REELPULSE_IMDB_GRAPHQL_URL", "REELPULSE_IMDB_SUGGEST_URL"} {
		if !strings.Contains(out, want) {
			t.Errorf("config output lacks %q:\n%s", want, out)
		}
	}
}
