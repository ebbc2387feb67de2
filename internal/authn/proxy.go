package authn

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// ForwardedClients returns a handler that sets RemoteAddr to the client
// named by X-Forwarded-For when the peer is a trusted proxy, so that sign-in
// throttling and the audit log count clients and not the proxy.
//
// The client is the rightmost address of the header that is not a trusted
// proxy, because a client can write any address at its left. Requests from
// other peers, and headers with a value that is not an IP address, are
// passed on unchanged.
func ForwardedClients(trusted []netip.Prefix, next http.Handler) http.Handler {
	if len(trusted) == 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if client, ok := forwardedClient(trusted, r); ok {
			r = r.Clone(r.Context())
			r.RemoteAddr = net.JoinHostPort(client.String(), "0")
		}
		next.ServeHTTP(w, r)
	})
}

// forwardedClient returns the client address of r when its peer is a
// trusted proxy and X-Forwarded-For names a client.
func forwardedClient(trusted []netip.Prefix, r *http.Request) (netip.Addr, bool) {
	peer, err := netip.ParseAddr(ClientAddress(r))
	if err != nil || !contains(trusted, peer.Unmap()) {
		return netip.Addr{}, false
	}
	var hops []string
	for _, header := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(header, ",")...)
	}
	for i := len(hops) - 1; i >= 0; i-- {
		addr, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			return netip.Addr{}, false
		}
		addr = addr.Unmap()
		if !contains(trusted, addr) {
			return addr, true
		}
	}
	return netip.Addr{}, false
}

func contains(prefixes []netip.Prefix, addr netip.Addr) bool {
	for _, p := range prefixes {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}
