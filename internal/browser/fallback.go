package browser

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/reelpulse/reelpulse/internal/fetch"
)

// Mode selects when NewFallback's Doer uses the browser.
type Mode int

// The modes, named as REELPULSE_BROWSER spells them.
const (
	Auto   Mode = iota // plain HTTP, and the browser for a request that was challenged or blocked
	Never              // plain HTTP only
	Always             // the browser only
)

// StickyDuration is how long Auto keeps sending a host's requests straight
// to the browser after the browser succeeded where plain HTTP was
// challenged or blocked. Without it, every request would pay a failed
// plain attempt first.
const StickyDuration = 10 * time.Minute

// ParseMode parses the value of REELPULSE_BROWSER: auto, never or always.
func ParseMode(value string) (Mode, error) {
	switch value {
	case "auto":
		return Auto, nil
	case "never":
		return Never, nil
	case "always":
		return Always, nil
	}
	return 0, fmt.Errorf("invalid REELPULSE_BROWSER %q: set it to auto, never or always", value)
}

// String returns the mode as REELPULSE_BROWSER spells it.
func (m Mode) String() string {
	switch m {
	case Auto:
		return "auto"
	case Never:
		return "never"
	case Always:
		return "always"
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// fallback is the Doer that NewFallback returns.
type fallback struct {
	primary fetch.Doer
	browser fetch.Doer
	mode    Mode
	logger  *slog.Logger
	now     func() time.Time // replaced by tests

	mu          sync.Mutex
	stickyUntil map[string]time.Time // by host, for mode Auto
}

// NewFallback returns a Doer that sends requests through primary, browser
// or both, as mode selects. In mode Auto a request that primary fails with
// fetch.ErrChallenged or fetch.ErrBlocked is sent once more through
// browser. When that succeeds, the host's requests go straight to browser
// for StickyDuration, and after it plain HTTP is tried first again. A nil
// logger discards log records.
func NewFallback(primary, browser fetch.Doer, mode Mode, logger *slog.Logger) fetch.Doer {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &fallback{
		primary:     primary,
		browser:     browser,
		mode:        mode,
		logger:      logger,
		now:         time.Now,
		stickyUntil: make(map[string]time.Time),
	}
}

func (f *fallback) Do(ctx context.Context, req *http.Request) (*fetch.Response, error) {
	switch f.mode {
	case Never:
		return f.primary.Do(ctx, req)
	case Always:
		return f.browser.Do(ctx, req)
	}
	return f.auto(ctx, req)
}

func (f *fallback) auto(ctx context.Context, req *http.Request) (*fetch.Response, error) {
	host := req.URL.Host
	if f.sticky(host) {
		resp, err := f.browser.Do(ctx, req)
		if err != nil && !errors.Is(err, fetch.ErrNotFound) && ctx.Err() == nil {
			f.forget(host)
			f.logger.Warn("browser request failed; trying plain HTTP first again for this host", "host", host, "error", err)
		}
		return resp, err
	}

	resp, err := f.primary.Do(ctx, req)
	if !browserMayPass(err) {
		return resp, err
	}

	retry, rewindErr := rewind(ctx, req)
	if rewindErr != nil {
		return nil, fmt.Errorf("%w; the browser cannot retry it: %w", err, rewindErr)
	}
	f.logger.Warn("plain HTTP request was challenged or blocked; retrying it in the browser", "host", host, "error", err)

	resp, browserErr := f.browser.Do(ctx, retry)
	if browserErr != nil {
		f.logger.Warn("browser retry failed", "host", host, "error", browserErr)
		// The plain error comes first, so that a pass still reads as
		// challenged or blocked when the browser cannot start.
		return nil, fmt.Errorf("%w; the browser retry failed too: %w", err, browserErr)
	}
	f.remember(host)
	return resp, nil
}

// browserMayPass reports whether err is a failure of plain HTTP that a
// browser may not get.
func browserMayPass(err error) bool {
	return errors.Is(err, fetch.ErrChallenged) || errors.Is(err, fetch.ErrBlocked)
}

func (f *fallback) sticky(host string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	until, ok := f.stickyUntil[host]
	if ok && f.now().After(until) {
		delete(f.stickyUntil, host)
		return false
	}
	return ok
}

func (f *fallback) remember(host string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.stickyUntil[host]; !ok {
		f.logger.Info("browser passed where plain HTTP failed; sending this host's requests to the browser for a while",
			"host", host, "duration", StickyDuration)
	}
	f.stickyUntil[host] = f.now().Add(StickyDuration)
}

func (f *fallback) forget(host string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.stickyUntil, host)
}

// rewind returns a copy of req with its body read from the start again.
func rewind(ctx context.Context, req *http.Request) (*http.Request, error) {
	retry := req.Clone(ctx)
	if req.Body == nil || req.Body == http.NoBody {
		return retry, nil
	}
	if req.GetBody == nil {
		return nil, errors.New("the request body cannot be read twice (GetBody is nil)")
	}
	body, err := req.GetBody()
	if err != nil {
		return nil, fmt.Errorf("rewind the request body: %w", err)
	}
	retry.Body = body
	return retry, nil
}
