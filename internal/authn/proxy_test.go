package authn

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
)

func TestForwardedClients(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.168.1.5/32")}
	tests := []struct {
		name      string
		trusted   []netip.Prefix
		peer      string
		forwarded []string
		want      string
	}{
		{"client behind a trusted proxy", trusted, "10.0.0.1:4711", []string{"203.0.113.7"}, "203.0.113.7"},
		{"address written by the client ignored", trusted, "10.0.0.1:4711", []string{"198.51.100.1, 203.0.113.7"}, "203.0.113.7"},
		{"two trusted proxies", trusted, "192.168.1.5:4711", []string{"203.0.113.7, 10.2.3.4"}, "203.0.113.7"},
		{"header on two lines", trusted, "10.0.0.1:4711", []string{"203.0.113.7", "10.2.3.4"}, "203.0.113.7"},
		{"ipv6 client", trusted, "10.0.0.1:4711", []string{"2001:db8::1"}, "2001:db8::1"},
		{"ipv4 peer written as ipv6", trusted, "[::ffff:10.0.0.1]:4711", []string{"203.0.113.7"}, "203.0.113.7"},
		{"untrusted peer keeps its address", trusted, "198.51.100.9:4711", []string{"203.0.113.7"}, "198.51.100.9"},
		{"trusted peer without the header", trusted, "10.0.0.1:4711", nil, "10.0.0.1"},
		{"only trusted addresses in the header", trusted, "10.0.0.1:4711", []string{"10.9.9.9"}, "10.0.0.1"},
		{"not an address in the header", trusted, "10.0.0.1:4711", []string{"203.0.113.7, unknown"}, "10.0.0.1"},
		{"no trusted proxies", nil, "10.0.0.1:4711", []string{"203.0.113.7"}, "10.0.0.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got string
			h := ForwardedClients(tt.trusted, http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
				got = ClientAddress(r)
			}))
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.RemoteAddr = tt.peer
			for _, v := range tt.forwarded {
				r.Header.Add("X-Forwarded-For", v)
			}
			h.ServeHTTP(httptest.NewRecorder(), r)
			if got != tt.want {
				t.Errorf("client address %q, want %q", got, tt.want)
			}
		})
	}
}
