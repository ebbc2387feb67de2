package replay

import (
	"fmt"
	"io"
	"net/http"
)

// ChallengeCookie is the cookie that the page of JSChallenge sets. A request
// that carries it passes the challenge.
const ChallengeCookie = "rp_challenge"

// ChallengeMarker is the global variable that the challenge page defines, so
// that a client can tell the challenge page from the page it requested.
const ChallengeMarker = "window.__RP_CHALLENGE__"

// challengePage sets the cookie and loads the page again after a short
// delay, as a JavaScript bot challenge does once it has checked the browser.
// Only a client that runs the script gets past it.
const challengePage = `<!DOCTYPE html>
<html lang="en-US"><head><meta charset="utf-8"/><title>Checking your browser</title></head>
<body><p>Checking your browser before you reach the page.</p>
<script>
` + ChallengeMarker + ` = true;
setTimeout(function () {
  document.cookie = "` + ChallengeCookie + `=passed; path=/";
  location.reload();
}, 50);
</script>
</body></html>
`

// JSChallenge wraps next with a bot challenge that only a client running
// JavaScript passes. A request without the cookie rp_challenge=passed gets
// instead of its page:
//
//   - on GraphQLPath, whatever the method: HTTP 202 with an empty body and
//     the header x-amzn-waf-action: challenge, as AWS WAF replies to an
//     API call;
//   - for any other GET or HEAD: HTTP 200 with a page whose script defines
//     window.__RP_CHALLENGE__, sets the cookie and reloads;
//   - for any other method: the same 202 reply as GraphQL.
//
// A request with the cookie goes to next unchanged.
func JSChallenge(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if passedChallenge(r) {
			next.ServeHTTP(w, r)
			return
		}

		isPage := r.Method == http.MethodGet || r.Method == http.MethodHead
		if r.URL.Path == GraphQLPath || !isPage {
			writeChallenge(w)
			return
		}
		writeChallengePage(w, r)
	})
}

func passedChallenge(r *http.Request) bool {
	cookie, err := r.Cookie(ChallengeCookie)
	return err == nil && cookie.Value == "passed"
}

func writeChallengePage(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Length", fmt.Sprint(len(challengePage)))
	// The page must not be cached, or the reload would show it again.
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = io.WriteString(w, challengePage)
	}
}
