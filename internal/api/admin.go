package api

import (
	"net/http"
	"time"
)

// userJSON is a user as GET /api/v1/admin/users lists it: never a hash.
type userJSON struct {
	ID                int64      `json:"id"`
	Name              string     `json:"name"`
	Role              string     `json:"role"`
	CreatedAt         time.Time  `json:"created_at"`
	PasswordChangedAt time.Time  `json:"password_changed_at"`
	DisabledAt        *time.Time `json:"disabled_at"`
}

// listUsers serves GET /api/v1/admin/users to admins.
func (s *server) listUsers(w http.ResponseWriter, r *http.Request) {
	users, err := s.accounts.ListUsers(r.Context())
	if err != nil {
		s.logger.Error("Listing users failed", "error", err)
		writeError(w, http.StatusInternalServerError, "the users could not be listed because of a server error; try again in a moment")
		return
	}
	list := make([]userJSON, 0, len(users))
	for _, u := range users {
		list = append(list, userJSON{ID: u.ID, Name: u.Name, Role: u.Role, CreatedAt: u.CreatedAt.UTC(),
			PasswordChangedAt: u.PasswordChangedAt.UTC(), DisabledAt: u.DisabledAt})
	}
	if err := writeJSON(w, http.StatusOK, list); err != nil {
		s.logger.Warn("Writing the user list failed", "error", err)
	}
}
