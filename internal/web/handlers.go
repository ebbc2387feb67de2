package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/reelpulse/reelpulse/internal/authn"
	"github.com/reelpulse/reelpulse/internal/store"
)

// maxFormBytes caps the body of the dashboard's forms, which only carry an
// IMDb id or URL.
const maxFormBytes = 16 << 10

// pageNames lists the page templates. Each is parsed together with
// layout.html and charts.html.
var pageNames = []string{"list.html", "movie.html", "remove.html", "message.html", "jobs.html", "compare.html",
	"signin.html", "setup.html", "account.html", "admin_users.html", "admin_audit.html", "admin_usage.html", "admin_scrape.html"}

// parseTemplates parses every page. The now func is the clock of "time since"
// texts; csrfMark is what {{csrfField}} writes in place of the CSRF token.
func parseTemplates(now func() time.Time, csrfMark string) (map[string]*template.Template, error) {
	funcs := templateFuncs(now)
	funcs["csrfField"] = func() template.HTML {
		return template.HTML(`<input type="hidden" name="` + authn.CSRFField + `" value="` + csrfMark + `">`)
	}
	funcs["usageTable"] = newUsageTable
	templates := map[string]*template.Template{}
	for _, name := range pageNames {
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFiles,
			"templates/layout.html", "templates/charts.html", "templates/explorer.html", "templates/"+name)
		if err != nil {
			return nil, fmt.Errorf("web: parse template %s: %w", name, err)
		}
		templates[name] = t
	}
	return templates, nil
}

// listData is the data of list.html.
type listData struct {
	Cards []movieCard
	// Input and Error refill the add form after a rejected submission.
	Input string
	Error string
	// Suggestions are the titles matching a searched Input.
	Suggestions []Suggestion
	Searched    bool
	// All is set when an admin views every tracked movie rather than their
	// own list; IsAdmin offers the switch, and Unlisted counts the tracked
	// movies that the admin's own list leaves out.
	All      bool
	IsAdmin  bool
	Unlisted int
}

func (s *server) listPage(w http.ResponseWriter, r *http.Request) {
	s.renderList(w, r, http.StatusOK, listData{})
}

func (s *server) renderList(w http.ResponseWriter, r *http.Request, status int, data listData) {
	data.All = wantsAllMovies(r)
	data.IsAdmin = authn.FromContext(r.Context()).IsAdmin()
	cards, err := s.loadCards(r.Context(), data.All)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	data.Cards = cards
	data.Unlisted = s.unlistedCount(r.Context(), data.All, len(cards))
	s.render(w, r, status, "list.html", "Tracked movies", data)
}

func (s *server) addMovie(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		s.renderList(w, r, http.StatusBadRequest, listData{Error: "The form could not be read; reload the page and try again."})
		return
	}
	input := strings.TrimSpace(r.PostForm.Get("movie"))
	if input == "" {
		s.renderList(w, r, http.StatusBadRequest, listData{Error: "Enter an IMDb id such as tt0013442, an IMDb title URL or a title to search for."})
		return
	}
	if s.searcher != nil && looksLikeTitle(input) {
		s.searchTitles(w, r, input)
		return
	}

	result, err := TrackInput(r.Context(), s.store, s.tracker, s.logger, input)
	var inputErr *InputError
	if errors.As(err, &inputErr) {
		s.renderList(w, r, http.StatusBadRequest, listData{Input: input, Error: inputErr.Error()})
		return
	}
	if err != nil {
		s.logger.Error("Tracking a movie failed", "input", input, "error", err)
		s.renderList(w, r, http.StatusInternalServerError, listData{Input: input,
			Error: "The movie could not be added because of a server error; try again in a moment."})
		return
	}

	if err := s.auth.AddToList(r.Context(), result.MovieID, s.now()); err != nil {
		s.logger.Error("Adding a movie to the user's list failed", "movie_id", result.MovieID, "error", err)
		s.renderList(w, r, http.StatusInternalServerError, listData{Input: input,
			Error: "The movie could not be added to your list because of a server error; try again in a moment."})
		return
	}
	s.logger.Info("Movie added from the dashboard", "movie_id", result.MovieID, "new", result.Created,
		"user", authn.FromContext(r.Context()).User.Name)
	http.Redirect(w, r, "/movies/"+url.PathEscape(result.MovieID), http.StatusSeeOther)
}

func (s *server) moviePage(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	query, dropped := withoutEmpty(r.URL.Query())
	if dropped {
		// The review explorer's form sends every control: redirect to the
		// permalink that names only the filters set.
		http.Redirect(w, r, pageURL("/movies/"+url.PathEscape(id), query), http.StatusFound)
		return
	}

	bucket := store.BucketMonth
	if text := r.URL.Query().Get("bucket"); text != "" {
		value, err := store.ParseBucket(text)
		if err != nil {
			s.logger.Debug("Movie page requested with an invalid bucket", "movie_id", id, "error", err)
			s.message(w, r, http.StatusBadRequest, "Invalid bucket",
				"The bucket parameter must be day, week or month.")
			return
		}
		bucket = value
	}

	data, err := s.loadMoviePage(r.Context(), id, bucket, query)
	if errors.Is(err, store.ErrNotFound) {
		s.movieNotFound(w, r, id)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if identity := authn.FromContext(r.Context()); identity.IsAdmin() {
		own, err := s.accounts.UserMovieIDs(r.Context(), identity.User.ID)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		data.NotOnList = !slices.Contains(own, id)
	}
	title := data.Movie.Title
	if title == "" {
		title = id
	}
	status := http.StatusOK
	if data.Explorer.Error != "" {
		status = http.StatusBadRequest
	}
	s.render(w, r, status, "movie.html", title, data)
}

func (s *server) confirmRemovePage(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	movie, err := s.store.GetMovie(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		s.movieNotFound(w, r, id)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	identity := authn.FromContext(r.Context())
	data := removeData{Movie: movie, Admin: identity.IsAdmin()}
	if data.Admin {
		// RemoveFromList untracks a movie that is on no list of the
		// admin's own for every user, and the page must state that.
		own, err := s.accounts.UserMovieIDs(r.Context(), identity.User.ID)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		if !slices.Contains(own, id) {
			data.ForEveryone = true
			if data.OtherLists, err = s.accounts.MovieTrackers(r.Context(), id); err != nil {
				s.serverError(w, r, err)
				return
			}
		}
	}
	s.render(w, r, http.StatusOK, "remove.html", "Remove "+displayTitle(movie), data)
}

// removeData is the data of remove.html.
type removeData struct {
	store.Movie
	// ForEveryone is true when the movie is on no list of the admin who
	// removes it, so removing it stops it for every user.
	ForEveryone bool
	// OtherLists is the number of users whose list holds the movie, when
	// ForEveryone.
	OtherLists int
	Admin      bool // the viewer is an admin
}

func (s *server) removeMovie(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if _, err := s.store.GetMovie(r.Context(), id); errors.Is(err, store.ErrNotFound) {
		s.movieNotFound(w, r, id)
		return
	} else if err != nil {
		s.serverError(w, r, err)
		return
	}

	if err := s.auth.RemoveFromList(r.Context(), id, s.tracker.Untrack); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.logger.Info("Movie removed from the dashboard", "movie_id", id, "user", authn.FromContext(r.Context()).User.Name)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (s *server) unparkMovie(w http.ResponseWriter, r *http.Request) {
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
	s.logger.Info("Movie unparked from the dashboard", "movie_id", id)
	http.Redirect(w, r, "/movies/"+url.PathEscape(id), http.StatusSeeOther)
}

func displayTitle(m store.Movie) string {
	if m.Title != "" {
		return m.Title
	}
	return m.ID
}

func (s *server) movieNotFound(w http.ResponseWriter, r *http.Request, id string) {
	s.message(w, r, http.StatusNotFound, "Movie not found",
		"No movie with id "+id+" is stored. Add it from the movie list to start tracking it.")
}

func (s *server) notFoundPage(w http.ResponseWriter, r *http.Request) {
	s.message(w, r, http.StatusNotFound, "Page not found", "This address matches no page of the dashboard.")
}

func (s *server) serverError(w http.ResponseWriter, r *http.Request, err error) {
	s.logger.Error("Dashboard request failed", "method", r.Method, "path", r.URL.Path, "error", err)
	s.message(w, r, http.StatusInternalServerError, "Server error",
		"The page could not be loaded because of a server error; try again in a moment.")
}

// messageData is the data of message.html.
type messageData struct {
	Heading string
	Text    string
}

func (s *server) message(w http.ResponseWriter, r *http.Request, status int, heading, text string) {
	s.render(w, r, status, "message.html", heading, messageData{Heading: heading, Text: text})
}

// layoutData wraps a page's data with what the layout reads.
type layoutData struct {
	Title string
	Page  any
	// Notice is a site-wide message, such as a paused analysis.
	Notice string
	// Viewer is the signed-in user; nil on the sign-in and setup pages.
	Viewer *store.User
}

// budgetNotice returns the notice that analysis is paused when today's
// language model spend has reached the daily budget, and "" otherwise.
func (s *server) budgetNotice(ctx context.Context) string {
	if s.dailyBudget <= 0 {
		return ""
	}
	now := s.now().UTC()
	spend, err := s.store.LLMSpend(ctx, now.Truncate(24*time.Hour))
	if err != nil {
		s.logger.Warn("Reading today's language model spend failed", "error", err)
		return ""
	}
	if spend < s.dailyBudget {
		return ""
	}
	return fmt.Sprintf("Analysis is paused: today's language model spend of $%.2f has reached the daily budget of $%.2f "+
		"(REELPULSE_LLM_DAILY_BUDGET_USD). It resumes at 00:00 UTC.", spend, s.dailyBudget)
}

// render executes a page into a buffer first, so that a template error
// still produces a clean 500 response.
func (s *server) render(w http.ResponseWriter, r *http.Request, status int, name, title string, page any) {
	var buf bytes.Buffer
	data := layoutData{Title: title, Page: page}
	identity := authn.FromContext(r.Context())
	if identity != nil {
		data.Viewer = &identity.User
		data.Notice = s.budgetNotice(r.Context())
	}
	if err := s.templates[name].Execute(&buf, data); err != nil {
		s.logger.Error("Rendering a page failed", "template", name, "path", r.URL.Path, "error", err)
		http.Error(w, "The page could not be rendered; try again later.", http.StatusInternalServerError)
		return
	}
	out := bytes.ReplaceAll(buf.Bytes(), []byte(s.csrfMark), []byte(identity.CSRFToken()))

	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(out)
}

// looksLikeTitle reports whether the add form's input is a title to search
// for rather than an id or URL, which start with "tt" and digits or contain
// "imdb.".
func looksLikeTitle(input string) bool {
	lower := strings.ToLower(input)
	if strings.Contains(lower, "imdb.") || strings.Contains(lower, "://") {
		return false
	}
	startsLikeID := len(lower) > 2 && strings.HasPrefix(lower, "tt") && lower[2] >= '0' && lower[2] <= '9'
	return !startsLikeID
}

// searchTitles renders the list page with the titles that match input, each
// with a button that tracks it, or a link to its movie page when the user
// already tracks it.
func (s *server) searchTitles(w http.ResponseWriter, r *http.Request, input string) {
	// The suggestion client rejects longer queries, so the input is at
	// fault here, not IMDb.
	if len(input) > maxSuggestQuery {
		s.renderList(w, r, http.StatusBadRequest, listData{Input: input, Error: fmt.Sprintf(
			"The title is %d bytes long, and a title search takes at most %d; shorten it or enter the IMDb id.", len(input), maxSuggestQuery)})
		return
	}
	suggestions, err := s.searcher.Search(r.Context(), input)
	if err != nil {
		s.logger.Error("Title search failed", "query", input, "error", err)
		s.renderList(w, r, http.StatusBadGateway, listData{Input: input,
			Error: "The title search failed because IMDb did not respond; try again later or enter the IMDb id."})
		return
	}
	if err := s.markTracked(r.Context(), suggestions); err != nil {
		s.serverError(w, r, err)
		return
	}
	data := listData{Input: input, Suggestions: suggestions, Searched: true}
	if len(suggestions) == 0 {
		data.Error = fmt.Sprintf("No title matches %q; check the spelling or enter the IMDb id.", input)
	}
	s.renderList(w, r, http.StatusOK, data)
}
