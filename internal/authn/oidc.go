package authn

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/reelpulse/reelpulse/internal/auth"
	"github.com/reelpulse/reelpulse/internal/store"
)

// Paths of the sign-in through an OpenID Connect provider. The sign-in
// page links to OIDCStartPath, and the provider sends the browser back to
// REELPULSE_BASE_URL + OIDCCallbackPath, the address to register at the
// provider.
const (
	OIDCStartPath    = "/signin/oidc"
	OIDCCallbackPath = "/signin/oidc/callback"
)

// oidcCookieName is the cookie that carries the state, the nonce and the
// PKCE verifier of a sign-in in progress from its start to the callback.
const oidcCookieName = "reelpulse_oidc"

// oidcFlowTimeout bounds the time from the start of a sign-in to the
// callback.
const oidcFlowTimeout = 10 * time.Minute

// oidcRetryAfter is how long a failed discovery of the provider is not
// tried again: sign-ins in that time fail at once.
const oidcRetryAfter = 10 * time.Second

// oidcHTTPTimeout bounds each request to the provider.
const oidcHTTPTimeout = 10 * time.Second

// ErrOIDCUnavailable is returned by StartOIDC and OIDCCallback while the
// provider's discovery document cannot be read.
var ErrOIDCUnavailable = errors.New("the single sign-on provider cannot be reached")

// OIDCConfig holds the settings of the sign-in through an OpenID Connect
// provider, as REELPULSE_OIDC_* and REELPULSE_BASE_URL give them.
type OIDCConfig struct {
	IssuerURL    string
	ClientID     string
	ClientSecret string
	// BaseURL is REELPULSE_BASE_URL; the redirect URL is BaseURL +
	// OIDCCallbackPath.
	BaseURL string
	// DisplayName is the provider's name on the sign-in button.
	DisplayName string
	// CreateUsers creates a user at the first sign-in of a provider
	// account whose verified email names no user.
	CreateUsers bool
	// AllowedDomains are the lower-case email domains that may sign in
	// for the first time; empty allows every domain.
	AllowedDomains []string
	// AdminClaim and AdminValues make a user admin when the ID token's
	// claim holds one of the values; an empty AdminClaim leaves roles
	// alone.
	AdminClaim  string
	AdminValues []string
	// HTTPClient reaches the provider; nil means a client with a
	// 10-second timeout.
	HTTPClient *http.Client
}

// OIDC signs users in through an OpenID Connect provider with the
// authorization code flow and PKCE. It is safe for concurrent use.
type OIDC struct {
	a      *Authenticator
	cfg    OIDCConfig
	client *http.Client

	mu       sync.Mutex // guards the fields below
	verifier *oidc.IDTokenVerifier
	oauth    *oauth2.Config
	failedAt time.Time
	failure  error
}

// NewOIDC returns the provider sign-in of a and reads the provider's
// discovery document. A failed read is logged and tried again at the next
// sign-in, at most every 10 seconds, so passwords keep working while the
// provider is away. Only missing settings return an error.
func (a *Authenticator) NewOIDC(ctx context.Context, cfg OIDCConfig) (*OIDC, error) {
	switch {
	case cfg.IssuerURL == "":
		return nil, errors.New("authn: missing OIDCConfig.IssuerURL: set REELPULSE_OIDC_ISSUER_URL")
	case cfg.ClientID == "":
		return nil, errors.New("authn: missing OIDCConfig.ClientID: set REELPULSE_OIDC_CLIENT_ID")
	case cfg.BaseURL == "":
		return nil, errors.New("authn: missing OIDCConfig.BaseURL: set REELPULSE_BASE_URL, from which the callback address is made")
	}
	cfg.BaseURL = strings.TrimSuffix(cfg.BaseURL, "/")
	if cfg.DisplayName == "" {
		cfg.DisplayName = "SSO"
	}
	o := &OIDC{a: a, cfg: cfg, client: cfg.HTTPClient}
	if o.client == nil {
		o.client = &http.Client{Timeout: oidcHTTPTimeout}
	}
	if _, _, err := o.discover(ctx); err != nil {
		a.logger.Error("Reading the single sign-on provider's discovery document failed; password sign-in works, and each single sign-on tries again",
			"issuer", cfg.IssuerURL, "error", err)
	} else {
		a.logger.Info("Single sign-on ready", "issuer", cfg.IssuerURL, "redirect_url", o.RedirectURL())
	}
	return o, nil
}

// DisplayName returns the provider's name for the sign-in button.
func (o *OIDC) DisplayName() string { return o.cfg.DisplayName }

// RedirectURL returns the callback address to register at the provider.
func (o *OIDC) RedirectURL() string { return o.cfg.BaseURL + OIDCCallbackPath }

// discover returns the token verifier and the OAuth 2 settings, reading
// the discovery document the first time and after a failure.
func (o *OIDC) discover(ctx context.Context) (*oidc.IDTokenVerifier, *oauth2.Config, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.verifier != nil {
		return o.verifier, o.oauth, nil
	}
	if o.failure != nil && o.a.now().Sub(o.failedAt) < oidcRetryAfter {
		return nil, nil, o.failure
	}
	// The discovery outlives the request that started it, because a client
	// that hangs up must not make it fail for the next 10 seconds.
	ctx, cancel := context.WithTimeout(oidc.ClientContext(context.WithoutCancel(ctx), o.client), oidcHTTPTimeout)
	defer cancel()
	provider, err := oidc.NewProvider(ctx, o.cfg.IssuerURL)
	if err != nil {
		o.failure = fmt.Errorf("%w: read the discovery document of %s: %w", ErrOIDCUnavailable, o.cfg.IssuerURL, err)
		o.failedAt = o.a.now()
		return nil, nil, o.failure
	}
	o.failure = nil
	o.verifier = provider.Verifier(&oidc.Config{ClientID: o.cfg.ClientID, Now: o.a.now})
	o.oauth = &oauth2.Config{
		ClientID:     o.cfg.ClientID,
		ClientSecret: o.cfg.ClientSecret,
		Endpoint:     provider.Endpoint(),
		RedirectURL:  o.RedirectURL(),
		Scopes:       []string{oidc.ScopeOpenID, "email", "profile"},
	}
	return o.verifier, o.oauth, nil
}

// oidcFlow is the content of the cookie of a sign-in in progress.
type oidcFlow struct {
	State    string `json:"state"`
	Nonce    string `json:"nonce"`
	Verifier string `json:"verifier"`
	Next     string `json:"next"`
	Started  int64  `json:"started"` // Unix seconds
}

// StartOIDC sends the browser to the provider's sign-in, to come back to
// next (a path on this site) afterwards. It sets a short-lived cookie
// with a new state, nonce and PKCE verifier, which OIDCCallback checks.
// It returns an error wrapping ErrOIDCUnavailable when the provider
// cannot be reached.
func (o *OIDC) StartOIDC(w http.ResponseWriter, r *http.Request, next string) error {
	_, config, err := o.discover(r.Context())
	if err != nil {
		return err
	}
	flow := oidcFlow{
		State:    rand.Text(),
		Nonce:    rand.Text(),
		Verifier: oauth2.GenerateVerifier(),
		Next:     SafeNext(next),
		Started:  o.a.now().Unix(),
	}
	value, err := json.Marshal(flow)
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{
		Name:     oidcCookieName,
		Value:    base64.RawURLEncoding.EncodeToString(value),
		Path:     OIDCStartPath,
		MaxAge:   int(oidcFlowTimeout.Seconds()),
		HttpOnly: true,
		Secure:   o.a.Secure(r),
		SameSite: http.SameSiteLaxMode,
	})
	target := config.AuthCodeURL(flow.State, oidc.Nonce(flow.Nonce), oauth2.S256ChallengeOption(flow.Verifier))
	http.Redirect(w, r, target, http.StatusSeeOther)
	return nil
}

// OIDCRejection is the reason OIDCCallback did not sign the browser in. It
// is recorded in the audit log and the log; Message is fit to show.
type OIDCRejection struct {
	// Status is the HTTP status of the rejection page.
	Status int
	// Reason is short and for admins, e.g. "email not verified".
	Reason string
	// Message is the text of the rejection page: what happened and what
	// to do.
	Message string
}

func (e *OIDCRejection) Error() string { return "single sign-on rejected: " + e.Reason }

// errNoFlow rejects a callback without a valid sign-in in progress in the
// browser.
var errNoFlow = &OIDCRejection{Status: http.StatusBadRequest, Reason: "no sign-in in progress in this browser, or it took longer than 10 minutes",
	Message: "This sign-in was not started in this browser, or took longer than 10 minutes. Go back to the sign-in page and start again."}

// askAdmin ends the messages of rejections that only an admin can lift.
const askAdmin = " Ask an admin of reelpulse for access, or sign in with your password."

// OIDCCallback finishes a sign-in at the provider. It checks the state of
// the flow cookie and exchanges the code with the PKCE verifier. It has
// the ID token's signature, issuer, audience and expiry verified, checks
// its nonce, finds or creates the user, and starts a session as a
// password sign-in does. It returns the user and the path to go to, or a
// *OIDCRejection when the sign-in is rejected (recorded in the audit
// log). Other errors wrap ErrOIDCUnavailable or a store failure.
func (o *OIDC) OIDCCallback(w http.ResponseWriter, r *http.Request) (store.User, string, error) {
	address := ClientAddress(r)
	flow, rejection := o.readFlow(w, r)
	if rejection == errNoFlow {
		// Anyone can send this request, so it is logged but not audited:
		// it would let them fill the audit log.
		o.a.logger.Info("Single sign-on callback without a sign-in in progress", "address", address)
		return store.User{}, "", rejection
	}
	if rejection != nil {
		return store.User{}, "", o.reject(r.Context(), nil, "", address, rejection)
	}
	verifier, config, err := o.discover(r.Context())
	if err != nil {
		return store.User{}, "", err
	}
	claims, rejection := o.verify(r, flow, verifier, config)
	if rejection != nil {
		return store.User{}, "", o.reject(r.Context(), nil, claims.target(), address, rejection)
	}
	user, rejection, err := o.resolve(r.Context(), claims, address)
	if err != nil {
		return store.User{}, "", err
	}
	if rejection != nil {
		var actor *store.User
		if user.ID != 0 {
			actor = &user
		}
		return store.User{}, "", o.reject(r.Context(), actor, claims.target(), address, rejection)
	}
	if _, err := o.a.StartSession(w, r, user); err != nil {
		return store.User{}, "", err
	}
	o.a.Audit(r.Context(), &user, store.AuditOIDCSignIn, user.Name, address, "dashboard, via "+o.cfg.IssuerURL)
	o.a.logger.Info("User signed in through single sign-on", "user", user.Name, "user_id", user.ID, "address", address)
	// The cookie is not signed, so its next is checked again.
	return user, SafeNext(flow.Next), nil
}

// readFlow reads and clears the flow cookie, and checks that the flow is
// recent and that the provider returned its state.
func (o *OIDC) readFlow(w http.ResponseWriter, r *http.Request) (oidcFlow, *OIDCRejection) {
	restart := errNoFlow
	var flow oidcFlow
	cookie, err := r.Cookie(oidcCookieName)
	if err != nil || cookie.Value == "" {
		return flow, restart
	}

	http.SetCookie(w, &http.Cookie{
		Name: oidcCookieName, Value: "", Path: OIDCStartPath, MaxAge: -1,
		HttpOnly: true, Secure: o.a.Secure(r), SameSite: http.SameSiteLaxMode,
	})
	value, err := base64.RawURLEncoding.DecodeString(cookie.Value)
	if err != nil || json.Unmarshal(value, &flow) != nil || flow.State == "" || flow.Nonce == "" || flow.Verifier == "" {
		return flow, restart
	}
	if age := o.a.now().Sub(time.Unix(flow.Started, 0)); age < 0 || age > oidcFlowTimeout {
		return flow, restart
	}

	// The state is checked first, so that only the provider's own error
	// responses reach the audit log.
	query := r.URL.Query()
	if subtle.ConstantTimeCompare([]byte(query.Get("state")), []byte(flow.State)) != 1 {
		return flow, &OIDCRejection{Status: http.StatusBadRequest, Reason: "state does not match the browser's sign-in",
			Message: "This response of the sign-in provider does not belong to the sign-in started in this browser. Go back to the sign-in page and start again."}
	}
	if code := query.Get("error"); code != "" {
		// Only the error code is kept: its description is free text that
		// anyone who starts a sign-in can choose.
		code = errorCode(code)
		return flow, &OIDCRejection{Status: http.StatusForbidden,
			Reason:  "the provider returned the error " + code,
			Message: "The sign-in provider did not sign you in (" + code + "). Try again, or sign in with your password."}
	}
	if query.Get("code") == "" {
		return flow, &OIDCRejection{Status: http.StatusBadRequest, Reason: "the provider sent no authorization code",
			Message: "The sign-in provider sent no authorization code. Start the sign-in again."}
	}
	return flow, nil
}

// oidcClaims are the claims of a verified ID token that the sign-in uses.
type oidcClaims struct {
	Issuer   string
	Subject  string
	Email    string
	Verified bool
	Admin    bool
}

// target names the provider account in the audit log: its email, or its
// subject when the token has no email.
func (c oidcClaims) target() string {
	if c.Email != "" {
		return c.Email
	}
	return c.Subject
}

// verify exchanges the code for tokens and verifies the ID token and its
// nonce.
func (o *OIDC) verify(r *http.Request, flow oidcFlow, verifier *oidc.IDTokenVerifier, config *oauth2.Config) (oidcClaims, *OIDCRejection) {
	ctx, cancel := context.WithTimeout(oidc.ClientContext(r.Context(), o.client), oidcHTTPTimeout)
	defer cancel()
	rejected := func(reason string) *OIDCRejection {
		return &OIDCRejection{Status: http.StatusForbidden, Reason: reason,
			Message: "The answer of the sign-in provider could not be trusted, so you are not signed in. Start the sign-in again; if it keeps failing, tell an admin of reelpulse."}
	}
	token, err := config.Exchange(ctx, r.URL.Query().Get("code"), oauth2.VerifierOption(flow.Verifier))
	if err != nil {
		var retrieve *oauth2.RetrieveError
		if errors.As(err, &retrieve) && retrieve.ErrorCode != "" {
			return oidcClaims{}, rejected("the token endpoint returned the error " + errorCode(retrieve.ErrorCode))
		}
		// A RetrieveError's text holds the reply body, which a faulty
		// endpoint may fill with the request, the client secret included.
		attrs := []any{"issuer", o.cfg.IssuerURL}
		if errors.As(err, &retrieve) && retrieve.Response != nil {
			attrs = append(attrs, "status", retrieve.Response.StatusCode, "body_bytes", len(retrieve.Body))
		} else {
			attrs = append(attrs, "error", err)
		}
		o.a.logger.Warn("Exchanging the authorization code failed", attrs...)
		return oidcClaims{}, rejected("the code could not be exchanged for tokens")
	}

	raw, _ := token.Extra("id_token").(string)
	if raw == "" {
		return oidcClaims{}, rejected("the token endpoint returned no ID token")
	}
	idToken, err := verifier.Verify(ctx, raw)
	if err != nil {
		return oidcClaims{}, rejected("ID token rejected: " + err.Error())
	}

	claims := oidcClaims{Issuer: idToken.Issuer, Subject: idToken.Subject}
	var all map[string]any
	if err := idToken.Claims(&all); err != nil {
		return claims, rejected("the ID token's claims cannot be read")
	}
	claims.Email, _ = all["email"].(string)
	claims.Verified = all["email_verified"] == true || all["email_verified"] == "true"
	if idToken.Nonce == "" || subtle.ConstantTimeCompare([]byte(idToken.Nonce), []byte(flow.Nonce)) != 1 {
		return claims, rejected("the ID token's nonce does not match the browser's sign-in")
	}
	if idToken.Subject == "" {
		return claims, rejected("the ID token has no subject")
	}
	claims.Admin = o.adminClaim(all)
	return claims, nil
}

// adminClaim reports whether the configured claim holds one of the admin
// values, as a string or a list of strings.
func (o *OIDC) adminClaim(all map[string]any) bool {
	if o.cfg.AdminClaim == "" {
		return false
	}
	switch v := all[o.cfg.AdminClaim].(type) {
	case string:
		return slices.Contains(o.cfg.AdminValues, v)
	case []any:
		for _, item := range v {
			if s, ok := item.(string); ok && slices.Contains(o.cfg.AdminValues, s) {
				return true
			}
		}
	}
	return false
}

// resolve returns the user of the provider account: the linked user, or
// at the first sign-in the enabled user named by the verified email, or a
// new user when creation is on. It applies the admin claim. A rejection may
// come with the user it concerns.
func (o *OIDC) resolve(ctx context.Context, claims oidcClaims, address string) (store.User, *OIDCRejection, error) {
	now := o.a.now()
	_, user, err := o.a.accounts.OIDCIdentityUser(ctx, claims.Issuer, claims.Subject)
	switch {
	case err == nil:
		if user.DisabledAt != nil {
			return user, disabledRejection(), nil
		}
		if err := o.a.accounts.TouchOIDCIdentity(ctx, claims.Issuer, claims.Subject, now); err != nil {
			o.a.logger.Warn("Recording a single sign-on's use failed", "user_id", user.ID, "error", err)
		}
	case errors.Is(err, store.ErrNotFound):
		var rejection *OIDCRejection
		user, rejection, err = o.firstSignIn(ctx, claims, address)
		if err != nil || rejection != nil {
			return user, rejection, err
		}
	default:
		return store.User{}, nil, fmt.Errorf("look up the user of the provider account: %w", err)
	}
	if err := o.applyAdminClaim(ctx, &user, claims.Admin, address); err != nil {
		return store.User{}, nil, err
	}
	return user, nil, nil
}

func disabledRejection() *OIDCRejection {
	return &OIDCRejection{Status: http.StatusForbidden, Reason: "the account is disabled",
		Message: "This account is disabled. Ask an admin to enable it."}
}

// firstSignIn links an unknown provider account to the user named by its
// verified email, or creates that user.
func (o *OIDC) firstSignIn(ctx context.Context, claims oidcClaims, address string) (store.User, *OIDCRejection, error) {
	if claims.Email == "" {
		return store.User{}, &OIDCRejection{Status: http.StatusForbidden, Reason: "the ID token has no email",
			Message: "The sign-in provider did not tell reelpulse your email address, which names your account here. " +
				"An admin must let the provider send the email scope." + askAdmin}, nil
	}
	if !claims.Verified {
		return store.User{}, &OIDCRejection{Status: http.StatusForbidden, Reason: "email not verified",
			Message: "The sign-in provider has not verified your email address " + claims.Email + ", so it cannot name your account here. " +
				"Verify it at the provider, then sign in again."}, nil
	}
	if !plainEmail(claims.Email) {
		return store.User{}, &OIDCRejection{Status: http.StatusForbidden, Reason: "email " + truncate(claims.Email, 200) + " is not a plain ASCII address",
			Message: "Your email address " + truncate(claims.Email, 200) + " cannot name a reelpulse account: only addresses of ASCII letters, digits and ._- with one @ can." + askAdmin}, nil
	}
	// The address is ASCII, so lower case folds only A-Z: a Unicode
	// look-alike such as the Kelvin sign cannot fold into another name.
	email := strings.ToLower(claims.Email)
	_, domain, _ := strings.Cut(email, "@")
	if len(o.cfg.AllowedDomains) > 0 && !slices.Contains(o.cfg.AllowedDomains, domain) {
		return store.User{}, &OIDCRejection{Status: http.StatusForbidden, Reason: "email domain " + domain + " not allowed",
			Message: "Addresses of " + domain + " may not sign in to this reelpulse." + askAdmin}, nil
	}

	user, err := o.a.accounts.GetUserByName(ctx, claims.Email)
	if errors.Is(err, store.ErrNotFound) && email != claims.Email {
		user, err = o.a.accounts.GetUserByName(ctx, email)
	}
	switch {
	case err == nil:
		return o.linkByEmail(ctx, user, claims, address)
	case !errors.Is(err, store.ErrNotFound):
		return store.User{}, nil, fmt.Errorf("look up user %q: %w", claims.Email, err)
	}

	if !o.cfg.CreateUsers {
		return store.User{}, &OIDCRejection{Status: http.StatusForbidden, Reason: "no user named " + email + " and account creation is off",
			Message: "No reelpulse account is named " + email + ". Ask an admin to create a user of that name; then sign in here again."}, nil
	}
	if err := auth.CheckUserName(email); err != nil {
		return store.User{}, &OIDCRejection{Status: http.StatusForbidden, Reason: "email " + email + " is not a valid user name",
			Message: "Your email address " + email + " cannot name a reelpulse account (" + err.Error() + ")." + askAdmin}, nil
	}
	// The random password is never shown, so the user signs in through
	// the provider, or with a password that an admin sets later.
	hash, err := auth.HashPassword(auth.NewSessionID())
	if err != nil {
		return store.User{}, nil, err
	}
	role := store.RoleAnalyst
	if claims.Admin {
		role = store.RoleAdmin
	}
	now := o.a.now()
	user, err = o.a.accounts.CreateUser(ctx, store.User{Name: email, Role: role, PasswordHash: hash, CreatedAt: now, PasswordChangedAt: now})
	var nameTaken *store.NameTakenError
	if errors.As(err, &nameTaken) && nameTaken.Existing == email {
		// A concurrent sign-in of the same account created the user first.
		if user, err := o.a.accounts.GetUserByName(ctx, email); err == nil {
			return o.linkByEmail(ctx, user, claims, address)
		}
	}
	if errors.As(err, &nameTaken) {
		return store.User{}, &OIDCRejection{Status: http.StatusForbidden, Reason: "email " + email + " differs only in case from user " + nameTaken.Existing,
			Message: "A reelpulse account named " + nameTaken.Existing + " exists, which differs from your email address " + email + " only in case." + askAdmin}, nil
	}
	if err != nil {
		return store.User{}, nil, fmt.Errorf("create user %q at single sign-on: %w", email, err)
	}
	if err := o.link(ctx, user, claims); err != nil {
		if derr := o.a.accounts.DeleteUser(ctx, user.ID); derr != nil {
			o.a.logger.Error("Removing a user whose provider account could not be linked failed", "user_id", user.ID, "error", derr)
		}
		return store.User{}, nil, err
	}
	o.a.Audit(ctx, &user, store.AuditUserCreate, user.Name, address, "role "+role+", at the first single sign-on via "+claims.Issuer)
	o.a.logger.Info("User created at single sign-on", "user", user.Name, "user_id", user.ID, "role", role)
	return user, nil, nil
}

// linkByEmail links the provider account to the user that its verified
// email names. A user linked to another provider account already is not
// linked again: providers can give a departed employee's address to a
// new one, so an admin must decide.
func (o *OIDC) linkByEmail(ctx context.Context, user store.User, claims oidcClaims, address string) (store.User, *OIDCRejection, error) {
	if user.DisabledAt != nil {
		return user, disabledRejection(), nil
	}
	links, err := o.a.accounts.ListOIDCIdentities(ctx)
	if err != nil {
		return store.User{}, nil, fmt.Errorf("read the provider accounts of user %q: %w", user.Name, err)
	}
	for _, l := range links {
		if l.UserID != user.ID {
			continue
		}
		if l.Issuer == claims.Issuer && l.Subject == claims.Subject {
			// Linked a moment ago by a concurrent sign-in of this account.
			return user, nil, nil
		}
		return user, &OIDCRejection{Status: http.StatusForbidden,
			Reason:  "user " + user.Name + " is linked to another provider account (subject " + l.Subject + " of " + l.Issuer + ")",
			Message: "The reelpulse account " + user.Name + " is linked to another sign-in of your provider." + askAdmin}, nil
	}

	err = o.link(ctx, user, claims)
	if errors.Is(err, store.ErrExists) {
		// A concurrent sign-in of this account linked it in between.
		if _, linked, lookupErr := o.a.accounts.OIDCIdentityUser(ctx, claims.Issuer, claims.Subject); lookupErr == nil && linked.ID == user.ID {
			return user, nil, nil
		}
	}
	if err != nil {
		return store.User{}, nil, err
	}
	o.a.Audit(ctx, &user, store.AuditOIDCLink, user.Name, address, "subject "+claims.Subject+" of "+claims.Issuer+", by email")
	o.a.logger.Info("Provider account linked to a user by email", "user", user.Name, "user_id", user.ID, "issuer", claims.Issuer)
	return user, nil, nil
}

// plainEmail reports whether email is an address of ASCII letters, digits
// and ._- with one @ between a local part and a domain of dot-separated
// labels, the only addresses that may name a user.
func plainEmail(email string) bool {
	local, domain, ok := strings.Cut(email, "@")
	if !ok || local == "" || domain == "" || strings.Contains(domain, "@") {
		return false
	}
	for _, c := range []byte(email) {
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		if !letter && c != '.' && c != '_' && c != '-' && c != '@' {
			return false
		}
	}
	for _, label := range strings.Split(domain, ".") {
		if label == "" {
			return false
		}
	}
	return !strings.HasPrefix(local, ".") && !strings.HasSuffix(local, ".")
}

// errorCode returns an OAuth 2 error code fit for the audit log: the
// characters that RFC 6749 allows in one, at most 64 of them.
func errorCode(code string) string {
	code = strings.Map(func(r rune) rune {
		if r >= 0x20 && r <= 0x7e && r != '"' && r != '\\' {
			return r
		}
		return -1
	}, code)
	return truncate(code, 64)
}

func (o *OIDC) link(ctx context.Context, user store.User, claims oidcClaims) error {
	now := o.a.now()
	err := o.a.accounts.CreateOIDCIdentity(ctx, store.OIDCIdentity{
		Issuer: claims.Issuer, Subject: claims.Subject, UserID: user.ID, CreatedAt: now, LastUsedAt: now,
	})
	if err != nil {
		return fmt.Errorf("link the provider account to user %q: %w", user.Name, err)
	}
	return nil
}

// applyAdminClaim promotes or demotes the user to the role of the admin
// claim, when one is configured. The last enabled admin stays admin.
func (o *OIDC) applyAdminClaim(ctx context.Context, user *store.User, admin bool, address string) error {
	if o.cfg.AdminClaim == "" {
		return nil
	}
	role := store.RoleAnalyst
	if admin {
		role = store.RoleAdmin
	}
	if user.Role == role {
		return nil
	}
	err := o.a.accounts.SetUserRoleKeepingAdmin(ctx, user.ID, role)
	if errors.Is(err, store.ErrLastAdmin) {
		o.a.logger.Warn("The admin claim no longer makes the last enabled admin an admin; the role is kept",
			"user", user.Name, "user_id", user.ID, "claim", o.cfg.AdminClaim)
		return nil
	}
	if err != nil {
		return fmt.Errorf("set the role of user %q from the %s claim: %w", user.Name, o.cfg.AdminClaim, err)
	}
	user.Role = role
	o.a.Audit(ctx, user, store.AuditUserRole, user.Name, address, "role "+role+", from the "+o.cfg.AdminClaim+" claim at single sign-on")
	o.a.logger.Info("Role set from the admin claim", "user", user.Name, "user_id", user.ID, "role", role)
	return nil
}

// reject records the rejection in the audit log and the log, and returns it.
func (o *OIDC) reject(ctx context.Context, actor *store.User, target, address string, rejection *OIDCRejection) error {
	o.a.Audit(ctx, actor, store.AuditOIDCRejected, target, address, rejection.Reason)
	attrs := []any{"reason", rejection.Reason, "address", address}
	if actor != nil {
		attrs = append(attrs, "user_id", actor.ID)
	}
	o.a.logger.Info("Single sign-on rejected", attrs...)
	return rejection
}
