package imdb

import (
	"fmt"
	"net/url"
	"strings"
)

// ParseID returns the canonical title id ("tt" and its digits) of input,
// which may be an id in any letter case or an imdb.com title URL on any
// subdomain, with an optional locale prefix and any further path or query,
// such as https://m.imdb.com/de/title/tt0013442/reviews/?ref_=tt_urv.
func ParseID(input string) (string, error) {
	value := strings.TrimSpace(input)
	if id, ok := canonicalID(value); ok {
		return id, nil
	}

	if id, ok := idFromURL(value); ok {
		return id, nil
	}
	return "", fmt.Errorf("invalid IMDb id %q: expected tt followed by 7 to 10 digits, or an imdb.com title URL", input)
}

// canonicalID reports whether value is "tt" and 7 to 10 ASCII digits, in
// any letter case, and returns it in lower case. IMDb ids have 7 digits, and
// 8 since 2019; 10 leaves room without accepting arbitrary numbers.
func canonicalID(value string) (string, bool) {
	if len(value) < 9 || len(value) > 12 || !strings.EqualFold(value[:2], "tt") {
		return "", false
	}
	for _, c := range []byte(value[2:]) {
		if c < '0' || c > '9' {
			return "", false
		}
	}
	return "tt" + value[2:], true
}

// idFromURL returns the id of an imdb.com title URL (see titlePathID). A
// URL without a scheme is read as https.
func idFromURL(value string) (string, bool) {
	lower := strings.ToLower(value)
	if !strings.HasPrefix(lower, "http://") && !strings.HasPrefix(lower, "https://") {
		value = "https://" + value
	}

	u, err := url.Parse(value)
	if err != nil {
		return "", false
	}
	host := strings.ToLower(u.Hostname())
	if host != "imdb.com" && !strings.HasSuffix(host, ".imdb.com") {
		return "", false
	}
	return titlePathID(u.Path)
}

// idFromPath returns the title id in the path of rawURL on any host, such
// as the final URL of a request after redirects.
func idFromPath(rawURL string) (string, bool) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", false
	}
	return titlePathID(u.Path)
}

// titlePathID returns the id of a path that starts with /title/{id},
// optionally after a locale segment such as /de/ or /fr-ca/.
func titlePathID(path string) (string, bool) {
	segments := strings.Split(strings.Trim(path, "/"), "/")
	if len(segments) > 0 && isLocaleSegment(segments[0]) {
		segments = segments[1:]
	}
	if len(segments) < 2 || !strings.EqualFold(segments[0], "title") {
		return "", false
	}
	return canonicalID(segments[1])
}

// isLocaleSegment reports whether a path segment is a language code such
// as "de" or a language and region such as "fr-ca" or "pt-BR".
func isLocaleSegment(segment string) bool {
	language, region, hasRegion := strings.Cut(segment, "-")
	if !isLetters(language, 2) {
		return false
	}
	return !hasRegion || isLetters(region, 2)
}

// isLetters reports whether s is exactly n ASCII letters.
func isLetters(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, c := range []byte(s) {
		if c|0x20 < 'a' || c|0x20 > 'z' {
			return false
		}
	}
	return true
}
