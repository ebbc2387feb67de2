package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// User roles. An admin manages users and can read every user's list. An
// analyst can read and change only their own.
const (
	RoleAdmin   = "admin"
	RoleAnalyst = "analyst"
)

// ValidRole reports whether role is one of the Role constants.
func ValidRole(role string) bool {
	return role == RoleAdmin || role == RoleAnalyst
}

// User is an account that signs in to the dashboard or the API.
type User struct {
	ID                int64
	Name              string // unique, as typed at creation
	Role              string // RoleAdmin or RoleAnalyst
	PasswordHash      string // argon2id in PHC string form; never the password
	CreatedAt         time.Time
	PasswordChangedAt time.Time
	DisabledAt        *time.Time // set while the user may not sign in
}

// Session is a signed-in browser. The store keeps only the SHA-256 of the
// session id that the cookie carries, so a copy of the database cannot be
// used to sign in.
type Session struct {
	Hash       string // hex SHA-256 of the session id
	UserID     int64
	CreatedAt  time.Time
	LastSeenAt time.Time // for the idle expiry
	ExpiresAt  time.Time // absolute expiry, whatever the activity
	Address    string    // client address at sign-in
	UserAgent  string
}

// APIToken is a bearer token for /api/v1. The store keeps the SHA-256 of
// the secret and a short prefix to tell tokens apart in lists.
type APIToken struct {
	ID         int64
	UserID     int64
	Name       string // label chosen by the user; may be empty
	Hash       string // hex SHA-256 of the whole token
	Prefix     string // the start of the token, shown in lists
	CreatedAt  time.Time
	ExpiresAt  *time.Time // nil when the token does not expire
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

// Usable reports whether the token may authenticate a request at now: it
// is neither revoked nor expired. TokenUser returns unusable tokens too, so
// that callers can tell why they reject one.
func (t APIToken) Usable(now time.Time) bool {
	return t.RevokedAt == nil && (t.ExpiresAt == nil || now.Before(*t.ExpiresAt))
}

// Audit actions recorded by the CLI and the sign-in code.
const (
	AuditSignIn          = "sign_in"
	AuditSignInFailed    = "sign_in_failed"
	AuditSignInThrottled = "sign_in_throttled"
	AuditSignOut         = "sign_out"
	AuditUserCreate      = "user_create"
	AuditUserPassword    = "user_set_password"
	AuditUserRole        = "user_set_role"
	AuditUserDisable     = "user_disable"
	AuditUserEnable      = "user_enable"
	AuditUserRemove      = "user_remove"
	AuditTokenCreate     = "token_create"
	AuditTokenRevoke     = "token_revoke"
	// Single sign-on through an OpenID Connect provider: a sign-in, a
	// rejection with its reason, and the link of a provider account to a
	// user.
	AuditOIDCSignIn   = "oidc_sign_in"
	AuditOIDCRejected = "oidc_sign_in_rejected"
	AuditOIDCLink     = "oidc_link"
)

// OIDCIdentity links an account of an OpenID Connect provider, named by
// the provider's issuer URL and its stable subject id, to a user. The link
// does not depend on the email address, which the provider may change.
type OIDCIdentity struct {
	Issuer     string
	Subject    string
	UserID     int64
	CreatedAt  time.Time
	LastUsedAt time.Time // the last sign-in through the provider
}

// AuditEvent is one entry of the audit log of admin actions and sign-ins.
// It never holds a password or a token.
type AuditEvent struct {
	ID int64
	At time.Time
	// ActorID is the user who acted; nil for the CLI, for an unknown name
	// at sign-in, and once the user is removed.
	ActorID *int64
	// ActorName is kept when the user is removed; "cli" for commands.
	ActorName string
	Action    string // one of the Audit* constants
	Target    string // the account acted on, e.g. a user name
	Address   string // client address; empty for the CLI
	Detail    string // e.g. "role admin" or "token 3"
}

// AuditCount selects audit events to count: those of Action at or after
// Since, and, when set, with Target or Address equal to the given value.
type AuditCount struct {
	Action  string
	Target  string
	Address string
	Since   time.Time
}

// Accounts stores users, sessions, API tokens, the audit log and each
// user's list of tracked movies. Implementations must be safe for
// concurrent use.
//
// A movie's Tracked flag is what the schedule reads. TrackMovieForUser
// adds the movie to the user's list and sets the flag; UntrackMovieForUser
// removes it from the list and clears the flag once no user's list holds
// it, unless the movie is pinned. PinMovie, used by the CLI, the demo and
// imports, sets both flags without a user: the deployment tracks the
// movie, and users' lists do not stop it. Store.UntrackMovie clears both
// for everyone, removing the movie from every user's list. Either way a
// movie's reviews, analyses and history are kept.
// NameTakenError is CreateUser's error for a name that equals an existing
// user's name when case is ignored, so that "ADA" cannot pose as "ada".
// Existing is that user's name, or empty if the user was removed before it
// could be read. It matches ErrExists.
type NameTakenError struct {
	Name     string
	Existing string
}

func (e *NameTakenError) Error() string {
	if e.Existing == "" || e.Existing == e.Name {
		return fmt.Sprintf("user name %q is taken", e.Name)
	}
	return fmt.Sprintf("user name %q is taken by user %q, as user names are compared without case", e.Name, e.Existing)
}

// Is reports whether target is ErrExists.
func (e *NameTakenError) Is(target error) bool { return target == ErrExists }

// FindUserByName returns the user named name or, when none is, the one
// whose name equals it without case. User names are unique without case,
// so the match is unambiguous. A database from before that rule may hold
// names that differ only in case, and the exact one wins then. It returns
// an error wrapping ErrNotFound when no user matches.
func FindUserByName(ctx context.Context, accounts Accounts, name string) (User, error) {
	u, err := accounts.GetUserByName(ctx, name)
	if !errors.Is(err, ErrNotFound) {
		return u, err
	}
	users, listErr := accounts.ListUsers(ctx)
	if listErr != nil {
		return User{}, listErr
	}
	for _, candidate := range users {
		if strings.EqualFold(candidate.Name, name) {
			return candidate, nil
		}
	}
	return User{}, err
}

type Accounts interface {
	// CreateUser stores u and returns it with its ID, or a
	// *NameTakenError, which wraps ErrExists, when a user has the same name
	// apart from the case of its letters. The check and the insert are one
	// step, so that concurrent calls cannot create "ada" and "ADA".
	CreateUser(ctx context.Context, u User) (User, error)
	// GetUser returns the user or an error wrapping ErrNotFound.
	GetUser(ctx context.Context, id int64) (User, error)
	// GetUserByName returns the user or an error wrapping ErrNotFound.
	GetUserByName(ctx context.Context, name string) (User, error)
	// ListUsers returns every user ordered by name.
	ListUsers(ctx context.Context) ([]User, error)
	CountUsers(ctx context.Context) (int, error)
	// SetPassword replaces the user's password hash and sets
	// PasswordChangedAt. It leaves sessions alone; see DeleteUserSessions.
	SetPassword(ctx context.Context, userID int64, hash string, at time.Time) error
	SetUserRole(ctx context.Context, userID int64, role string) error
	// SetUserDisabled disables the user at *at, or enables them when at is
	// nil.
	SetUserDisabled(ctx context.Context, userID int64, at *time.Time) error
	// DeleteUser removes the user with their sessions, tokens and tracked
	// list; movies that no other list holds and that are not pinned stop
	// being tracked. Audit events keep the user's name.
	DeleteUser(ctx context.Context, userID int64) error
	// DisableUserKeepingAdmin disables the user at at, and
	// DeleteUserKeepingAdmin removes them as DeleteUser does, unless they
	// are the last enabled admin: then nothing changes and the error wraps
	// ErrLastAdmin. The check and the change are atomic, so two calls for
	// the last two admins cannot both succeed.
	DisableUserKeepingAdmin(ctx context.Context, userID int64, at time.Time) error
	DeleteUserKeepingAdmin(ctx context.Context, userID int64) error
	// SetUserRoleKeepingAdmin is SetUserRole, but when the new role is not
	// admin and the user is the last enabled admin nothing changes and the
	// error wraps ErrLastAdmin, atomically as DisableUserKeepingAdmin.
	SetUserRoleKeepingAdmin(ctx context.Context, userID int64, role string) error

	// CreateOIDCIdentity links a provider account to its user. An unknown
	// user is an error wrapping ErrNotFound, an issuer and subject that
	// are linked already one wrapping ErrExists. Removing the user removes
	// their links.
	CreateOIDCIdentity(ctx context.Context, id OIDCIdentity) error
	// OIDCIdentityUser returns the link of the issuer's subject and its
	// user, or an error wrapping ErrNotFound. It does not check whether
	// the user is disabled.
	OIDCIdentityUser(ctx context.Context, issuer, subject string) (OIDCIdentity, User, error)
	// TouchOIDCIdentity sets the link's LastUsedAt.
	TouchOIDCIdentity(ctx context.Context, issuer, subject string, at time.Time) error
	// ListOIDCIdentities returns every link, ordered by user id, issuer
	// and subject.
	ListOIDCIdentities(ctx context.Context) ([]OIDCIdentity, error)

	// CreateSession stores s; an unknown user is an error wrapping
	// ErrNotFound.
	CreateSession(ctx context.Context, s Session) error
	// SessionUser returns the session with this hash and its user, or an
	// error wrapping ErrNotFound. It does not check expiry or whether the
	// user is disabled.
	SessionUser(ctx context.Context, hash string) (Session, User, error)
	// TouchSession sets the session's LastSeenAt.
	TouchSession(ctx context.Context, hash string, at time.Time) error
	DeleteSession(ctx context.Context, hash string) error
	// DeleteUserSessions signs the user out everywhere and returns the
	// number of sessions removed.
	DeleteUserSessions(ctx context.Context, userID int64) (int, error)
	// DeleteExpiredSessions removes sessions last seen before idleBefore
	// or whose ExpiresAt is at or before absoluteBefore, and returns their
	// number.
	DeleteExpiredSessions(ctx context.Context, idleBefore, absoluteBefore time.Time) (int, error)

	// CreateToken stores t and returns it with its ID. An unknown user is
	// an error wrapping ErrNotFound, a hash already stored one wrapping
	// ErrExists.
	CreateToken(ctx context.Context, t APIToken) (APIToken, error)
	// ListTokens returns the user's tokens, revoked ones included, newest
	// first.
	ListTokens(ctx context.Context, userID int64) ([]APIToken, error)
	// RevokeToken sets the RevokedAt of the user's token. A token of
	// another user is an error wrapping ErrNotFound, exactly like an
	// unknown id. Revoking a revoked token keeps its first RevokedAt.
	RevokeToken(ctx context.Context, userID, tokenID int64, at time.Time) error
	// TokenUser returns the token with this hash and its user, or an error
	// wrapping ErrNotFound. Revoked and expired tokens are returned too:
	// callers must check APIToken.Usable and User.DisabledAt.
	TokenUser(ctx context.Context, hash string) (APIToken, User, error)
	// TouchToken sets the token's LastUsedAt.
	TouchToken(ctx context.Context, tokenID int64, at time.Time) error

	// TrackMovieForUser adds the movie to the user's list, creating the
	// movie as TrackMovie does, and marks it tracked. It reports whether
	// the movie row is new.
	TrackMovieForUser(ctx context.Context, userID int64, movieID string, at time.Time) (created bool, err error)
	// UntrackMovieForUser removes the movie from the user's list, or
	// returns an error wrapping ErrNotFound when the list lacks it. The
	// movie stops being tracked when no list holds it any more, unless it
	// is pinned.
	UntrackMovieForUser(ctx context.Context, userID int64, movieID string) error
	// PinMovie tracks the movie for the deployment: it adds it, or tracks
	// it again, as Store.TrackMovie does, and pins it, so that it stays
	// tracked when users take it off their lists. It reports whether the
	// movie row is new. Store.UntrackMovie unpins it.
	PinMovie(ctx context.Context, movieID string, at time.Time) (created bool, err error)
	// UserMovieIDs returns the ids on the user's list, ordered.
	UserMovieIDs(ctx context.Context, userID int64) ([]string, error)
	// MovieTrackers returns the number of users whose list holds the movie.
	MovieTrackers(ctx context.Context, movieID string) (int, error)

	// RecordAudit stores e and returns its ID.
	RecordAudit(ctx context.Context, e AuditEvent) (int64, error)
	// ListAudit returns up to limit events, newest first, with an ID below
	// before when before is positive.
	ListAudit(ctx context.Context, limit int, before int64) ([]AuditEvent, error)
	// CountAudit counts the events that q selects.
	CountAudit(ctx context.Context, q AuditCount) (int, error)
	// DeleteAuditBefore deletes the events that happened before at and
	// returns their number.
	DeleteAuditBefore(ctx context.Context, at time.Time) (int, error)
}
