package main

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/reelpulse/reelpulse/internal/authn"
)

// testAdminPassword is the password of the admin that setupAdmin creates.
const testAdminPassword = "password of the test admin"

// signedIn holds, by host:port, the session and API token of the admin that
// setupAdmin created on that server. testClient sends them.
var signedIn sync.Map // host → credentials

type credentials struct {
	session string
	token   string
}

// testClient signs requests in on servers that setupAdmin set up: an API
// token on /api/, the session cookie elsewhere.
var testClient = &http.Client{Transport: signedInTransport{}}

type signedInTransport struct{}

func (signedInTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if value, ok := signedIn.Load(r.URL.Host); ok {
		c := value.(credentials)
		r = r.Clone(r.Context())
		if strings.HasPrefix(r.URL.Path, "/api/") {
			r.Header.Set("Authorization", "Bearer "+c.token)
		} else {
			r.AddCookie(&http.Cookie{Name: authn.CookieName, Value: c.session})
		}
	}
	return http.DefaultTransport.RoundTrip(r)
}

var (
	csrfPattern     = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)
	newTokenPattern = regexp.MustCompile(`data-testid="new-token">(rp_[A-Za-z0-9_-]+)<`)
)

// setupAdmin creates the first admin of the server at base through its
// setup page, as a visitor on the server's machine does, creates an API
// token on the Account page, and lets testClient use both.
func setupAdmin(t *testing.T, base string) {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Jar: jar}
	form := url.Values{"name": {"test-admin"}, "password": {testAdminPassword}, "confirm": {testAdminPassword}}
	resp, err := client.PostForm(base+"/setup", form)
	if err != nil {
		t.Fatalf("POST /setup: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/" {
		t.Fatalf("POST /setup: status %d at %s, want the movie list", resp.StatusCode, resp.Request.URL)
	}
	baseURL, _ := url.Parse(base)
	var session string
	for _, c := range jar.Cookies(baseURL) {
		if c.Name == authn.CookieName {
			session = c.Value
		}
	}

	account := readBody(t, client, http.MethodGet, base+"/account", nil)
	match := csrfPattern.FindStringSubmatch(account)
	if match == nil {
		t.Fatalf("the account page has no CSRF token:\n%s", account)
	}
	page := readBody(t, client, http.MethodPost, base+"/account/tokens",
		url.Values{"csrf_token": {match[1]}, "name": {"tests"}, "expires": {""}})
	token := newTokenPattern.FindStringSubmatch(page)
	if token == nil {
		t.Fatalf("the account page shows no new token:\n%s", page)
	}
	signedIn.Store(baseURL.Host, credentials{session: session, token: token[1]})
	t.Cleanup(func() { signedIn.Delete(baseURL.Host) })
}

func readBody(t *testing.T, client *http.Client, method, target string, form url.Values) string {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	request, err := http.NewRequest(method, target, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		request.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := client.Do(request)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("%s %s: status %d, error %v", method, target, resp.StatusCode, err)
	}
	return string(data)
}

// signInBrowser gives the browser the session of the admin that setupAdmin
// created on the server at base.
func signInBrowser(t *testing.T, browser context.Context, base string) {
	t.Helper()
	baseURL, _ := url.Parse(base)
	value, ok := signedIn.Load(baseURL.Host)
	if !ok {
		t.Fatalf("no admin was set up on %s; call setupAdmin first", base)
	}
	httpOnly := true
	_, err := chromedp.Call(browser, network.SetCookie, network.SetCookieParams{
		Name: authn.CookieName, Value: value.(credentials).session, URL: base, HTTPOnly: &httpOnly,
	})
	if err != nil {
		t.Fatalf("set the session cookie in the browser: %v", err)
	}
}
