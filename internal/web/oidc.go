package web

import (
	"errors"
	"net/http"

	"github.com/reelpulse/reelpulse/internal/authn"
)

// startOIDC sends the browser to the single sign-on provider. It is a
// link, not a form: the policy's form-action 'self' would stop a form's
// redirect to the provider. A sign-in started by another site's link
// can only sign the browser's own provider account in.
func (s *server) startOIDC(w http.ResponseWriter, r *http.Request) {
	err := s.oidc.StartOIDC(w, r, r.URL.Query().Get("next"))
	if errors.Is(err, authn.ErrOIDCUnavailable) {
		s.oidcUnavailable(w, r, err)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
	}
}

// oidcCallback finishes the single sign-on where the provider sends the
// browser back.
func (s *server) oidcCallback(w http.ResponseWriter, r *http.Request) {
	_, next, err := s.oidc.OIDCCallback(w, r)
	var rejection *authn.OIDCRejection
	switch {
	case errors.As(err, &rejection):
		s.message(w, r, rejection.Status, "Not signed in", rejection.Message)
	case errors.Is(err, authn.ErrOIDCUnavailable):
		s.oidcUnavailable(w, r, err)
	case err != nil:
		s.serverError(w, r, err)
	default:
		http.Redirect(w, r, next, http.StatusSeeOther)
	}
}

func (s *server) oidcUnavailable(w http.ResponseWriter, r *http.Request, err error) {
	s.logger.Warn("Single sign-on unavailable", "error", err)
	s.message(w, r, http.StatusBadGateway, "Sign-in provider unavailable",
		"The single sign-on provider cannot be reached at the moment. Try again in a minute, or sign in with your password.")
}
