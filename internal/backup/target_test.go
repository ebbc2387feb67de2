package backup_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/reelpulse/reelpulse/internal/backup"
)

func TestParseTarget(t *testing.T) {
	dir := filepath.ToSlash(t.TempDir())
	tests := []struct {
		name     string
		location string
		want     string // the target's String, or "" for an error
		inError  string // a part of the error, for locations that are rejected
	}{
		{"plain path", dir + "/plain", "file://" + dir + "/plain", ""},
		{"file URL", "file://" + dir + "/url", "file://" + dir + "/url", ""},
		{"file URL on localhost", "file://localhost" + dir + "/local", "file://" + dir + "/local", ""},
		{"empty", "", "", "missing backup target"},
		{"file URL on another host", "file://backups.example/var/backups", "", "names a local directory"},
		{"s3 without bucket", "s3:///reelpulse", "", "name the bucket"},
		{"unknown scheme", "ftp://backups.example/reelpulse", "", "use s3://bucket/prefix"},
		{"s3 with credentials", "s3://AKIAEXAMPLE:s3cr3t@bucket/reelpulse", "", "set AWS_ACCESS_KEY_ID"},
		{"file URL with user", "file://someone@localhost" + dir, "", "remove the credentials"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			target, err := backup.ParseTarget(tt.location, backup.S3Config{})
			if tt.want != "" {
				if err != nil {
					t.Fatalf("ParseTarget(%q): %v", tt.location, err)
				}
				if got := target.String(); got != tt.want {
					t.Errorf("target = %s, want %s", got, tt.want)
				}
				return
			}

			if err == nil {
				t.Fatalf("ParseTarget(%q) = %v, want an error", tt.location, target)
			}
			if !strings.Contains(err.Error(), tt.inError) {
				t.Errorf("error %q does not contain %q", err, tt.inError)
			}
			if strings.Contains(err.Error(), "s3cr3t") {
				t.Errorf("error %q shows the secret key", err)
			}
		})
	}
}
