package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// These addresses are only classified, never dialed.
func TestNonPublicKind(t *testing.T) {
	tests := []struct {
		addr string
		want string
	}{
		{"127.0.0.1", "loopback"},
		{"127.255.0.9", "loopback"},
		{"::1", "loopback"},
		{"10.0.0.1", "private"},
		{"172.16.5.4", "private"},
		{"192.168.1.1", "private"},
		{"169.254.169.254", "link-local"},
		{"fe80::1%eth0", "link-local"},
		{"0.0.0.0", "unspecified"},
		{"::", "unspecified"},
		{"224.0.0.251", "multicast"},
		{"ff02::1", "multicast"},
		{"100.64.0.1", "carrier-grade NAT"},
		{"100.127.255.254", "carrier-grade NAT"},
		{"fd12:3456::1", "unique local"},
		{"255.255.255.255", "reserved"},
		{"::ffff:127.0.0.1", "loopback"},
		{"::ffff:10.1.2.3", "private"},
		{"64:ff9b::7f00:1", "loopback"},
		{"100.128.0.1", ""},
		{"172.32.0.1", ""},
		{"8.8.8.8", ""},
		{"2606:4700::1111", ""},
		{"64:ff9b::808:808", ""},
	}
	for _, tt := range tests {
		if got := nonPublicKind(netip.MustParseAddr(tt.addr)); got != tt.want {
			t.Errorf("nonPublicKind(%s) = %q, want %q", tt.addr, got, tt.want)
		}
	}
}

func TestNormalizeHost(t *testing.T) {
	tests := map[string]string{
		"Replay.Local":      "replay.local",
		"replay.local.":     "replay.local",
		"127.0.0.1:8080":    "127.0.0.1",
		"[::1]:8080":        "::1",
		"[::1]":             "::1",
		"0:0:0:0:0:0:0:1":   "::1",
		"  localhost  ":     "localhost",
		"www.imdb.com:443":  "www.imdb.com",
		"[fd00::0001]:9000": "fd00::1",
	}
	for in, want := range tests {
		if got := normalizeHost(in); got != want {
			t.Errorf("normalizeHost(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestPolicyControl calls the dialer hook directly, as the dialer would
// after resolving a name, so no connection is attempted.
func TestPolicyControl(t *testing.T) {
	policy := newAddressPolicy([]string{"replay.test:8080"})
	tests := []struct {
		host    string
		address string
		allowed bool
	}{
		{"rebound.example", "10.0.0.1:443", false},
		{"rebound.example", "[::1]:443", false},
		{"rebound.example", "100.64.1.1:80", false},
		{"rebound.example", "93.184.215.14:443", true},
		{"replay.test", "10.0.0.1:443", true},
		{"REPLAY.TEST", "127.0.0.1:80", true},
		{"", "10.0.0.1:443", false},
	}
	for _, tt := range tests {
		ctx := context.WithValue(t.Context(), dialHostKey{}, tt.host)

		err := policy.control(ctx, "tcp", tt.address, nil)

		if tt.allowed && err != nil {
			t.Errorf("control(%s, %s) = %v, want nil", tt.host, tt.address, err)
		}
		if !tt.allowed && err == nil {
			t.Errorf("control(%s, %s) = nil, want an error", tt.host, tt.address)
		}
	}
}

func TestPolicyCheckURL(t *testing.T) {
	policy := newAddressPolicy([]string{"127.0.0.1"})
	tests := []struct {
		url     string
		allowed bool
	}{
		{"https://www.imdb.com/title/tt0111161/", true},
		{"http://127.0.0.1:8080/", true},
		{"http://10.0.0.1/", false},
		{"http://[::1]:8080/", false},
		{"http://169.254.169.254/latest/meta-data/", false},
		{"ftp://www.imdb.com/", false},
		{"file:///etc/passwd", false},
		{"http:///path", false},
	}
	for _, tt := range tests {
		u, err := url.Parse(tt.url)
		if err != nil {
			t.Fatalf("parse %q: %v", tt.url, err)
		}

		err = policy.checkURL(u)

		if tt.allowed && err != nil {
			t.Errorf("checkURL(%s) = %v, want nil", tt.url, err)
		}
		if !tt.allowed && err == nil {
			t.Errorf("checkURL(%s) = nil, want an error", tt.url)
		}
	}
}

// listen returns a listener on 127.0.0.1 that nothing serves, for checking
// that the client never connected to it.
func listen(t *testing.T) net.Listener {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	t.Cleanup(func() { _ = listener.Close() })
	return listener
}

// assertNoConnection fails t if a connection to listener is waiting to be
// accepted. A completed connect(2) stays queued until accepted, so a short
// deadline is enough.
func assertNoConnection(t *testing.T, listener net.Listener) {
	t.Helper()
	if err := listener.(*net.TCPListener).SetDeadline(time.Now().Add(100 * time.Millisecond)); err != nil {
		t.Fatalf("set deadline: %v", err)
	}
	conn, err := listener.Accept()
	if err == nil {
		_ = conn.Close()
		t.Fatal("the listener accepted a connection, want none")
	}
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("accept: %v", err)
	}
}

func assertForbidden(t *testing.T, err error, wantInMessage string) {
	t.Helper()
	if !errors.Is(err, ErrForbidden) {
		t.Fatalf("error = %v, want ErrForbidden", err)
	}
	var fetchErr *Error
	if !errors.As(err, &fetchErr) || fetchErr.Kind != Forbidden {
		t.Fatalf("error %v is not a Forbidden *Error", err)
	}
	if !strings.Contains(err.Error(), wantInMessage) {
		t.Errorf("message %q does not contain %q", err, wantInMessage)
	}
}

func TestDoRejectsLoopbackWithoutAllowance(t *testing.T) {
	listener := listen(t)
	port := listener.Addr().(*net.TCPAddr).Port
	cfg := testConfig()
	cfg.AllowedPrivateHosts = nil
	c, _ := newTestClient(t, cfg)

	// The IP literal is rejected before dialing; localhost only after
	// resolution, in the dialer's Control hook.
	for _, host := range []string{"127.0.0.1", "localhost"} {
		t.Run(host, func(t *testing.T) {
			resp, err := c.Get(t.Context(), fmt.Sprintf("http://%s:%d/title/tt0111161/", host, port), nil)

			if resp != nil {
				t.Errorf("response = %+v, want nil", resp)
			}
			assertForbidden(t, err, "AllowedPrivateHosts")
			assertForbidden(t, err, fmt.Sprintf("host %q has loopback address", host))
		})
	}
	assertNoConnection(t, listener)
}

func TestDoRejectsNonHTTPScheme(t *testing.T) {
	c, _ := newTestClient(t, testConfig())

	_, err := c.Get(t.Context(), "ftp://127.0.0.1/file", nil)

	assertForbidden(t, err, `scheme "ftp"`)
}

// redirector serves a redirect to location on every request.
func redirector(t *testing.T, calls *atomic.Int32, location string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		http.Redirect(w, r, location, http.StatusFound)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestDoRedirectToForbiddenHost(t *testing.T) {
	listener := listen(t)
	target := fmt.Sprintf("http://localhost:%d/elsewhere", listener.Addr().(*net.TCPAddr).Port)
	var calls atomic.Int32
	srv := redirector(t, &calls, target)
	c, _ := newTestClient(t, testConfig())

	_, err := c.Get(t.Context(), srv.URL+"/start", nil)

	assertForbidden(t, err, "redirect to "+target)
	assertForbidden(t, err, `add "localhost" to Config.AllowedPrivateHosts`)
	if got := calls.Load(); got != 1 {
		t.Errorf("calls = %d, want 1 (no retry)", got)
	}
	assertNoConnection(t, listener)
}

func TestDoRedirectToForbiddenScheme(t *testing.T) {
	var calls atomic.Int32
	srv := redirector(t, &calls, "ftp://127.0.0.1/file")
	c, _ := newTestClient(t, testConfig())

	_, err := c.Get(t.Context(), srv.URL, nil)

	assertForbidden(t, err, `scheme "ftp" is not http or https`)
}

func TestDoRedirectToAllowedHost(t *testing.T) {
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "moved here")
	}))
	defer target.Close()
	targetURL := strings.Replace(target.URL, "127.0.0.1", "localhost", 1) + "/final"
	var calls atomic.Int32
	srv := redirector(t, &calls, targetURL)
	cfg := testConfig()
	cfg.AllowedPrivateHosts = []string{"127.0.0.1", "localhost"}
	c, _ := newTestClient(t, cfg)

	resp, err := c.Get(t.Context(), srv.URL, nil)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}

	if string(resp.Body) != "moved here" {
		t.Errorf("body = %q", resp.Body)
	}
	if resp.URL != targetURL {
		t.Errorf("URL = %q, want %q", resp.URL, targetURL)
	}
}

// hopServer redirects /hop/N to /hop/N+1 until N reaches hops, then
// responds with "done".
func hopServer(t *testing.T, calls *atomic.Int32, hops int) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		var n int
		_, _ = fmt.Sscanf(r.URL.Path, "/hop/%d", &n)
		if n < hops {
			http.Redirect(w, r, fmt.Sprintf("/hop/%d", n+1), http.StatusFound)
			return
		}
		_, _ = io.WriteString(w, "done")
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestDoFollowsFiveRedirects(t *testing.T) {
	var calls atomic.Int32
	srv := hopServer(t, &calls, maxRedirects)
	c, _ := newTestClient(t, testConfig())

	resp, err := c.Get(t.Context(), srv.URL+"/hop/0", nil)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}

	if string(resp.Body) != "done" {
		t.Errorf("body = %q, want done", resp.Body)
	}
	if got := calls.Load(); got != maxRedirects+1 {
		t.Errorf("calls = %d, want %d", got, maxRedirects+1)
	}
}

func TestDoRedirectLoop(t *testing.T) {
	var calls atomic.Int32
	srv := hopServer(t, &calls, 1000)
	c, _ := newTestClient(t, testConfig())

	resp, err := c.Get(t.Context(), srv.URL+"/hop/0", nil)

	if resp != nil {
		t.Errorf("response = %+v, want nil", resp)
	}
	if !errors.Is(err, ErrStatus) {
		t.Fatalf("error = %v, want ErrStatus", err)
	}
	if !strings.Contains(err.Error(), "stopped after 5 redirects") {
		t.Errorf("message %q does not explain the redirect limit", err)
	}
	var fetchErr *Error
	if errors.As(err, &fetchErr) && fetchErr.Status != http.StatusFound {
		t.Errorf("status = %d, want 302", fetchErr.Status)
	}
	if got := calls.Load(); got != maxRedirects+1 {
		t.Errorf("calls = %d, want %d (no retry)", got, maxRedirects+1)
	}
}
