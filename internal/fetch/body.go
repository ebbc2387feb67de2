package fetch

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/andybalholm/brotli"
	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
)

// acceptEncoding is sent on every request that does not set its own. The
// transport decodes gzip by itself only when it set this header, so
// Client decodes both encodings in decodeContent.
const acceptEncoding = "gzip, br"

var errBodyTooLarge = errors.New("body too large")

// readBody reads, decompresses and converts to UTF-8 the body of resp,
// applying limit to each stage. It edits resp.Header to describe the
// returned body, and returns the body's original charset.
func readBody(url string, resp *http.Response, limit int64) (body []byte, charsetName string, err error) {
	raw, err := readLimited(resp.Body, limit)
	if errors.Is(err, errBodyTooLarge) {
		return nil, "", tooLargeError(url, resp.StatusCode, "body", limit)
	}
	if err != nil {
		return nil, "", transportError(url, err)
	}

	body, err = decodeContent(resp.Header.Get("Content-Encoding"), raw, limit)
	if errors.Is(err, errBodyTooLarge) {
		return nil, "", tooLargeError(url, resp.StatusCode, "decoded body", limit)
	}
	if err != nil {
		return nil, "", &Error{Kind: Malformed, URL: url, Status: resp.StatusCode, Err: err}
	}
	if resp.Header.Get("Content-Encoding") != "" {
		resp.Header.Del("Content-Encoding")
		resp.Header.Del("Content-Length")
	}

	body, charsetName, err = toUTF8(resp.Header, body, limit)
	if errors.Is(err, errBodyTooLarge) {
		return nil, "", tooLargeError(url, resp.StatusCode, "body converted to UTF-8", limit)
	}
	if err != nil {
		return nil, "", &Error{Kind: Malformed, URL: url, Status: resp.StatusCode, Err: err}
	}
	return body, charsetName, nil
}

func tooLargeError(url string, status int, what string, limit int64) error {
	return &Error{Kind: TooLarge, URL: url, Status: status,
		Err: fmt.Errorf("%s exceeds %d bytes", what, limit)}
}

// readLimited reads r to the end, or fails with errBodyTooLarge after
// reading limit+1 bytes.
func readLimited(r io.Reader, limit int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if int64(len(data)) > limit {
		return nil, errBodyTooLarge
	}
	return data, err
}

// decodeContent undoes the Content-Encoding of raw. It reads at most
// limit+1 decoded bytes, so a decompression bomb costs no more memory than
// an oversized plain body.
func decodeContent(contentEncoding string, raw []byte, limit int64) ([]byte, error) {
	contentEncoding = strings.ToLower(strings.TrimSpace(contentEncoding))
	if contentEncoding == "" || contentEncoding == "identity" || len(raw) == 0 {
		return raw, nil
	}

	var decoder io.Reader
	switch contentEncoding {
	case "gzip", "x-gzip":
		reader, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return nil, fmt.Errorf("decode gzip body: %w", err)
		}
		decoder = reader
	case "br":
		decoder = brotli.NewReader(bytes.NewReader(raw))
	default:
		return nil, fmt.Errorf("unsupported Content-Encoding %q (only gzip and br are requested)", contentEncoding)
	}

	body, err := readLimited(decoder, limit)
	if err != nil && !errors.Is(err, errBodyTooLarge) {
		return nil, fmt.Errorf("decode %s body: %w", contentEncoding, err)
	}
	return body, err
}

// toUTF8 converts an HTML body, or a JSON body whose Content-Type names a
// charset, to UTF-8, and then updates header to match. It returns the
// original charset by its WHATWG name, so ISO-8859-1 is reported as
// windows-1252, or "" for other bodies.
func toUTF8(header http.Header, body []byte, limit int64) ([]byte, string, error) {
	contentType := header.Get("Content-Type")
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return body, "", nil
	}

	source, name := bodyCharset(mediaType, params, contentType, body)
	if source == nil {
		return body, name, nil
	}
	converted, err := readLimited(source.NewDecoder().Reader(bytes.NewReader(body)), limit)
	if err != nil && !errors.Is(err, errBodyTooLarge) {
		return nil, "", fmt.Errorf("convert %s body to UTF-8: %w", name, err)
	}
	if err != nil {
		return nil, "", err
	}

	params["charset"] = "utf-8"
	header.Set("Content-Type", mime.FormatMediaType(mediaType, params))
	header.Del("Content-Length")
	return converted, name, nil
}

// bodyCharset returns the charset of body and, if it is not UTF-8, the
// encoding to convert it from. HTML follows the WHATWG order: byte order
// mark, Content-Type, then <meta> tags in the first 1024 bytes. A body
// whose charset is only guessed or comes from a <meta> tag but that is
// valid UTF-8 as a whole is taken as UTF-8, because the fallback guess is
// windows-1252 for any page whose first 1024 bytes are ASCII.
func bodyCharset(mediaType string, params map[string]string, contentType string, body []byte) (source encoding.Encoding, name string) {
	switch {
	case mediaType == "text/html" || mediaType == "application/xhtml+xml":
		source, name, certain := charset.DetermineEncoding(body, contentType)
		if name == "utf-8" || (!certain && utf8.Valid(body)) {
			return nil, "utf-8"
		}
		return source, name
	case isJSON(contentType) && params["charset"] != "":
		source, name := charset.Lookup(params["charset"])
		// NOTE: an unknown charset label leaves the body unchanged.
		if source == nil || name == "utf-8" {
			return nil, name
		}
		return source, name
	}
	return nil, ""
}
