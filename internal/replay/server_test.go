package replay

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestServerTitlePage(t *testing.T) {
	server := startServer(t, Example(), Options{})

	response, page := get(t, server.URL+"/title/"+ExampleTitleID+"/")
	if response.StatusCode != http.StatusOK {
		t.Fatalf("status = %d, want 200", response.StatusCode)
	}
	if got := response.Header.Get("Content-Type"); got != "text/html; charset=utf-8" {
		t.Errorf("Content-Type = %q, want text/html", got)
	}

	var next testTitleNextData
	decodeNextData(t, page, &next)
	data := next.Props.PageProps.AboveTheFoldData
	if data.TitleText.Text != "Nosferatu" {
		t.Errorf("titleText = %q, want Nosferatu", data.TitleText.Text)
	}
	if data.OriginalTitleText.Text != "Nosferatu, eine Symphonie des Grauens" {
		t.Errorf("originalTitleText = %q", data.OriginalTitleText.Text)
	}
	if data.ReleaseYear == nil || data.ReleaseYear.Year != 1922 {
		t.Errorf("releaseYear = %+v, want 1922", data.ReleaseYear)
	}
	if date := data.ReleaseDate; date == nil || date.Day != 4 || date.Month != 3 || date.Year != 1922 {
		t.Errorf("releaseDate = %+v, want 1922-03-04", data.ReleaseDate)
	}
	if data.RatingsSummary.AggregateRating == nil || *data.RatingsSummary.AggregateRating != 7.8 {
		t.Errorf("aggregateRating = %v, want 7.8", data.RatingsSummary.AggregateRating)
	}
	if data.RatingsSummary.VoteCount != 112483 {
		t.Errorf("voteCount = %d, want 112483", data.RatingsSummary.VoteCount)
	}
	if data.Reviews == nil || data.Reviews.Total != 30 {
		t.Errorf("reviews = %+v, want total 30", data.Reviews)
	}

	wantPoster := server.URL + "/_replay/poster/" + ExampleTitleID + ".svg"
	if data.PrimaryImage.URL != wantPoster {
		t.Errorf("primaryImage.url = %q, want %q", data.PrimaryImage.URL, wantPoster)
	}
	if strings.Contains(string(page), BasePlaceholder) {
		t.Errorf("served page still contains %s", BasePlaceholder)
	}
}

func TestServerTitlePageJSONLD(t *testing.T) {
	server := startServer(t, Example(), Options{})
	_, page := get(t, server.URL+"/title/"+ExampleTitleID+"/")

	match := regexp.MustCompile(`(?s)<script type="application/ld\+json">(.*?)</script>`).FindSubmatch(page)
	if match == nil {
		t.Fatal("title page has no JSON-LD script")
	}
	var ld struct {
		Type            string `json:"@type"`
		Name            string `json:"name"`
		Image           string `json:"image"`
		DatePublished   string `json:"datePublished"`
		AggregateRating struct {
			RatingValue float64 `json:"ratingValue"`
			RatingCount int64   `json:"ratingCount"`
		} `json:"aggregateRating"`
		Review struct {
			Author struct {
				Name string `json:"name"`
			} `json:"author"`
			ReviewBody string `json:"reviewBody"`
		} `json:"review"`
	}
	if err := json.Unmarshal(match[1], &ld); err != nil {
		t.Fatalf("decode JSON-LD: %v", err)
	}

	if ld.Type != "Movie" || ld.Name != "Nosferatu" || ld.DatePublished != "1922-03-04" {
		t.Errorf("JSON-LD = %+v, want Movie Nosferatu published 1922-03-04", ld)
	}
	if ld.AggregateRating.RatingValue != 7.8 || ld.AggregateRating.RatingCount != 112483 {
		t.Errorf("aggregateRating = %+v", ld.AggregateRating)
	}
	if !strings.HasPrefix(ld.Image, server.URL+"/") {
		t.Errorf("image = %q, want a URL on the replay server", ld.Image)
	}
	if strings.Contains(ld.Review.ReviewBody, "&#39;") || !strings.Contains(ld.Review.ReviewBody, "doesn't") {
		t.Errorf("reviewBody is not plain text: %q", ld.Review.ReviewBody)
	}
}

func TestServerFollowsEveryPage(t *testing.T) {
	movie := Synthetic("tt7000001", 130, 7)
	site := NewSite()
	site.AddMovie(movie)
	server := startServer(t, site, Options{})

	ids := followReviews(t, server.URL, movie.ID)

	if len(ids) != len(movie.Reviews) {
		t.Fatalf("got %d reviews, want %d", len(ids), len(movie.Reviews))
	}
	if distinct, duplicate := countDistinct(ids); distinct != len(ids) {
		t.Errorf("review %s arrived twice", duplicate)
	}
	for i, review := range movie.Reviews {
		if ids[i] != review.ID {
			t.Fatalf("review %d = %s, want %s", i, ids[i], review.ID)
		}
	}
}

func TestServerExampleReviews(t *testing.T) {
	server := startServer(t, Example(), Options{})

	ids := followReviews(t, server.URL, ExampleTitleID)

	var want []string
	for _, review := range ExampleMovie(30).Reviews {
		want = append(want, review.ID)
	}
	if !slices.Equal(ids, want) {
		t.Errorf("review ids = %v, want %v", ids, want)
	}
}

func TestServerReviewsPageCards(t *testing.T) {
	server := startServer(t, Example(), Options{})

	_, page := get(t, server.URL+"/title/"+ExampleTitleID+"/reviews/")

	if got := countCards(page); got != PageSize {
		t.Errorf("page has %d review cards, want %d", got, PageSize)
	}
	if !strings.Contains(string(page), `<div data-testid="tturv-total-reviews">30 reviews</div>`) {
		t.Error("page has no tturv-total-reviews element with 30 reviews")
	}
	if strings.Contains(string(page), "ipc-voting__label__count") {
		t.Error("page shows helpful votes, which IMDb's server HTML does not")
	}
	if !strings.Contains(string(page), `aria-label="lanternslide&#x27;s rating: 9"`) {
		t.Error("first card has no rating label for lanternslide")
	}
	if !strings.Contains(string(page), `<li role="presentation" class="ipc-inline-list__item review-date">Mar 10, 2008</li>`) {
		t.Error("first card does not show 2008-03-11 as Mar 10, 2008")
	}
	spoilers := 0
	for _, review := range ExampleMovie(PageSize).Reviews {
		if review.Spoiler {
			spoilers++
		}
	}
	if got := strings.Count(string(page), `data-testid="review-spoiler-content"`); got != spoilers {
		t.Errorf("page has %d spoiler cards, want %d", got, spoilers)
	}

	var next testReviewsNextData
	decodeNextData(t, page, &next)
	metadata := next.Props.PageProps.ContentData.EntityMetadata
	if metadata.ID != ExampleTitleID || metadata.TitleText.Text != "Nosferatu" {
		t.Errorf("entityMetadata = %+v, want %s Nosferatu", metadata, ExampleTitleID)
	}
}

func TestServerPersistedQuery(t *testing.T) {
	server := startServer(t, Example(), Options{})
	_, first := postReviews(t, server.URL, ExampleTitleID, "")
	cursor := *decodeGraphQL(t, first).Data.Title.Reviews.PageInfo.EndCursor

	_, posted := postReviews(t, server.URL, ExampleTitleID, cursor)
	response, fetched := getPersistedReviews(t, server.URL, ExampleTitleID, cursor)

	if response.StatusCode != http.StatusOK {
		t.Fatalf("status = %d, want 200: %s", response.StatusCode, fetched)
	}
	if string(fetched) != string(posted) {
		t.Errorf("GET form returned another page than POST:\n%.200s\n%.200s", fetched, posted)
	}
}

func TestServerUnknownCursor(t *testing.T) {
	server := startServer(t, Example(), Options{})

	response, body := postReviews(t, server.URL, ExampleTitleID, "no-such-cursor")

	if response.StatusCode != http.StatusOK {
		t.Errorf("status = %d, want 200 as IMDb sends", response.StatusCode)
	}
	decoded := decodeGraphQL(t, body)
	if len(decoded.Errors) == 0 {
		t.Fatalf("reply has no errors: %s", body)
	}
	if !strings.Contains(decoded.Errors[0].Message, "no-such-cursor") {
		t.Errorf("error message %q does not name the cursor", decoded.Errors[0].Message)
	}
}

func TestServerUnknownTitle(t *testing.T) {
	server := startServer(t, Example(), Options{})

	for _, path := range []string{"/title/tt9999999/", "/title/tt9999999/reviews/", "/nowhere", "/_replay/poster/tt9999999.svg"} {
		response, _ := get(t, server.URL+path)
		if response.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: status = %d, want 404", path, response.StatusCode)
		}
	}

	response, body := postReviews(t, server.URL, "tt9999999", "")
	if response.StatusCode != http.StatusOK {
		t.Errorf("GraphQL status = %d, want 200", response.StatusCode)
	}
	if string(body) != `{"data":{"title":null}}` {
		t.Errorf("GraphQL body = %s, want data.title null", body)
	}
}

func TestServerBadGraphQLRequests(t *testing.T) {
	server := startServer(t, Example(), Options{})

	response, body := get(t, server.URL+GraphQLPath+"?operationName=TitleReviewsRefine")
	if response.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "const") {
		t.Errorf("request without const: status %d, body %s", response.StatusCode, body)
	}

	response, body = get(t, server.URL+GraphQLPath+`?operationName=TitleMainPage&variables={"const":"tt0013442"}`)
	if response.StatusCode != http.StatusOK || len(decodeGraphQL(t, body).Errors) == 0 {
		t.Errorf("unknown operation: status %d, body %s", response.StatusCode, body)
	}

	request, _ := http.NewRequest(http.MethodPut, server.URL+GraphQLPath, nil)
	put, err := http.DefaultClient.Do(request)
	if err != nil {
		t.Fatalf("PUT: %v", err)
	}
	readBody(t, put)
	if put.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("PUT status = %d, want 405", put.StatusCode)
	}
}

func TestServerChallengeEverything(t *testing.T) {
	server := startServer(t, Example(), Options{Challenge: true})

	for _, path := range []string{"/title/" + ExampleTitleID + "/", "/title/" + ExampleTitleID + "/reviews/", "/nowhere"} {
		response, body := get(t, server.URL+path)
		checkChallenge(t, path, response, body)
	}
	response, body := postReviews(t, server.URL, ExampleTitleID, "")
	checkChallenge(t, GraphQLPath, response, body)
}

func TestServerChallengeOneTitle(t *testing.T) {
	site := Example()
	site.AddMovie(Synthetic("tt7000002", 3, 1))
	site.SetChallenged(ExampleTitleID, true)
	server := startServer(t, site, Options{})

	response, body := get(t, server.URL+"/title/"+ExampleTitleID+"/reviews/")
	checkChallenge(t, "challenged reviews page", response, body)
	response, body = postReviews(t, server.URL, ExampleTitleID, "")
	checkChallenge(t, "challenged GraphQL page", response, body)

	response, _ = get(t, server.URL+"/title/tt7000002/reviews/")
	if response.StatusCode != http.StatusOK {
		t.Errorf("other title: status = %d, want 200", response.StatusCode)
	}

	site.SetChallenged(ExampleTitleID, false)
	response, _ = get(t, server.URL+"/title/"+ExampleTitleID+"/reviews/")
	if response.StatusCode != http.StatusOK {
		t.Errorf("after the challenge is lifted: status = %d, want 200", response.StatusCode)
	}
}

func checkChallenge(t *testing.T, request string, response testReply, body []byte) {
	t.Helper()
	if response.StatusCode != http.StatusAccepted {
		t.Errorf("%s: status = %d, want 202", request, response.StatusCode)
	}
	if got := response.Header.Get("x-amzn-waf-action"); got != "challenge" {
		t.Errorf("%s: x-amzn-waf-action = %q, want challenge", request, got)
	}
	if len(body) != 0 {
		t.Errorf("%s: body has %d bytes, want none", request, len(body))
	}
}

func TestServerReplacesBase(t *testing.T) {
	site := NewSite()
	site.SetTitlePage("tt7000003", []byte(`<img src="{{REPLAY_BASE}}/_replay/poster/tt7000003.svg"> {{REPLAY_BASE}}`))
	server := startServer(t, site, Options{})

	_, page := get(t, server.URL+"/title/tt7000003/")

	want := `<img src="` + server.URL + `/_replay/poster/tt7000003.svg"> ` + server.URL
	if string(page) != want {
		t.Errorf("page = %q, want %q", page, want)
	}
}

func TestServerPoster(t *testing.T) {
	server := startServer(t, Example(), Options{})

	response, body := get(t, server.URL+"/_replay/poster/"+ExampleTitleID+".svg")

	if response.StatusCode != http.StatusOK {
		t.Fatalf("status = %d, want 200", response.StatusCode)
	}
	if got := response.Header.Get("Content-Type"); got != "image/svg+xml" {
		t.Errorf("Content-Type = %q, want image/svg+xml", got)
	}
	if !strings.HasPrefix(string(body), "<svg") || !strings.Contains(string(body), ">Nosferatu</text>") {
		t.Errorf("poster does not show the title: %s", body)
	}
}

func TestServerRedirectsToSlash(t *testing.T) {
	server := startServer(t, Example(), Options{})

	response, _ := get(t, server.URL+"/title/"+ExampleTitleID+"/reviews?sort=x")

	if response.StatusCode != http.StatusMovedPermanently {
		t.Errorf("status = %d, want 301", response.StatusCode)
	}
	if got, want := response.Header.Get("Location"), "/title/"+ExampleTitleID+"/reviews/?sort=x"; got != want {
		t.Errorf("Location = %q, want %q", got, want)
	}
}

func TestServerLatencyAndCount(t *testing.T) {
	site := Example()
	server := startServer(t, site, Options{Latency: 50 * time.Millisecond})

	start := time.Now()
	get(t, server.URL+"/title/"+ExampleTitleID+"/")
	get(t, server.URL+"/nowhere")

	if elapsed := time.Since(start); elapsed < 100*time.Millisecond {
		t.Errorf("two requests took %v, want at least 100ms", elapsed)
	}
	if got := site.Requests(); got != 2 {
		t.Errorf("Requests() = %d, want 2", got)
	}
}

// BenchmarkServeGraphQLPage measures one TitleReviewsRefine request for
// page 41 of a 2,000-review title over loopback HTTP.
func BenchmarkServeGraphQLPage(b *testing.B) {
	movie := Synthetic("tt7000004", 2000, 1)
	site := NewSite()
	site.AddMovie(movie)
	server := httptest.NewServer(NewServer(site, Options{}))
	defer server.Close()
	body := `{"operationName":"TitleReviewsRefine","query":"query","variables":{"const":"tt7000004","after":"` +
		pageCursor(movie.ID, 39) + `","first":25}}`

	b.ReportAllocs()
	for b.Loop() {
		response, err := http.Post(server.URL+GraphQLPath, "application/json", strings.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		_, err = io.Copy(io.Discard, response.Body)
		response.Body.Close()
		if err != nil || response.StatusCode != http.StatusOK {
			b.Fatalf("status %d, error %v", response.StatusCode, err)
		}
	}
}

// BenchmarkHandleGraphQLPage measures the handler alone for the same
// request, without the network.
func BenchmarkHandleGraphQLPage(b *testing.B) {
	movie := Synthetic("tt7000004", 2000, 1)
	site := NewSite()
	site.AddMovie(movie)
	handler := NewServer(site, Options{})
	body := `{"operationName":"TitleReviewsRefine","query":"query","variables":{"const":"tt7000004","after":"` +
		pageCursor(movie.ID, 39) + `","first":25}}`

	b.ReportAllocs()
	for b.Loop() {
		recorder := httptest.NewRecorder()
		handler.ServeHTTP(recorder, httptest.NewRequest(http.MethodPost, GraphQLPath, strings.NewReader(body)))
		if recorder.Code != http.StatusOK {
			b.Fatalf("status %d: %s", recorder.Code, recorder.Body)
		}
	}
}

func TestServerLogsRequests(t *testing.T) {
	var records bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&records, &slog.HandlerOptions{Level: slog.LevelDebug}))
	server := httptest.NewServer(NewServer(Example(), Options{Logger: logger}))

	get(t, server.URL+"/title/"+ExampleTitleID+"/")
	postReviews(t, server.URL, ExampleTitleID, "no-such-cursor")
	server.Close() // waits for the handlers, which log after responding

	text := records.String()
	for _, want := range []string{"replay request served", "status=200", "duration_ms=", "replay rejected unknown review cursor", "title_id=" + ExampleTitleID} {
		if !strings.Contains(text, want) {
			t.Errorf("log has no %q:\n%s", want, text)
		}
	}
}
