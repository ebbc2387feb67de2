package imdb

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("read testdata: %v", err)
	}
	return body
}

func TestParseReviewsPageSmall(t *testing.T) {
	title, page, err := ParseReviewsPage(readTestdata(t, "reviews-small.html"))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}

	if title.ID != "tt0000001" || title.Title != "Amélie & Friends" || title.OriginalTitle != "Le fabuleux destin" {
		t.Errorf("title = %q %q %q", title.ID, title.Title, title.OriginalTitle)
	}
	if title.DeclaredReviewCount == nil || *title.DeclaredReviewCount != 2 {
		t.Errorf("declared reviews = %v, want 2", title.DeclaredReviewCount)
	}
	if page.HasNextPage || page.EndCursor != "" {
		t.Errorf("pagination = %v %q, want last page", page.HasNextPage, page.EndCursor)
	}
	if len(page.Reviews) != 2 {
		t.Fatalf("reviews = %d, want 2", len(page.Reviews))
	}

	first := page.Reviews[0]
	wantText := "It's \"great\" & touching.\n\nSecond paragraph: café, 日本語 <3\nLine bold italic end."
	if first.Text != wantText {
		t.Errorf("text = %q, want %q", first.Text, wantText)
	}
	if first.Title != "Great &amp; moving" {
		t.Errorf("summary = %q, want it trimmed and otherwise unchanged", first.Title)
	}

	second := page.Reviews[1]
	if second.Rating != nil {
		t.Errorf("rating = %d, want nil", *second.Rating)
	}
	if !second.Spoiler {
		t.Error("spoiler = false, want true")
	}
	if second.Text != "Plain text without markup." {
		t.Errorf("text = %q", second.Text)
	}
	if got := second.SubmittedAt.String(); got != "2026-01-06 00:00:00 +0000 UTC" {
		t.Errorf("submitted at = %s, want UTC midnight of 2026-01-06", got)
	}
}

func TestParseGraphQLReviewsSmall(t *testing.T) {
	page, err := ParseGraphQLReviews(readTestdata(t, "graphql-small.json"))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}

	if page.Total != 61 || page.EndCursor != "cursor-2" || !page.HasNextPage {
		t.Errorf("page = %d %q %v", page.Total, page.EndCursor, page.HasNextPage)
	}
	if len(page.Reviews) != 1 {
		t.Fatalf("reviews = %d, want 1", len(page.Reviews))
	}
	if got, want := page.Reviews[0].Text, "Bahut accha tha 'yaar'\ndekho zaroor 🔥"; got != want {
		t.Errorf("text = %q, want %q", got, want)
	}
}

func TestParseGraphQLReviewsErrors(t *testing.T) {
	_, err := ParseGraphQLReviews(readTestdata(t, "graphql-errors.json"))

	var graphQLErr *GraphQLError
	if !errors.As(err, &graphQLErr) {
		t.Fatalf("error = %v, want *GraphQLError", err)
	}
	if len(graphQLErr.Messages) != 2 {
		t.Errorf("messages = %q, want 2", graphQLErr.Messages)
	}
	if !strings.Contains(err.Error(), `Cannot query field "plaidHtml"`) {
		t.Errorf("message %q does not quote the first error", err)
	}
}

func TestParseGraphQLReviewsInvalid(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		target  error
		message string
	}{
		{"not JSON", `<html>`, nil, "invalid JSON in GraphQL reply"},
		{"no data", `{"data":null}`, ErrLayoutChanged, "layout changed: GraphQL reply has no data"},
		{"no title", `{"data":{"title":null}}`, ErrTitleNotFound, "title not found: GraphQL reply has data.title null"},
		{"no reviews", `{"data":{"title":{"reviews":null}}}`, ErrLayoutChanged, "layout changed: GraphQL reply has no data.title.reviews"},
		{"no total", `{"data":{"title":{"reviews":{"edges":[]}}}}`, ErrLayoutChanged, "layout changed: GraphQL reply data.title.reviews has no total"},
		{"no edges", `{"data":{"title":{"reviews":{"total":3}}}}`, ErrLayoutChanged, "layout changed: GraphQL reply data.title.reviews has no edges but a total of 3"},
		{"negative total", `{"data":{"title":{"reviews":{"total":-1,"edges":[]}}}}`, nil, "invalid total -1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseGraphQLReviews([]byte(tt.body))

			if err == nil {
				t.Fatal("error = nil")
			}
			if tt.target != nil && !errors.Is(err, tt.target) {
				t.Errorf("error = %v, want it to match %v", err, tt.target)
			}
			if !strings.Contains(err.Error(), tt.message) {
				t.Errorf("message %q does not contain %q", err, tt.message)
			}
		})
	}
}

// A title without reviews has total 0 and no edges, which is valid, not a
// layout change.
func TestParseGraphQLReviewsEmpty(t *testing.T) {
	for _, edges := range []string{`,"edges":[]`, `,"edges":null`, ``} {
		body := `{"data":{"title":{"reviews":{"total":0,"pageInfo":{"endCursor":null,"hasNextPage":false}` + edges + `}}}}`

		page, err := ParseGraphQLReviews([]byte(body))

		if err != nil || page.Total != 0 || len(page.Reviews) != 0 {
			t.Errorf("%s: page = %+v, error = %v; want an empty page", body, page, err)
		}
	}
}

// A malformed review is left out of the page, so that it cannot stop every
// later pass of its movie.
func TestParseGraphQLReviewsSkipsMalformed(t *testing.T) {
	good := `{"node":{"id":"rw2","submissionDate":"2025-01-02","authorRating":7}}`
	tests := []struct {
		name    string
		node    string
		message string
	}{
		{"null node", `{"node":null}`, "edge 0 has no node"},
		{"no id", `{"node":{"submissionDate":"2025-01-01"}}`, "has no id"},
		{"bad date", `{"node":{"id":"rw1","submissionDate":"Dec 5, 2025"}}`, `invalid submissionDate "Dec 5, 2025"`},
		{"rating out of range", `{"node":{"id":"rw1","submissionDate":"2025-01-01","authorRating":11}}`, "outside 1–10"},
		{"negative votes", `{"node":{"id":"rw1","submissionDate":"2025-01-01","helpfulness":{"upVotes":3,"downVotes":-1}}}`, "negative helpful votes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := `{"data":{"title":{"reviews":{"total":2,"edges":[` + tt.node + `,` + good + `]}}}}`
			page, err := ParseGraphQLReviews([]byte(body))
			if err != nil {
				t.Fatalf("error = %v, want the malformed review skipped", err)
			}
			if len(page.Reviews) != 1 || page.Reviews[0].ID != "rw2" {
				t.Errorf("reviews = %+v, want only rw2", page.Reviews)
			}
			if len(page.Skipped) != 1 || !strings.Contains(page.Skipped[0], tt.message) {
				t.Errorf("skipped = %q, want one entry containing %q", page.Skipped, tt.message)
			}
		})
	}
}

func TestParsePagesWithoutJSON(t *testing.T) {
	body := readTestdata(t, "no-json.html")

	_, titleErr := ParseTitlePage(body)
	_, _, reviewsErr := ParseReviewsPage(body)

	for name, err := range map[string]error{"title page": titleErr, "reviews page": reviewsErr} {
		if !errors.Is(err, ErrNoPageData) {
			t.Errorf("%s: error = %v, want ErrNoPageData", name, err)
			continue
		}
		if !strings.Contains(err.Error(), "challenge page") {
			t.Errorf("%s: message %q does not suggest a challenge page", name, err)
		}
	}
}

func TestParseReviewsPageWithoutReviews(t *testing.T) {
	body := `<script id="__NEXT_DATA__" type="application/json">{"props":{"pageProps":{"contentData":{"entityMetadata":{"id":"tt0000001"}}}}}</script>`

	_, _, err := ParseReviewsPage([]byte(body))

	if !errors.Is(err, ErrLayoutChanged) {
		t.Errorf("error = %v, want ErrLayoutChanged", err)
	}
	want := "layout changed: reviews page __NEXT_DATA__ has no contentData.data.title.reviews"
	if err == nil || err.Error() != want {
		t.Errorf("message = %v, want %q", err, want)
	}
}

func TestParseReviewsPageZeroReviews(t *testing.T) {
	body := `<script id="__NEXT_DATA__" type="application/json">{"props":{"pageProps":{"contentData":{"data":{"title":{"id":"tt0000001",` +
		`"reviews":{"total":0,"pageInfo":{"endCursor":null,"hasNextPage":false},"edges":[]}}}}}}}</script>`

	title, page, err := ParseReviewsPage([]byte(body))

	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	if title.ID != "tt0000001" || title.DeclaredReviewCount == nil || *title.DeclaredReviewCount != 0 || len(page.Reviews) != 0 {
		t.Errorf("title = %+v, page = %+v; want tt0000001 with 0 reviews", title, page)
	}
}

func TestParseTitlePageWithoutTitleData(t *testing.T) {
	body := `<script id="__NEXT_DATA__" type="application/json">{"props":{"pageProps":{"aboveTheFoldData":null}}}</script>`

	_, err := ParseTitlePage([]byte(body))

	if !errors.Is(err, ErrLayoutChanged) || !strings.HasPrefix(err.Error(), "layout changed: title page __NEXT_DATA__ has no props.pageProps.aboveTheFoldData") {
		t.Errorf("error = %v, want ErrLayoutChanged naming aboveTheFoldData", err)
	}
}

func TestParseTitlePageLinkedDataOnly(t *testing.T) {
	title, err := ParseTitlePage(readTestdata(t, "title-linked-data.html"))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}

	if title.ID != "tt0108052" {
		t.Errorf("id = %q", title.ID)
	}
	if title.Title != "Schindler's List" {
		t.Errorf("title = %q, want entities decoded", title.Title)
	}
	if title.PosterURL != "https://example.com/schindler.jpg" {
		t.Errorf("poster = %q", title.PosterURL)
	}
	if title.AggregateRating == nil || *title.AggregateRating != 9.0 {
		t.Errorf("rating = %v, want 9.0 from a string value", title.AggregateRating)
	}
	if title.RatingCount == nil || *title.RatingCount != 1500000 {
		t.Errorf("rating count = %v", title.RatingCount)
	}
	if title.Year != 1994 || title.ReleaseDate == nil || title.ReleaseDate.Format("2006-01-02") != "1994-02-04" {
		t.Errorf("year/date = %d %v", title.Year, title.ReleaseDate)
	}
	if title.DeclaredReviewCount != nil {
		t.Errorf("declared reviews = %d, want nil without __NEXT_DATA__", *title.DeclaredReviewCount)
	}
}

func TestParseTitlePageInvalidNextData(t *testing.T) {
	body := `<script id="__NEXT_DATA__" type="application/json">{"props":</script>`

	_, err := ParseTitlePage([]byte(body))

	if err == nil || !strings.Contains(err.Error(), "invalid JSON in title page __NEXT_DATA__") {
		t.Errorf("error = %v, want invalid JSON naming __NEXT_DATA__", err)
	}
}

func TestParseID(t *testing.T) {
	valid := map[string]string{
		"tt0013442":                             "tt0013442",
		"TT0013442":                             "tt0013442",
		"https://www.imdb.com/title/tt0013442/": "tt0013442",
		"https://m.imdb.com/title/tt0013442/reviews/?ref_=tt_ov_rt":                 "tt0013442",
		"http://imdb.com/title/tt0013442":                                           "tt0013442",
		"tt1234567890":                                                              "tt1234567890",
		"www.imdb.com/title/tt0111161/reviews":                                      "tt0111161",
		"https://www.imdb.com/de/title/tt0111161/":                                  "tt0111161",
		"https://www.imdb.com/fr-ca/title/tt0013442/reviews/?ref_=tt_urv&sort=date": "tt0013442",
		"https://m.imdb.com/pt-BR/title/tt0013442":                                  "tt0013442",
		"imdb.com/title/tt0013442?ref_=nv_sr_srsg_0":                                "tt0013442",
		"HTTPS://WWW.IMDB.COM/title/tt0111161/":                                     "tt0111161",
	}
	for input, want := range valid {
		got, err := ParseID(input)
		if err != nil || got != want {
			t.Errorf("ParseID(%q) = %q, %v; want %q", input, got, err, want)
		}
	}

	invalid := []string{
		"", "tt123", "tt12345a7", "nm0000151", "0013442", "tt12345678901",
		"https://example.com/title/tt0013442/",
		"https://imdb.com.evil.example/title/tt0013442/",
		"https://www.imdb.com/name/nm0000151/",
		"https://www.imdb.com/title/",
		"https://www.imdb.com/list/ls000/title/tt0013442/",
		"https://www.imdb.com/deu/title/tt0013442/",
		"https://www.imdb.com/de/fr/title/tt0013442/",
		"https://www.imdb.com/user/ur1/title/tt0013442/",
		"https://m.imdb.co/title/tt0013442/",
		"ftp://www.imdb.com/title/tt0013442/",
	}
	for _, input := range invalid {
		_, err := ParseID(input)
		if err == nil {
			t.Errorf("ParseID(%q) = nil error", input)
			continue
		}
		if !strings.Contains(err.Error(), "expected tt followed by 7 to 10 digits") {
			t.Errorf("ParseID(%q) message %q does not say what is expected", input, err)
		}
	}
}

func TestParseCompactCount(t *testing.T) {
	tests := []struct {
		input string
		n     int64
		exact bool
	}{
		{"0", 0, true},
		{"1308", 1308, true},
		{"1,308", 1308, true},
		{"2,561", 2561, true},
		{"9 947", 9947, true},
		{"9\u00a0947", 9947, true},
		{"1\u202f234\u202f567", 1234567, true},
		{"1.234.567", 1234567, true},
		{" 42 ", 42, true},
		{"1.2K", 1200, false},
		{"11.4K", 11400, false},
		{"1,2K", 1200, false},
		{"3M", 3000000, false},
		{"2.1M", 2100000, false},
		{"1.25k", 1250, false},
		{"4 K", 4000, false},
		{"1.5B", 1500000000, false},
	}
	for _, tt := range tests {
		n, exact, err := ParseCompactCount(tt.input)
		if err != nil {
			t.Errorf("ParseCompactCount(%q): %v", tt.input, err)
			continue
		}
		if n != tt.n || exact != tt.exact {
			t.Errorf("ParseCompactCount(%q) = %d, %v; want %d, %v", tt.input, n, exact, tt.n, tt.exact)
		}
	}

	for _, input := range []string{"", "K", "abc", "1,30", "1,,308", ",308", "1308,", "1.2", "1.K", "1.2.3K", "-5", "1e3", "9999999999999999999", "12345678901234567K"} {
		if n, _, err := ParseCompactCount(input); err == nil {
			t.Errorf("ParseCompactCount(%q) = %d, want an error", input, n)
		}
	}
}

func TestHTMLToText(t *testing.T) {
	tests := map[string]string{
		"plain":                              "plain",
		"  padded\n":                         "padded",
		"a<br>b<br/>c<br />d":                "a\nb\nc\nd",
		"It&#39;s &amp; &quot;x&quot; &lt;3": "It's & \"x\" <3",
		"<p>one</p><p>two</p>":               "one\ntwo",
		"Cons:<ul><li>long</li><li>loud</li></ul>End": "Cons:\nlong\nloud\nEnd",
		"nul\x00byte":                    "nulbyte",
		"bad \xff utf8":                  "bad \uFFFD utf8",
		"caf&eacute; 日本語":                "café 日本語",
		"line\r\nbreak":                  "line\nbreak",
		"<b>unclosed":                    "unclosed",
		"Cafe\u0301":                     "Caf\u00e9",
		"Cafe&#x301;":                    "Caf\u00e9",
		"esc\x1b[31mred\x1b]0;title\x07": "esc[31mred]0;title",
		"c1\u0081control\x7f":            "c1control",
		"tab\tkept":                      "tab\tkept",
	}
	for input, want := range tests {
		if got := htmlToText(input); got != want {
			t.Errorf("htmlToText(%q) = %q, want %q", input, got, want)
		}
	}
}

// TextHTML keeps plaidHtml as served, while Text is decoded plain text.
func TestReviewKeepsTextHTML(t *testing.T) {
	_, page, err := ParseReviewsPage(readTestdata(t, "reviews-small.html"))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}

	want := "It&#39;s &quot;great&quot; &amp; touching.<br/><br/>Second paragraph: café, 日本語 &lt;3<br>Line <b>bold</b> <i>italic</i> end."
	if got := page.Reviews[0].TextHTML; got != want {
		t.Errorf("TextHTML = %q, want %q", got, want)
	}
	if got := page.Reviews[1].TextHTML; got != "  Plain text without markup.  " {
		t.Errorf("TextHTML = %q, want the fragment untrimmed", got)
	}
}

// Control characters in a title would reach the terminal of `track list`.
func TestTitleDropsControlCharacters(t *testing.T) {
	page := `<html><head><script type="application/ld+json">{"@type":"Movie","url":"/title/tt0000666/",` +
		`"name":"Evil\u001b[31mRED\u001b]0;pwned\u0007"}</script></head></html>`
	title, err := ParseTitlePage([]byte(page))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	if title.Title != "Evil[31mRED]0;pwned" {
		t.Errorf("title %q, want the control characters dropped", title.Title)
	}
}
