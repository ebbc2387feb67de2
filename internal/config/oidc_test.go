package config

import (
	"reflect"
	"strings"
	"testing"
)

func TestLoadOIDC(t *testing.T) {
	on := map[string]string{
		"REELPULSE_BASE_URL":           "https://reelpulse.example.org",
		"REELPULSE_OIDC_ISSUER_URL":    "https://id.example.org/realms/studio",
		"REELPULSE_OIDC_CLIENT_ID":     "reelpulse",
		"REELPULSE_OIDC_CLIENT_SECRET": "oidc-test-secret",
	}
	with := func(changes map[string]string) map[string]string {
		vars := map[string]string{}
		for k, v := range on {
			vars[k] = v
		}
		for k, v := range changes {
			if v == "-" {
				delete(vars, k)
			} else {
				vars[k] = v
			}
		}
		return vars
	}
	tests := []struct {
		name string
		vars map[string]string
		want string // empty when Load must succeed
	}{
		{"off by default", nil, ""},
		{"on", on, ""},
		{"loopback http issuer", with(map[string]string{"REELPULSE_OIDC_ISSUER_URL": "http://127.0.0.1:5556/dex"}), ""},
		{"localhost http issuer", with(map[string]string{"REELPULSE_OIDC_ISSUER_URL": "http://localhost:8081/realms/test"}), ""},
		{"public client without secret", with(map[string]string{"REELPULSE_OIDC_CLIENT_SECRET": "-"}), ""},
		{"http issuer on the network", with(map[string]string{"REELPULSE_OIDC_ISSUER_URL": "http://id.example.org"}), "must use https"},
		{"issuer with a query", with(map[string]string{"REELPULSE_OIDC_ISSUER_URL": "https://id.example.org/?tenant=1"}), "REELPULSE_OIDC_ISSUER_URL"},
		{"issuer without scheme", with(map[string]string{"REELPULSE_OIDC_ISSUER_URL": "id.example.org"}), "https:// issuer URL"},
		{"no client id", with(map[string]string{"REELPULSE_OIDC_CLIENT_ID": "-"}), "REELPULSE_OIDC_CLIENT_ID"},
		{"no base URL", with(map[string]string{"REELPULSE_BASE_URL": "-"}), "REELPULSE_BASE_URL"},
		{"claim without values", with(map[string]string{"REELPULSE_OIDC_ADMIN_CLAIM": "groups"}), "REELPULSE_OIDC_ADMIN_VALUES"},
		{"values without claim", with(map[string]string{"REELPULSE_OIDC_ADMIN_VALUES": "admins"}), "REELPULSE_OIDC_ADMIN_CLAIM"},
		{"bad domain", with(map[string]string{"REELPULSE_OIDC_ALLOWED_DOMAINS": "studio.example, not a domain"}), "not a domain"},
		{"bad create flag", with(map[string]string{"REELPULSE_OIDC_CREATE_USERS": "sometimes"}), "true or false"},
		{"long name", with(map[string]string{"REELPULSE_OIDC_NAME": strings.Repeat("x", 41)}), "1 to 40"},
		{"settings without issuer", map[string]string{"REELPULSE_OIDC_CLIENT_ID": "reelpulse", "REELPULSE_OIDC_CLIENT_SECRET": "oidc-test-secret"},
			"REELPULSE_OIDC_ISSUER_URL is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(lookupMap(tt.vars))
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("Load: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("Load = %v, want an error with %q", err, tt.want)
			case err != nil && strings.Contains(err.Error(), "oidc-test-secret"):
				t.Errorf("error %q shows the client secret", err)
			}
		})
	}
}

func TestLoadOIDCValues(t *testing.T) {
	cfg, err := Load(lookupMap(map[string]string{
		"REELPULSE_BASE_URL":             "https://reelpulse.example.org",
		"REELPULSE_OIDC_ISSUER_URL":      "https://accounts.google.com",
		"REELPULSE_OIDC_CLIENT_ID":       "1234.apps.googleusercontent.com",
		"REELPULSE_OIDC_CLIENT_SECRET":   "oidc-test-secret",
		"REELPULSE_OIDC_NAME":            " Google ",
		"REELPULSE_OIDC_CREATE_USERS":    "true",
		"REELPULSE_OIDC_ALLOWED_DOMAINS": "Studio.Example, @post.studio.example,,studio.example",
		"REELPULSE_OIDC_ADMIN_CLAIM":     "groups",
		"REELPULSE_OIDC_ADMIN_VALUES":    "reelpulse-admins, ops ",
	}))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := OIDCConfig{
		IssuerURL: "https://accounts.google.com", ClientID: "1234.apps.googleusercontent.com", ClientSecret: "oidc-test-secret",
		DisplayName: "Google", CreateUsers: true, AllowedDomains: []string{"studio.example", "post.studio.example"},
		AdminClaim: "groups", AdminValues: []string{"reelpulse-admins", "ops"},
	}
	if !reflect.DeepEqual(cfg.OIDC, want) {
		t.Errorf("OIDC = %+v, want %+v", cfg.OIDC, want)
	}
	cfg, err = Load(lookupMap(nil))
	if err != nil || cfg.OIDC.DisplayName != "SSO" || cfg.OIDC.CreateUsers {
		t.Errorf("default OIDC = %+v, %v; want the name SSO and no creation", cfg.OIDC, err)
	}

	dump := strings.Join(Dump(lookupMap(map[string]string{"REELPULSE_OIDC_CLIENT_SECRET": "oidc-test-secret"})), "\n")
	if strings.Contains(dump, "oidc-test-secret") || !strings.Contains(dump, "REELPULSE_OIDC_CLIENT_SECRET=xxxxx") {
		t.Errorf("dump does not mask the client secret:\n%s", dump)
	}
}
