package web_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reelpulse/reelpulse/internal/jobs"
	"github.com/reelpulse/reelpulse/internal/web"
	"github.com/reelpulse/reelpulse/internal/web/webtest"
)

// fakeJobs serves a fixed job list and records the calls.
type fakeJobs struct {
	list []jobs.JobInfo

	mu       sync.Mutex
	filters  []jobs.JobFilter
	retried  []int64
	canceled []int64
}

func (f *fakeJobs) List(_ context.Context, filter jobs.JobFilter) ([]jobs.JobInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.filters = append(f.filters, filter)
	return f.list, nil
}

func (f *fakeJobs) find(id int64) (jobs.JobInfo, error) {
	for _, j := range f.list {
		if j.ID == id {
			return j, nil
		}
	}
	return jobs.JobInfo{}, jobs.ErrJobNotFound
}

func (f *fakeJobs) Retry(_ context.Context, id int64) (jobs.JobInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.retried = append(f.retried, id)
	return f.find(id)
}

func (f *fakeJobs) Cancel(_ context.Context, id int64) (jobs.JobInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.canceled = append(f.canceled, id)
	return f.find(id)
}

const jobErrorMarkup = `sync tt0013442: <script>alert("job")</script> & more`

func newJobsFixture(t *testing.T) (*fixture, *fakeJobs) {
	t.Helper()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	finished := now.Add(-time.Minute)
	started := finished.Add(-1500 * time.Millisecond)
	fake := &fakeJobs{list: []jobs.JobInfo{
		{ID: 2, Kind: "check_movie", Queue: "check", MovieID: webtest.MovieID, State: "running", Attempt: 1, MaxAttempts: 3,
			CreatedAt: now.Add(-time.Minute), AttemptedAt: &now, Duration: 2 * time.Second},
		{ID: 1, Kind: "sync_movie", Queue: "sync", MovieID: webtest.MovieID, State: "discarded", Attempt: 5, MaxAttempts: 5,
			LastError: jobErrorMarkup, CreatedAt: now.Add(-time.Hour), AttemptedAt: &started, FinalizedAt: &finished, Duration: 1500 * time.Millisecond},
	}}
	st := webtest.NewStore()
	if _, err := webtest.Seed(context.Background(), st, now); err != nil {
		t.Fatal(err)
	}
	tracker := &webtest.Tracker{Store: st}
	signedIn := webtest.NewAccounts(t, nil)
	signedIn.TrackAll(t, st)
	handler, err := web.New(web.Config{Accounts: signedIn.Store, Auth: signedIn.Auth,
		Store:    st,
		Tracker:  tracker,
		Analyzer: webtest.Analyzer,
		Logger:   slog.New(slog.DiscardHandler),
		Now:      func() time.Time { return now },
		Jobs:     fake,
	})
	if err != nil {
		t.Fatal(err)
	}
	handler = webtest.AsMember(handler, signedIn.Admin)
	return &fixture{store: st, tracker: tracker, handler: handler}, fake
}

func TestJobsPage(t *testing.T) {
	f, fake := newJobsFixture(t)
	response, body := f.get(t, "/jobs?state=failed&kind=sync_movie&limit=20")
	if response.StatusCode != http.StatusOK {
		t.Fatalf("status = %d, want 200:\n%s", response.StatusCode, body)
	}
	if got := response.Header.Get("Content-Security-Policy"); got != web.ContentSecurityPolicy {
		t.Errorf("Content-Security-Policy = %q", got)
	}
	want := jobs.JobFilter{State: "failed", Kind: "sync_movie", Limit: 20}
	if len(fake.filters) != 1 || fake.filters[0] != want {
		t.Errorf("filters = %+v, want [%+v]", fake.filters, want)
	}

	checks := []struct {
		name string
		ok   bool
	}{
		{"error text escaped", strings.Contains(body, `sync tt0013442: &lt;script&gt;alert(&#34;job&#34;)&lt;/script&gt; &amp; more`)},
		{"no raw error markup", !strings.Contains(body, `<script>alert("job")`)},
		{"attempts shown", strings.Contains(body, "5/5") && strings.Contains(body, "1/3")},
		{"duration shown", strings.Contains(body, "1.5s")},
		{"movie linked", strings.Contains(body, `<a href="/movies/`+webtest.MovieID+`">`)},
		{"retry button on the discarded job", strings.Contains(body, `data-testid="retry-1"`)},
		{"cancel button on the running job", strings.Contains(body, `data-testid="cancel-2"`)},
		{"no retry on the running job", !strings.Contains(body, `data-testid="retry-2"`)},
		{"no cancel on the discarded job", !strings.Contains(body, `data-testid="cancel-1"`)},
		{"forms post", strings.Contains(body, `<form method="post" action="/jobs/1/retry">`)},
		{"forms keep the filter", strings.Contains(body, `name="state" value="failed"`)},
		{"state filter links keep the kind", strings.Contains(body, `href="/jobs?state=running&amp;kind=sync_movie"`)},
		{"current state marked", strings.Contains(body, `<strong aria-current="page">failed</strong>`)},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("%s: failed", c.name)
		}
	}
	inline := regexp.MustCompile(`<script>|<script [^>]*>[^<]|<style|<[a-zA-Z][^>]*\s(style|on[a-z]+)=`)
	if match := inline.FindString(body); match != "" {
		t.Errorf("jobs page contains inline code %q", match)
	}
}

func TestJobsPageBadFilter(t *testing.T) {
	for _, target := range []string{"/jobs?state=exploded", "/jobs?kind=rm_rf", "/jobs?limit=0", "/jobs?limit=5000", "/jobs?limit=x"} {
		f, fake := newJobsFixture(t)
		response, body := f.get(t, target)
		if response.StatusCode != http.StatusBadRequest {
			t.Errorf("GET %s: status %d, want 400", target, response.StatusCode)
		}
		if !strings.Contains(body, "Invalid") {
			t.Errorf("GET %s: no explanation:\n%s", target, body)
		}
		if len(fake.filters) != 0 {
			t.Errorf("GET %s listed jobs", target)
		}
	}
}

func TestJobActions(t *testing.T) {
	tests := []struct {
		name     string
		target   string
		form     url.Values
		status   int
		location string
		retried  []int64
		canceled []int64
	}{
		{"retry", "/jobs/1/retry", url.Values{"state": {"failed"}, "kind": {""}}, http.StatusSeeOther, "/jobs?state=failed", []int64{1}, nil},
		{"cancel", "/jobs/2/cancel", url.Values{"kind": {"check_movie"}}, http.StatusSeeOther, "/jobs?kind=check_movie", nil, []int64{2}},
		{"filter values are checked", "/jobs/2/cancel", url.Values{"state": {"//evil.example"}}, http.StatusSeeOther, "/jobs", nil, []int64{2}},
		{"unknown job", "/jobs/99/retry", nil, http.StatusNotFound, "", []int64{99}, nil},
		{"invalid id", "/jobs/abc/cancel", nil, http.StatusBadRequest, "", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, fake := newJobsFixture(t)
			response, body := f.postForm(t, tt.target, tt.form)
			if response.StatusCode != tt.status {
				t.Fatalf("status = %d, want %d:\n%s", response.StatusCode, tt.status, body)
			}
			if got := response.Header.Get("Location"); got != tt.location {
				t.Errorf("Location = %q, want %q", got, tt.location)
			}
			if !slices.Equal(fake.retried, tt.retried) || !slices.Equal(fake.canceled, tt.canceled) {
				t.Errorf("retried %v, cancelled %v; want %v, %v", fake.retried, fake.canceled, tt.retried, tt.canceled)
			}
		})
	}
}

func TestJobActionCrossOriginRejected(t *testing.T) {
	f, fake := newJobsFixture(t)
	request := httptestPost("/jobs/1/retry")
	request.Header.Set("Sec-Fetch-Site", "cross-site")
	response, _ := f.serve(t, request)
	if response.StatusCode != http.StatusForbidden {
		t.Errorf("status = %d, want 403", response.StatusCode)
	}
	if len(fake.retried) != 0 {
		t.Error("a cross-origin form retried a job")
	}
}

func TestJobsPageNeedsJobs(t *testing.T) {
	f := newFixture(t)
	if response, _ := f.get(t, "/jobs"); response.StatusCode != http.StatusNotFound {
		t.Errorf("GET /jobs without Config.Jobs: status %d, want 404", response.StatusCode)
	}
}

func TestParkedMovie(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	reason := `5 review passes failed in a row; last error: <b>blocked</b>`
	if err := f.store.ParkMovie(ctx, webtest.MovieID, reason, time.Date(2026, 3, 1, 11, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}

	for _, target := range []string{"/", "/movies/" + webtest.MovieID} {
		_, body := f.get(t, target)
		if !strings.Contains(body, ">Parked<") || !strings.Contains(body, "&lt;b&gt;blocked&lt;/b&gt;") || strings.Contains(body, "<b>blocked") {
			t.Errorf("%s does not show the parked state with the escaped reason", target)
		}
	}
	_, body := f.get(t, "/movies/"+webtest.MovieID)
	if !strings.Contains(body, `<form method="post" action="/movies/`+webtest.MovieID+`/unpark"`) {
		t.Error("movie page has no unpark form")
	}

	response, _ := f.postForm(t, "/movies/"+webtest.MovieID+"/unpark", nil)
	if response.StatusCode != http.StatusSeeOther || response.Header.Get("Location") != "/movies/"+webtest.MovieID {
		t.Errorf("unpark: status %d, Location %q", response.StatusCode, response.Header.Get("Location"))
	}
	if got := f.tracker.Unparked(); !slices.Equal(got, []string{webtest.MovieID}) {
		t.Errorf("Tracker.Unpark calls = %v", got)
	}
	_, body = f.get(t, "/movies/"+webtest.MovieID)
	if strings.Contains(body, ">Parked<") || strings.Contains(body, "/unpark") {
		t.Error("movie page still shows the park after unparking")
	}

	if response, _ := f.postForm(t, "/movies/tt9999999/unpark", nil); response.StatusCode != http.StatusNotFound {
		t.Errorf("unpark of an unknown movie: status %d, want 404", response.StatusCode)
	}
}

func httptestPost(target string) *http.Request {
	request := httptest.NewRequest(http.MethodPost, target, strings.NewReader(""))
	request.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return request
}
