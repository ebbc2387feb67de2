package authn_test

import (
	"strings"
	"testing"

	"github.com/reelpulse/reelpulse/internal/authn"
	"github.com/reelpulse/reelpulse/internal/web/webtest"
)

func TestNewOIDCSettings(t *testing.T) {
	provider := webtest.NewOIDCProvider(t)
	accounts := webtest.NewAccounts(t, nil)
	complete := authn.OIDCConfig{IssuerURL: provider.URL, ClientID: webtest.OIDCClientID, BaseURL: "https://reelpulse.example.org/"}

	tests := []struct {
		name   string
		change func(c *authn.OIDCConfig)
		want   string // empty when NewOIDC must succeed
	}{
		{"complete", func(*authn.OIDCConfig) {}, ""},
		{"no issuer", func(c *authn.OIDCConfig) { c.IssuerURL = "" }, "REELPULSE_OIDC_ISSUER_URL"},
		{"no client id", func(c *authn.OIDCConfig) { c.ClientID = "" }, "REELPULSE_OIDC_CLIENT_ID"},
		{"no base URL", func(c *authn.OIDCConfig) { c.BaseURL = "" }, "REELPULSE_BASE_URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := complete
			tt.change(&cfg)
			sso, err := accounts.Auth.NewOIDC(t.Context(), cfg)
			if tt.want != "" {
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("NewOIDC = %v, want an error naming %s", err, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatalf("NewOIDC: %v", err)
			}
			if got := sso.RedirectURL(); got != "https://reelpulse.example.org"+authn.OIDCCallbackPath {
				t.Errorf("RedirectURL = %q, want the base URL without its slash and the callback path", got)
			}
			if got := sso.DisplayName(); got != "SSO" {
				t.Errorf("DisplayName = %q, want the default SSO", got)
			}
		})
	}
}
