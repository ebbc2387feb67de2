package fetch

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"golang.org/x/time/rate"
)

// limiter returns the rate limiter of host, creating it on first use.
func (c *Client) limiter(host string) *rate.Limiter {
	c.mu.Lock()
	defer c.mu.Unlock()

	l, ok := c.limiters[host]
	if !ok {
		l = rate.NewLimiter(rate.Limit(c.config.RequestsPerSecond), c.config.Burst)
		c.limiters[host] = l
	}
	return l
}

// acquireSlot waits until fewer than MaxConcurrentPerHost requests to host
// are in flight, or ctx ends. The caller must call release once done.
func (c *Client) acquireSlot(ctx context.Context, host string) (release func(), err error) {
	c.mu.Lock()
	slots, ok := c.slots[host]
	if !ok {
		slots = make(chan struct{}, c.config.MaxConcurrentPerHost)
		c.slots[host] = slots
	}
	c.mu.Unlock()

	select {
	case slots <- struct{}{}:
		return func() { <-slots }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// waitForHost blocks until host may receive another request. It reserves
// with c.now and waits with c.sleep, so tests can run it on a fake clock.
func (c *Client) waitForHost(ctx context.Context, host string) error {
	now := c.now()
	reservation := c.limiter(host).ReserveN(now, 1)
	delay := reservation.DelayFrom(now)
	if delay <= 0 {
		return nil
	}

	if err := c.sleep(ctx, delay); err != nil {
		reservation.CancelAt(c.now())
		return err
	}
	return nil
}

// backoff returns the delay before retry number attempt+1: the server's
// Retry-After if it sent one, in full, or else BaseBackoff doubled per
// attempt plus jitter, capped at MaxBackoff. A Retry-After that reaches
// past MaxTotalTime ends the request instead of being cut short (see Do).
func (c *Client) backoff(attempt int, retryAfter time.Duration) time.Duration {
	if retryAfter > 0 {
		return retryAfter
	}

	delay := c.config.BaseBackoff
	for range attempt {
		delay *= 2
		if delay >= c.config.MaxBackoff {
			delay = c.config.MaxBackoff
			break
		}
	}
	return min(delay+c.jitter(delay), c.config.MaxBackoff)
}

// randomJitter returns a random duration in [0, d/2).
func randomJitter(d time.Duration) time.Duration {
	if d < 2 {
		return 0
	}
	return rand.N(d / 2)
}

// parseRetryAfter reads a Retry-After value given in seconds or as an HTTP
// date. It returns zero for an absent, invalid or past value.
func parseRetryAfter(value string, now time.Time) time.Duration {
	value = strings.TrimSpace(value)
	if value == "" {
		return 0
	}

	if seconds, err := strconv.ParseInt(value, 10, 64); err == nil {
		if seconds <= 0 {
			return 0
		}
		// Cap before converting so a huge value cannot overflow Duration.
		return time.Duration(min(seconds, int64(24*time.Hour/time.Second))) * time.Second
	}

	when, err := http.ParseTime(value)
	if err != nil {
		return 0
	}
	return max(when.Sub(now), 0)
}

func sleepContext(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()

	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}
