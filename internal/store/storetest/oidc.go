package storetest

import (
	"errors"
	"testing"

	"github.com/reelpulse/reelpulse/internal/store"
)

const (
	studioIssuer = "https://id.example.org/realms/studio"
	googleIssuer = "https://accounts.google.com"
)

func testOIDCIdentities(t *testing.T, s AccountsStore) {
	ctx := t.Context()
	ada := createUser(t, s, "ada@example.org", store.RoleAdmin)
	bob := createUser(t, s, "bob", store.RoleAnalyst)

	list, err := s.ListOIDCIdentities(ctx)
	if err != nil || len(list) != 0 {
		t.Fatalf("links of an empty store = %v, %v; want none", list, err)
	}
	_, _, err = s.OIDCIdentityUser(ctx, studioIssuer, "sub-ada")
	notFound(t, "unlinked subject", err)

	links := []store.OIDCIdentity{
		{Issuer: studioIssuer, Subject: "sub-ada", UserID: ada.ID, CreatedAt: at(1), LastUsedAt: at(1)},
		{Issuer: googleIssuer, Subject: "sub-ada", UserID: ada.ID, CreatedAt: at(2), LastUsedAt: at(2)},
		{Issuer: studioIssuer, Subject: "sub-bob", UserID: bob.ID, CreatedAt: at(3), LastUsedAt: at(3)},
	}
	for _, link := range links {
		if err := s.CreateOIDCIdentity(ctx, link); err != nil {
			t.Fatalf("link %s of %s: %v", link.Subject, link.Issuer, err)
		}
	}
	for _, tt := range []struct {
		name string
		link store.OIDCIdentity
		want error
	}{
		{"subject linked already", store.OIDCIdentity{Issuer: studioIssuer, Subject: "sub-ada", UserID: bob.ID,
			CreatedAt: at(4), LastUsedAt: at(4)}, store.ErrExists},
		{"unknown user", store.OIDCIdentity{Issuer: studioIssuer, Subject: "sub-new", UserID: bob.ID + 100,
			CreatedAt: at(4), LastUsedAt: at(4)}, store.ErrNotFound},
	} {
		if err := s.CreateOIDCIdentity(ctx, tt.link); !errors.Is(err, tt.want) {
			t.Errorf("%s: error %v, want %v", tt.name, err, tt.want)
		}
	}

	link, user, err := s.OIDCIdentityUser(ctx, studioIssuer, "sub-ada")
	if err != nil {
		t.Fatalf("user of a linked subject: %v", err)
	}
	equal(t, "link", link, links[0])
	equal(t, "linked user", user, ada)
	_, _, err = s.OIDCIdentityUser(ctx, "https://other.example.org", "sub-ada")
	notFound(t, "subject of another issuer", err)

	if err := s.TouchOIDCIdentity(ctx, studioIssuer, "sub-ada", at(9)); err != nil {
		t.Fatalf("touch: %v", err)
	}
	notFound(t, "touch an unlinked subject", s.TouchOIDCIdentity(ctx, studioIssuer, "sub-none", at(9)))
	if link, _, _ = s.OIDCIdentityUser(ctx, studioIssuer, "sub-ada"); !link.LastUsedAt.Equal(at(9)) || !link.CreatedAt.Equal(at(1)) {
		t.Errorf("link after touch created %v, last used %v; want %v and %v", link.CreatedAt, link.LastUsedAt, at(1), at(9))
	}

	list, err = s.ListOIDCIdentities(ctx)
	if err != nil {
		t.Fatalf("list links: %v", err)
	}
	links[0].LastUsedAt = at(9)
	equal(t, "links by user, issuer and subject", list, []store.OIDCIdentity{links[1], links[0], links[2]})

	if err := s.DeleteUser(ctx, ada.ID); err != nil {
		t.Fatalf("delete user: %v", err)
	}
	_, _, err = s.OIDCIdentityUser(ctx, googleIssuer, "sub-ada")
	notFound(t, "link of a removed user", err)
	if list, _ = s.ListOIDCIdentities(ctx); len(list) != 1 || list[0].UserID != bob.ID {
		t.Errorf("links after removing a user = %+v, want bob's only", list)
	}
}

func testSetUserRoleKeepingAdmin(t *testing.T, s AccountsStore) {
	ctx := t.Context()
	ada := createUser(t, s, "ada", store.RoleAdmin)
	bea := createUser(t, s, "bea", store.RoleAdmin)
	bob := createUser(t, s, "bob", store.RoleAnalyst)
	role := func(u store.User) string {
		t.Helper()
		got, err := s.GetUser(ctx, u.ID)
		if err != nil {
			t.Fatalf("get user %s: %v", u.Name, err)
		}
		return got.Role
	}

	if err := s.SetUserRoleKeepingAdmin(ctx, ada.ID, store.RoleAnalyst); err != nil {
		t.Fatalf("demote one of two admins: %v", err)
	}
	if err := s.SetUserRoleKeepingAdmin(ctx, bea.ID, store.RoleAnalyst); !errors.Is(err, store.ErrLastAdmin) {
		t.Errorf("demote the last admin: %v, want store.ErrLastAdmin", err)
	}
	if got := role(bea); got != store.RoleAdmin {
		t.Errorf("last admin's role after the refused demotion = %q, want admin", got)
	}
	if err := s.SetUserRoleKeepingAdmin(ctx, bea.ID, store.RoleAdmin); err != nil {
		t.Errorf("keep the last admin an admin: %v", err)
	}
	if err := s.SetUserRoleKeepingAdmin(ctx, bob.ID, store.RoleAdmin); err != nil {
		t.Fatalf("promote an analyst: %v", err)
	}
	if got := role(bob); got != store.RoleAdmin {
		t.Errorf("promoted analyst's role = %q, want admin", got)
	}
	if err := s.SetUserRoleKeepingAdmin(ctx, bea.ID, store.RoleAnalyst); err != nil {
		t.Errorf("demote an admin while another is enabled: %v", err)
	}
	if err := s.SetUserRoleKeepingAdmin(ctx, ada.ID, "owner"); err == nil {
		t.Errorf("set the role %q: no error", "owner")
	}
	notFound(t, "demote an unknown user", s.SetUserRoleKeepingAdmin(ctx, bob.ID+100, store.RoleAdmin))

	// A disabled admin does not count: bob is the only enabled one.
	if err := s.SetUserRoleKeepingAdmin(ctx, ada.ID, store.RoleAdmin); err != nil {
		t.Fatalf("promote ada again: %v", err)
	}
	if err := s.SetUserDisabled(ctx, ada.ID, ptr(at(5))); err != nil {
		t.Fatalf("disable ada: %v", err)
	}
	if err := s.SetUserRoleKeepingAdmin(ctx, bob.ID, store.RoleAnalyst); !errors.Is(err, store.ErrLastAdmin) {
		t.Errorf("demote the last enabled admin beside a disabled one: %v, want store.ErrLastAdmin", err)
	}
}
