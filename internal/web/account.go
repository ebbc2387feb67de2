package web

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/reelpulse/reelpulse/internal/auth"
	"github.com/reelpulse/reelpulse/internal/authn"
	"github.com/reelpulse/reelpulse/internal/store"
)

// tokenLifetimes are the expiries that the token form offers, by form value.
var tokenLifetimes = map[string]time.Duration{
	"30d":  30 * 24 * time.Hour,
	"90d":  90 * 24 * time.Hour,
	"365d": 365 * 24 * time.Hour,
	"":     0, // never
}

// accountData is the data of account.html.
type accountData struct {
	User   store.User
	Tokens []tokenView
	// NewToken is the token just created, shown once.
	NewToken string
	// Message confirms a change; Error explains a rejected one.
	Message string
	Error   string
}

// tokenView is one API token in the account page's list.
type tokenView struct {
	store.APIToken
	State string // "active", "revoked" or "expired"
}

// newTokenCookie carries a token just created from the POST that made it
// to the account page that shows it, so that reloading that page creates
// nothing. The secret in it is sealed with a key derived from the session
// id, so it is of no use without the session cookie and works on every
// web replica. The page deletes the cookie as it shows the token, once.
const newTokenCookie = "reelpulse_new_token"

// newTokenMaxAge is how long a created token waits for its display.
const newTokenMaxAge = 5 * time.Minute

func (s *server) accountPage(w http.ResponseWriter, r *http.Request) {
	var data accountData
	if c, err := r.Cookie(newTokenCookie); err == nil {
		s.setNewTokenCookie(w, r, "", -1)
		identity := authn.FromContext(r.Context())
		if secret, ok := openNewToken(identity, c.Value, s.now()); ok {
			data.NewToken = secret
		} else {
			s.logger.Info("New API token cookie that this session did not seal ignored", "user", identity.User.Name)
		}
	}
	s.renderAccount(w, r, http.StatusOK, data)
}

// setNewTokenCookie sets the new token cookie to value for maxAge seconds,
// or deletes it when maxAge is negative.
func (s *server) setNewTokenCookie(w http.ResponseWriter, r *http.Request, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: newTokenCookie, Value: value, Path: "/account", MaxAge: maxAge,
		HttpOnly: true, Secure: s.auth.Secure(r), SameSite: http.SameSiteStrictMode,
	})
}

// newTokenAEAD returns the cipher that seals a new token for the session
// of identity, or false for a request without a session.
func newTokenAEAD(identity *authn.Identity) (cipher.AEAD, bool) {
	if identity == nil || identity.SessionID == "" {
		return nil, false
	}
	mac := hmac.New(sha256.New, []byte(identity.SessionID))
	mac.Write([]byte("reelpulse new api token"))
	block, err := aes.NewCipher(mac.Sum(nil))
	if err != nil {
		return nil, false
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, false
	}
	return aead, true
}

// sealNewToken encrypts secret and the time of sealing for the session of
// identity, bound to its user, as a cookie value.
func sealNewToken(identity *authn.Identity, secret string, now time.Time) (string, bool) {
	aead, ok := newTokenAEAD(identity)
	if !ok {
		return "", false
	}
	nonce := make([]byte, aead.NonceSize())
	_, _ = rand.Read(nonce) // crypto/rand.Read does not fail
	plain := binary.BigEndian.AppendUint64(nil, uint64(now.Unix()))
	plain = append(plain, secret...)
	sealed := aead.Seal(nonce, nonce, plain, []byte(strconv.FormatInt(identity.User.ID, 10)))
	return base64.RawURLEncoding.EncodeToString(sealed), true
}

// openNewToken decrypts a cookie value of sealNewToken, and reports false
// when another session or user sealed it, it was altered, or it is older
// than newTokenMaxAge, whatever the browser kept.
func openNewToken(identity *authn.Identity, value string, now time.Time) (string, bool) {
	aead, ok := newTokenAEAD(identity)
	if !ok {
		return "", false
	}
	sealed, err := base64.RawURLEncoding.DecodeString(value)
	if err != nil || len(sealed) < aead.NonceSize() {
		return "", false
	}
	nonce, box := sealed[:aead.NonceSize()], sealed[aead.NonceSize():]
	plain, err := aead.Open(nil, nonce, box, []byte(strconv.FormatInt(identity.User.ID, 10)))
	if err != nil || len(plain) < 8 {
		return "", false
	}
	sealedAt := time.Unix(int64(binary.BigEndian.Uint64(plain[:8])), 0)
	if age := now.Sub(sealedAt); age < -time.Minute || age > newTokenMaxAge {
		return "", false
	}
	return string(plain[8:]), true
}

func (s *server) renderAccount(w http.ResponseWriter, r *http.Request, status int, data accountData) {
	identity := authn.FromContext(r.Context())
	tokens, err := s.accounts.ListTokens(r.Context(), identity.User.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	now := s.now()
	for _, t := range tokens {
		view := tokenView{APIToken: t, State: "active"}
		switch {
		case t.RevokedAt != nil:
			view.State = "revoked"
		case !t.Usable(now):
			view.State = "expired"
		}
		data.Tokens = append(data.Tokens, view)
	}
	data.User = identity.User
	s.render(w, r, status, "account.html", "Account", data)
}

// changePassword replaces the user's password after checking the current
// one, ends every other session and starts a new one for this browser.
// Wrong current passwords count as failed sign-ins of the account and the
// address, so a stolen session cannot guess the password faster than the
// sign-in page allows.
func (s *server) changePassword(w http.ResponseWriter, r *http.Request) {
	identity := authn.FromContext(r.Context())
	current, password := r.PostForm.Get("current"), r.PostForm.Get("password")
	address := authn.ClientAddress(r)
	err := s.auth.VerifyCurrentPassword(r.Context(), identity.User, current, address)
	var throttled *auth.ThrottledError
	switch {
	case errors.As(err, &throttled):
		s.logger.Warn("Password change throttled", "user", identity.User.Name, "address", address, "by", throttled.By)
		w.Header().Set("Retry-After", strconv.Itoa(int(throttled.RetryAfter.Seconds())))
		s.renderAccount(w, r, http.StatusTooManyRequests, accountData{Error: fmt.Sprintf(
			"Too many wrong passwords for this %s in the last minute; the password was not changed. Wait %s, then try again.",
			throttled.By, plural(int(throttled.RetryAfter.Seconds()), "second"))})
		return
	case errors.Is(err, authn.ErrBadCredentials):
		s.logger.Info("Password change with a wrong current password rejected", "user", identity.User.Name, "address", address)
		s.renderAccount(w, r, http.StatusBadRequest, accountData{Error: "The current password is wrong; the password was not changed."})
		return
	case err != nil:
		s.serverError(w, r, err)
		return
	}
	if err := auth.CheckPassword(password); err != nil {
		s.renderAccount(w, r, http.StatusBadRequest, accountData{Error: capitalize(err.Error()) + "; the password was not changed."})
		return
	}
	if password != r.PostForm.Get("confirm") {
		s.renderAccount(w, r, http.StatusBadRequest, accountData{Error: "The two new passwords differ; type the same password twice."})
		return
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if err := s.accounts.SetPassword(r.Context(), identity.User.ID, hash, s.now()); err != nil {
		s.serverError(w, r, err)
		return
	}
	if _, err := s.accounts.DeleteUserSessions(r.Context(), identity.User.ID); err != nil {
		s.serverError(w, r, err)
		return
	}
	fresh, err := s.auth.StartSession(w, r, identity.User)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.auth.Audit(r.Context(), &identity.User, store.AuditUserPassword, identity.User.Name, address, "own password; other sessions ended")
	s.logger.Info("User changed their password", "user", identity.User.Name)
	r = r.WithContext(authn.WithIdentity(r.Context(), fresh))
	s.renderAccount(w, r, http.StatusOK, accountData{Message: "Your password is changed. Your other browsers are signed out."})
}

func (s *server) createToken(w http.ResponseWriter, r *http.Request) {
	identity := authn.FromContext(r.Context())
	name := strings.TrimSpace(r.PostForm.Get("name"))
	if len(name) > 100 {
		s.renderAccount(w, r, http.StatusBadRequest, accountData{Error: fmt.Sprintf("The label has %d bytes; use at most 100.", len(name))})
		return
	}
	if !isText(name) {
		s.renderAccount(w, r, http.StatusBadRequest, accountData{Error: "The label is not valid UTF-8 text, or contains a NUL character. Type it again."})
		return
	}
	lifetime, ok := tokenLifetimes[r.PostForm.Get("expires")]
	if !ok {
		s.renderAccount(w, r, http.StatusBadRequest, accountData{Error: "Choose an expiry from the list: 30, 90 or 365 days, or never."})
		return
	}
	now := s.now()
	secret := auth.NewAPIToken()
	record := store.APIToken{
		UserID: identity.User.ID, Name: name, Hash: auth.HashSecret(secret),
		Prefix: auth.TokenDisplayPrefix(secret), CreatedAt: now,
	}
	expires := "never"
	if lifetime > 0 {
		at := now.Add(lifetime)
		record.ExpiresAt = &at
		expires = at.UTC().Format("2006-01-02 15:04 UTC")
	}
	record, err := s.accounts.CreateToken(r.Context(), record)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.auth.Audit(r.Context(), &identity.User, store.AuditTokenCreate, identity.User.Name, authn.ClientAddress(r),
		fmt.Sprintf("token %d %s, expires %s", record.ID, record.Prefix, expires))
	s.logger.Info("API token created", "user", identity.User.Name, "token_id", record.ID, "token_prefix", record.Prefix)
	// Post, redirect, get: the account page shows the token once, and a
	// reload there creates no other token.
	value, ok := sealNewToken(identity, secret, s.now())
	if !ok {
		s.renderAccount(w, r, http.StatusOK, accountData{NewToken: secret})
		return
	}
	s.setNewTokenCookie(w, r, value, int(newTokenMaxAge.Seconds()))
	http.Redirect(w, r, "/account", http.StatusSeeOther)
}

func (s *server) revokeToken(w http.ResponseWriter, r *http.Request) {
	identity := authn.FromContext(r.Context())
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		s.message(w, r, http.StatusBadRequest, "Invalid token id", "A token id is a whole number, as listed on the Account page.")
		return
	}
	err = s.accounts.RevokeToken(r.Context(), identity.User.ID, id, s.now())
	if errors.Is(err, store.ErrNotFound) {
		s.message(w, r, http.StatusNotFound, "Token not found", "You have no API token with id "+strconv.FormatInt(id, 10)+".")
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.auth.Audit(r.Context(), &identity.User, store.AuditTokenRevoke, identity.User.Name, authn.ClientAddress(r),
		"token "+strconv.FormatInt(id, 10))
	s.logger.Info("API token revoked", "user", identity.User.Name, "token_id", id)
	http.Redirect(w, r, "/account", http.StatusSeeOther)
}
