package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/reelpulse/reelpulse/internal/store"
)

// AccountsStore is a back end with accounts, as RunAccounts needs.
type AccountsStore interface {
	store.Store
	store.Accounts
}

// RunAccounts runs the accounts suite. open must return a new, empty store
// for each call and close it when the test ends. RunAccounts migrates the
// store itself.
func RunAccounts(t *testing.T, open func(t *testing.T) AccountsStore) {
	tests := []struct {
		name string
		test func(t *testing.T, s AccountsStore)
	}{
		{"Users", testUsers},
		{"UserUpdates", testUserUpdates},
		{"Sessions", testSessions},
		{"ExpiredSessions", testExpiredSessions},
		{"Tokens", testTokens},
		{"DeleteUserCascades", testDeleteUserCascades},
		{"TrackMovieForUser", testTrackMovieForUser},
		{"UntrackMovieForEveryone", testUntrackMovieForEveryone},
		{"PinMovie", testPinMovie},
		{"Audit", testAudit},
		{"CountAudit", testCountAudit},
		{"DeleteAuditBefore", testDeleteAuditBefore},
		{"KeepingAdmin", testKeepingAdmin},
		{"OIDCIdentities", testOIDCIdentities},
		{"SetUserRoleKeepingAdmin", testSetUserRoleKeepingAdmin},
		{"UserNamesIgnoreCase", testUserNamesIgnoreCase},
		{"ConcurrentUserNames", testConcurrentUserNames},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := open(t)
			if err := s.Migrate(t.Context()); err != nil {
				t.Fatalf("migrate: %v", err)
			}
			tt.test(t, s)
		})
	}
}

func newUser(name, role string, created time.Time) store.User {
	return store.User{
		Name: name, Role: role, PasswordHash: "$argon2id$hash-of-" + name,
		CreatedAt: created, PasswordChangedAt: created,
	}
}

func createUser(t *testing.T, s AccountsStore, name, role string) store.User {
	t.Helper()
	u, err := s.CreateUser(t.Context(), newUser(name, role, at(0)))
	if err != nil {
		t.Fatalf("create user %s: %v", name, err)
	}
	return u
}

func exists(t *testing.T, label string, err error) {
	t.Helper()
	if !errors.Is(err, store.ErrExists) {
		t.Errorf("%s: error %v, want store.ErrExists", label, err)
	}
}

func testUsers(t *testing.T, s AccountsStore) {
	ctx := t.Context()
	if n, err := s.CountUsers(ctx); err != nil || n != 0 {
		t.Fatalf("count users of an empty store = %d, %v; want 0", n, err)
	}

	ada := createUser(t, s, "ada", store.RoleAdmin)
	bob := createUser(t, s, "bob", store.RoleAnalyst)
	if ada.ID == 0 || bob.ID == 0 || ada.ID == bob.ID {
		t.Fatalf("user ids %d and %d, want two distinct non-zero ids", ada.ID, bob.ID)
	}
	equal(t, "created user", ada, store.User{
		ID: ada.ID, Name: "ada", Role: store.RoleAdmin, PasswordHash: "$argon2id$hash-of-ada",
		CreatedAt: at(0), PasswordChangedAt: at(0),
	})

	_, err := s.CreateUser(ctx, newUser("ada", store.RoleAnalyst, at(1)))
	exists(t, "duplicate name", err)
	if _, err := s.CreateUser(ctx, newUser("carol", "owner", at(1))); err == nil {
		t.Errorf("created a user with the role %q", "owner")
	}

	got, err := s.GetUser(ctx, ada.ID)
	if err != nil {
		t.Fatalf("get user: %v", err)
	}
	equal(t, "user by id", got, ada)
	got, err = s.GetUserByName(ctx, "bob")
	if err != nil {
		t.Fatalf("get user by name: %v", err)
	}
	equal(t, "user by name", got, bob)

	_, err = s.GetUser(ctx, bob.ID+100)
	notFound(t, "unknown id", err)
	_, err = s.GetUserByName(ctx, "Ada")
	notFound(t, "name in another case", err)

	createUser(t, s, "Zed", store.RoleAnalyst)
	createUser(t, s, "amy", store.RoleAnalyst)
	list, err := s.ListUsers(ctx)
	if err != nil {
		t.Fatalf("list users: %v", err)
	}
	names := []string{}
	for _, u := range list {
		names = append(names, u.Name)
	}
	equal(t, "user order", names, []string{"Zed", "ada", "amy", "bob"})
	if n, err := s.CountUsers(ctx); err != nil || n != 4 {
		t.Errorf("count users = %d, %v; want 4", n, err)
	}
}

func testUserUpdates(t *testing.T, s AccountsStore) {
	ctx := t.Context()
	ada := createUser(t, s, "ada", store.RoleAnalyst)

	if err := s.SetPassword(ctx, ada.ID, "$argon2id$new", at(2)); err != nil {
		t.Fatalf("set password: %v", err)
	}
	if err := s.SetUserRole(ctx, ada.ID, store.RoleAdmin); err != nil {
		t.Fatalf("set role: %v", err)
	}
	if err := s.SetUserDisabled(ctx, ada.ID, ptr(at(3))); err != nil {
		t.Fatalf("disable: %v", err)
	}
	got, _ := s.GetUser(ctx, ada.ID)
	equal(t, "updated user", got, store.User{
		ID: ada.ID, Name: "ada", Role: store.RoleAdmin, PasswordHash: "$argon2id$new",
		CreatedAt: at(0), PasswordChangedAt: at(2), DisabledAt: ptr(at(3)),
	})

	if err := s.SetUserDisabled(ctx, ada.ID, nil); err != nil {
		t.Fatalf("enable: %v", err)
	}
	got, _ = s.GetUser(ctx, ada.ID)
	if got.DisabledAt != nil {
		t.Errorf("enabled user has DisabledAt %v", got.DisabledAt)
	}
	if err := s.SetUserRole(ctx, ada.ID, "root"); err == nil {
		t.Errorf("set the role %q", "root")
	}

	unknown := ada.ID + 100
	notFound(t, "set password of an unknown user", s.SetPassword(ctx, unknown, "x", at(4)))
	notFound(t, "set role of an unknown user", s.SetUserRole(ctx, unknown, store.RoleAdmin))
	notFound(t, "disable an unknown user", s.SetUserDisabled(ctx, unknown, ptr(at(4))))
	notFound(t, "delete an unknown user", s.DeleteUser(ctx, unknown))
}

func session(hash string, userID int64, created time.Time) store.Session {
	return store.Session{
		Hash: hash, UserID: userID, CreatedAt: created, LastSeenAt: created,
		ExpiresAt: created.Add(12 * time.Hour), Address: "192.0.2.7", UserAgent: "Firefox",
	}
}

func testSessions(t *testing.T, s AccountsStore) {
	ctx := t.Context()
	ada := createUser(t, s, "ada", store.RoleAdmin)
	bob := createUser(t, s, "bob", store.RoleAnalyst)

	for _, sn := range []store.Session{session("h1", ada.ID, at(0)), session("h2", ada.ID, at(1)), session("h3", bob.ID, at(1))} {
		if err := s.CreateSession(ctx, sn); err != nil {
			t.Fatalf("create session %s: %v", sn.Hash, err)
		}
	}
	exists(t, "duplicate session hash", s.CreateSession(ctx, session("h1", bob.ID, at(2))))
	notFound(t, "session of an unknown user", s.CreateSession(ctx, session("h9", bob.ID+100, at(2))))

	if err := s.TouchSession(ctx, "h1", at(2)); err != nil {
		t.Fatalf("touch session: %v", err)
	}
	notFound(t, "touch an unknown session", s.TouchSession(ctx, "nope", at(2)))

	sn, u, err := s.SessionUser(ctx, "h1")
	if err != nil {
		t.Fatalf("session user: %v", err)
	}
	want := session("h1", ada.ID, at(0))
	want.LastSeenAt = at(2)
	equal(t, "session", sn, want)
	equal(t, "session's user", u, ada)
	_, _, err = s.SessionUser(ctx, "nope")
	notFound(t, "unknown session", err)

	if err := s.DeleteSession(ctx, "h2"); err != nil {
		t.Fatalf("delete session: %v", err)
	}
	_, _, err = s.SessionUser(ctx, "h2")
	notFound(t, "deleted session", err)
	if err := s.DeleteSession(ctx, "h2"); err != nil {
		t.Errorf("delete a deleted session: %v", err)
	}

	if err := s.CreateSession(ctx, session("h4", ada.ID, at(3))); err != nil {
		t.Fatal(err)
	}
	n, err := s.DeleteUserSessions(ctx, ada.ID)
	if err != nil || n != 2 {
		t.Errorf("sign ada out everywhere: %d sessions, %v; want 2", n, err)
	}
	for _, hash := range []string{"h1", "h4"} {
		_, _, err = s.SessionUser(ctx, hash)
		notFound(t, "session "+hash+" after signing out everywhere", err)
	}
	if _, _, err := s.SessionUser(ctx, "h3"); err != nil {
		t.Errorf("bob's session after ada signed out everywhere: %v", err)
	}
}

func testExpiredSessions(t *testing.T, s AccountsStore) {
	ctx := t.Context()
	ada := createUser(t, s, "ada", store.RoleAdmin)

	idle := session("idle", ada.ID, at(0)) // last seen at(0)
	old := session("old", ada.ID, at(0))
	old.LastSeenAt = at(11) // active, but expires at(12)
	fresh := session("fresh", ada.ID, at(10))
	fresh.LastSeenAt = at(11)
	boundary := session("boundary", ada.ID, at(10))
	boundary.LastSeenAt = at(10) // exactly at idleBefore: kept
	for _, sn := range []store.Session{idle, old, fresh, boundary} {
		if err := s.CreateSession(ctx, sn); err != nil {
			t.Fatalf("create session %s: %v", sn.Hash, err)
		}
	}

	n, err := s.DeleteExpiredSessions(ctx, at(10), at(12))
	if err != nil || n != 2 {
		t.Errorf("delete expired sessions: %d, %v; want 2 (idle and old)", n, err)
	}
	for hash, kept := range map[string]bool{"idle": false, "old": false, "fresh": true, "boundary": true} {
		_, _, err := s.SessionUser(ctx, hash)
		if kept && err != nil {
			t.Errorf("session %s: %v, want it kept", hash, err)
		}
		if !kept {
			notFound(t, "session "+hash, err)
		}
	}
}

func token(hash string, userID int64, created time.Time, expires *time.Time) store.APIToken {
	return store.APIToken{
		UserID: userID, Name: "script " + hash, Hash: hash, Prefix: "rp_" + hash,
		CreatedAt: created, ExpiresAt: expires,
	}
}

func createToken(t *testing.T, s AccountsStore, tok store.APIToken) store.APIToken {
	t.Helper()
	created, err := s.CreateToken(t.Context(), tok)
	if err != nil {
		t.Fatalf("create token %s: %v", tok.Hash, err)
	}
	if created.ID == 0 {
		t.Fatalf("token %s has no id", tok.Hash)
	}
	return created
}

func testTokens(t *testing.T, s AccountsStore) {
	ctx := t.Context()
	ada := createUser(t, s, "ada", store.RoleAdmin)
	bob := createUser(t, s, "bob", store.RoleAnalyst)

	first := createToken(t, s, token("t1", ada.ID, at(0), nil))
	second := createToken(t, s, token("t2", ada.ID, at(1), ptr(at(5))))
	bobs := createToken(t, s, token("t3", bob.ID, at(1), nil))
	_, err := s.CreateToken(ctx, token("t1", bob.ID, at(2), nil))
	exists(t, "duplicate token hash", err)
	_, err = s.CreateToken(ctx, token("t9", bob.ID+100, at(2), nil))
	notFound(t, "token of an unknown user", err)

	list, err := s.ListTokens(ctx, ada.ID)
	if err != nil {
		t.Fatalf("list tokens: %v", err)
	}
	equal(t, "ada's tokens, newest first", list, []store.APIToken{second, first})

	// Revoking another user's token must look exactly like an unknown id.
	notFound(t, "revoke bob's token as ada", s.RevokeToken(ctx, ada.ID, bobs.ID, at(2)))
	notFound(t, "revoke an unknown token", s.RevokeToken(ctx, ada.ID, bobs.ID+100, at(2)))
	got, _, err := s.TokenUser(ctx, "t3")
	if err != nil || got.RevokedAt != nil {
		t.Errorf("bob's token after ada's revoke: revoked %v, error %v; want not revoked", got.RevokedAt, err)
	}

	if err := s.RevokeToken(ctx, ada.ID, first.ID, at(2)); err != nil {
		t.Fatalf("revoke: %v", err)
	}
	if err := s.RevokeToken(ctx, ada.ID, first.ID, at(3)); err != nil {
		t.Fatalf("revoke again: %v", err)
	}
	if err := s.TouchToken(ctx, second.ID, at(4)); err != nil {
		t.Fatalf("touch token: %v", err)
	}
	notFound(t, "touch an unknown token", s.TouchToken(ctx, bobs.ID+100, at(4)))

	revoked, u, err := s.TokenUser(ctx, "t1")
	if err != nil {
		t.Fatalf("revoked token by hash: %v", err)
	}
	wantRevoked := first
	wantRevoked.RevokedAt = ptr(at(2))
	equal(t, "revoked token keeps its first revoke time", revoked, wantRevoked)
	equal(t, "token's user", u, ada)

	expiring, _, err := s.TokenUser(ctx, "t2")
	if err != nil {
		t.Fatalf("expiring token by hash: %v", err)
	}
	wantExpiring := second
	wantExpiring.LastUsedAt = ptr(at(4))
	equal(t, "touched token", expiring, wantExpiring)

	usable := []struct {
		name  string
		token store.APIToken
		now   time.Time
		want  bool
	}{
		{"revoked", revoked, at(3), false},
		{"before expiry", expiring, at(4), true},
		{"at expiry", expiring, at(5), false},
		{"after expiry", expiring, at(6), false},
		{"without expiry", bobs, at(1000), true},
	}
	for _, tt := range usable {
		if got := tt.token.Usable(tt.now); got != tt.want {
			t.Errorf("%s: Usable = %v, want %v", tt.name, got, tt.want)
		}
	}

	_, _, err = s.TokenUser(ctx, "nope")
	notFound(t, "unknown token hash", err)
	list, _ = s.ListTokens(ctx, bob.ID+100)
	equal(t, "tokens of an unknown user", list, []store.APIToken{})
}

func testDeleteUserCascades(t *testing.T, s AccountsStore) {
	ctx := t.Context()
	ada := createUser(t, s, "ada", store.RoleAdmin)
	bob := createUser(t, s, "bob", store.RoleAnalyst)
	if err := s.CreateSession(ctx, session("h1", bob.ID, at(0))); err != nil {
		t.Fatal(err)
	}
	createToken(t, s, token("t1", bob.ID, at(0), nil))
	trackFor(t, s, bob.ID, "tt0000001")
	trackFor(t, s, bob.ID, "tt0000002")
	trackFor(t, s, ada.ID, "tt0000002")
	id, err := s.RecordAudit(ctx, store.AuditEvent{At: at(1), ActorID: &bob.ID, ActorName: "bob", Action: store.AuditSignIn, Target: "bob"})
	if err != nil {
		t.Fatalf("record audit: %v", err)
	}

	if err := s.DeleteUser(ctx, bob.ID); err != nil {
		t.Fatalf("delete user: %v", err)
	}
	_, err = s.GetUser(ctx, bob.ID)
	notFound(t, "deleted user", err)
	_, _, err = s.SessionUser(ctx, "h1")
	notFound(t, "deleted user's session", err)
	_, _, err = s.TokenUser(ctx, "t1")
	notFound(t, "deleted user's token", err)
	ids, err := s.UserMovieIDs(ctx, bob.ID)
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "deleted user's list", ids, []string{})

	if m := getMovie(t, s, "tt0000001"); m.Tracked {
		t.Errorf("tt0000001, only on the deleted user's list, is still tracked")
	}
	if m := getMovie(t, s, "tt0000002"); !m.Tracked {
		t.Errorf("tt0000002, also on ada's list, is no longer tracked")
	}

	events, err := s.ListAudit(ctx, 10, 0)
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "audit event of the deleted user", events, []store.AuditEvent{
		{ID: id, At: at(1), ActorName: "bob", Action: store.AuditSignIn, Target: "bob"},
	})
}

func trackFor(t *testing.T, s AccountsStore, userID int64, movieID string) bool {
	t.Helper()
	created, err := s.TrackMovieForUser(t.Context(), userID, movieID, at(0))
	if err != nil {
		t.Fatalf("track %s for user %d: %v", movieID, userID, err)
	}
	return created
}

func trackers(t *testing.T, s AccountsStore, movieID string) int {
	t.Helper()
	n, err := s.MovieTrackers(t.Context(), movieID)
	if err != nil {
		t.Fatalf("count trackers of %s: %v", movieID, err)
	}
	return n
}

func testTrackMovieForUser(t *testing.T, s AccountsStore) {
	ctx := t.Context()
	ada := createUser(t, s, "ada", store.RoleAdmin)
	bob := createUser(t, s, "bob", store.RoleAnalyst)

	if !trackFor(t, s, ada.ID, "tt0000001") {
		t.Errorf("first track of tt0000001 did not create the movie")
	}
	if trackFor(t, s, bob.ID, "tt0000001") {
		t.Errorf("second user's track of tt0000001 created the movie again")
	}
	if trackFor(t, s, bob.ID, "tt0000001") {
		t.Errorf("repeated track created the movie again")
	}
	trackFor(t, s, bob.ID, "tt0000002")
	applySync(t, s, store.SyncResult{Upserts: []store.Review{review("rw1", ptr(7), day(2025, 1, 2))}, At: at(1)})

	_, err := s.TrackMovieForUser(ctx, bob.ID+100, "tt0000003", at(0))
	notFound(t, "track for an unknown user", err)

	ids, _ := s.UserMovieIDs(ctx, bob.ID)
	equal(t, "bob's list", ids, []string{"tt0000001", "tt0000002"})
	ids, _ = s.UserMovieIDs(ctx, ada.ID)
	equal(t, "ada's list", ids, []string{"tt0000001"})
	if n := trackers(t, s, "tt0000001"); n != 2 {
		t.Errorf("trackers of tt0000001 = %d, want 2", n)
	}

	if err := s.UntrackMovieForUser(ctx, ada.ID, "tt0000001"); err != nil {
		t.Fatalf("ada untracks: %v", err)
	}
	if m := getMovie(t, s, "tt0000001"); !m.Tracked {
		t.Errorf("tt0000001 untracked while bob still tracks it")
	}
	if n := trackers(t, s, "tt0000001"); n != 1 {
		t.Errorf("trackers of tt0000001 = %d, want 1", n)
	}
	notFound(t, "untrack a movie not on the list", s.UntrackMovieForUser(ctx, ada.ID, "tt0000001"))

	if err := s.UntrackMovieForUser(ctx, bob.ID, "tt0000001"); err != nil {
		t.Fatalf("bob untracks: %v", err)
	}
	if m := getMovie(t, s, "tt0000001"); m.Tracked || m.AddedAt != at(0) {
		t.Errorf("tt0000001 after the last user untracked it: tracked %v, added %v; want false, %v", m.Tracked, m.AddedAt, at(0))
	}
	if got := reviews(t, s, "tt0000001"); len(got) != 1 {
		t.Errorf("tt0000001 has %d reviews after untracking, want its 1 review kept", len(got))
	}
	scheduled, err := s.SchedulableMovieIDs(ctx, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "schedulable movies", scheduled, []string{"tt0000002"})

	if trackFor(t, s, ada.ID, "tt0000001") {
		t.Errorf("tracking an untracked movie again created it")
	}
	if m := getMovie(t, s, "tt0000001"); !m.Tracked {
		t.Errorf("tt0000001 not tracked again after ada tracked it")
	}
}

func testUntrackMovieForEveryone(t *testing.T, s AccountsStore) {
	ctx := t.Context()
	ada := createUser(t, s, "ada", store.RoleAdmin)
	trackFor(t, s, ada.ID, "tt0000001")
	trackFor(t, s, ada.ID, "tt0000002")

	if err := s.UntrackMovie(ctx, "tt0000001"); err != nil {
		t.Fatalf("untrack for everyone: %v", err)
	}
	ids, _ := s.UserMovieIDs(ctx, ada.ID)
	equal(t, "ada's list after the movie was untracked for everyone", ids, []string{"tt0000002"})

	// A movie tracked without a user but not pinned stops when the last
	// user on whose list it is untracks it.
	track(t, s, "tt0000003")
	trackFor(t, s, ada.ID, "tt0000003")
	if err := s.UntrackMovieForUser(ctx, ada.ID, "tt0000003"); err != nil {
		t.Fatal(err)
	}
	if m := getMovie(t, s, "tt0000003"); m.Tracked || m.Pinned {
		t.Errorf("tt0000003 after its last user untracked it: tracked %v, pinned %v; want neither", m.Tracked, m.Pinned)
	}
}

func pin(t *testing.T, s AccountsStore, movieID string, hours int) bool {
	t.Helper()
	created, err := s.PinMovie(t.Context(), movieID, at(hours))
	if err != nil {
		t.Fatalf("pin %s: %v", movieID, err)
	}
	return created
}

// trackState returns whether the movie is tracked and pinned.
func trackState(t *testing.T, s AccountsStore, movieID string) [2]bool {
	t.Helper()
	m := getMovie(t, s, movieID)
	return [2]bool{m.Tracked, m.Pinned}
}

func testPinMovie(t *testing.T, s AccountsStore) {
	ctx := t.Context()
	ada := createUser(t, s, "ada", store.RoleAdmin)
	bob := createUser(t, s, "bob", store.RoleAnalyst)
	tracked, pinned, untracked := [2]bool{true, false}, [2]bool{true, true}, [2]bool{false, false}

	// The deployment tracks tt0000001; an analyst adds it and removes it.
	if !pin(t, s, "tt0000001", 0) {
		t.Errorf("pinning a new movie did not create it")
	}
	equal(t, "tt0000001 pinned", trackState(t, s, "tt0000001"), pinned)
	trackFor(t, s, bob.ID, "tt0000001")
	if err := s.UntrackMovieForUser(ctx, bob.ID, "tt0000001"); err != nil {
		t.Fatal(err)
	}
	equal(t, "tt0000001 after its only user removed it", trackState(t, s, "tt0000001"), pinned)
	ids, _ := s.UserMovieIDs(ctx, bob.ID)
	equal(t, "bob's list", ids, []string{})

	// Removing the last user who lists a pinned movie keeps it too.
	trackFor(t, s, bob.ID, "tt0000001")
	if err := s.DeleteUser(ctx, bob.ID); err != nil {
		t.Fatal(err)
	}
	equal(t, "tt0000001 after its only user was removed", trackState(t, s, "tt0000001"), pinned)

	// Pinning a movie that a user tracks, or one that was untracked, keeps
	// its row and AddedAt.
	trackFor(t, s, ada.ID, "tt0000002")
	if pin(t, s, "tt0000002", 5) {
		t.Errorf("pinning a stored movie created it again")
	}
	if err := s.UntrackMovieForUser(ctx, ada.ID, "tt0000002"); err != nil {
		t.Fatal(err)
	}
	equal(t, "tt0000002 pinned after it was added to a list", trackState(t, s, "tt0000002"), pinned)
	if m := getMovie(t, s, "tt0000002"); !m.AddedAt.Equal(at(0)) {
		t.Errorf("tt0000002 added at %v after the pin, want %v", m.AddedAt, at(0))
	}
	scheduled, err := s.SchedulableMovieIDs(ctx, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "schedulable movies", scheduled, []string{"tt0000001", "tt0000002"})

	// Untracking for everyone unpins: the pin does not come back when a
	// user tracks the movie again, and their removal stops it.
	trackFor(t, s, ada.ID, "tt0000001")
	if err := s.UntrackMovie(ctx, "tt0000001"); err != nil {
		t.Fatal(err)
	}
	equal(t, "tt0000001 untracked for everyone", trackState(t, s, "tt0000001"), untracked)
	ids, _ = s.UserMovieIDs(ctx, ada.ID)
	equal(t, "ada's list after the untrack", ids, []string{})
	trackFor(t, s, ada.ID, "tt0000001")
	equal(t, "tt0000001 tracked again by a user", trackState(t, s, "tt0000001"), tracked)
	if err := s.UntrackMovieForUser(ctx, ada.ID, "tt0000001"); err != nil {
		t.Fatal(err)
	}
	equal(t, "tt0000001 after its user removed it", trackState(t, s, "tt0000001"), untracked)

	// Tracking without a pin leaves the pin alone.
	track(t, s, "tt0000002")
	equal(t, "tt0000002 after TrackMovie", trackState(t, s, "tt0000002"), pinned)
}

func testAudit(t *testing.T, s AccountsStore) {
	ctx := t.Context()
	ada := createUser(t, s, "ada", store.RoleAdmin)
	var ids []int64
	for i, action := range []string{store.AuditUserCreate, store.AuditSignIn, store.AuditTokenCreate} {
		e := store.AuditEvent{At: at(i), ActorName: "cli", Action: action, Target: "ada", Detail: "detail"}
		if action == store.AuditSignIn {
			e.ActorID, e.ActorName, e.Address = &ada.ID, "ada", "192.0.2.7"
		}
		id, err := s.RecordAudit(ctx, e)
		if err != nil {
			t.Fatalf("record %s: %v", action, err)
		}
		ids = append(ids, id)
	}
	if ids[0] >= ids[1] || ids[1] >= ids[2] {
		t.Fatalf("audit ids %v do not increase", ids)
	}

	events, err := s.ListAudit(ctx, 2, 0)
	if err != nil {
		t.Fatalf("list audit: %v", err)
	}
	equal(t, "newest two events", events, []store.AuditEvent{
		{ID: ids[2], At: at(2), ActorName: "cli", Action: store.AuditTokenCreate, Target: "ada", Detail: "detail"},
		{ID: ids[1], At: at(1), ActorID: &ada.ID, ActorName: "ada", Action: store.AuditSignIn, Target: "ada", Address: "192.0.2.7", Detail: "detail"},
	})
	events, err = s.ListAudit(ctx, 2, ids[1])
	if err != nil {
		t.Fatalf("list audit before %d: %v", ids[1], err)
	}
	if len(events) != 1 || events[0].ID != ids[0] {
		t.Errorf("events before %d = %+v, want only %d", ids[1], events, ids[0])
	}

	_, err = s.RecordAudit(ctx, store.AuditEvent{At: at(3), ActorID: ptr(ada.ID + 100), Action: store.AuditSignIn})
	notFound(t, "audit event of an unknown actor", err)
}

func testCountAudit(t *testing.T, s AccountsStore) {
	ctx := t.Context()
	now := base
	record := func(action, target, address string, ago time.Duration) {
		t.Helper()
		_, err := s.RecordAudit(ctx, store.AuditEvent{At: now.Add(-ago), Action: action, Target: target, Address: address})
		if err != nil {
			t.Fatalf("record audit: %v", err)
		}
	}
	record(store.AuditSignInFailed, "ada", "192.0.2.7", 2*time.Minute) // outside the window
	record(store.AuditSignInFailed, "ada", "192.0.2.7", time.Minute)   // exactly at its start
	record(store.AuditSignInFailed, "ada", "192.0.2.8", 30*time.Second)
	record(store.AuditSignInFailed, "bob", "192.0.2.7", time.Second)
	record(store.AuditSignIn, "ada", "192.0.2.7", time.Second)

	since := now.Add(-time.Minute)
	tests := []struct {
		name string
		q    store.AuditCount
		want int
	}{
		{"account in the window", store.AuditCount{Action: store.AuditSignInFailed, Target: "ada", Since: since}, 2},
		{"address in the window", store.AuditCount{Action: store.AuditSignInFailed, Address: "192.0.2.7", Since: since}, 2},
		{"account and address", store.AuditCount{Action: store.AuditSignInFailed, Target: "ada", Address: "192.0.2.8", Since: since}, 1},
		{"action only", store.AuditCount{Action: store.AuditSignInFailed, Since: since}, 3},
		{"wider window", store.AuditCount{Action: store.AuditSignInFailed, Target: "ada", Since: now.Add(-time.Hour)}, 3},
		{"other action", store.AuditCount{Action: store.AuditSignIn, Target: "ada", Since: since}, 1},
		{"unknown account", store.AuditCount{Action: store.AuditSignInFailed, Target: "carol", Since: since}, 0},
		{"future window", store.AuditCount{Action: store.AuditSignInFailed, Since: now.Add(time.Second)}, 0},
	}
	for _, tt := range tests {
		got, err := s.CountAudit(ctx, tt.q)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if got != tt.want {
			t.Errorf("%s: count = %d, want %d", tt.name, got, tt.want)
		}
	}
}

func testDeleteAuditBefore(t *testing.T, s AccountsStore) {
	ctx := t.Context()
	for i := range 4 {
		if _, err := s.RecordAudit(ctx, store.AuditEvent{At: at(i), Action: store.AuditSignIn, Target: "ada"}); err != nil {
			t.Fatalf("record audit: %v", err)
		}
	}
	n, err := s.DeleteAuditBefore(ctx, at(2))
	if err != nil || n != 2 {
		t.Fatalf("delete audit events before hour 2: %d, %v; want 2", n, err)
	}
	events, err := s.ListAudit(ctx, 10, 0)
	if err != nil {
		t.Fatalf("list audit: %v", err)
	}
	if len(events) != 2 || !events[0].At.Equal(at(3)) || !events[1].At.Equal(at(2)) {
		t.Errorf("events left = %+v, want those of hours 3 and 2 (the boundary is kept)", events)
	}
	if n, err := s.DeleteAuditBefore(ctx, at(2)); err != nil || n != 0 {
		t.Errorf("second delete: %d, %v; want 0", n, err)
	}
}

func testKeepingAdmin(t *testing.T, s AccountsStore) {
	ctx := t.Context()
	ada := createUser(t, s, "ada", store.RoleAdmin)
	bea := createUser(t, s, "bea", store.RoleAdmin)
	bob := createUser(t, s, "bob", store.RoleAnalyst)

	if err := s.DisableUserKeepingAdmin(ctx, ada.ID, at(1)); err != nil {
		t.Fatalf("disable one of two admins: %v", err)
	}
	if err := s.DisableUserKeepingAdmin(ctx, bea.ID, at(1)); !errors.Is(err, store.ErrLastAdmin) {
		t.Errorf("disable the last enabled admin: %v, want store.ErrLastAdmin", err)
	}
	if err := s.DeleteUserKeepingAdmin(ctx, bea.ID); !errors.Is(err, store.ErrLastAdmin) {
		t.Errorf("delete the last enabled admin: %v, want store.ErrLastAdmin", err)
	}
	if u, err := s.GetUser(ctx, bea.ID); err != nil || u.DisabledAt != nil {
		t.Errorf("last admin after the refused changes: %+v, %v; want enabled", u, err)
	}
	if err := s.DeleteUserKeepingAdmin(ctx, ada.ID); err != nil {
		t.Errorf("delete a disabled admin: %v", err)
	}
	if err := s.DisableUserKeepingAdmin(ctx, bob.ID, at(2)); err != nil {
		t.Errorf("disable an analyst: %v", err)
	}
	notFound(t, "disable an unknown user", s.DisableUserKeepingAdmin(ctx, bea.ID+100, at(2)))

	// Two admins disabled at once: one of the calls must fail.
	cid := createUser(t, s, "cid", store.RoleAdmin)
	errs := make(chan error, 2)
	for _, id := range []int64{bea.ID, cid.ID} {
		go func() { errs <- s.DisableUserKeepingAdmin(ctx, id, at(3)) }()
	}
	var failed int
	for range 2 {
		if err := <-errs; err != nil {
			failed++
		}
	}
	if failed != 1 {
		t.Errorf("%d of two concurrent disables of the last two admins failed, want 1", failed)
	}
}

// testUserNamesIgnoreCase checks that a name equal to an existing user's
// name apart from case is rejected with an error that names that user.
func testUserNamesIgnoreCase(t *testing.T, s AccountsStore) {
	ctx := t.Context()
	ada := createUser(t, s, "ada", store.RoleAdmin)
	for _, name := range []string{"ada", "ADA", "Ada", "aDa"} {
		_, err := s.CreateUser(ctx, newUser(name, store.RoleAnalyst, at(1)))
		exists(t, "create "+name, err)
		var conflict *store.NameTakenError
		if !errors.As(err, &conflict) || conflict.Name != name || conflict.Existing != "ada" {
			t.Errorf("create %s: error %v, want a *store.NameTakenError naming %s and ada", name, err, name)
		}
	}
	users, err := s.ListUsers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(users) != 1 || users[0].ID != ada.ID {
		t.Errorf("users after the refused names: %+v, want only ada", users)
	}
	// Names that differ in more than case are still distinct.
	createUser(t, s, "ada.l", store.RoleAnalyst)
	createUser(t, s, "adb", store.RoleAnalyst)
}

// testConcurrentUserNames creates case variants of a name at once, in
// several rounds: exactly one of each round may succeed.
func testConcurrentUserNames(t *testing.T, s AccountsStore) {
	ctx := t.Context()
	const rounds = 20
	variants := []string{"eve", "EVE", "Eve", "eVe", "evE", "EVe", "eVE", "EvE"}
	for round := range rounds {
		start := make(chan struct{})
		errs := make(chan error, len(variants))
		for _, variant := range variants {
			go func() {
				<-start
				_, err := s.CreateUser(ctx, newUser(fmt.Sprintf("%s%d", variant, round), store.RoleAnalyst, at(1)))
				errs <- err
			}()
		}
		close(start)
		created := 0
		for range variants {
			err := <-errs
			switch {
			case err == nil:
				created++
			case !errors.Is(err, store.ErrExists):
				t.Errorf("round %d: create a variant of eve: %v", round, err)
			}
		}
		if created != 1 {
			t.Errorf("round %d: %d of the case variants of eve%d were created, want 1", round, created, round)
		}
	}
	if n, err := s.CountUsers(ctx); err != nil || n != rounds {
		t.Errorf("count users = %d, %v; want %d", n, err, rounds)
	}
}
