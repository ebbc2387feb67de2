// Package poster downloads movie posters through the fetch layer and keeps
// them in the store, so that the dashboard serves them itself instead of
// linking to IMDb's image servers.
package poster

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"time"

	"github.com/reelpulse/reelpulse/internal/fetch"
	"github.com/reelpulse/reelpulse/internal/store"
)

// MaxBytes is the largest poster accepted. IMDb's full-size posters are a
// few hundred kilobytes; anything far larger is not a poster.
const MaxBytes = 5 << 20

// contentTypes are the image types accepted, as sniffed from the bytes.
// SVG is accepted for the replay server's generated posters; the dashboard
// serves every poster with a policy that keeps scripts in it inert.
var contentTypes = map[string]bool{
	"image/jpeg":    true,
	"image/png":     true,
	"image/webp":    true,
	"image/gif":     true,
	"image/svg+xml": true,
}

// ErrNotImage is returned when the downloaded file is not an accepted
// image type.
var ErrNotImage = errors.New("not a poster image")

// Refresher downloads a movie's poster when its URL is new or changed.
type Refresher struct {
	doer   fetch.Doer
	store  store.Store
	logger *slog.Logger
	now    func() time.Time
}

// NewRefresher returns a Refresher. A nil now uses time.Now.
func NewRefresher(doer fetch.Doer, st store.Store, logger *slog.Logger, now func() time.Time) *Refresher {
	if now == nil {
		now = time.Now
	}
	return &Refresher{doer: doer, store: st, logger: logger, now: now}
}

// Refresh stores the poster at url for the movie unless the stored poster
// already came from that URL. An empty url does nothing.
func (r *Refresher) Refresh(ctx context.Context, movieID, url string) error {
	if url == "" {
		return nil
	}
	stored, err := r.store.GetPoster(ctx, movieID)
	switch {
	case err == nil && stored.SourceURL == url:
		return nil
	case err != nil && !errors.Is(err, store.ErrNotFound):
		return fmt.Errorf("read stored poster of %s: %w", movieID, err)
	}

	contentType, data, err := Download(ctx, r.doer, url)
	if err != nil {
		return fmt.Errorf("download poster of %s: %w", movieID, err)
	}
	err = r.store.SavePoster(ctx, store.Poster{
		MovieID: movieID, SourceURL: url, ContentType: contentType, Data: data, FetchedAt: r.now(),
	})
	if err != nil {
		return fmt.Errorf("store poster of %s: %w", movieID, err)
	}
	r.logger.Info("Poster stored", "movie_id", movieID, "content_type", contentType, "bytes", len(data))
	return nil
}

// Download fetches url and returns the image's content type and bytes. The
// type is sniffed from the bytes, because a server's Content-Type can be
// wrong; anything but an accepted image type fails with ErrNotImage.
func Download(ctx context.Context, doer fetch.Doer, url string) (string, []byte, error) {
	header := http.Header{"Accept": {"image/avif,image/webp,image/png,image/jpeg,image/*;q=0.8"}}
	resp, err := fetch.Get(ctx, doer, url, header)
	if err != nil {
		return "", nil, err
	}
	if len(resp.Body) > MaxBytes {
		return "", nil, fmt.Errorf("poster %s is %d bytes, more than the %d allowed", url, len(resp.Body), MaxBytes)
	}

	contentType := sniff(resp.Body, resp.Header.Get("Content-Type"))
	if !contentTypes[contentType] {
		return "", nil, fmt.Errorf("%w: %s has type %s", ErrNotImage, url, contentType)
	}
	return contentType, resp.Body, nil
}

// sniff returns the media type of data. http.DetectContentType does not
// know SVG, so an XML or text body declared as SVG that starts with an
// <svg> element counts as SVG.
func sniff(data []byte, declared string) string {
	detected, _, _ := mime.ParseMediaType(http.DetectContentType(data))
	declaredType, _, _ := mime.ParseMediaType(declared)
	if declaredType == "image/svg+xml" && (detected == "text/xml" || detected == "text/plain") && looksLikeSVG(data) {
		return "image/svg+xml"
	}
	return detected
}

func looksLikeSVG(data []byte) bool {
	head := data[:min(len(data), 512)]
	return bytes.Contains(head, []byte("<svg"))
}
