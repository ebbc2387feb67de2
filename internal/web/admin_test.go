package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/reelpulse/reelpulse/internal/auth"
	"github.com/reelpulse/reelpulse/internal/authn"
	"github.com/reelpulse/reelpulse/internal/store"
	"github.com/reelpulse/reelpulse/internal/web/webtest"
)

func TestAdminManagesUsers(t *testing.T) {
	f := newAuthFixture(t, authn.Config{})
	ctx := context.Background()
	admin, analyst := f.accounts.Admin, f.accounts.Analyst
	post := func(target string, form url.Values) (*http.Response, string) {
		t.Helper()
		return f.do(t, request{method: http.MethodPost, target: target, form: form, cookie: admin.Session, csrf: admin.CSRF()})
	}

	response, body := post("/admin/users", url.Values{"name": {"grace"}, "role": {"analyst"}, "password": {"grace's first password"}})
	if response.StatusCode != http.StatusSeeOther {
		t.Fatalf("create user: status %d:\n%s", response.StatusCode, body)
	}
	grace, err := f.accounts.Store.GetUserByName(ctx, "grace")
	if err != nil || grace.Role != store.RoleAnalyst {
		t.Fatalf("created user = %+v, %v", grace, err)
	}
	if ok, _ := auth.VerifyPassword(grace.PasswordHash, "grace's first password"); !ok {
		t.Error("the created user's hash does not match the password")
	}
	for _, tt := range []struct {
		form url.Values
		want string
	}{
		{url.Values{"name": {"grace"}, "role": {"analyst"}, "password": {"another password"}}, `A user named &#34;grace&#34; exists already`},
		{url.Values{"name": {"GRACE"}, "role": {"analyst"}, "password": {"another password"}}, `A user named &#34;grace&#34; exists already, and names are compared without case`},
		{url.Values{"name": {"bad name"}, "role": {"analyst"}, "password": {"another password"}}, "Invalid user name"},
		{url.Values{"name": {"hopper"}, "role": {"owner"}, "password": {"another password"}}, `Unknown role &#34;owner&#34;`},
		{url.Values{"name": {"hopper"}, "role": {"analyst"}, "password": {"short"}}, "Password has 5 characters; use at least 12"},
	} {
		if response, body := post("/admin/users", tt.form); response.StatusCode < 400 || !strings.Contains(body, tt.want) {
			t.Errorf("create %v: status %d, want an error containing %q", tt.form, response.StatusCode, tt.want)
		}
	}

	// Disabling ends the analyst's session; enabling lets them sign in again.
	if response, _ := post("/admin/users/"+itoa(analyst.User.ID)+"/disable", nil); response.StatusCode != http.StatusSeeOther {
		t.Fatalf("disable: status %d", response.StatusCode)
	}
	if response, _ := f.do(t, request{target: "/", cookie: analyst.Session}); response.StatusCode != http.StatusSeeOther {
		t.Errorf("a disabled user's session works: status %d", response.StatusCode)
	}
	if response, body := f.signIn(t, "alan", webtest.AnalystPassword, "", ""); response.StatusCode != http.StatusForbidden || !strings.Contains(body, "disabled") {
		t.Errorf("sign-in of a disabled user: status %d, want 403 saying it is disabled", response.StatusCode)
	}
	if response, _ := post("/admin/users/"+itoa(analyst.User.ID)+"/enable", nil); response.StatusCode != http.StatusSeeOther {
		t.Fatalf("enable: status %d", response.StatusCode)
	}
	response, _ = f.signIn(t, "alan", webtest.AnalystPassword, "", "")
	session := sessionCookie(response)
	if response.StatusCode != http.StatusSeeOther || session == nil {
		t.Fatalf("sign-in after enabling: status %d", response.StatusCode)
	}

	// A password reset signs the user out everywhere.
	if response, _ := post("/admin/users/"+itoa(analyst.User.ID)+"/password", url.Values{"password": {"reset by the admin"}}); response.StatusCode != http.StatusSeeOther {
		t.Fatalf("reset password: status %d", response.StatusCode)
	}
	if response, _ := f.do(t, request{target: "/", cookie: session.Value}); response.StatusCode != http.StatusSeeOther {
		t.Errorf("the session works after a password reset: status %d", response.StatusCode)
	}
	if response, _ := f.signIn(t, "alan", "reset by the admin", "", ""); response.StatusCode != http.StatusSeeOther {
		t.Errorf("sign-in with the new password: status %d", response.StatusCode)
	}

	if response, body := post("/admin/users/"+itoa(admin.User.ID)+"/disable", nil); response.StatusCode != http.StatusBadRequest || !strings.Contains(body, "cannot disable your own account") {
		t.Errorf("disabling oneself: status %d, want 400", response.StatusCode)
	}
	if response, _ := post("/admin/users/999/disable", nil); response.StatusCode != http.StatusNotFound {
		t.Errorf("disabling an unknown user: status %d, want 404", response.StatusCode)
	}

	// Each change is in the audit log, with the admin as actor.
	events, err := f.accounts.Store.ListAudit(ctx, 100, 0)
	if err != nil {
		t.Fatal(err)
	}
	byAdmin := map[string]bool{}
	for _, e := range events {
		if e.ActorName == "ada" {
			byAdmin[e.Action+" "+e.Target] = true
		}
	}
	for _, want := range []string{"user_create grace", "user_disable alan", "user_enable alan", "user_set_password alan"} {
		if !byAdmin[want] {
			t.Errorf("the audit log lacks %q by ada; it has %v", want, byAdmin)
		}
	}
	_, page := f.do(t, request{target: "/admin/audit", cookie: admin.Session})
	for _, want := range []string{"user_create", "grace", "sign_in_failed", "user_disable"} {
		if !strings.Contains(page, want) {
			t.Errorf("the audit page lacks %q", want)
		}
	}
}

func TestAdminAuditPages(t *testing.T) {
	f := newAuthFixture(t, authn.Config{})
	ctx := context.Background()
	for i := range 60 {
		if _, err := f.accounts.Store.RecordAudit(ctx, store.AuditEvent{At: time.Now(), ActorName: "cli", Action: store.AuditUserEnable, Target: "user" + itoa(int64(i))}); err != nil {
			t.Fatal(err)
		}
	}
	_, first := f.do(t, request{target: "/admin/audit", cookie: f.accounts.Admin.Session})
	auditRow := regexp.MustCompile(`data-testid="audit-\d+"`)
	if n := len(auditRow.FindAllString(first, -1)); n != 50 {
		t.Errorf("the first page lists %d events, want 50", n)
	}
	older := regexp.MustCompile(`href="/admin/audit\?before=(\d+)"`).FindStringSubmatch(first)
	if older == nil {
		t.Fatal("the first page has no link to older entries")
	}
	_, second := f.do(t, request{target: "/admin/audit?before=" + older[1], cookie: f.accounts.Admin.Session})
	if n := len(auditRow.FindAllString(second, -1)); n != 10 || strings.Contains(second, "audit-older") {
		t.Errorf("the second page lists %d events, want the last 10 without a further link", n)
	}
	if response, _ := f.do(t, request{target: "/admin/audit?before=x", cookie: f.accounts.Admin.Session}); response.StatusCode != http.StatusBadRequest {
		t.Errorf("before=x: status %d, want 400", response.StatusCode)
	}
}

func TestAdminUsageAndScrapePages(t *testing.T) {
	f := newAuthFixture(t, authn.Config{})
	ctx := context.Background()
	now := time.Now().UTC()
	for _, c := range []store.LLMCall{
		{At: now, Analyzer: "openai", Model: "gpt-4o-mini", MovieID: webtest.MovieID, Reviews: 8, PromptTokens: 4000, CompletionTokens: 1000, CostUSD: 0.25, Outcome: "ok"},
		{At: now, Analyzer: "openai", Model: "gpt-4o-mini", MovieID: webtest.FailingMovieID, Reviews: 2, PromptTokens: 1000, CompletionTokens: 200, CostUSD: 0.5, Outcome: "ok"},
		{At: now.AddDate(0, 0, -3), Analyzer: "gemini", Model: "gemini-2.0-flash", MovieID: webtest.MovieID, Reviews: 4, PromptTokens: 2000, CompletionTokens: 500, CostUSD: 1, Outcome: "ok"},
	} {
		if err := f.store.RecordLLMCall(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	_, usage := f.do(t, request{target: "/admin/usage", cookie: f.accounts.Admin.Session})
	for _, want := range []string{"Spent today: <strong>$0.7500</strong>", "openai gpt-4o-mini", "gemini gemini-2.0-flash", "$1.7500", "7,000", now.Format("2006-01-02")} {
		if !strings.Contains(usage, want) {
			t.Errorf("the usage page lacks %q", want)
		}
	}
	if err := f.store.ParkMovie(ctx, webtest.FailingMovieID, "5 review passes failed in a row; last error: HTTP 503", now); err != nil {
		t.Fatal(err)
	}
	_, scrape := f.do(t, request{target: "/admin/scrape", cookie: f.accounts.Admin.Session})
	for _, want := range []string{`data-testid="parked-` + webtest.FailingMovieID + `"`, "HTTP 503", `data-testid="scrape-` + webtest.MovieID + `"`} {
		if !strings.Contains(scrape, want) {
			t.Errorf("the scrape page lacks %q", want)
		}
	}
	response, _ := f.do(t, request{method: http.MethodPost, target: "/admin/movies/" + webtest.FailingMovieID + "/unpark",
		cookie: f.accounts.Admin.Session, csrf: f.accounts.Admin.CSRF(), form: url.Values{}})
	if response.StatusCode != http.StatusSeeOther || response.Header.Get("Location") != "/admin/scrape" {
		t.Errorf("unpark: status %d to %q", response.StatusCode, response.Header.Get("Location"))
	}
	if got := f.tracker.Unparked(); len(got) != 1 || got[0] != webtest.FailingMovieID {
		t.Errorf("unparked %v, want %s", got, webtest.FailingMovieID)
	}
}

var newTokenField = regexp.MustCompile(`data-testid="new-token">(rp_[A-Za-z0-9_-]+)<`)

// createToken posts the token form as the session, follows the redirect
// with the cookies it sets, and returns the POST's response, the page it
// leads to and the new token cookie.
func (f *authFixture) createToken(t *testing.T, session, csrf string, form url.Values) (*http.Response, string, *http.Cookie) {
	t.Helper()
	response, body := f.do(t, request{method: http.MethodPost, target: "/account/tokens", form: form, cookie: session, csrf: csrf})
	if response.StatusCode != http.StatusSeeOther {
		return response, body, nil
	}
	if got := response.Header.Get("Location"); got != "/account" {
		t.Fatalf("create token: redirect to %q, want /account", got)
	}
	var carried *http.Cookie
	for _, c := range response.Cookies() {
		if c.Name == "reelpulse_new_token" {
			carried = c
		}
	}
	if carried == nil {
		t.Fatal("create token: the redirect sets no reelpulse_new_token cookie")
	}
	display, page := f.do(t, request{target: "/account", cookie: session, cookies: []*http.Cookie{carried}})
	deleted := false
	for _, c := range display.Cookies() {
		deleted = deleted || c.Name == carried.Name && c.MaxAge < 0
	}
	if !deleted {
		t.Error("the account page that shows the new token does not delete its cookie")
	}
	return response, page, carried
}

func TestAccountTokens(t *testing.T) {
	f := newAuthFixture(t, authn.Config{})
	analyst := f.accounts.Analyst
	post := func(target string, form url.Values) (*http.Response, string) {
		t.Helper()
		return f.do(t, request{method: http.MethodPost, target: target, form: form, cookie: analyst.Session, csrf: analyst.CSRF()})
	}
	response, body, carried := f.createToken(t, analyst.Session, analyst.CSRF(), url.Values{"name": {"notebook"}, "expires": {"90d"}})
	match := newTokenField.FindStringSubmatch(body)
	if response.StatusCode != http.StatusSeeOther || match == nil {
		t.Fatalf("create token: status %d, no token shown after the redirect:\n%s", response.StatusCode, body)
	}
	if !carried.HttpOnly || carried.SameSite != http.SameSiteStrictMode || carried.Path != "/account" || carried.MaxAge <= 0 || strings.Contains(carried.Value, match[1]) {
		t.Errorf("new token cookie = %+v, want HttpOnly, SameSite=Strict, Path=/account, short-lived, without the token in clear", carried)
	}
	// A reload of the page shows no token and creates none; another
	// session cannot open the cookie.
	before, _ := f.accounts.Store.ListTokens(context.Background(), analyst.User.ID)
	for name, req := range map[string]request{
		"reload":               {target: "/account", cookie: analyst.Session},
		"other session":        {target: "/account", cookie: f.accounts.NewSession(t, analyst.User), cookies: []*http.Cookie{carried}},
		"other user's session": {target: "/account", cookie: f.accounts.Admin.Session, cookies: []*http.Cookie{carried}},
	} {
		response, page := f.do(t, req)
		if response.StatusCode != http.StatusOK || strings.Contains(page, match[1]) || newTokenField.MatchString(page) {
			t.Errorf("%s: status %d, want 200 without the token", name, response.StatusCode)
		}
	}
	if after, _ := f.accounts.Store.ListTokens(context.Background(), analyst.User.ID); len(after) != len(before) {
		t.Errorf("reloading the account page changed the tokens from %d to %d", len(before), len(after))
	}
	if logs := f.log.String(); strings.Contains(logs, match[1]) || strings.Contains(logs, carried.Value) {
		t.Error("the log holds the new token or its cookie")
	}
	record, user, err := f.accounts.Store.TokenUser(context.Background(), auth.HashSecret(match[1]))
	if err != nil || user.ID != analyst.User.ID || record.Name != "notebook" || record.ExpiresAt == nil {
		t.Fatalf("stored token = %+v of %s, %v", record, user.Name, err)
	}
	if days := time.Until(*record.ExpiresAt).Hours() / 24; days < 89 || days > 90 {
		t.Errorf("the token expires in %.1f days, want 90", days)
	}
	for _, label := range []string{"\xff\xfe", "note\x00book"} {
		if response, body := post("/account/tokens", url.Values{"name": {label}, "expires": {"90d"}}); response.StatusCode != http.StatusBadRequest || newTokenField.MatchString(body) {
			t.Errorf("label %q: status %d, want 400 without a token", label, response.StatusCode)
		}
	}
	if response, _ := post("/account/tokens", url.Values{"expires": {"1000d"}}); response.StatusCode != http.StatusBadRequest {
		t.Errorf("an expiry off the list: status %d, want 400", response.StatusCode)
	}

	// Another user's token cannot be revoked by id.
	others, _ := f.accounts.Store.ListTokens(context.Background(), f.accounts.Admin.User.ID)
	if response, _ := post("/account/tokens/"+itoa(others[0].ID)+"/revoke", url.Values{}); response.StatusCode != http.StatusNotFound {
		t.Errorf("revoking the admin's token as the analyst: status %d, want 404", response.StatusCode)
	}
	if response, _ := post("/account/tokens/"+itoa(record.ID)+"/revoke", url.Values{}); response.StatusCode != http.StatusSeeOther {
		t.Errorf("revoke: status %d, want 303", response.StatusCode)
	}
	record, _, _ = f.accounts.Store.TokenUser(context.Background(), auth.HashSecret(match[1]))
	if record.RevokedAt == nil {
		t.Error("the token is not revoked")
	}
	_, page := f.do(t, request{target: "/account", cookie: analyst.Session})
	if !strings.Contains(page, `data-testid="token-`+itoa(record.ID)+`"`) || !strings.Contains(page, "revoked") {
		t.Error("the account page does not list the revoked token")
	}
}

func TestAccountPasswordChange(t *testing.T) {
	f := newAuthFixture(t, authn.Config{})
	analyst := f.accounts.Analyst
	other := f.accounts.NewSession(t, analyst.User)
	change := func(current, password, confirm string) (*http.Response, string) {
		return f.do(t, request{method: http.MethodPost, target: "/account/password", cookie: analyst.Session, csrf: analyst.CSRF(),
			form: url.Values{"current": {current}, "password": {password}, "confirm": {confirm}}})
	}
	if response, body := change("wrong current password", "new password for alan", "new password for alan"); response.StatusCode != http.StatusBadRequest || !strings.Contains(body, "current password is wrong") {
		t.Errorf("wrong current password: status %d", response.StatusCode)
	}
	if response, body := change(webtest.AnalystPassword, "new password for alan", "different password"); response.StatusCode != http.StatusBadRequest || !strings.Contains(body, "differ") {
		t.Errorf("differing passwords: status %d", response.StatusCode)
	}
	response, body := change(webtest.AnalystPassword, "new password for alan", "new password for alan")
	fresh := sessionCookie(response)
	if response.StatusCode != http.StatusOK || !strings.Contains(body, "Your password is changed") || fresh == nil || fresh.Value == analyst.Session {
		t.Fatalf("change: status %d, cookie %v; want a new session", response.StatusCode, fresh)
	}
	for _, id := range []string{analyst.Session, other} {
		if response, _ := f.do(t, request{target: "/", cookie: id}); response.StatusCode != http.StatusSeeOther {
			t.Errorf("an old session works after the password change: status %d", response.StatusCode)
		}
	}
	if response, _ := f.do(t, request{target: "/account", cookie: fresh.Value}); response.StatusCode != http.StatusOK {
		t.Errorf("the new session does not work: status %d", response.StatusCode)
	}
	if match := csrfField.FindStringSubmatch(body); match == nil || match[1] != (&authn.Identity{SessionID: fresh.Value}).CSRFToken() {
		t.Error("the page after the change carries the old session's CSRF token")
	}
}

// TestAccountPasswordChangeThrottled checks that wrong current passwords
// on the Account page are audited as failed sign-ins and throttled like
// them: after the limit, even the right password gets 429 with
// Retry-After, and the sign-in page refuses the account too.
func TestAccountPasswordChangeThrottled(t *testing.T) {
	f := newAuthFixture(t, authn.Config{})
	analyst := f.accounts.Analyst
	change := func(current string) (*http.Response, string) {
		return f.do(t, request{method: http.MethodPost, target: "/account/password", cookie: analyst.Session, csrf: analyst.CSRF(),
			form: url.Values{"current": {current}, "password": {"new password for alan"}, "confirm": {"new password for alan"}}})
	}
	for i := range auth.DefaultFailureLimit {
		if response, _ := change("wrong current password " + itoa(int64(i))); response.StatusCode != http.StatusBadRequest {
			t.Fatalf("wrong current password %d: status %d, want 400", i+1, response.StatusCode)
		}
	}

	failed, err := f.accounts.Store.CountAudit(context.Background(), store.AuditCount{Action: store.AuditSignInFailed, Target: analyst.User.Name})
	if err != nil {
		t.Fatal(err)
	}
	if failed != auth.DefaultFailureLimit {
		t.Errorf("%d sign_in_failed events for %s, want %d", failed, analyst.User.Name, auth.DefaultFailureLimit)
	}

	response, body := change(webtest.AnalystPassword)
	if response.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "Too many wrong passwords") {
		t.Fatalf("attempt after the limit, right password: status %d, want 429", response.StatusCode)
	}
	if retry, err := strconv.Atoi(response.Header.Get("Retry-After")); err != nil || retry < 1 || retry > 60 {
		t.Errorf("Retry-After = %q, want 1 to 60 seconds", response.Header.Get("Retry-After"))
	}
	if throttled, _ := f.accounts.Store.CountAudit(context.Background(), store.AuditCount{Action: store.AuditSignInThrottled, Target: analyst.User.Name}); throttled != 1 {
		t.Errorf("%d sign_in_throttled events, want 1", throttled)
	}
	if user, _ := f.accounts.Store.GetUser(context.Background(), analyst.User.ID); user.PasswordHash != analyst.User.PasswordHash {
		t.Error("the throttled request changed the password")
	}

	response, _ = f.do(t, request{method: http.MethodPost, target: "/signin", remote: "198.51.100.7:1234",
		form: url.Values{"name": {analyst.User.Name}, "password": {webtest.AnalystPassword}}})
	if response.StatusCode != http.StatusTooManyRequests {
		t.Errorf("sign-in of the account after the limit: status %d, want 429", response.StatusCode)
	}
}
