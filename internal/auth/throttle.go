package auth

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/reelpulse/reelpulse/internal/store"
)

// AuditLog is the part of store.Accounts that the throttle uses.
type AuditLog interface {
	RecordAudit(ctx context.Context, e store.AuditEvent) (int64, error)
	CountAudit(ctx context.Context, q store.AuditCount) (int, error)
}

// Default throttle settings: the 11th failed sign-in within a minute, for
// one account or from one address, is rejected.
const (
	DefaultFailureLimit  = 10
	DefaultFailureWindow = time.Minute
)

// ErrThrottled is wrapped by the *ThrottledError that Throttle.Allow
// returns.
var ErrThrottled = errors.New("too many failed sign-ins")

// ThrottledError rejects a sign-in attempt.
type ThrottledError struct {
	By         string        // "account" or "address"
	Failures   int           // failures counted in the window
	Window     time.Duration // the throttle's window
	RetryAfter time.Duration // whole seconds until an attempt is allowed again
}

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("%d failed sign-ins for this %s in the last %d seconds; try again in %d seconds",
		e.Failures, e.By, int(e.Window.Seconds()), int(e.RetryAfter.Seconds()))
}

func (e *ThrottledError) Unwrap() error { return ErrThrottled }

// Throttle limits failed sign-ins per account and per client address,
// counting the sign_in_failed events of the audit log, so that the limit
// holds across restarts and across the processes that share a database.
type Throttle struct {
	log    AuditLog
	limit  int
	window time.Duration
	now    func() time.Time

	mu      sync.Mutex     // serialises Reserve
	pending map[string]int // attempts reserved and not released, by counter key
}

// NewThrottle returns a throttle that allows limit failures per window;
// zero values take DefaultFailureLimit and DefaultFailureWindow.
func NewThrottle(log AuditLog, limit int, window time.Duration, now func() time.Time) *Throttle {
	if limit <= 0 {
		limit = DefaultFailureLimit
	}
	if window <= 0 {
		window = DefaultFailureWindow
	}
	if now == nil {
		now = time.Now
	}
	return &Throttle{log: log, limit: limit, window: window, now: now, pending: map[string]int{}}
}

// Allow returns nil when a sign-in attempt for account from address may go
// ahead, or a *ThrottledError when the account or the address already had
// limit failures within the window. A rejected attempt is recorded as a
// sign_in_throttled event, which does not count as a failure. Empty values
// are not counted: pass the address without its port.
func (t *Throttle) Allow(ctx context.Context, account, address string) error {
	return t.check(ctx, account, address, nil)
}

// Reserve is Allow for an attempt that is about to check a password. It
// also counts the attempts of this process that passed Reserve and are not
// released yet, so that parallel attempts cannot all pass before the first
// failure is recorded. On success, call release once the attempt's failure
// is recorded (or it succeeded).
//
// NOTE: processes that share a database do not see each other's pending
// attempts, so with N web processes up to N times the limit may be checked
// at once.
func (t *Throttle) Reserve(ctx context.Context, account, address string) (release func(), err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.check(ctx, account, address, t.pending); err != nil {
		return nil, err
	}
	keys := pendingKeys(account, address)
	for _, k := range keys {
		t.pending[k]++
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			t.mu.Lock()
			defer t.mu.Unlock()
			for _, k := range keys {
				if t.pending[k]--; t.pending[k] <= 0 {
					delete(t.pending, k)
				}
			}
		})
	}, nil
}

// pendingKeys returns the keys of the pending counters of an attempt: one
// for the account and one for the address, each when not empty.
func pendingKeys(account, address string) []string {
	var keys []string
	if account != "" {
		keys = append(keys, pendingKey("account", account))
	}
	if address != "" {
		keys = append(keys, pendingKey("address", address))
	}
	return keys
}

// pendingKey returns the key of the pending counter of an account or an
// address (by).
func pendingKey(by, value string) string {
	return by + "\x00" + value
}

// check is Allow, adding to each count the pending attempts of the same
// account or address when pending is not nil.
func (t *Throttle) check(ctx context.Context, account, address string, pending map[string]int) error {
	now := t.now()
	checks := []struct {
		by, value string
		q         store.AuditCount
	}{
		{"account", account, store.AuditCount{Action: store.AuditSignInFailed, Target: account}},
		{"address", address, store.AuditCount{Action: store.AuditSignInFailed, Address: address}},
	}
	for _, c := range checks {
		if c.q.Target == "" && c.q.Address == "" {
			continue
		}
		c.q.Since = now.Add(-t.window)
		n, err := t.log.CountAudit(ctx, c.q)
		if err != nil {
			return fmt.Errorf("check the sign-in throttle: %w", err)
		}
		n += pending[pendingKey(c.by, c.value)]
		if n < t.limit {
			continue
		}

		retry, err := t.retryAfter(ctx, c.q, now)
		if err != nil {
			return err
		}
		rejected := &ThrottledError{By: c.by, Failures: n, Window: t.window, RetryAfter: retry}
		_, err = t.log.RecordAudit(ctx, store.AuditEvent{
			At: now, ActorName: account, Action: store.AuditSignInThrottled,
			Target: account, Address: address, Detail: "by " + c.by,
		})
		if err != nil {
			return fmt.Errorf("record a throttled sign-in: %w", err)
		}
		return rejected
	}
	return nil
}

// retryAfter finds, to the second, how long until fewer than limit of the
// failures that q selects fall within the window: the smallest shift d for
// which the window starting d later holds fewer. The count only falls as d
// grows, so a binary search needs about six counts for a minute.
func (t *Throttle) retryAfter(ctx context.Context, q store.AuditCount, now time.Time) (time.Duration, error) {
	// At the shift of a whole window plus a second, no past failure
	// remains in it.
	lo, hi := int64(0), int64((t.window+time.Second-1)/time.Second)+1
	for lo < hi {
		mid := (lo + hi) / 2
		q.Since = now.Add(-t.window + time.Duration(mid)*time.Second)
		n, err := t.log.CountAudit(ctx, q)
		if err != nil {
			return 0, fmt.Errorf("check the sign-in throttle: %w", err)
		}
		if n < t.limit {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return time.Duration(max(lo, 1)) * time.Second, nil
}

// Failed records a failed sign-in for account from address, which later
// Allow calls count. userID is the account's id, or nil when no user has
// that name. detail, which may be empty, goes into the audit event.
func (t *Throttle) Failed(ctx context.Context, userID *int64, account, address, detail string) error {
	// A client that hangs up while its password is checked must not
	// escape the count, so the failure is recorded even when ctx ends.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	_, err := t.log.RecordAudit(ctx, store.AuditEvent{
		At: t.now(), ActorID: userID, ActorName: account, Action: store.AuditSignInFailed,
		Target: account, Address: address, Detail: detail,
	})
	if err != nil {
		return fmt.Errorf("record a failed sign-in: %w", err)
	}
	return nil
}
