package fetch

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
)

func gzipBytes(t *testing.T, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	if _, err := w.Write(data); err != nil {
		t.Fatalf("gzip: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("gzip: %v", err)
	}
	return buf.Bytes()
}

func brotliBytes(t *testing.T, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := brotli.NewWriterLevel(&buf, brotli.DefaultCompression)
	if _, err := w.Write(data); err != nil {
		t.Fatalf("brotli: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("brotli: %v", err)
	}
	return buf.Bytes()
}

// bodyServer serves body with the given header fields and records the
// request's Accept-Encoding.
func bodyServer(t *testing.T, header http.Header, body []byte, acceptEncoding *string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if acceptEncoding != nil {
			*acceptEncoding = r.Header.Get("Accept-Encoding")
		}
		for key, values := range header {
			w.Header()[key] = values
		}
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestDoDecodesContent(t *testing.T) {
	page := []byte("<html><body>" + strings.Repeat("The Shawshank Redemption ", 200) + "</body></html>")
	tests := []struct {
		encoding string
		body     []byte
	}{
		{"gzip", gzipBytes(t, page)},
		{"br", brotliBytes(t, page)},
		{"", page},
	}
	for _, tt := range tests {
		t.Run("encoding "+tt.encoding, func(t *testing.T) {
			var acceptEncoding string
			header := http.Header{"Content-Type": {"text/html; charset=utf-8"}}
			if tt.encoding != "" {
				header.Set("Content-Encoding", tt.encoding)
			}
			srv := bodyServer(t, header, tt.body, &acceptEncoding)
			c, _ := newTestClient(t, testConfig())

			resp, err := c.Get(t.Context(), srv.URL, nil)
			if err != nil {
				t.Fatalf("Get: %v", err)
			}

			if acceptEncoding != "gzip, br" {
				t.Errorf("Accept-Encoding = %q, want %q", acceptEncoding, "gzip, br")
			}
			if !bytes.Equal(resp.Body, page) {
				t.Errorf("body = %.40q…, want the page", resp.Body)
			}
			if got := resp.Header.Get("Content-Encoding"); got != "" {
				t.Errorf("Content-Encoding = %q, want it removed", got)
			}
			if got := resp.Header.Get("Content-Length"); tt.encoding != "" && got != "" {
				t.Errorf("Content-Length = %q, want it removed", got)
			}
		})
	}
}

func TestDoDecompressionBomb(t *testing.T) {
	// 4 MiB of zeros compress to a few KiB, well under the 64 KiB limit.
	zeros := make([]byte, 4<<20)
	tests := []struct {
		encoding string
		body     []byte
	}{
		{"br", brotliBytes(t, zeros)},
		{"gzip", gzipBytes(t, zeros)},
	}
	for _, tt := range tests {
		t.Run(tt.encoding, func(t *testing.T) {
			srv := bodyServer(t, http.Header{"Content-Encoding": {tt.encoding}}, tt.body, nil)
			cfg := testConfig()
			cfg.MaxBodyBytes = 64 << 10
			if int64(len(tt.body)) >= cfg.MaxBodyBytes {
				t.Fatalf("compressed bomb is %d bytes, want under the limit", len(tt.body))
			}
			c, _ := newTestClient(t, cfg)

			_, err := c.Get(t.Context(), srv.URL, nil)

			if !errors.Is(err, ErrTooLarge) {
				t.Fatalf("error = %v, want ErrTooLarge", err)
			}
			if !strings.Contains(err.Error(), "decoded body exceeds 65536 bytes") {
				t.Errorf("message %q does not name the decoded limit", err)
			}
		})
	}
}

func TestDoMalformedContent(t *testing.T) {
	tests := []struct {
		name     string
		encoding string
		body     []byte
		message  string
	}{
		{"corrupt gzip", "gzip", []byte("not gzip at all"), "decode gzip body"},
		{"corrupt br", "br", []byte("not brotli at all"), "decode br body"},
		{"unsupported encoding", "compress", []byte("x"), `unsupported Content-Encoding "compress"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := bodyServer(t, http.Header{"Content-Encoding": {tt.encoding}}, tt.body, nil)
			c, _ := newTestClient(t, testConfig())

			_, err := c.Get(t.Context(), srv.URL, nil)

			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error = %v, want ErrMalformed", err)
			}
			if !strings.Contains(err.Error(), tt.message) {
				t.Errorf("message %q does not contain %q", err, tt.message)
			}
		})
	}
}

func TestDoConvertsCharset(t *testing.T) {
	tests := []struct {
		name        string
		contentType string
		body        string
		want        string
		charset     string
	}{
		{
			name:        "ISO-8859-1 in header",
			contentType: "text/html; charset=ISO-8859-1",
			body:        "<p>Am\xe9lie, L\xe9on</p>",
			want:        "<p>Amélie, Léon</p>",
			charset:     "windows-1252",
		},
		{
			name:        "windows-1252 in meta charset",
			contentType: "text/html",
			body:        `<html><head><meta charset="windows-1252"></head><p>` + "\x93Great\x94 \x80 5 \x96 it\x92s fine</p>",
			want:        `<html><head><meta charset="windows-1252"></head><p>“Great” € 5 – it’s fine</p>`,
			charset:     "windows-1252",
		},
		{
			name:        "ISO-8859-1 in meta http-equiv",
			contentType: "text/html",
			body:        `<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"><p>Caf` + "\xe9</p>",
			want:        `<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"><p>Café</p>`,
			charset:     "windows-1252",
		},
		{
			name:        "undeclared UTF-8 kept",
			contentType: "text/html",
			body:        strings.Repeat("a", 2000) + "Amélie",
			want:        strings.Repeat("a", 2000) + "Amélie",
			charset:     "utf-8",
		},
		{
			name:        "JSON with declared charset",
			contentType: "application/json; charset=iso-8859-1",
			body:        `{"title":"Am` + "\xe9" + `lie"}`,
			want:        `{"title":"Amélie"}`,
			charset:     "windows-1252",
		},
		{
			name:        "JSON without charset kept",
			contentType: "application/json",
			body:        `{"title":"Amélie"}`,
			want:        `{"title":"Amélie"}`,
			charset:     "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := bodyServer(t, http.Header{"Content-Type": {tt.contentType}}, []byte(tt.body), nil)
			c, _ := newTestClient(t, testConfig())

			resp, err := c.Get(t.Context(), srv.URL, nil)
			if err != nil {
				t.Fatalf("Get: %v", err)
			}

			if string(resp.Body) != tt.want {
				t.Errorf("body = %q, want %q", resp.Body, tt.want)
			}
			if resp.Charset != tt.charset {
				t.Errorf("Charset = %q, want %q", resp.Charset, tt.charset)
			}
			if tt.charset == "windows-1252" && !strings.Contains(resp.Header.Get("Content-Type"), "charset=utf-8") {
				t.Errorf("Content-Type = %q, want charset=utf-8", resp.Header.Get("Content-Type"))
			}
		})
	}
}

func TestDoConvertsCompressedCharset(t *testing.T) {
	header := http.Header{
		"Content-Type":     {"text/html; charset=windows-1252"},
		"Content-Encoding": {"br"},
	}
	srv := bodyServer(t, header, brotliBytes(t, []byte("<p>\x93Nosferatu\x94</p>")), nil)
	c, _ := newTestClient(t, testConfig())

	resp, err := c.Get(t.Context(), srv.URL, nil)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}

	if string(resp.Body) != "<p>“Nosferatu”</p>" {
		t.Errorf("body = %q", resp.Body)
	}
}

func TestDoCharsetConversionLimit(t *testing.T) {
	// Each 0x80 byte becomes the three bytes of "€" in UTF-8.
	body := bytes.Repeat([]byte{0x80}, 50)
	srv := bodyServer(t, http.Header{"Content-Type": {"text/html; charset=windows-1252"}}, body, nil)
	cfg := testConfig()
	cfg.MaxBodyBytes = 100
	c, _ := newTestClient(t, cfg)

	_, err := c.Get(t.Context(), srv.URL, nil)

	if !errors.Is(err, ErrTooLarge) {
		t.Errorf("error = %v, want ErrTooLarge", err)
	}
}

func TestDecodeContentEmptyBody(t *testing.T) {
	got, err := decodeContent("gzip", nil, 10)
	if err != nil {
		t.Fatalf("decodeContent: %v", err)
	}
	if len(got) != 0 {
		t.Errorf("body = %q, want empty", got)
	}
}

func TestReadLimited(t *testing.T) {
	if _, err := readLimited(strings.NewReader("12345"), 4); !errors.Is(err, errBodyTooLarge) {
		t.Errorf("5 bytes with limit 4: error = %v, want errBodyTooLarge", err)
	}
	got, err := readLimited(strings.NewReader("1234"), 4)
	if err != nil || string(got) != "1234" {
		t.Errorf("4 bytes with limit 4 = %q, %v", got, err)
	}
	if _, err := readLimited(io.MultiReader(strings.NewReader("1"), errReader{}), 4); err == nil {
		t.Error("read error was dropped")
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }
