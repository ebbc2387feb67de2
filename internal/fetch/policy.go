package fetch

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// maxRedirects is the number of redirects one attempt follows.
const maxRedirects = 5

// nonPublicRanges lists the destinations that the outbound address policy
// rejects unless the host is in Config.AllowedPrivateHosts. IPv4-mapped
// IPv6 addresses are checked as IPv4, and NAT64 addresses by the IPv4
// address they embed.
var nonPublicRanges = []struct {
	prefix netip.Prefix
	name   string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), "unspecified"},
	{netip.MustParsePrefix("10.0.0.0/8"), "private"},
	{netip.MustParsePrefix("100.64.0.0/10"), "carrier-grade NAT"},
	{netip.MustParsePrefix("127.0.0.0/8"), "loopback"},
	{netip.MustParsePrefix("169.254.0.0/16"), "link-local"},
	{netip.MustParsePrefix("172.16.0.0/12"), "private"},
	{netip.MustParsePrefix("192.0.0.0/24"), "IETF protocol assignment"},
	{netip.MustParsePrefix("192.168.0.0/16"), "private"},
	{netip.MustParsePrefix("198.18.0.0/15"), "benchmarking"},
	{netip.MustParsePrefix("224.0.0.0/4"), "multicast"},
	{netip.MustParsePrefix("240.0.0.0/4"), "reserved"},
	{netip.MustParsePrefix("::/128"), "unspecified"},
	{netip.MustParsePrefix("::1/128"), "loopback"},
	{netip.MustParsePrefix("fc00::/7"), "unique local"},
	{netip.MustParsePrefix("fe80::/10"), "link-local"},
	{netip.MustParsePrefix("ff00::/8"), "multicast"},
}

// nat64Prefix is the well-known NAT64 prefix. A DNS64 resolver returns
// addresses in it for IPv4-only names, so 64:ff9b::7f00:1 reaches
// 127.0.0.1 through the gateway.
var nat64Prefix = netip.MustParsePrefix("64:ff9b::/96")

// nonPublicKind returns the name of the non-public range that contains
// addr, or "" for a public address.
func nonPublicKind(addr netip.Addr) string {
	addr = addr.Unmap().WithZone("")
	if nat64Prefix.Contains(addr) {
		raw := addr.As16()
		addr = netip.AddrFrom4([4]byte(raw[12:]))
	}
	for _, r := range nonPublicRanges {
		if r.prefix.Contains(addr) {
			return r.name
		}
	}
	return ""
}

// policyError is the cause of a Forbidden *Error.
type policyError struct {
	host   string
	addr   netip.Addr // the rejected address; invalid for a rejected URL
	reason string     // reason for rejecting a URL, used when addr is invalid
}

func (e *policyError) Error() string {
	if !e.addr.IsValid() {
		return e.reason
	}
	return fmt.Sprintf("host %q has %s address %s; add %q to Config.AllowedPrivateHosts if it is a trusted server",
		e.host, nonPublicKind(e.addr), e.addr, e.host)
}

// redirectLimitError is the cause of a Status *Error raised when an attempt
// would follow more than maxRedirects redirects.
type redirectLimitError struct {
	status int
}

func (e *redirectLimitError) Error() string {
	return fmt.Sprintf("stopped after %d redirects; check the URL for a redirect loop", maxRedirects)
}

// addressPolicy decides which destinations a Client may connect to.
type addressPolicy struct {
	allowed map[string]bool // normalized host names from Config.AllowedPrivateHosts
}

func newAddressPolicy(allowedHosts []string) *addressPolicy {
	allowed := make(map[string]bool, len(allowedHosts))
	for _, host := range allowedHosts {
		allowed[normalizeHost(host)] = true
	}
	return &addressPolicy{allowed: allowed}
}

// normalizeHost lower-cases host and strips a port, IPv6 brackets and a
// trailing dot, so that it matches url.URL.Hostname.
func normalizeHost(host string) string {
	host = strings.TrimSpace(host)
	if name, _, err := net.SplitHostPort(host); err == nil {
		host = name
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if addr, err := netip.ParseAddr(host); err == nil {
		return addr.String()
	}
	return host
}

func (p *addressPolicy) allows(host string) bool {
	return p.allowed[normalizeHost(host)]
}

// checkAddress returns a *policyError if host, resolved to addr, may not be
// contacted.
func (p *addressPolicy) checkAddress(host string, addr netip.Addr) error {
	if p.allows(host) || nonPublicKind(addr) == "" {
		return nil
	}
	return &policyError{host: host, addr: addr}
}

// checkURL rejects a URL that is not http or https, or whose host is an IP
// literal outside the policy. Host names are checked after resolution, by
// control.
func (p *addressPolicy) checkURL(u *url.URL) error {
	if u.Scheme != "http" && u.Scheme != "https" {
		return &policyError{reason: fmt.Sprintf("scheme %q is not http or https", u.Scheme)}
	}
	host := u.Hostname()
	if host == "" {
		return &policyError{reason: "the URL has no host"}
	}
	if addr, err := netip.ParseAddr(host); err == nil {
		return p.checkAddress(host, addr)
	}
	return nil
}

// checkRedirect is the http.Client's CheckRedirect: it applies checkURL to
// every redirect target and stops after maxRedirects hops.
func (p *addressPolicy) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > maxRedirects {
		status := 0
		if req.Response != nil {
			status = req.Response.StatusCode
		}
		return &redirectLimitError{status: status}
	}
	return p.checkURL(req.URL)
}

// dialHostKey is the context key under which dialContext passes the host
// name being dialed to control.
type dialHostKey struct{}

// dialContext returns a dial function that passes the host name of each
// connection to control, because control receives only the resolved address.
func (p *addressPolicy) dialContext(dialer *net.Dialer) func(ctx context.Context, network, address string) (net.Conn, error) {
	return func(ctx context.Context, network, address string) (net.Conn, error) {
		host, _, err := net.SplitHostPort(address)
		if err != nil {
			return nil, fmt.Errorf("dial %s: %w", address, err)
		}
		return dialer.DialContext(context.WithValue(ctx, dialHostKey{}, host), network, address)
	}
}

// control runs after DNS resolution and before connect(2), once for every
// address tried, so a host name that resolves, or later rebinds, to a
// non-public address is rejected before any packet is sent to it.
func (p *addressPolicy) control(ctx context.Context, network, address string, _ syscall.RawConn) error {
	host, _ := ctx.Value(dialHostKey{}).(string)
	addrPort, err := netip.ParseAddrPort(address)
	if err != nil {
		return &policyError{reason: fmt.Sprintf("cannot parse the dialed address %q: %v", address, err)}
	}
	return p.checkAddress(host, addrPort.Addr())
}

// newHTTPClient returns an http.Client whose connections obey cfg's
// timeouts and the address policy.
func newHTTPClient(cfg Config, policy *addressPolicy) *http.Client {
	dialer := &net.Dialer{
		Timeout:        cfg.ConnectTimeout,
		KeepAlive:      30 * time.Second,
		ControlContext: policy.control,
	}
	transport := &http.Transport{
		// Proxy stays nil: through a proxy the dialer would see the proxy's
		// address, not the destination's, and the policy could not apply.
		Proxy:                 nil,
		DialContext:           policy.dialContext(dialer),
		ForceAttemptHTTP2:     true,
		TLSHandshakeTimeout:   cfg.TLSHandshakeTimeout,
		ResponseHeaderTimeout: cfg.ResponseHeaderTimeout,
		ExpectContinueTimeout: time.Second,
		// Client decodes gzip and br itself, so that MaxBodyBytes also
		// caps the decoded size.
		DisableCompression:  true,
		MaxIdleConns:        100,
		MaxIdleConnsPerHost: cfg.MaxConcurrentPerHost,
		IdleConnTimeout:     90 * time.Second,
	}
	return &http.Client{Transport: transport, CheckRedirect: policy.checkRedirect}
}
