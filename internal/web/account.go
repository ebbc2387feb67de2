package web

import (
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

func (s *server) accountPage(w http.ResponseWriter, r *http.Request) {
	s.renderAccount(w, r, http.StatusOK, accountData{})
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
	s.renderAccount(w, r, http.StatusOK, accountData{NewToken: secret})
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
