package poster

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/reelpulse/reelpulse/internal/fetch"
	"github.com/reelpulse/reelpulse/internal/store/sqlite"
)

func pngBytes(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 2, 3))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// imageServer serves a PNG at /poster.png, an HTML page at /page.html, an
// SVG at /poster.svg and counts the requests.
func imageServer(t *testing.T) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var requests atomic.Int64
	pngData := pngBytes(t)
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		switch r.URL.Path {
		case "/poster.png":
			w.Header().Set("Content-Type", "image/jpeg") // wrong on purpose: the bytes decide
			_, _ = w.Write(pngData)
		case "/poster.svg":
			w.Header().Set("Content-Type", "image/svg+xml")
			_, _ = io.WriteString(w, `<svg xmlns="http://www.w3.org/2000/svg" width="3" height="4"></svg>`)
		case "/page.html":
			w.Header().Set("Content-Type", "image/png") // a lie
			_, _ = io.WriteString(w, "<!DOCTYPE html><html><body>Sign in</body></html>")
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(server.Close)
	return server, &requests
}

func testFetcher(t *testing.T, server *httptest.Server) fetch.Doer {
	t.Helper()
	cfg := fetch.DefaultConfig()
	cfg.RequestsPerSecond = 100
	cfg.MaxRetries = 0
	u, err := url.Parse(server.URL)
	if err != nil {
		t.Fatal(err)
	}
	cfg.AllowedPrivateHosts = []string{u.Hostname()}
	return fetch.New(cfg, nil)
}

func TestDownloadAcceptsOnlyImages(t *testing.T) {
	server, _ := imageServer(t)
	doer := testFetcher(t, server)
	ctx := context.Background()

	tests := []struct {
		path string
		want string
		err  error
	}{
		{"/poster.png", "image/png", nil},
		{"/poster.svg", "image/svg+xml", nil},
		{"/page.html", "", ErrNotImage},
		{"/missing.jpg", "", fetch.ErrNotFound},
	}
	for _, tt := range tests {
		contentType, data, err := Download(ctx, doer, server.URL+tt.path)
		if tt.err != nil {
			if !errors.Is(err, tt.err) {
				t.Errorf("Download(%s) error = %v, want %v", tt.path, err, tt.err)
			}
			continue
		}
		if err != nil || contentType != tt.want || len(data) == 0 {
			t.Errorf("Download(%s) = %q, %d bytes, %v; want %s", tt.path, contentType, len(data), err, tt.want)
		}
	}
}

func TestRefreshDownloadsOncePerURL(t *testing.T) {
	server, requests := imageServer(t)
	ctx := context.Background()
	logger := slog.New(slog.DiscardHandler)
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "poster.db"), logger)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := st.TrackMovie(ctx, "tt0013442", time.Now()); err != nil {
		t.Fatal(err)
	}

	refresher := NewRefresher(testFetcher(t, server), st, logger, nil)
	for range 2 {
		if err := refresher.Refresh(ctx, "tt0013442", server.URL+"/poster.png"); err != nil {
			t.Fatalf("Refresh: %v", err)
		}
	}
	if got := requests.Load(); got != 1 {
		t.Errorf("%d downloads for one URL, want 1", got)
	}

	if err := refresher.Refresh(ctx, "tt0013442", server.URL+"/poster.svg"); err != nil {
		t.Fatalf("Refresh with a new URL: %v", err)
	}
	stored, err := st.GetPoster(ctx, "tt0013442")
	if err != nil {
		t.Fatal(err)
	}
	if stored.ContentType != "image/svg+xml" || stored.SourceURL != server.URL+"/poster.svg" {
		t.Errorf("stored poster = %s from %s, want the new SVG", stored.ContentType, stored.SourceURL)
	}

	err = refresher.Refresh(ctx, "tt0013442", server.URL+"/page.html")
	if !errors.Is(err, ErrNotImage) {
		t.Errorf("Refresh with an HTML page: %v, want ErrNotImage", err)
	}
	if kept, _ := st.GetPoster(ctx, "tt0013442"); kept.SourceURL != server.URL+"/poster.svg" {
		t.Errorf("a failed download replaced the stored poster")
	}
}
