package api_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/reelpulse/reelpulse/internal/api"
	"github.com/reelpulse/reelpulse/internal/store"
	"github.com/reelpulse/reelpulse/internal/web/webtest"
)

const reviewsPath = "/api/v1/movies/" + webtest.MovieID + "/reviews"

type reviewPage struct {
	Total      *int             `json:"total"`
	Limit      int              `json:"limit"`
	Reviews    []map[string]any `json:"reviews"`
	NextCursor *string          `json:"next_cursor"`
}

func (f *fixture) page(t *testing.T, query string) reviewPage {
	t.Helper()
	response, body := f.do(t, http.MethodGet, reviewsPath+"?"+query, "")
	if response.StatusCode != http.StatusOK {
		t.Fatalf("GET ?%s: status %d, want 200; body %s", query, response.StatusCode, body)
	}
	return decode[reviewPage](t, body)
}

func pageIDs(p reviewPage) []string {
	ids := []string{}
	for _, r := range p.Reviews {
		ids = append(ids, r["id"].(string))
	}
	return ids
}

func rw(numbers ...int) []string {
	ids := []string{}
	for _, n := range numbers {
		ids = append(ids, fmt.Sprintf("rw%07d", n))
	}
	return ids
}

func TestListReviewsFilters(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		query string
		want  []string
	}{
		{"aspect=acting&polarity=negative", rw(7)},
		{"polarity=negative", rw(10, 4)},
		{"aspect=sound&polarity=not_mentioned", rw(11, 7, 6, 5, 4, 3, 1)},
		{"aspect=sound", rw(10, 9, 8, 2)},
		{"min_rating=9", rw(11, 8, 5, 1)},
		{"max_rating=4", rw(10, 4)},
		{"min_rating=4&max_rating=4", rw(4)},
		{"from=2024-04-01&to=2024-04-30", rw(7, 6, 5)},
		{"spoiler=only", rw(11, 4)},
		{"spoiler=exclude&min_rating=10", rw(5)},
		{"q=SCORE", rw(9, 2)},
		{"q=" + url.QueryEscape("<script>"), rw(3)},
		{"q=" + url.QueryEscape("100%"), rw()},
		{"sort=oldest&limit=3", rw(1, 2, 3)},
		{"sort=oldest&limit=3&offset=3", rw(4, 5, 6)},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			page := f.page(t, tt.query)
			if got := pageIDs(page); !slices.Equal(got, tt.want) {
				t.Errorf("reviews = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestListReviewsHelpfulOrder(t *testing.T) {
	f := newFixture(t)
	for _, sort := range []string{"helpful", "least_helpful"} {
		page := f.page(t, "sort="+sort)
		votes := []float64{}
		for _, r := range page.Reviews {
			votes = append(votes, r["helpful_up"].(float64))
		}
		sorted := slices.Sorted(slices.Values(votes))
		if sort == "helpful" {
			slices.Reverse(sorted)
		}
		if !slices.Equal(votes, sorted) || len(votes) != f.seeded.Reviews {
			t.Errorf("sort=%s: helpful votes %v are not in order", sort, votes)
		}
	}
}

func TestListReviewsCursor(t *testing.T) {
	f := newFixture(t)
	for _, sort := range []string{"newest", "oldest", "helpful", "least_helpful"} {
		all := pageIDs(f.page(t, "sort="+sort))
		walked := []string{}
		pages := 1
		for cursor := ""; ; pages++ {
			page := f.page(t, "sort="+sort+"&limit=5"+cursor)
			walked = append(walked, pageIDs(page)...)
			firstPage := cursor == ""
			if firstPage && (page.Total == nil || *page.Total != f.seeded.Reviews) {
				t.Errorf("sort=%s: first page total %v, want %d", sort, page.Total, f.seeded.Reviews)
			}
			if !firstPage && page.Total != nil {
				t.Errorf("sort=%s: total %d on a cursor page, want null", sort, *page.Total)
			}
			if page.NextCursor == nil {
				break
			}
			cursor = "&cursor=" + url.QueryEscape(*page.NextCursor)
		}
		if !slices.Equal(walked, all) || pages != 3 {
			t.Errorf("sort=%s: walked %v in %d pages, want %v in 3", sort, walked, pages, all)
		}
	}
}

func TestListReviewsParameterErrors(t *testing.T) {
	f := newFixture(t)
	newest := f.page(t, "limit=1").NextCursor
	tests := []struct {
		query   string
		mention []string
	}{
		{"aspect=plot", []string{`"aspect"`, "storytelling", "overall"}},
		{"polarity=good", []string{`"polarity"`, "negative, neutral, positive, mentioned, not_mentioned"}},
		{"min_rating=0", []string{`"min_rating"`, "1 to 10"}},
		{"max_rating=11", []string{`"max_rating"`, "1 to 10"}},
		{"min_rating=8&max_rating=3", []string{`"min_rating"`, `"max_rating"`}},
		{"from=2024-13-01", []string{`"from"`, "YYYY-MM-DD"}},
		{"to=yesterday", []string{`"to"`, "YYYY-MM-DD"}},
		{"from=2024-05-01&to=2024-04-01", []string{`"from"`, `"to"`}},
		{"spoiler=yes", []string{`"spoiler"`, "only, exclude"}},
		{"sort=best", []string{`"sort"`, "newest, oldest, helpful, least_helpful"}},
		{"limit=501", []string{`"limit"`, "1 to 500"}},
		{"cursor=garbage", []string{`"cursor"`, "next_cursor"}},
		{"sort=oldest&cursor=" + url.QueryEscape(*newest), []string{`"cursor"`, "sort=newest"}},
		{"offset=2&cursor=" + url.QueryEscape(*newest), []string{`"cursor"`, `"offset"`}},
		{"q=" + strings.Repeat("x", 201), []string{`"q"`, "200"}},
		{"rating=5", []string{`"rating"`, "min_rating"}},
		{"sort=oldest&sort=newest", []string{`"sort"`, "once"}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			response, body := f.do(t, http.MethodGet, reviewsPath+"?"+tt.query, "")
			if response.StatusCode != http.StatusBadRequest {
				t.Fatalf("status = %d, want 400; body %s", response.StatusCode, body)
			}
			message := decode[map[string]string](t, body)["error"]
			for _, part := range tt.mention {
				if !strings.Contains(message, part) {
					t.Errorf("error %q does not mention %s", message, part)
				}
			}
		})
	}
}

// exported is one review read back from an export: id and aspect values.
type exported struct {
	id     string
	rating string
	scores map[string]string
}

func expectedExport(t *testing.T, f *fixture, query string) []exported {
	t.Helper()
	rows := []exported{}
	for _, r := range f.page(t, query+"&limit=500").Reviews {
		row := exported{id: r["id"].(string), rating: number(r["rating"]), scores: map[string]string{}}
		aspects, _ := r["aspects"].(map[string]any)
		for _, name := range aspectNames {
			row.scores[name] = number(aspects[name])
		}
		rows = append(rows, row)
	}
	return rows
}

func number(v any) string {
	switch n := v.(type) {
	case float64:
		return fmt.Sprint(int(n))
	case int32:
		return fmt.Sprint(n)
	case int64:
		return fmt.Sprint(n)
	case nil:
		return ""
	}
	return fmt.Sprintf("unexpected %T", v)
}

func (f *fixture) export(t *testing.T, format, query, contentType string) []byte {
	t.Helper()
	response, body := f.do(t, http.MethodGet, reviewsPath+"/export?format="+format+"&"+query, "")
	if response.StatusCode != http.StatusOK {
		t.Fatalf("export %s: status %d; body %s", format, response.StatusCode, body)
	}
	if got := response.Header.Get("Content-Type"); got != contentType {
		t.Errorf("export %s: Content-Type %q, want %q", format, got, contentType)
	}
	want := fmt.Sprintf(`attachment; filename="%s-reviews.%s"`, webtest.MovieID, format)
	if got := response.Header.Get("Content-Disposition"); got != want {
		t.Errorf("export %s: Content-Disposition %q, want %q", format, got, want)
	}
	return body
}

func decodeCSV(t *testing.T, body []byte) []exported {
	t.Helper()
	records, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatalf("read CSV: %v", err)
	}
	header := records[0]
	rows := []exported{}
	for _, record := range records[1:] {
		values := map[string]string{}
		for i, name := range header {
			values[name] = record[i]
		}
		row := exported{id: values["id"], rating: values["rating"], scores: map[string]string{}}
		for _, name := range aspectNames {
			row.scores[name] = values[name+"_score"]
		}
		rows = append(rows, row)
	}
	return rows
}

func decodeJSONL(t *testing.T, body []byte) []exported {
	t.Helper()
	rows := []exported{}
	decoder := json.NewDecoder(bytes.NewReader(body))
	for decoder.More() {
		var r map[string]any
		if err := decoder.Decode(&r); err != nil {
			t.Fatalf("read JSONL: %v", err)
		}
		row := exported{id: r["id"].(string), rating: number(r["rating"]), scores: map[string]string{}}
		aspects, _ := r["aspects"].(map[string]any)
		for _, name := range aspectNames {
			row.scores[name] = number(aspects[name])
		}
		rows = append(rows, row)
	}
	return rows
}

func decodeParquet(t *testing.T, body []byte) []exported {
	t.Helper()
	file, err := parquet.OpenFile(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatalf("open Parquet: %v", err)
	}
	reader := parquet.NewReader(file)
	defer reader.Close()

	rows := []exported{}
	for range file.NumRows() {
		values := map[string]any{}
		if err := reader.Read(&values); err != nil {
			t.Fatalf("read Parquet row: %v", err)
		}
		row := exported{id: values["id"].(string), rating: number(values["rating"]), scores: map[string]string{}}
		for _, name := range aspectNames {
			row.scores[name] = number(values[name+"_score"])
		}
		rows = append(rows, row)
	}
	return rows
}

func TestExportFormats(t *testing.T) {
	f := newFixture(t)
	formats := []struct {
		format, contentType string
		decode              func(*testing.T, []byte) []exported
	}{
		{"csv", "text/csv; charset=utf-8", decodeCSV},
		{"jsonl", "application/jsonl", decodeJSONL},
		{"parquet", "application/vnd.apache.parquet", decodeParquet},
	}
	for _, query := range []string{"sort=oldest", "spoiler=exclude&aspect=acting", "q=nothing-matches"} {
		want := expectedExport(t, f, query)
		for _, format := range formats {
			t.Run(format.format+"/"+query, func(t *testing.T) {
				got := format.decode(t, f.export(t, format.format, query, format.contentType))
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("exported\n%v\nwant\n%v", got, want)
				}
			})
		}
	}
}

func TestExportErrors(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		target  string
		status  int
		mention string
	}{
		{reviewsPath + "/export", http.StatusBadRequest, "csv, jsonl, parquet"},
		{reviewsPath + "/export?format=xml", http.StatusBadRequest, `"format"`},
		{reviewsPath + "/export?format=csv&limit=5", http.StatusBadRequest, `"limit"`},
		{reviewsPath + "/export?format=csv&polarity=bad", http.StatusBadRequest, `"polarity"`},
		{"/api/v1/movies/tt9999999/reviews/export?format=csv", http.StatusNotFound, "tt9999999"},
	}
	for _, tt := range tests {
		response, body := f.do(t, http.MethodGet, tt.target, "")
		if response.StatusCode != tt.status {
			t.Errorf("%s: status %d, want %d; body %s", tt.target, response.StatusCode, tt.status, body)
			continue
		}
		if message := decode[map[string]string](t, body)["error"]; !strings.Contains(message, tt.mention) {
			t.Errorf("%s: error %q does not mention %s", tt.target, message, tt.mention)
		}
	}
}

func TestExportManyBatches(t *testing.T) {
	st := webtest.NewStore()
	ctx := t.Context()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	if _, err := st.TrackMovie(ctx, webtest.MovieID, now); err != nil {
		t.Fatal(err)
	}
	result := store.SyncResult{MovieID: webtest.MovieID, At: now}
	for i := range 1203 {
		result.Upserts = append(result.Upserts, store.Review{
			ID: fmt.Sprintf("rw%07d", i), MovieID: webtest.MovieID, Title: "Title", Text: "Text",
			SubmittedAt: now.AddDate(0, 0, -i%400).Truncate(24 * time.Hour), ContentHash: fmt.Sprint(i),
		})
	}
	if _, err := st.ApplySync(ctx, result); err != nil {
		t.Fatal(err)
	}
	signedIn := webtest.NewAccounts(t, nil)
	f := &fixture{store: st, handler: webtest.AsMember(api.New(api.Config{Store: st, Tracker: &webtest.Tracker{Store: st},
		Analyzer: webtest.Analyzer, Logger: slog.New(slog.DiscardHandler), Accounts: signedIn.Store, Auth: signedIn.Auth}), signedIn.Admin)}

	rows := decodeCSV(t, f.export(t, "csv", "sort=oldest", "text/csv; charset=utf-8"))
	ids := map[string]bool{}
	for _, row := range rows {
		ids[row.id] = true
	}
	if len(rows) != 1203 || len(ids) != 1203 {
		t.Errorf("exported %d rows with %d distinct ids, want 1203", len(rows), len(ids))
	}
}
