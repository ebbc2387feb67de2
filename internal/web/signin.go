package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/reelpulse/reelpulse/internal/auth"
	"github.com/reelpulse/reelpulse/internal/authn"
	"github.com/reelpulse/reelpulse/internal/store"
)

// accountRoutes adds the sign-in, setup, account and admin pages.
func (s *server) accountRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /signin", s.signInPage)
	mux.HandleFunc("GET /login", loginRedirect)
	mux.HandleFunc("POST /signin", s.signIn)
	if s.oidc != nil {
		mux.HandleFunc("GET "+authn.OIDCStartPath, s.startOIDC)
		mux.HandleFunc("GET "+authn.OIDCCallbackPath, s.oidcCallback)
	}
	mux.HandleFunc("GET /setup", s.setupPage)
	mux.HandleFunc("POST /setup", s.setup)
	mux.HandleFunc("POST /signout", s.signOut)
	mux.HandleFunc("GET /account", s.accountPage)
	mux.HandleFunc("POST /account/password", s.changePassword)
	mux.HandleFunc("POST /account/signout-everywhere", s.signOutEverywhere)
	mux.HandleFunc("POST /account/tokens", s.createToken)
	mux.HandleFunc("POST /account/tokens/{id}/revoke", s.revokeToken)
	s.adminRoutes(mux)
}

// signInData is the data of signin.html.
type signInData struct {
	Name  string
	Next  string
	Error string
	// SSO is the name of the single sign-on provider on the button; empty
	// leaves the button out.
	SSO string
}

// renderSignIn renders the sign-in page, with the single sign-on button
// when a provider is configured.
func (s *server) renderSignIn(w http.ResponseWriter, r *http.Request, status int, data signInData) {
	if s.oidc != nil {
		data.SSO = s.oidc.DisplayName()
	}
	s.render(w, r, status, "signin.html", "Sign in", data)
}

// loginRedirect sends /login, a common guess for the sign-in address, to
// /signin with the same query, so that next keeps working.
func loginRedirect(w http.ResponseWriter, r *http.Request) {
	target := "/signin"
	if r.URL.RawQuery != "" {
		target += "?" + r.URL.RawQuery
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

func (s *server) signInPage(w http.ResponseWriter, r *http.Request) {
	next := authn.SafeNext(r.URL.Query().Get("next"))
	if authn.FromContext(r.Context()) != nil {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	if n, err := s.accounts.CountUsers(r.Context()); err != nil {
		s.serverError(w, r, err)
		return
	} else if n == 0 {
		http.Redirect(w, r, "/setup", http.StatusSeeOther)
		return
	}
	s.renderSignIn(w, r, http.StatusOK, signInData{Next: next})
}

func (s *server) signIn(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		s.renderSignIn(w, r, http.StatusBadRequest, signInData{Error: "The form could not be read; reload the page and try again."})
		return
	}
	name := strings.TrimSpace(r.PostForm.Get("name"))
	password := r.PostForm.Get("password")
	data := signInData{Name: name, Next: authn.SafeNext(r.PostForm.Get("next"))}
	if name == "" || password == "" {
		data.Error = "Enter your user name and your password."
		s.renderSignIn(w, r, http.StatusBadRequest, data)
		return
	}
	// The store rejects such text (PostgreSQL with SQLSTATE 22021), and no
	// account has it, so it is turned away before the throttle's count.
	if !isText(name) || !isText(password) {
		s.logger.Info("Sign-in with a user name or password that is not text rejected", "address", authn.ClientAddress(r))
		data.Name = ""
		data.Error = "The user name or the password is not valid UTF-8 text, or contains a NUL character. Type both again."
		s.renderSignIn(w, r, http.StatusBadRequest, data)
		return
	}

	address := authn.ClientAddress(r)
	user, err := s.auth.SignIn(r.Context(), name, password, address)
	var throttled *auth.ThrottledError
	switch {
	case errors.As(err, &throttled):
		s.logger.Warn("Sign-in throttled", "user", name, "address", address, "by", throttled.By)
		w.Header().Set("Retry-After", strconv.Itoa(int(throttled.RetryAfter.Seconds())))
		data.Error = fmt.Sprintf("Too many failed sign-ins for this %s in the last minute. Wait %s, then try again.",
			throttled.By, plural(int(throttled.RetryAfter.Seconds()), "second"))
		s.renderSignIn(w, r, http.StatusTooManyRequests, data)
		return
	case errors.Is(err, authn.ErrDisabled):
		s.logger.Info("Sign-in of a disabled user rejected", "user", name, "address", address)
		data.Error = "This account is disabled. Ask an admin to enable it."
		s.renderSignIn(w, r, http.StatusForbidden, data)
		return
	case errors.Is(err, authn.ErrBadCredentials):
		s.logger.Info("Sign-in failed", "user", name, "address", address)
		data.Error = "The user name or the password is wrong. Check both and try again."
		s.renderSignIn(w, r, http.StatusUnauthorized, data)
		return
	case err != nil:
		s.serverError(w, r, err)
		return
	}

	if _, err := s.auth.StartSession(w, r, user); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.auth.Audit(r.Context(), &user, store.AuditSignIn, user.Name, address, "dashboard")
	s.logger.Info("User signed in", "user", user.Name, "address", address)
	http.Redirect(w, r, data.Next, http.StatusSeeOther)
}

// setupData is the data of setup.html.
type setupData struct {
	Name  string
	Token string
	Error string
}

// setupAllowed writes the rejection and returns false when r may not create
// the first admin: a user exists, or r is neither local nor carries the
// setup token.
func (s *server) setupAllowed(w http.ResponseWriter, r *http.Request, token string) bool {
	n, err := s.accounts.CountUsers(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return false
	}
	if n > 0 {
		s.message(w, r, http.StatusNotFound, "Setup is done",
			"The first admin exists already. Sign in, or ask an admin for an account.")
		return false
	}
	if !s.auth.SetupAllowed(r, token) {
		local := "or open this page on the server's machine, "
		if !s.loopbackSetup {
			local = "" // off behind a proxy: every request comes from it
		}
		s.message(w, r, http.StatusForbidden, "Setup needs the setup token",
			"No account exists yet. Open the setup address that the server printed in its log when it started (it ends in ?token=…), "+
				local+"or create an admin with `reelpulse users add NAME --role admin --password-stdin`.")
		return false
	}
	return true
}

func (s *server) setupPage(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("token")
	if !s.setupAllowed(w, r, token) {
		return
	}
	s.render(w, r, http.StatusOK, "setup.html", "Create the first admin", setupData{Token: token})
}

func (s *server) setup(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		s.message(w, r, http.StatusBadRequest, "Invalid form", "The form could not be read; reload the page and try again.")
		return
	}
	token := r.PostForm.Get("token")
	if !s.setupAllowed(w, r, token) {
		return
	}
	name := strings.TrimSpace(r.PostForm.Get("name"))
	password := r.PostForm.Get("password")
	data := setupData{Name: name, Token: token}
	if err := auth.CheckUserName(name); err != nil {
		data.Error = capitalize(err.Error()) + "."
	} else if err := auth.CheckPassword(password); err != nil {
		data.Error = capitalize(err.Error()) + "."
	} else if password != r.PostForm.Get("confirm") {
		data.Error = "The two passwords differ; type the same password twice."
	}
	if data.Error != "" {
		s.render(w, r, http.StatusBadRequest, "setup.html", "Create the first admin", data)
		return
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	address := authn.ClientAddress(r)
	user, err := s.auth.CreateFirstAdmin(r.Context(), name, hash, address)
	if errors.Is(err, store.ErrExists) {
		s.message(w, r, http.StatusConflict, "Setup is done", "The first admin exists already. Sign in, or ask an admin for an account.")
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.logger.Info("First admin created", "user", user.Name, "address", address)
	s.listTrackedMovies(r.Context(), user)
	if _, err := s.auth.StartSession(w, r, user); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.auth.Audit(r.Context(), &user, store.AuditSignIn, user.Name, address, "dashboard, after setup")
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// listTrackedMovies puts every movie tracked so far, by the command line
// or the demo, on the list of the first admin, whom the setup page
// promises every tracked movie. A failure is logged: the admin exists and
// still reaches the movies through "Show all tracked movies".
func (s *server) listTrackedMovies(ctx context.Context, admin store.User) {
	n, err := authn.ListTrackedMovies(ctx, s.store, s.accounts, admin.ID, s.now())
	if err != nil {
		s.logger.Warn("Putting the tracked movies on the first admin's list failed", "user", admin.Name, "error", err)
		return
	}
	s.logger.Info("Tracked movies put on the first admin's list", "user", admin.Name, "movies", n)
}

func (s *server) signOut(w http.ResponseWriter, r *http.Request) {
	identity := authn.FromContext(r.Context())
	if err := s.auth.EndSession(w, r); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.auth.Audit(r.Context(), &identity.User, store.AuditSignOut, identity.User.Name, authn.ClientAddress(r), "this browser")
	s.logger.Info("User signed out", "user", identity.User.Name)
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
}

func (s *server) signOutEverywhere(w http.ResponseWriter, r *http.Request) {
	identity := authn.FromContext(r.Context())
	n, err := s.accounts.DeleteUserSessions(r.Context(), identity.User.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.auth.ClearCookie(w, r)
	s.auth.Audit(r.Context(), &identity.User, store.AuditSignOut, identity.User.Name, authn.ClientAddress(r),
		"everywhere, "+plural(n, "session"))
	s.logger.Info("User signed out everywhere", "user", identity.User.Name, "sessions", n)
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
}

// isText reports whether s is valid UTF-8 without NUL characters, as a
// user name or a password typed in a form is.
func isText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

// capitalize upper-cases the first letter of an error message, to show it
// as a sentence.
func capitalize(text string) string {
	if text == "" {
		return text
	}
	return strings.ToUpper(text[:1]) + text[1:]
}
