// Package authn authenticates the HTTP requests of the dashboard and the
// API: browser sessions carried by a cookie, API tokens carried by an
// Authorization: Bearer header, the sign-in with its throttle, and the
// per-session token that dashboard forms carry against cross-site request
// forgery. The secrets and their hashes come from internal/auth; the store's
// Accounts interface keeps the sessions, tokens and audit log.
package authn

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/reelpulse/reelpulse/internal/auth"
	"github.com/reelpulse/reelpulse/internal/store"
)

// CookieName is the name of the session cookie.
const CookieName = "reelpulse_session"

// CSRFField is the name of the hidden form field, and CSRFHeader the
// request header, that carry the per-session CSRF token.
const (
	CSRFField  = "csrf_token"
	CSRFHeader = "X-CSRF-Token"
)

// Default session lifetimes, as REELPULSE_SESSION_IDLE and
// REELPULSE_SESSION_MAX_AGE document them.
const (
	DefaultIdle   = 12 * time.Hour
	DefaultMaxAge = 7 * 24 * time.Hour
)

// touchEvery bounds how often a session's LastSeenAt is written: at most
// once a minute per session, so that page loads stay reads.
const touchEvery = time.Minute

// ErrBadCredentials is returned by SignIn for an unknown name, a wrong
// password or a disabled account, so that the response does not tell them
// apart.
var ErrBadCredentials = errors.New("the name or password is wrong")

// ErrDisabled is returned by SignIn, wrapping ErrBadCredentials, when the
// password is right but an admin disabled the account.
var ErrDisabled = fmt.Errorf("%w: the account is disabled", ErrBadCredentials)

// Config holds the dependencies of an Authenticator.
type Config struct {
	Accounts store.Accounts
	// Logger defaults to slog.Default() when nil.
	Logger *slog.Logger
	// Now defaults to time.Now when nil.
	Now func() time.Time
	// Idle and MaxAge are the idle and absolute session lifetimes; zero
	// means DefaultIdle and DefaultMaxAge.
	Idle   time.Duration
	MaxAge time.Duration
	// BaseURL is REELPULSE_BASE_URL. When it is set, the server runs behind
	// a proxy: an https URL makes cookies Secure, and requests that come
	// from a loopback address are not trusted to be local (the proxy's
	// requests come from there too).
	BaseURL string
	// SetupToken, when set, lets a request that carries it create the
	// first admin from any address. Print it in the log at start.
	SetupToken string
}

// Authenticator authenticates requests and starts and ends sessions. It is
// safe for concurrent use.
type Authenticator struct {
	accounts   store.Accounts
	logger     *slog.Logger
	now        func() time.Time
	idle       time.Duration
	maxAge     time.Duration
	secure     bool
	proxied    bool
	setupToken string
	throttle   *auth.Throttle

	setupMu sync.Mutex // serialises the creation of the first admin
}

// New returns an Authenticator, or an error when cfg lacks the account
// store.
func New(cfg Config) (*Authenticator, error) {
	if cfg.Accounts == nil {
		return nil, errors.New("authn: missing Config.Accounts: pass the store's accounts")
	}
	a := &Authenticator{
		accounts:   cfg.Accounts,
		logger:     cfg.Logger,
		now:        cfg.Now,
		idle:       cfg.Idle,
		maxAge:     cfg.MaxAge,
		setupToken: cfg.SetupToken,
	}
	if a.logger == nil {
		a.logger = slog.Default()
	}
	if a.now == nil {
		a.now = time.Now
	}
	if a.idle <= 0 {
		a.idle = DefaultIdle
	}
	if a.maxAge <= 0 {
		a.maxAge = DefaultMaxAge
	}
	if cfg.BaseURL != "" {
		u, err := url.Parse(cfg.BaseURL)
		if err != nil {
			return nil, fmt.Errorf("authn: invalid Config.BaseURL %q: %w", cfg.BaseURL, err)
		}
		a.secure = u.Scheme == "https"
		a.proxied = true
	}
	a.throttle = auth.NewThrottle(cfg.Accounts, auth.DefaultFailureLimit, auth.DefaultFailureWindow, a.now)
	return a, nil
}

// Accounts returns the account store.
func (a *Authenticator) Accounts() store.Accounts { return a.accounts }

// Identity is the authenticated user of a request, with how they proved it.
type Identity struct {
	User store.User
	// SessionID is the session cookie's value; empty for an API token.
	SessionID string
	// Token is the API token of the request; nil for a session.
	Token *store.APIToken
}

// IsAdmin reports whether the user has the admin role.
func (id *Identity) IsAdmin() bool { return id != nil && id.User.Role == store.RoleAdmin }

// CSRFToken returns the token that the session's forms carry: an HMAC of a
// fixed label keyed by the session id. It is stable for the session,
// changes at every sign-in, and reveals nothing about the session id. It is
// empty for a request authenticated by an API token, which needs none.
func (id *Identity) CSRFToken() string {
	if id == nil || id.SessionID == "" {
		return ""
	}
	mac := hmac.New(sha256.New, []byte(id.SessionID))
	mac.Write([]byte("reelpulse csrf token"))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// ValidCSRF reports whether the request carries the session's CSRF token in
// the X-CSRF-Token header or the csrf_token form field. Parse the form
// before calling it.
func (id *Identity) ValidCSRF(r *http.Request) bool {
	want := id.CSRFToken()
	if want == "" {
		return false
	}
	got := r.Header.Get(CSRFHeader)
	if got == "" {
		got = r.PostFormValue(CSRFField)
	}
	return subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

type identityKey struct{}

// WithIdentity returns ctx carrying id.
func WithIdentity(ctx context.Context, id *Identity) context.Context {
	return context.WithValue(ctx, identityKey{}, id)
}

// FromContext returns the identity that WithIdentity stored, or nil for an
// anonymous request.
func FromContext(ctx context.Context) *Identity {
	id, _ := ctx.Value(identityKey{}).(*Identity)
	return id
}

// Session returns the identity of the request's session cookie, or nil when
// the request has none, or an unknown, expired or idle one, or one of a
// disabled user. It refreshes the session's LastSeenAt at most once a
// minute. Only a store failure is an error.
func (a *Authenticator) Session(r *http.Request) (*Identity, error) {
	cookie, err := r.Cookie(CookieName)
	if err != nil || cookie.Value == "" {
		return nil, nil
	}
	hash := auth.HashSecret(cookie.Value)
	session, user, err := a.accounts.SessionUser(r.Context(), hash)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("look up the session: %w", err)
	}
	now := a.now()
	if !now.Before(session.ExpiresAt) || !now.Before(session.LastSeenAt.Add(a.idle)) || user.DisabledAt != nil {
		if err := a.accounts.DeleteSession(r.Context(), hash); err != nil {
			a.logger.Warn("Deleting an ended session failed", "user", user.Name, "error", err)
		}
		return nil, nil
	}
	if now.Sub(session.LastSeenAt) >= touchEvery {
		if err := a.accounts.TouchSession(r.Context(), hash, now); err != nil {
			a.logger.Warn("Refreshing a session failed", "user", user.Name, "error", err)
		}
	}
	return &Identity{User: user, SessionID: cookie.Value}, nil
}

// BearerError is the reason a bearer token was rejected. Its message is fit to
// return to the client.
type BearerError struct{ Reason string }

func (e *BearerError) Error() string { return e.Reason }

// Bearer returns the identity of the request's Authorization: Bearer
// token, nil when the request has no such header, or a *BearerError when
// the token is malformed, unknown, revoked or expired, or its user is
// disabled. It records the token's last use.
func (a *Authenticator) Bearer(r *http.Request) (*Identity, error) {
	header := r.Header.Get("Authorization")
	if header == "" {
		return nil, nil
	}
	scheme, token, _ := strings.Cut(header, " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return nil, &BearerError{"the Authorization header must be \"Bearer rp_…\" with an API token; create one on the Account page or with `reelpulse tokens create`"}
	}
	token = strings.TrimSpace(token)
	if !auth.IsAPIToken(token) {
		return nil, &BearerError{"the bearer token is not a reelpulse API token (rp_ and 43 characters); copy it whole"}
	}
	record, user, err := a.accounts.TokenUser(r.Context(), auth.HashSecret(token))
	if errors.Is(err, store.ErrNotFound) {
		return nil, &BearerError{"the API token is unknown; create a new one on the Account page or with `reelpulse tokens create`"}
	}
	if err != nil {
		return nil, fmt.Errorf("look up the API token: %w", err)
	}
	now := a.now()
	switch {
	case record.RevokedAt != nil:
		return nil, &BearerError{fmt.Sprintf("the API token %s was revoked; create a new one", record.Prefix)}
	case !record.Usable(now):
		return nil, &BearerError{fmt.Sprintf("the API token %s expired; create a new one", record.Prefix)}
	case user.DisabledAt != nil:
		return nil, &BearerError{"the API token's user is disabled; ask an admin to enable the account"}
	}
	if err := a.accounts.TouchToken(r.Context(), record.ID, now); err != nil {
		a.logger.Warn("Recording an API token's use failed", "user", user.Name, "token_id", record.ID, "error", err)
	}
	return &Identity{User: user, Token: &record}, nil
}

// SignIn checks name and password for a sign-in from address. It returns
// the user, ErrBadCredentials (ErrDisabled for a disabled account with the
// right password), or a *auth.ThrottledError after too many failures for
// the name or the address in the last minute. Names match without case.
// Failures are written to the audit log, which the throttle counts. An
// unknown name costs as much time as a wrong password.
func (a *Authenticator) SignIn(ctx context.Context, name, password, address string) (store.User, error) {
	// Names match without case, so the throttle and the audit log count
	// one account under one name, however it is typed.
	user, lookupErr := store.FindUserByName(ctx, a.accounts, name)
	switch {
	case lookupErr == nil:
		name = user.Name
	case errors.Is(lookupErr, store.ErrNotFound):
		name = strings.ToLower(name)
	default:
		return store.User{}, fmt.Errorf("look up user %q: %w", name, lookupErr)
	}

	release, err := a.throttle.Reserve(ctx, name, address)
	if err != nil {
		return store.User{}, err
	}
	defer release()
	if lookupErr != nil {
		auth.VerifyNoUser(password)
		return store.User{}, a.failed(ctx, nil, name, address)
	}
	ok, err := auth.VerifyPassword(user.PasswordHash, password)
	if err != nil {
		a.logger.Error("Stored password hash is malformed; reset the password with `reelpulse users set-password`", "user", user.Name, "error", err)
	}
	if !ok {
		return store.User{}, a.failed(ctx, &user.ID, name, address)
	}
	if user.DisabledAt != nil {
		if err := a.failed(ctx, &user.ID, name, address); !errors.Is(err, ErrBadCredentials) {
			return store.User{}, err
		}
		return store.User{}, ErrDisabled
	}
	if auth.NeedsRehash(user.PasswordHash) {
		if hash, err := auth.HashPassword(password); err == nil {
			if err := a.accounts.SetPassword(ctx, user.ID, hash, user.PasswordChangedAt); err != nil {
				a.logger.Warn("Replacing an outdated password hash failed", "user", user.Name, "error", err)
			}
		}
	}
	return user, nil
}

// VerifyCurrentPassword checks the password of a signed-in user, as the
// Account page does before it changes it. A wrong password counts as a
// failed sign-in of the account and the address under the throttle of
// SignIn, so a stolen session cannot guess the password faster than the
// sign-in page allows. It returns ErrBadCredentials for a wrong password
// and a *auth.ThrottledError when the throttle rejects the attempt.
func (a *Authenticator) VerifyCurrentPassword(ctx context.Context, user store.User, password, address string) error {
	release, err := a.throttle.Reserve(ctx, user.Name, address)
	if err != nil {
		return err
	}
	defer release()
	ok, err := auth.VerifyPassword(user.PasswordHash, password)
	if err != nil {
		a.logger.Error("Stored password hash is malformed; reset the password with `reelpulse users set-password`", "user", user.Name, "error", err)
	}
	if ok {
		return nil
	}
	if err := a.throttle.Failed(ctx, &user.ID, user.Name, address, "wrong current password on the Account page"); err != nil {
		return err
	}
	return ErrBadCredentials
}

// LoopbackSetup reports whether a browser on the server's machine may
// create the first admin without the setup token: true unless
// REELPULSE_BASE_URL is set, since behind a proxy every request may come
// from loopback.
func (a *Authenticator) LoopbackSetup() bool {
	return !a.proxied
}

// failed records a failed sign-in and returns ErrBadCredentials, or the
// error of the audit log.
func (a *Authenticator) failed(ctx context.Context, userID *int64, name, address string) error {
	if err := a.throttle.Failed(ctx, userID, name, address, ""); err != nil {
		return err
	}
	return ErrBadCredentials
}

// StartSession signs user in on the browser of r: it ends the session that
// the request's cookie names, if any, stores a new session with a new
// random id and sets the cookie. The old cookie value is never reused, so
// an id planted in the browser before the sign-in is worthless after it.
// It returns the new identity.
func (a *Authenticator) StartSession(w http.ResponseWriter, r *http.Request, user store.User) (*Identity, error) {
	if old, err := r.Cookie(CookieName); err == nil && old.Value != "" {
		if err := a.accounts.DeleteSession(r.Context(), auth.HashSecret(old.Value)); err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("end the previous session: %w", err)
		}
	}
	id := auth.NewSessionID()
	now := a.now()
	session := store.Session{
		Hash:       auth.HashSecret(id),
		UserID:     user.ID,
		CreatedAt:  now,
		LastSeenAt: now,
		ExpiresAt:  now.Add(a.maxAge),
		Address:    ClientAddress(r),
		UserAgent:  truncate(r.UserAgent(), 256),
	}
	if err := a.accounts.CreateSession(r.Context(), session); err != nil {
		return nil, fmt.Errorf("store the session of user %q: %w", user.Name, err)
	}
	http.SetCookie(w, &http.Cookie{
		Name:     CookieName,
		Value:    id,
		Path:     "/",
		Expires:  session.ExpiresAt,
		HttpOnly: true,
		Secure:   a.Secure(r),
		SameSite: http.SameSiteLaxMode,
	})
	return &Identity{User: user, SessionID: id}, nil
}

// EndSession deletes the request's session, if any, and clears its cookie.
func (a *Authenticator) EndSession(w http.ResponseWriter, r *http.Request) error {
	var err error
	if cookie, cerr := r.Cookie(CookieName); cerr == nil && cookie.Value != "" {
		err = a.accounts.DeleteSession(r.Context(), auth.HashSecret(cookie.Value))
		if errors.Is(err, store.ErrNotFound) {
			err = nil
		}
	}
	a.ClearCookie(w, r)
	return err
}

// ClearCookie makes the browser drop the session cookie.
func (a *Authenticator) ClearCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{
		Name: CookieName, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: a.Secure(r), SameSite: http.SameSiteLaxMode,
	})
}

// Secure reports whether cookies for r get the Secure attribute: when r
// came over TLS or REELPULSE_BASE_URL is an https URL.
func (a *Authenticator) Secure(r *http.Request) bool {
	return r.TLS != nil || a.secure
}

// SetupAllowed reports whether r may create the first admin, once no user
// exists: it carries the setup token printed in the log, or comes from a
// loopback address without proxy headers while REELPULSE_BASE_URL is unset.
func (a *Authenticator) SetupAllowed(r *http.Request, token string) bool {
	if a.setupToken != "" && subtle.ConstantTimeCompare([]byte(token), []byte(a.setupToken)) == 1 {
		return true
	}
	if a.proxied || r.Header.Get("X-Forwarded-For") != "" || r.Header.Get("Forwarded") != "" {
		return false
	}
	ip := net.ParseIP(ClientAddress(r))
	return ip != nil && ip.IsLoopback()
}

// CreateFirstAdmin creates an admin named name with the password hash, but
// only while no user exists; it returns an error wrapping store.ErrExists
// when one does. Requests racing to set up get one admin.
func (a *Authenticator) CreateFirstAdmin(ctx context.Context, name, hash, address string) (store.User, error) {
	a.setupMu.Lock()
	defer a.setupMu.Unlock()
	n, err := a.accounts.CountUsers(ctx)
	if err != nil {
		return store.User{}, fmt.Errorf("count users: %w", err)
	}
	if n > 0 {
		return store.User{}, fmt.Errorf("%w: a user exists already, so setup is over", store.ErrExists)
	}
	now := a.now()
	user, err := a.accounts.CreateUser(ctx, store.User{
		Name: name, Role: store.RoleAdmin, PasswordHash: hash, CreatedAt: now, PasswordChangedAt: now,
	})
	if err != nil {
		return store.User{}, fmt.Errorf("create the first admin %q: %w", name, err)
	}
	a.Audit(ctx, &user, store.AuditUserCreate, name, address, "role admin, first admin from setup")
	return user, nil
}

// Audit records an event acted by actor (nil for an anonymous request).
// A failure is logged, not returned: the action has happened.
func (a *Authenticator) Audit(ctx context.Context, actor *store.User, action, target, address, detail string) {
	event := store.AuditEvent{At: a.now(), Action: action, Target: target, Address: address, Detail: detail}
	if actor != nil {
		event.ActorID = &actor.ID
		event.ActorName = actor.Name
	}
	if _, err := a.accounts.RecordAudit(ctx, event); err != nil {
		a.logger.Error("Recording an audit event failed", "action", action, "target", target, "error", err)
	}
}

// ClientAddress returns the IP address of the request's peer, without the
// port. It reads no forwarded header, so behind a proxy it is the proxy's
// address unless ForwardedClients set the client's in its place.
func ClientAddress(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// SafeNext returns next when it is a path on this site, such as
// "/movies/tt0013442?bucket=week", and "/" otherwise, so that the sign-in
// cannot send the browser to another site.
func SafeNext(next string) string {
	if next == "" || next[0] != '/' || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n\t") {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "/"
	}
	return next
}

// truncate returns s as valid UTF-8 without NUL characters, cut to at most
// n bytes on a character boundary, so that PostgreSQL stores it.
func truncate(s string, n int) string {
	s = strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// RequireAdmin serves h only to an admin's API token or session, and a
// plain-text 401 or 403 to other requests. It guards /metrics where the
// dashboard is served.
func (a *Authenticator) RequireAdmin(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		identity, err := a.Bearer(r)
		if err == nil && identity == nil {
			identity, err = a.Session(r)
		}
		var bearerErr *BearerError
		switch {
		case errors.As(err, &bearerErr) || (err == nil && identity == nil):
			w.Header().Set("WWW-Authenticate", `Bearer realm="reelpulse"`)
			http.Error(w, "authentication required: send an admin's API token as \"Authorization: Bearer rp_…\"", http.StatusUnauthorized)
		case err != nil:
			a.logger.Error("Authenticating a request failed", "path", r.URL.Path, "error", err)
			http.Error(w, "the request could not be authenticated because of a server error; try again in a moment", http.StatusInternalServerError)
		case !identity.IsAdmin():
			http.Error(w, "this endpoint is for admins; your account has the analyst role", http.StatusForbidden)
		default:
			h.ServeHTTP(w, r.WithContext(WithIdentity(r.Context(), identity)))
		}
	})
}
