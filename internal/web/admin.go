package web

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/reelpulse/reelpulse/internal/auth"
	"github.com/reelpulse/reelpulse/internal/authn"
	"github.com/reelpulse/reelpulse/internal/store"
)

// auditPageSize is the number of audit events per page of /admin/audit.
const auditPageSize = 50

// usageDays is how far back /admin/usage sums the language model calls.
const usageDays = 30

// scrapeRunsPerMovie is how many of a movie's latest runs /admin/scrape
// reads to find its last complete run and its latest problems.
const scrapeRunsPerMovie = 20

// auditMovieUnpark is the audit action of an unpark from the admin console.
const auditMovieUnpark = "movie_unpark"

// adminRoutes adds the admin console: users, audit log, language model
// usage and scrape health. Every page is for admins only.
func (s *server) adminRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /admin", s.adminOnly(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/admin/users", http.StatusSeeOther)
	}))
	mux.HandleFunc("GET /admin/users", s.adminOnly(s.adminUsersPage))
	mux.HandleFunc("POST /admin/users", s.adminOnly(s.adminCreateUser))
	mux.HandleFunc("POST /admin/users/{id}/disable", s.adminOnly(s.adminDisableUser))
	mux.HandleFunc("POST /admin/users/{id}/enable", s.adminOnly(s.adminEnableUser))
	mux.HandleFunc("POST /admin/users/{id}/password", s.adminOnly(s.adminResetPassword))
	mux.HandleFunc("GET /admin/audit", s.adminOnly(s.adminAuditPage))
	mux.HandleFunc("GET /admin/usage", s.adminOnly(s.adminUsagePage))
	mux.HandleFunc("GET /admin/scrape", s.adminOnly(s.adminScrapePage))
	mux.HandleFunc("POST /admin/movies/{id}/unpark", s.adminOnly(s.adminUnpark))
}

// adminUsersData is the data of admin_users.html.
type adminUsersData struct {
	Users []store.User
	// OIDC holds, per user id, the issuers of the provider accounts
	// linked to the user for single sign-on.
	OIDC    map[int64][]string
	Self    int64
	Message string
	Error   string
	// Name and Role refill the create form after a rejection.
	Name string
	Role string
}

func (s *server) adminUsersPage(w http.ResponseWriter, r *http.Request) {
	s.renderAdminUsers(w, r, http.StatusOK, adminUsersData{Message: r.URL.Query().Get("done")})
}

func (s *server) renderAdminUsers(w http.ResponseWriter, r *http.Request, status int, data adminUsersData) {
	users, err := s.accounts.ListUsers(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	data.Users = users
	identities, err := s.accounts.ListOIDCIdentities(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	data.OIDC = map[int64][]string{}
	for _, id := range identities {
		data.OIDC[id.UserID] = append(data.OIDC[id.UserID], id.Issuer)
	}
	data.Self = authn.FromContext(r.Context()).User.ID
	if data.Role == "" {
		data.Role = store.RoleAnalyst
	}
	s.render(w, r, status, "admin_users.html", "Users", data)
}

func (s *server) adminCreateUser(w http.ResponseWriter, r *http.Request) {
	admin := authn.FromContext(r.Context()).User
	name := strings.TrimSpace(r.PostForm.Get("name"))
	role := r.PostForm.Get("role")
	password := r.PostForm.Get("password")
	data := adminUsersData{Name: name, Role: role}
	if err := auth.CheckUserName(name); err != nil {
		data.Error = capitalize(err.Error()) + "."
	} else if !store.ValidRole(role) {
		data.Error = fmt.Sprintf("Unknown role %q; choose admin or analyst.", role)
	} else if err := auth.CheckPassword(password); err != nil {
		data.Error = capitalize(err.Error()) + "."
	}
	if data.Error != "" {
		s.renderAdminUsers(w, r, http.StatusBadRequest, data)
		return
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	now := s.now()
	user, err := s.accounts.CreateUser(r.Context(), store.User{
		Name: name, Role: role, PasswordHash: hash, CreatedAt: now, PasswordChangedAt: now,
	})
	if errors.Is(err, store.ErrExists) {
		existing := name
		var nameTaken *store.NameTakenError
		if errors.As(err, &nameTaken) && nameTaken.Existing != "" {
			existing = nameTaken.Existing
		}
		data.Error = fmt.Sprintf("A user named %q exists already; choose another name.", existing)
		if existing != name {
			data.Error = fmt.Sprintf("A user named %q exists already, and names are compared without case; choose another name.", existing)
		}
		s.renderAdminUsers(w, r, http.StatusConflict, data)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.auth.Audit(r.Context(), &admin, store.AuditUserCreate, user.Name, authn.ClientAddress(r), "role "+role)
	s.logger.Info("User created from the admin console", "user", user.Name, "role", role, "admin", admin.Name)
	s.adminUsersDone(w, r, fmt.Sprintf("User %s created as %s.", user.Name, role))
}

// adminUser returns the user named by the path's id, or writes the error
// page and returns false.
func (s *server) adminUser(w http.ResponseWriter, r *http.Request) (store.User, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		s.message(w, r, http.StatusBadRequest, "Invalid user id", "A user id is a whole number, as the users page links it.")
		return store.User{}, false
	}
	user, err := s.accounts.GetUser(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		s.message(w, r, http.StatusNotFound, "User not found", "No user has id "+strconv.FormatInt(id, 10)+"; it may have been removed.")
		return store.User{}, false
	}
	if err != nil {
		s.serverError(w, r, err)
		return store.User{}, false
	}
	return user, true
}

func (s *server) adminDisableUser(w http.ResponseWriter, r *http.Request) {
	admin := authn.FromContext(r.Context()).User
	user, ok := s.adminUser(w, r)
	if !ok {
		return
	}
	if user.ID == admin.ID {
		s.renderAdminUsers(w, r, http.StatusBadRequest, adminUsersData{Error: "You cannot disable your own account; ask another admin."})
		return
	}
	err := s.accounts.DisableUserKeepingAdmin(r.Context(), user.ID, s.now())
	if errors.Is(err, store.ErrLastAdmin) {
		// Only when another admin disabled this admin's account meanwhile.
		s.renderAdminUsers(w, r, http.StatusConflict, adminUsersData{Error: user.Name + " is the last enabled admin and stays enabled."})
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	n, err := s.accounts.DeleteUserSessions(r.Context(), user.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.auth.Audit(r.Context(), &admin, store.AuditUserDisable, user.Name, authn.ClientAddress(r), plural(n, "session")+" ended")
	s.logger.Info("User disabled from the admin console", "user", user.Name, "admin", admin.Name, "sessions", n)
	s.adminUsersDone(w, r, "User "+user.Name+" is disabled and signed out everywhere.")
}

func (s *server) adminEnableUser(w http.ResponseWriter, r *http.Request) {
	admin := authn.FromContext(r.Context()).User
	user, ok := s.adminUser(w, r)
	if !ok {
		return
	}
	if err := s.accounts.SetUserDisabled(r.Context(), user.ID, nil); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.auth.Audit(r.Context(), &admin, store.AuditUserEnable, user.Name, authn.ClientAddress(r), "")
	s.logger.Info("User enabled from the admin console", "user", user.Name, "admin", admin.Name)
	s.adminUsersDone(w, r, "User "+user.Name+" may sign in again.")
}

// adminResetPassword sets a user's password and signs them out everywhere.
func (s *server) adminResetPassword(w http.ResponseWriter, r *http.Request) {
	admin := authn.FromContext(r.Context()).User
	user, ok := s.adminUser(w, r)
	if !ok {
		return
	}
	password := r.PostForm.Get("password")
	if err := auth.CheckPassword(password); err != nil {
		s.renderAdminUsers(w, r, http.StatusBadRequest, adminUsersData{Error: capitalize(err.Error()) + "; the password of " + user.Name + " was not changed."})
		return
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if err := s.accounts.SetPassword(r.Context(), user.ID, hash, s.now()); err != nil {
		s.serverError(w, r, err)
		return
	}
	n, err := s.accounts.DeleteUserSessions(r.Context(), user.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.auth.Audit(r.Context(), &admin, store.AuditUserPassword, user.Name, authn.ClientAddress(r), "reset by an admin; "+plural(n, "session")+" ended")
	s.logger.Info("Password reset from the admin console", "user", user.Name, "admin", admin.Name, "sessions", n)
	if user.ID == admin.ID {
		s.auth.ClearCookie(w, r)
		http.Redirect(w, r, "/signin", http.StatusSeeOther)
		return
	}
	s.adminUsersDone(w, r, "The password of "+user.Name+" is reset and they are signed out everywhere.")
}

// adminUsersDone goes back to the users page with a confirmation.
func (s *server) adminUsersDone(w http.ResponseWriter, r *http.Request, message string) {
	http.Redirect(w, r, "/admin/users?"+url.Values{"done": {message}}.Encode(), http.StatusSeeOther)
}

// adminAuditData is the data of admin_audit.html.
type adminAuditData struct {
	Events []store.AuditEvent
	// Older is the before parameter of the next page; 0 on the last one.
	Older int64
}

func (s *server) adminAuditPage(w http.ResponseWriter, r *http.Request) {
	var before int64
	if text := r.URL.Query().Get("before"); text != "" {
		n, err := strconv.ParseInt(text, 10, 64)
		if err != nil || n < 1 {
			s.message(w, r, http.StatusBadRequest, "Invalid before", "The before parameter must be an event id, a whole number from 1, as the Older link sets it.")
			return
		}
		before = n
	}
	events, err := s.accounts.ListAudit(r.Context(), auditPageSize+1, before)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	data := adminAuditData{Events: events}
	if len(events) > auditPageSize {
		data.Events = events[:auditPageSize]
		data.Older = data.Events[auditPageSize-1].ID
	}
	s.render(w, r, http.StatusOK, "admin_audit.html", "Audit log", data)
}

// usageRow is one line of a usage table.
type usageRow struct {
	Key              string
	Calls            int
	Reviews          int
	PromptTokens     int64
	CompletionTokens int64
	CostUSD          float64
}

// adminUsageData is the data of admin_usage.html.
type adminUsageData struct {
	Days       int
	ByDay      []usageRow
	ByModel    []usageRow
	ByMovie    []usageRow
	Total      usageRow
	TodaySpend float64
	Budget     float64 // 0 when no budget is set
	// BudgetShare is today's spend as a percentage of the budget, capped
	// at 100 for the meter.
	BudgetShare int
}

func (s *server) adminUsagePage(w http.ResponseWriter, r *http.Request) {
	now := s.now().UTC()
	today := now.Truncate(24 * time.Hour)
	usage, err := s.store.LLMUsage(r.Context(), today.AddDate(0, 0, -(usageDays-1)))
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	data := adminUsageData{Days: usageDays, Budget: s.dailyBudget}
	byDay, byModel, byMovie := map[string]*usageRow{}, map[string]*usageRow{}, map[string]*usageRow{}
	todayText := today.Format("2006-01-02")
	for _, u := range usage {
		for _, g := range []struct {
			rows map[string]*usageRow
			key  string
		}{{byDay, u.Day}, {byModel, u.Analyzer + " " + u.Model}, {byMovie, u.MovieID}} {
			row := g.rows[g.key]
			if row == nil {
				row = &usageRow{Key: g.key}
				g.rows[g.key] = row
			}
			addUsage(row, u)
		}
		addUsage(&data.Total, u)
		if u.Day == todayText {
			data.TodaySpend += u.CostUSD
		}
	}
	data.ByDay = sortedUsage(byDay, func(a, b usageRow) int { return strings.Compare(b.Key, a.Key) })
	byCost := func(a, b usageRow) int {
		return cmp.Or(cmp.Compare(b.CostUSD, a.CostUSD), strings.Compare(a.Key, b.Key))
	}
	data.ByModel = sortedUsage(byModel, byCost)
	data.ByMovie = sortedUsage(byMovie, byCost)
	if data.Budget > 0 {
		data.BudgetShare = min(100, int(data.TodaySpend/data.Budget*100))
	}
	s.render(w, r, http.StatusOK, "admin_usage.html", "Language model usage", data)
}

func addUsage(row *usageRow, u store.LLMUsage) {
	row.Calls += u.Calls
	row.Reviews += u.Reviews
	row.PromptTokens += u.PromptTokens
	row.CompletionTokens += u.CompletionTokens
	row.CostUSD += u.CostUSD
}

func sortedUsage(rows map[string]*usageRow, compare func(a, b usageRow) int) []usageRow {
	list := make([]usageRow, 0, len(rows))
	for _, row := range rows {
		list = append(list, *row)
	}
	slices.SortFunc(list, compare)
	return list
}

// scrapeHealth is one movie of the scrape health page.
type scrapeHealth struct {
	Movie        store.Movie
	LastComplete *store.SyncRun
	// Problems are the runs after the last complete one that were not
	// complete, newest first, at most three.
	Problems []store.SyncRun
}

// adminScrapeData is the data of admin_scrape.html.
type adminScrapeData struct {
	Movies []scrapeHealth
	Parked []store.Movie
}

func (s *server) adminScrapePage(w http.ResponseWriter, r *http.Request) {
	movies, err := s.store.ListMovies(r.Context(), false)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	var data adminScrapeData
	for _, m := range movies {
		runs, err := s.store.ListRuns(r.Context(), m.ID, scrapeRunsPerMovie)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		health := scrapeHealth{Movie: m}
		for _, run := range runs {
			if run.State == store.RunComplete {
				health.LastComplete = &run
				break
			}
			if len(health.Problems) < 3 {
				health.Problems = append(health.Problems, run)
			}
		}
		data.Movies = append(data.Movies, health)
		if m.ParkedAt != nil {
			data.Parked = append(data.Parked, m)
		}
	}
	s.render(w, r, http.StatusOK, "admin_scrape.html", "Scrape health", data)
}

func (s *server) adminUnpark(w http.ResponseWriter, r *http.Request) {
	admin := authn.FromContext(r.Context()).User
	id := r.PathValue("id")
	if _, err := s.store.GetMovie(r.Context(), id); errors.Is(err, store.ErrNotFound) {
		s.movieNotFound(w, r, id)
		return
	} else if err != nil {
		s.serverError(w, r, err)
		return
	}
	if err := s.tracker.Unpark(r.Context(), id); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.auth.Audit(r.Context(), &admin, auditMovieUnpark, id, authn.ClientAddress(r), "from the scrape health page")
	s.logger.Info("Movie unparked from the admin console", "movie_id", id, "admin", admin.Name)
	http.Redirect(w, r, "/admin/scrape", http.StatusSeeOther)
}

// usageTableData is the data of the usageTable template.
type usageTableData struct {
	Heading  string
	KeyLabel string
	TestID   string
	Rows     []usageRow
	Total    usageRow
}

func newUsageTable(heading, keyLabel, testID string, rows []usageRow, total usageRow) usageTableData {
	return usageTableData{Heading: heading, KeyLabel: keyLabel, TestID: testID, Rows: rows, Total: total}
}
