package webtest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// OIDC client of the tests' provider.
const (
	OIDCClientID     = "reelpulse-tests"
	OIDCClientSecret = "client secret for tests"
)

// OIDCLogin is the provider account that the next sign-in at an
// OIDCProvider returns, and how its response is spoilt for a test.
type OIDCLogin struct {
	Subject       string
	Email         string
	EmailVerified bool
	Groups        []string

	// State replaces the state sent back to the client when set.
	State string
	// Nonce replaces the nonce of the ID token; NoNonce leaves it out.
	Nonce   string
	NoNonce bool
	// Audience replaces the client id in the aud claim when set.
	Audience string
	// Expired issues a token that expired an hour ago.
	Expired bool
	// OtherKey signs the ID token with a key that the provider does not
	// publish.
	OtherKey bool
	// Denied returns error=access_denied from the authorization.
	Denied bool
	// TokenFault makes the token endpoint respond 502 with a body that
	// repeats the request, client secret and code included, as a faulty
	// proxy might.
	TokenFault bool
}

// OIDCProvider is an OpenID Connect provider on 127.0.0.1 with discovery,
// key set, authorization and token endpoints. Its authorization endpoint
// signs in at once as the account of SetLogin, and its token endpoint
// checks the client secret, the redirect URI and the PKCE verifier.
type OIDCProvider struct {
	URL string // the issuer

	server *httptest.Server
	key    *rsa.PrivateKey
	other  *rsa.PrivateKey

	mu    sync.Mutex
	down  bool // discovery fails with 503
	login OIDCLogin
	codes map[string]oidcGrant
	// exchanges counts the codes exchanged for tokens.
	exchanges int
}

type oidcGrant struct {
	login       OIDCLogin
	nonce       string
	challenge   string
	redirectURI string
}

// testKeys are generated once per test binary: RSA key generation is slow.
var testKeys = sync.OnceValues(func() (*rsa.PrivateKey, *rsa.PrivateKey) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return key, other
})

// NewOIDCProvider starts a provider that the test closes at its end.
func NewOIDCProvider(t testing.TB) *OIDCProvider {
	t.Helper()
	p := &OIDCProvider{codes: map[string]oidcGrant{}}
	p.key, p.other = testKeys()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", p.discovery)
	mux.HandleFunc("GET /keys", p.keys)
	mux.HandleFunc("GET /authorize", p.authorize)
	mux.HandleFunc("POST /token", p.token)
	p.server = httptest.NewServer(mux)
	t.Cleanup(p.server.Close)
	p.URL = p.server.URL
	return p
}

// SetLogin sets the account and the spoilers of the next sign-ins.
func (p *OIDCProvider) SetLogin(login OIDCLogin) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.login = login
}

// SetDown makes the discovery document fail with 503 Service Unavailable
// while down is true.
func (p *OIDCProvider) SetDown(down bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = down
}

// Exchanges returns the number of codes exchanged for tokens so far.
func (p *OIDCProvider) Exchanges() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.exchanges
}

func (p *OIDCProvider) discovery(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	down := p.down
	p.mu.Unlock()
	if down {
		http.Error(w, "provider down for the test", http.StatusServiceUnavailable)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                p.URL,
		"authorization_endpoint":                p.URL + "/authorize",
		"token_endpoint":                        p.URL + "/token",
		"jwks_uri":                              p.URL + "/keys",
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"code_challenge_methods_supported":      []string{"S256"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic"},
	})
}

func (p *OIDCProvider) keys(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
		{Key: &p.key.PublicKey, KeyID: "test-key", Algorithm: "RS256", Use: "sig"},
	}})
}

func (p *OIDCProvider) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	redirect, err := url.Parse(q.Get("redirect_uri"))
	switch {
	case err != nil || redirect.Host == "":
		http.Error(w, "missing redirect_uri", http.StatusBadRequest)
		return
	case q.Get("client_id") != OIDCClientID || q.Get("response_type") != "code":
		http.Error(w, "unknown client or response type", http.StatusBadRequest)
		return
	case q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "":
		http.Error(w, "PKCE with S256 is required", http.StatusBadRequest)
		return
	}
	p.mu.Lock()
	login := p.login
	code := rand.Text()
	p.codes[code] = oidcGrant{login: login, nonce: q.Get("nonce"), challenge: q.Get("code_challenge"), redirectURI: redirect.String()}
	p.mu.Unlock()

	back := redirect.Query()
	back.Set("state", q.Get("state"))
	if login.State != "" {
		back.Set("state", login.State)
	}
	if login.Denied {
		back.Set("error", "access_denied")
		back.Set("error_description", "the user declined")
	} else {
		back.Set("code", code)
	}
	redirect.RawQuery = back.Encode()
	http.Redirect(w, r, redirect.String(), http.StatusSeeOther)
}

func (p *OIDCProvider) token(w http.ResponseWriter, r *http.Request) {
	id, secret, ok := r.BasicAuth()
	if ok {
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	} else {
		id, secret = r.PostFormValue("client_id"), r.PostFormValue("client_secret")
	}
	if id != OIDCClientID || secret != OIDCClientSecret {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client"})
		return
	}

	p.mu.Lock()
	grant, found := p.codes[r.PostFormValue("code")]
	if found && grant.login.TokenFault {
		p.mu.Unlock()
		w.WriteHeader(http.StatusBadGateway)
		_, _ = fmt.Fprintf(w, "upstream failed for code=%s client_secret=%s", r.PostFormValue("code"), secret)
		return
	}
	delete(p.codes, r.PostFormValue("code"))
	p.exchanges++
	p.mu.Unlock()
	sum := sha256.Sum256([]byte(r.PostFormValue("code_verifier")))
	switch {
	case r.PostFormValue("grant_type") != "authorization_code" || !found:
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant"})
		return
	case r.PostFormValue("redirect_uri") != grant.redirectURI:
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant", "error_description": "redirect_uri differs"})
		return
	case base64.RawURLEncoding.EncodeToString(sum[:]) != grant.challenge:
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant", "error_description": "PKCE verifier does not match"})
		return
	}

	idToken, err := p.idToken(grant)
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "server_error"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": rand.Text(), "token_type": "Bearer", "expires_in": 3600, "id_token": idToken,
	})
}

// idToken signs the ID token of the grant, spoilt as its login sets.
func (p *OIDCProvider) idToken(grant oidcGrant) (string, error) {
	login := grant.login
	key := p.key
	if login.OtherKey {
		key = p.other
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", "test-key"))
	if err != nil {
		return "", err
	}
	now := time.Now()
	if login.Expired {
		now = now.Add(-2 * time.Hour)
	}

	audience := OIDCClientID
	if login.Audience != "" {
		audience = login.Audience
	}
	claims := map[string]any{
		"iss": p.URL, "sub": login.Subject, "aud": audience,
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
		"email": login.Email, "email_verified": login.EmailVerified,
	}
	if login.Email == "" {
		delete(claims, "email")
	}
	if login.Groups != nil {
		claims["groups"] = login.Groups
	}
	switch {
	case login.NoNonce:
	case login.Nonce != "":
		claims["nonce"] = login.Nonce
	default:
		claims["nonce"] = grant.nonce
	}
	return jwt.Signed(signer).Claims(claims).Serialize()
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
