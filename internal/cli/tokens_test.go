package cli

import (
	"bytes"
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/reelpulse/reelpulse/internal/auth"
	"github.com/reelpulse/reelpulse/internal/store"
)

// lastLine returns the last line of out.
func lastLine(out string) string {
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	return lines[len(lines)-1]
}

func TestTokensCommands(t *testing.T) {
	at := newAccountsTest(t)
	at.mustRun("ada's password here\n", runUsers, "add", "ada", "--role", "admin", "--password-stdin")
	at.mustRun("bob's password here\n", runUsers, "add", "bob", "--role", "analyst", "--password-stdin")

	before := time.Now()
	out := at.mustRun("", runTokens, "create", "--user", "ada", "--name", "ci", "--expires", "720h")
	token := lastLine(out)
	if !auth.IsAPIToken(token) {
		t.Fatalf("last line %q is not a token; output:\n%s", token, out)
	}
	other := lastLine(at.mustRun("", runTokens, "create", "--user", "ada", "--expires", "30d"))
	bobs := lastLine(at.mustRun("", runTokens, "create", "--user", "bob"))
	if other == token || !auth.IsAPIToken(other) || !auth.IsAPIToken(bobs) {
		t.Fatalf("tokens %q, %q and %q are not three distinct tokens", token, other, bobs)
	}

	s := at.open()
	ctx := context.Background()
	stored, user, err := s.TokenUser(ctx, auth.HashSecret(token))
	if err != nil {
		t.Fatalf("the token's SHA-256 is not stored: %v", err)
	}
	if user.Name != "ada" || stored.Name != "ci" || stored.Prefix != token[:9] {
		t.Errorf("stored token %+v of %s, want ada's token ci starting with %s", stored, user.Name, token[:9])
	}
	if stored.ExpiresAt == nil || stored.ExpiresAt.Before(before.Add(720*time.Hour)) || stored.ExpiresAt.After(time.Now().Add(720*time.Hour)) {
		t.Errorf("token expires at %v, want 720 h after creation", stored.ExpiresAt)
	}
	if !stored.Usable(time.Now()) {
		t.Errorf("the new token is not usable")
	}
	// The Account page offers lifetimes in days; so does the command line.
	if inDays, _, err := s.TokenUser(ctx, auth.HashSecret(other)); err != nil || inDays.ExpiresAt == nil ||
		inDays.ExpiresAt.Before(before.Add(30*24*time.Hour)) || inDays.ExpiresAt.After(time.Now().Add(30*24*time.Hour)) {
		t.Errorf("token created with --expires 30d expires at %v (%v), want 30 days after creation", inDays.ExpiresAt, err)
	}

	out = at.mustRun("", runTokens, "list", "--user", "ada")
	if !strings.Contains(out, token[:9]) || !strings.Contains(out, "ci") || strings.Contains(out, token) || strings.Contains(out, bobs[:9]) {
		t.Errorf("ada's token list shows the wrong tokens or a whole token:\n%s", out)
	}

	bobsStored, _, err := s.TokenUser(ctx, auth.HashSecret(bobs))
	if err != nil {
		t.Fatal(err)
	}
	bobsID := strconv.FormatInt(bobsStored.ID, 10)
	_, err = at.run("", runTokens, "revoke", "--user", "ada", bobsID)
	if err == nil || !strings.Contains(err.Error(), "ada has no token "+bobsID) {
		t.Errorf("revoking bob's token as ada: %v, want ada has no token %s", err, bobsID)
	}
	if bobsStored, _, _ = s.TokenUser(ctx, auth.HashSecret(bobs)); bobsStored.RevokedAt != nil {
		t.Errorf("bob's token was revoked through ada")
	}

	at.mustRun("", runTokens, "revoke", strconv.FormatInt(stored.ID, 10), "--user", "ada")
	if stored, _, _ = s.TokenUser(ctx, auth.HashSecret(token)); stored.Usable(time.Now()) {
		t.Errorf("the revoked token is still usable")
	}
	// A second revoke prints that the token was already revoked, changes
	// nothing and writes no second audit event.
	firstRevoke := *stored.RevokedAt
	out = at.mustRun("", runTokens, "revoke", strconv.FormatInt(stored.ID, 10), "--user", "ada")
	if want := "token " + strconv.FormatInt(stored.ID, 10) + " of ada was already revoked on "; !strings.HasPrefix(out, want) || !strings.Contains(out, "nothing changed") {
		t.Errorf("second revoke printed %q, want it to start with %q and say nothing changed", out, want)
	}
	if stored, _, _ = s.TokenUser(ctx, auth.HashSecret(token)); !stored.RevokedAt.Equal(firstRevoke) {
		t.Errorf("second revoke moved RevokedAt from %v to %v", firstRevoke, stored.RevokedAt)
	}
	if out := at.mustRun("", runTokens, "list", "--user", "ada"); !strings.Contains(out, "revoked") {
		t.Errorf("list does not show the revoke:\n%s", out)
	}

	at.mustRun("", runUsers, "disable", "bob")
	if _, err := at.run("", runTokens, "create", "--user", "bob"); err == nil || !strings.Contains(err.Error(), "users enable bob") {
		t.Errorf("token for a disabled user: %v, want a rejection that suggests enabling bob", err)
	}

	events, _ := s.ListAudit(ctx, 100, 0)
	counts := map[string]int{}
	for _, e := range events {
		counts[e.Action]++
		for _, secret := range []string{token, other, bobs} {
			if strings.Contains(e.Detail, secret) || strings.Contains(e.Target, secret) {
				t.Errorf("audit event %+v contains a token", e)
			}
		}
	}
	if counts[store.AuditTokenCreate] != 3 || counts[store.AuditTokenRevoke] != 1 {
		t.Errorf("audit log counts %v, want 3 token_create and 1 token_revoke", counts)
	}

	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	db := at.databaseBytes()
	for _, secret := range []string{token, other, bobs} {
		// The part after the displayed prefix must appear nowhere.
		hidden := secret[len(auth.TokenDisplayPrefix(secret)):]
		if bytes.Contains(db, []byte(hidden)) {
			t.Errorf("the database files contain the token %s… in clear", secret[:9])
		}
		if strings.Contains(at.logs.String(), hidden) {
			t.Errorf("the log contains the token %s…", secret[:9])
		}
	}
	if !strings.Contains(at.logs.String(), "API token created") {
		t.Errorf("the log has no entries to check:\n%s", at.logs.String())
	}
}

func TestTokensBadInput(t *testing.T) {
	at := newAccountsTest(t)
	at.mustRun("ada's password here\n", runUsers, "add", "ada", "--role", "admin", "--password-stdin")

	tests := []struct {
		name    string
		args    []string
		wantErr string // "" for errUsage
	}{
		{"no action", nil, ""},
		{"unknown action", []string{"delete"}, ""},
		{"create without user", []string{"create"}, ""},
		{"create with an argument", []string{"create", "--user", "ada", "extra"}, ""},
		{"negative expiry", []string{"create", "--user", "ada", "--expires", "-1h"}, `invalid --expires "-1h"`},
		{"expiry in weeks", []string{"create", "--user", "ada", "--expires", "4w"}, `invalid --expires "4w": give a number of days such as 30d`},
		{"expiry of zero days", []string{"create", "--user", "ada", "--expires", "0d"}, `invalid --expires "0d": give a whole number of days from 1 to 36500`},
		{"unknown user", []string{"create", "--user", "bob"}, `no user is named "bob"`},
		{"list without user", []string{"list"}, ""},
		{"revoke without id", []string{"revoke", "--user", "ada"}, ""},
		{"revoke a word", []string{"revoke", "--user", "ada", "first"}, `invalid token id "first"`},
		{"revoke an unknown id", []string{"revoke", "--user", "ada", "99"}, "ada has no token 99"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := at.run("", runTokens, tt.args...)
			if tt.wantErr == "" {
				if !errors.Is(err, errUsage) {
					t.Errorf("error %v, want errUsage", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestParseLifetime(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Duration
		wantErr bool
	}{
		{"0", 0, false},
		{"30d", 30 * 24 * time.Hour, false},
		{"365d", 365 * 24 * time.Hour, false},
		{" 90d ", 90 * 24 * time.Hour, false},
		{"720h", 720 * time.Hour, false},
		{"1h30m", 90 * time.Minute, false},
		{"36500d", 36500 * 24 * time.Hour, false},
		{"36501d", 0, true},
		{"0d", 0, true},
		{"-30d", 0, true},
		{"1.5d", 0, true},
		{"d", 0, true},
		{"30", 0, true},
		{"-1h", 0, true},
		{"0s", 0, true},
		{"1000000h", 0, true},
		{"2w", 0, true},
	}
	for _, tt := range tests {
		got, err := parseLifetime(tt.in)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("parseLifetime(%q) = %v, %v; want %v, error %t", tt.in, got, err, tt.want, tt.wantErr)
		}
		if err != nil && !strings.Contains(err.Error(), "30d") {
			t.Errorf("parseLifetime(%q) error %q does not show the days form", tt.in, err)
		}
	}
}
