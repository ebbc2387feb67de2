package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/reelpulse/reelpulse/internal/authn"
	"github.com/reelpulse/reelpulse/internal/jobs"
)

// jobsData is the data of jobs.html.
type jobsData struct {
	Jobs   []jobs.JobInfo
	State  string   // the state filter, empty for all
	Kind   string   // the kind filter, empty for all
	States []string // the states offered as filter links
	Limit  int
}

// jobsPage lists the latest background jobs with their state, attempts,
// last error and duration. Only admins reach it and its retry and cancel
// actions.
func (s *server) jobsPage(w http.ResponseWriter, r *http.Request) {
	query := r.URL.Query()
	filter := jobs.JobFilter{State: query.Get("state"), Kind: query.Get("kind"), Limit: jobs.DefaultListLimit}
	if text := query.Get("limit"); text != "" {
		n, err := strconv.Atoi(text)
		if err != nil || n < 1 || n > jobs.MaxListLimit {
			s.message(w, r, http.StatusBadRequest, "Invalid limit",
				"The limit parameter must be a whole number from 1 to "+strconv.Itoa(jobs.MaxListLimit)+".")
			return
		}
		filter.Limit = n
	}
	if err := filter.Validate(); err != nil {
		s.message(w, r, http.StatusBadRequest, "Invalid filter", err.Error()+".")
		return
	}

	list, err := s.jobs.List(r.Context(), filter)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "jobs.html", "Jobs", jobsData{
		Jobs: list, State: filter.State, Kind: filter.Kind, States: jobs.FilterStates(), Limit: filter.Limit,
	})
}

func (s *server) retryJob(w http.ResponseWriter, r *http.Request) {
	s.jobAction(w, r, "retry", s.jobs.Retry)
}

func (s *server) cancelJob(w http.ResponseWriter, r *http.Request) {
	s.jobAction(w, r, "cancel", s.jobs.Cancel)
}

// jobAction applies a retry or cancel to the job named in the path and goes
// back to the list with the filter that the form carried.
func (s *server) jobAction(w http.ResponseWriter, r *http.Request, name string, action func(ctx context.Context, id int64) (jobs.JobInfo, error)) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		s.message(w, r, http.StatusBadRequest, "Invalid job id", "A job id is a whole number, as listed on the jobs page.")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		s.message(w, r, http.StatusBadRequest, "Invalid form", "The form could not be read; reload the jobs page and try again.")
		return
	}

	if _, err := action(r.Context(), id); errors.Is(err, jobs.ErrJobNotFound) {
		s.message(w, r, http.StatusNotFound, "Job not found", "No job with id "+strconv.FormatInt(id, 10)+" exists; River deletes finished jobs after one to seven days.")
		return
	} else if err != nil {
		s.serverError(w, r, err)
		return
	}
	identity := authn.FromContext(r.Context())
	s.auth.Audit(r.Context(), &identity.User, "job_"+name, "job "+strconv.FormatInt(id, 10), authn.ClientAddress(r), "")
	s.logger.Info("Job "+name+" requested from the dashboard", "job_id", id, "admin", identity.User.Name)

	back := url.Values{}
	if state := r.PostForm.Get("state"); slices.Contains(jobs.FilterStates(), state) {
		back.Set("state", state)
	}
	if kind := r.PostForm.Get("kind"); slices.Contains(jobs.Kinds(), kind) {
		back.Set("kind", kind)
	}
	target := "/jobs"
	if len(back) > 0 {
		target += "?" + back.Encode()
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}
