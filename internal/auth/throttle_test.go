package auth

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/reelpulse/reelpulse/internal/store"
	"github.com/reelpulse/reelpulse/internal/store/sqlite"
)

func openStore(t *testing.T) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "reelpulse.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	return s
}

// clock is a settable time source.
type clock struct{ now time.Time }

func (c *clock) Now() time.Time { return c.now }

func TestThrottle(t *testing.T) {
	start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		// failures are the seconds after start at which ada failed from
		// the address given by address.
		failures  []int
		address   func(i int) string
		at        int    // seconds after start of the attempt
		account   string // of the attempt
		from      string // address of the attempt
		wantBy    string // "" when allowed
		wantRetry time.Duration
	}{
		{
			name: "nine failures allow a tenth attempt", failures: seconds(0, 8),
			address: same("192.0.2.1"), at: 10, account: "ada", from: "192.0.2.1",
		},
		{
			name: "after ten failures within a minute the eleventh attempt is rejected", failures: seconds(0, 9),
			address: same("192.0.2.1"), at: 11, account: "ada", from: "192.0.2.9",
			wantBy: "account", wantRetry: 50 * time.Second, // when the failure at 0 s leaves the window
		},
		{
			name: "failures from many addresses count for the account", failures: seconds(0, 9),
			address: spread, at: 30, account: "ada", from: "198.51.100.1",
			wantBy: "account", wantRetry: 31 * time.Second,
		},
		{
			name: "failures for the account count for its address", failures: seconds(0, 9),
			address: same("192.0.2.1"), at: 30, account: "bob", from: "192.0.2.1",
			wantBy: "address", wantRetry: 31 * time.Second,
		},
		{
			name: "other accounts from other addresses are not throttled", failures: seconds(0, 9),
			address: same("192.0.2.1"), at: 30, account: "bob", from: "192.0.2.2",
		},
		{
			name: "failures older than a minute no longer count", failures: seconds(0, 9),
			address: same("192.0.2.1"), at: 61, account: "ada", from: "192.0.2.1",
		},
		{
			name: "a failure exactly a minute ago still counts", failures: seconds(0, 9),
			address: same("192.0.2.1"), at: 60, account: "ada", from: "192.0.2.1",
			wantBy: "account", wantRetry: time.Second,
		},
		{
			name: "an empty address is not a shared bucket", failures: seconds(0, 9),
			address: same(""), at: 30, account: "bob", from: "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openStore(t)
			c := &clock{}
			throttle := NewThrottle(s, 0, 0, c.Now)
			for i, sec := range tt.failures {
				c.now = start.Add(time.Duration(sec) * time.Second)
				if err := throttle.Failed(t.Context(), nil, "ada", tt.address(i), ""); err != nil {
					t.Fatal(err)
				}
			}

			c.now = start.Add(time.Duration(tt.at) * time.Second)
			err := throttle.Allow(t.Context(), tt.account, tt.from)
			if tt.wantBy == "" {
				if err != nil {
					t.Fatalf("Allow = %v, want nil", err)
				}
				return
			}
			var rejected *ThrottledError
			if !errors.As(err, &rejected) || !errors.Is(err, ErrThrottled) {
				t.Fatalf("Allow = %v, want a *ThrottledError", err)
			}
			if rejected.By != tt.wantBy || rejected.RetryAfter != tt.wantRetry {
				t.Errorf("rejected by %s, retry after %s; want %s, %s", rejected.By, rejected.RetryAfter, tt.wantBy, tt.wantRetry)
			}
			if !strings.Contains(err.Error(), "try again in") {
				t.Errorf("message %q does not say when to try again", err)
			}

			// The rejection is logged but does not count as a failure.
			throttled, _ := s.CountAudit(t.Context(), store.AuditCount{Action: store.AuditSignInThrottled, Target: tt.account, Since: start})
			failed, _ := s.CountAudit(t.Context(), store.AuditCount{Action: store.AuditSignInFailed, Since: start})
			if throttled != 1 || failed != len(tt.failures) {
				t.Errorf("audit log has %d throttled and %d failed sign-ins, want 1 and %d", throttled, failed, len(tt.failures))
			}
		})
	}
}

// TestThrottleRetryAfterIsExact waits out the retry-after of a rejection and
// checks that the next attempt is allowed, and one second earlier is not.
func TestThrottleRetryAfterIsExact(t *testing.T) {
	s := openStore(t)
	start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	c := &clock{}
	throttle := NewThrottle(s, 3, 10*time.Second, c.Now)
	for _, sec := range []int{0, 4, 7} {
		c.now = start.Add(time.Duration(sec) * time.Second)
		if err := throttle.Failed(t.Context(), nil, "ada", "192.0.2.1", ""); err != nil {
			t.Fatal(err)
		}
	}

	c.now = start.Add(8 * time.Second)
	var rejected *ThrottledError
	if err := throttle.Allow(t.Context(), "ada", "192.0.2.1"); !errors.As(err, &rejected) {
		t.Fatalf("Allow = %v, want a rejection", err)
	}
	if rejected.RetryAfter != 3*time.Second {
		t.Errorf("retry after %s, want 3s (the failure at 0 s leaves the 10 s window at 11 s)", rejected.RetryAfter)
	}
	c.now = c.now.Add(rejected.RetryAfter - time.Second)
	if err := throttle.Allow(t.Context(), "ada", "192.0.2.1"); err == nil {
		t.Errorf("allowed one second before the retry-after")
	}
	c.now = c.now.Add(time.Second)
	if err := throttle.Allow(t.Context(), "ada", "192.0.2.1"); err != nil {
		t.Errorf("rejected after the retry-after: %v", err)
	}
}

// seconds returns from, from+1, …, to.
func seconds(from, to int) []int {
	var s []int
	for i := from; i <= to; i++ {
		s = append(s, i)
	}
	return s
}

func same(address string) func(int) string {
	return func(int) string { return address }
}

func spread(i int) string {
	return "203.0.113." + string(rune('0'+i%10))
}

func TestThrottleReserveCountsPendingAttempts(t *testing.T) {
	s := openStore(t)
	throttle := NewThrottle(s, 3, time.Minute, nil)
	ctx := t.Context()

	var releases []func()
	for i := range 3 {
		release, err := throttle.Reserve(ctx, "ada", "192.0.2.1")
		if err != nil {
			t.Fatalf("attempt %d while %d are pending: %v", i+1, i, err)
		}
		releases = append(releases, release)
	}
	var throttled *ThrottledError
	_, err := throttle.Reserve(ctx, "ada", "198.51.100.1")
	if !errors.As(err, &throttled) || throttled.By != "account" {
		t.Fatalf("fourth attempt for the account with three pending: %v, want throttled by account", err)
	}
	_, err = throttle.Reserve(ctx, "bob", "192.0.2.1")
	if !errors.As(err, &throttled) || throttled.By != "address" {
		t.Fatalf("fourth attempt from the address with three pending: %v, want throttled by address", err)
	}
	if err := throttle.Allow(ctx, "ada", "192.0.2.1"); err != nil {
		t.Errorf("Allow counts pending attempts: %v", err)
	}

	// An attempt that succeeded releases its place without a failure.
	releases[0]()
	releases[0]()
	release, err := throttle.Reserve(ctx, "ada", "192.0.2.1")
	if err != nil {
		t.Fatalf("attempt after one release: %v", err)
	}
	release()

	// Recorded failures and pending attempts add up.
	if err := throttle.Failed(ctx, nil, "ada", "192.0.2.1", ""); err != nil {
		t.Fatal(err)
	}
	_, err = throttle.Reserve(ctx, "ada", "203.0.113.5")
	if !errors.As(err, &throttled) || throttled.Failures != 3 {
		t.Errorf("attempt with one failure and two pending: %v, want throttled with 3", err)
	}
	releases[1]()
	releases[2]()
	if release, err := throttle.Reserve(ctx, "ada", "203.0.113.5"); err != nil {
		t.Errorf("attempt with one failure and none pending: %v", err)
	} else {
		release()
	}
}

// A client that hangs up while its password is checked still counts.
func TestThrottleFailedRecordsAfterCancel(t *testing.T) {
	s := openStore(t)
	throttle := NewThrottle(s, 3, time.Minute, nil)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := throttle.Failed(ctx, nil, "ada", "192.0.2.1", ""); err != nil {
		t.Fatalf("record a failure of a cancelled request: %v", err)
	}
	n, err := s.CountAudit(t.Context(), store.AuditCount{Action: store.AuditSignInFailed, Target: "ada", Since: time.Now().Add(-time.Minute)})
	if err != nil || n != 1 {
		t.Errorf("%d failures counted, %v; want 1", n, err)
	}
}
