package imdb

import (
	"fmt"
	"net/url"
	"strings"
)

// ParseID returns the canonical title id ("tt" and its digits) of input,
// which may be an id in any letter case or an imdb.com title URL on any
// subdomain, such as https://m.imdb.com/title/tt0013442/reviews/.
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

// idFromURL returns the id in the first /title/{id} path of an imdb.com URL.
// A URL without a scheme is read as https.
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

	segments := strings.Split(strings.Trim(u.Path, "/"), "/")
	for i := 0; i+1 < len(segments); i++ {
		if segments[i] == "title" {
			return canonicalID(segments[i+1])
		}
	}
	return "", false
}
