package importer

import (
	"errors"
	"maps"
	"strings"
	"testing"
	"time"
)

func reviewValues(changes map[string]string) map[string]string {
	values := map[string]string{
		"movie_id": "tt9100001", "review_id": "rw8000001", "author": "marguerite_v", "title": "A lighthouse",
		"text": "Patient and moving.", "rating": "9", "date": "2024-01-05", "upvotes": "12", "downvotes": "3",
	}
	for k, v := range changes {
		values[k] = v
	}
	return values
}

func TestParseReview(t *testing.T) {
	day := time.Date(2024, 1, 5, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name       string
		changes    map[string]string
		wantReason string // "" when the row is valid
		wantRating *int
		wantDay    time.Time
	}{
		{"integer rating", nil, "", new(9), day},
		{"float rating written by pandas", map[string]string{"rating": "9.0"}, "", new(9), day},
		{"no rating", map[string]string{"rating": ""}, "", nil, day},
		{"NaN rating", map[string]string{"rating": "NaN"}, "", nil, day},
		{"display date", map[string]string{"date": "5 January 2024"}, "", new(9), day},
		{"short display date", map[string]string{"date": "Jan 5, 2024"}, "", new(9), day},
		{"timestamp keeps its own day", map[string]string{"date": "2024-01-05T23:30:00-05:00"}, "", new(9), day},
		{"pandas timestamp", map[string]string{"date": "2024-01-05 00:00:00"}, "", new(9), day},
		{"upper-case review id", map[string]string{"review_id": "RW8000001"}, "", new(9), day},
		{"empty votes count as 0", map[string]string{"upvotes": ""}, "", new(9), day},
		{"rating 0", map[string]string{"rating": "0"}, reasonRating, nil, time.Time{}},
		{"rating 11", map[string]string{"rating": "11.0"}, reasonRating, nil, time.Time{}},
		{"fractional rating", map[string]string{"rating": "7.5"}, reasonRating, nil, time.Time{}},
		{"rating as words", map[string]string{"rating": "nine"}, reasonRating, nil, time.Time{}},
		{"review id without rw", map[string]string{"review_id": "8000001"}, reasonReviewID, nil, time.Time{}},
		{"review id with letters", map[string]string{"review_id": "rwabc"}, reasonReviewID, nil, time.Time{}},
		{"review id rw alone", map[string]string{"review_id": "rw"}, reasonReviewID, nil, time.Time{}},
		{"review id of 16 digits", map[string]string{"review_id": "rw1234567890123456"}, reasonReviewID, nil, time.Time{}},
		{"movie id", map[string]string{"movie_id": "t9100001"}, reasonMovieID, nil, time.Time{}},
		{"empty date", map[string]string{"date": ""}, reasonDate, nil, time.Time{}},
		{"slashed date", map[string]string{"date": "01/05/2024"}, reasonDate, nil, time.Time{}},
		{"impossible date", map[string]string{"date": "2024-02-30"}, reasonDate, nil, time.Time{}},
		{"negative votes", map[string]string{"downvotes": "-1"}, reasonVotes, nil, time.Time{}},
		{"fractional votes", map[string]string{"upvotes": "1.5"}, reasonVotes, nil, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseReview(reviewValues(tt.changes))
			if tt.wantReason != "" {
				var bad *rowError
				if !errors.As(err, &bad) || bad.reason != tt.wantReason {
					t.Fatalf("error = %v, want a %q row error", err, tt.wantReason)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			r := got.review
			if r.ID != "rw8000001" || r.MovieID != "tt9100001" {
				t.Errorf("ids = %s, %s", r.ID, r.MovieID)
			}
			if (r.Rating == nil) != (tt.wantRating == nil) || (r.Rating != nil && *r.Rating != *tt.wantRating) {
				t.Errorf("rating = %v, want %v", r.Rating, tt.wantRating)
			}
			if !r.SubmittedAt.Equal(tt.wantDay) || r.SubmittedAt.Location() != time.UTC {
				t.Errorf("submitted = %v, want %v", r.SubmittedAt, tt.wantDay)
			}
		})
	}
}

func TestParseReviewIDLengths(t *testing.T) {
	for _, id := range []string{"rw1", "rw1234567", "rw9000001000039", "rw123456789012345"} {
		if got, err := parseReviewID(id); err != nil || got != id {
			t.Errorf("parseReviewID(%q) = %q, %v; want it accepted", id, got, err)
		}
	}
}

func TestParseMovie(t *testing.T) {
	tests := []struct {
		name        string
		values      map[string]string
		wantReason  string
		wantYear    int
		wantRelease string // "" when nil
		wantCount   *int
		wantScraped string // "" when nil
	}{
		{"ISO date", map[string]string{"movie_id": "tt9100001", "release_date": "2021-03-12", "nb_reviews": "6",
			"scrapping_timestamp": "2024-01-10 08:15:00"}, "", 2021, "2021-03-12", new(6), "2024-01-10T08:15:00Z"},
		{"display date with country", map[string]string{"movie_id": "https://www.imdb.com/title/tt9100001/",
			"release_date": "March 4, 1922 (Germany)", "nb_reviews": "6.0"}, "", 1922, "1922-03-04", new(6), ""},
		{"year only", map[string]string{"movie_id": "tt9100001", "release_date": "1922"}, "", 1922, "", nil, ""},
		{"nothing but the id", map[string]string{"movie_id": "tt9100001"}, "", 0, "", nil, ""},
		{"timestamp with offset", map[string]string{"movie_id": "tt9100001", "scrapping_timestamp": "2024-01-10 09:15:00+01"},
			"", 0, "", nil, "2024-01-10T08:15:00Z"},
		{"bad id", map[string]string{"movie_id": "9100001"}, reasonMovieID, 0, "", nil, ""},
		{"negative count", map[string]string{"movie_id": "tt9100001", "nb_reviews": "-4"}, reasonCount, 0, "", nil, ""},
		{"bad release date", map[string]string{"movie_id": "tt9100001", "release_date": "soon"}, reasonDate, 0, "", nil, ""},
		{"bad timestamp", map[string]string{"movie_id": "tt9100001", "scrapping_timestamp": "yesterday"}, reasonDate, 0, "", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := parseMovie(tt.values)
			if tt.wantReason != "" {
				var bad *rowError
				if !errors.As(err, &bad) || bad.reason != tt.wantReason {
					t.Fatalf("error = %v, want a %q row error", err, tt.wantReason)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if m.id != "tt9100001" || m.meta.Year != tt.wantYear {
				t.Errorf("id %s, year %d, want tt9100001, %d", m.id, m.meta.Year, tt.wantYear)
			}
			if got := formatOptional(m.meta.ReleaseDate, time.DateOnly); got != tt.wantRelease {
				t.Errorf("release = %q, want %q", got, tt.wantRelease)
			}
			if got := formatOptional(m.scraped, time.RFC3339); got != tt.wantScraped {
				t.Errorf("scraped = %q, want %q", got, tt.wantScraped)
			}
			if (m.meta.DeclaredReviewCount == nil) != (tt.wantCount == nil) ||
				(tt.wantCount != nil && *m.meta.DeclaredReviewCount != *tt.wantCount) {
				t.Errorf("declared = %v, want %v", m.meta.DeclaredReviewCount, tt.wantCount)
			}
		})
	}
}

func formatOptional(t *time.Time, layout string) string {
	if t == nil {
		return ""
	}
	return t.Format(layout)
}

func TestParseSentiment(t *testing.T) {
	values := map[string]string{"review_id": "rw8000001", "story": "2.0", "acting": "-2", "visuals": "",
		"sounds": "0", "values": "1", "overall": "NaN"}
	s, err := parseSentiment(values)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]*int{"storytelling": new(2), "acting": new(-2), "visuals": nil, "sound": new(0),
		"themes": new(1), "overall": nil}
	if len(s.aspects) != len(want) {
		t.Fatalf("aspects = %+v", s.aspects)
	}
	for _, a := range s.aspects {
		w, ok := want[a.Aspect]
		if !ok || (a.Score == nil) != (w == nil) || (w != nil && *a.Score != *w) || a.Evidence != "" {
			t.Errorf("%s = %v, want %v", a.Aspect, a.Score, w)
		}
	}

	for _, bad := range []string{"3", "-3", "1.5", "good"} {
		values["acting"] = bad
		var rowErr *rowError
		if _, err := parseSentiment(values); !errors.As(err, &rowErr) || rowErr.reason != reasonScore {
			t.Errorf("acting %q: error = %v, want an invalid score", bad, err)
		}
	}
}

func TestParseExportLine(t *testing.T) {
	line := `{"id":"rw8000020","author_name":"a","author_id":"ur0000001","title":"T","text":"X","rating":7,` +
		`"spoiler":true,"submitted_at":"2024-03-01","helpful_up":2,"helpful_down":1,"edited_at":null,` +
		`"aspects":{"acting":1,"overall":null,"humor":-2},"evidence":{"acting":"Fine acting.","humor":"Not funny."}}`
	r, err := parseExportLine([]byte(line), "tt9100001")
	if err != nil {
		t.Fatal(err)
	}
	if r.review.MovieID != "tt9100001" || !r.review.Spoiler || r.review.AuthorID != "ur0000001" || !r.analyzed {
		t.Errorf("review = %+v", r)
	}
	if len(r.aspects) != 3 || r.aspects[0].Aspect != "acting" || r.aspects[0].Evidence != "Fine acting." || r.aspects[2].Score != nil {
		t.Errorf("aspects = %+v", r.aspects)
	}

	tests := map[string]string{
		`{"id":"rw1","submitted_at":"2024-03-01","aspects":{"acting":3}}`: reasonScore,
		`{"id":"rw1","submitted_at":"2024-03-01","rating":0}`:             reasonRating,
		`{"id":"rw1","submitted_at":"1 March 2024"}`:                      reasonDate,
		`{"id":"r1","submitted_at":"2024-03-01"}`:                         reasonReviewID,
		`{"id":"rw1","submitted_at":"2024-03-01","helpful_up":-1}`:        reasonVotes,
		`{"id":"rw1",`: reasonMalformed,
		`{"id":"rw1","submitted_at":"2024-03-01","aspects":{"acting":1},"rating":"bad"}`: reasonMalformed,
	}
	for line, reason := range tests {
		var bad *rowError
		if _, err := parseExportLine([]byte(line), "tt9100001"); !errors.As(err, &bad) || bad.reason != reason {
			t.Errorf("%s: error = %v, want %q", line, err, reason)
		}
	}
}

// FuzzParseReview checks that no row makes the parser panic, and that an
// accepted row holds values that the store accepts.
func FuzzParseReview(f *testing.F) {
	f.Add("rw8000001", "9.0", "5 January 2024", "12", "3")
	f.Add("RW1", "", "2024-01-05T10:00:00Z", "", "0")
	f.Add("rw", "1e3", "Jan 5, 2024", "-0", "9223372036854775807")
	f.Fuzz(func(t *testing.T, id, rating, date, up, down string) {
		r, err := parseReview(reviewValues(map[string]string{"review_id": id, "rating": rating, "date": date,
			"upvotes": up, "downvotes": down}))
		if err != nil {
			var bad *rowError
			if !errors.As(err, &bad) || bad.reason == "" || bad.message == "" {
				t.Fatalf("error %v is not a row error with a reason and a message", err)
			}
			return
		}
		v := r.review
		if len(v.ID) < 3 || v.ID[:2] != "rw" {
			t.Errorf("accepted review id %q", v.ID)
		}
		if v.Rating != nil && (*v.Rating < 1 || *v.Rating > 10) {
			t.Errorf("accepted rating %d from %q", *v.Rating, rating)
		}
		if v.HelpfulUp < 0 || v.HelpfulDown < 0 {
			t.Errorf("accepted votes %d/%d", v.HelpfulUp, v.HelpfulDown)
		}
		if d := v.SubmittedAt; d.Location() != time.UTC || d.Hour() != 0 || d.Minute() != 0 || d.Second() != 0 || d.Nanosecond() != 0 {
			t.Errorf("submitted %v from %q is not UTC midnight", d, date)
		}
	})
}

func TestParseExportMovie(t *testing.T) {
	valid := map[string]string{"id": "tt0013442", "title": " Nosferatu ", "original_title": "Nosferatu, eine Symphonie des Grauens",
		"year": "", "release_date": "1922-03-04", "imdb_rating": "7.8", "imdb_rating_count": "112345", "declared_review_count": "12.0",
		"tracked": "false", "average_rating": "not read"}
	m, err := parseExportMovie(valid)
	if err != nil {
		t.Fatal(err)
	}
	if m.id != "tt0013442" || m.meta.Title != "Nosferatu" || m.meta.Year != 1922 || m.meta.ReleaseDate == nil ||
		*m.meta.AggregateRating != 7.8 || *m.meta.RatingCount != 112345 || *m.meta.DeclaredReviewCount != 12 || m.scraped != nil {
		t.Errorf("movie = %+v", m)
	}

	tests := []struct {
		column, value, reason string
	}{
		{"id", "tt12", reasonMovieID},
		{"year", "1492", reasonDate},
		{"year", "MCMXXII", reasonDate},
		{"release_date", "someday", reasonDate},
		{"imdb_rating", "11", reasonRating},
		{"imdb_rating", "ten", reasonRating},
		{"imdb_rating", "Inf", reasonRating},
		{"imdb_rating_count", "-1", reasonCount},
		{"declared_review_count", "3000000000", reasonCount},
	}
	for _, tt := range tests {
		values := maps.Clone(valid)
		values[tt.column] = tt.value
		var bad *rowError
		if _, err := parseExportMovie(values); !errors.As(err, &bad) || bad.reason != tt.reason || !strings.Contains(bad.message, tt.column) {
			t.Errorf("%s %q: error = %v, want %q naming the column", tt.column, tt.value, err, tt.reason)
		}
	}
}

func TestParseExportRecord(t *testing.T) {
	aspects := []string{"acting", "overall"}
	valid := map[string]string{"id": "rw8000020", "movie_id": "tt9100001", "author_name": "a", "author_id": "", "title": "T",
		"text": " X ", "rating": "", "spoiler": "true", "submitted_at": "2024-03-01", "helpful_up": "2", "helpful_down": "0",
		"analyzed": "true", "acting_score": "0", "acting_evidence": "Fine.", "overall_score": "", "overall_evidence": ""}
	r, err := parseExportRecord(valid, aspects)
	if err != nil {
		t.Fatal(err)
	}
	if r.review.MovieID != "tt9100001" || r.review.Text != " X " || r.review.Rating != nil || !r.review.Spoiler || r.review.AuthorID != "" ||
		!r.analyzed || len(r.aspects) != 2 || *r.aspects[0].Score != 0 || r.aspects[0].Evidence != "Fine." || r.aspects[1].Score != nil {
		t.Errorf("review = %+v", r)
	}
	unanalyzed := maps.Clone(valid)
	unanalyzed["analyzed"] = "false"
	if r, err := parseExportRecord(unanalyzed, aspects); err != nil || r.analyzed || r.aspects != nil {
		t.Errorf("a review that is not analyzed = %+v, %v; want no scores", r, err)
	}

	tests := []struct {
		column, value, reason string
	}{
		{"movie_id", "", reasonMovieID},
		{"id", "8000020", reasonReviewID},
		{"rating", "0", reasonRating},
		{"spoiler", "maybe", reasonMalformed},
		{"analyzed", "yes", reasonMalformed},
		{"submitted_at", "March 2024", reasonDate},
		{"helpful_down", "-3", reasonVotes},
		{"acting_score", "3", reasonScore},
	}
	for _, tt := range tests {
		values := maps.Clone(valid)
		values[tt.column] = tt.value
		var bad *rowError
		if _, err := parseExportRecord(values, aspects); !errors.As(err, &bad) || bad.reason != tt.reason || !strings.Contains(bad.message, tt.column) {
			t.Errorf("%s %q: error = %v, want %q naming the column", tt.column, tt.value, err, tt.reason)
		}
	}
}
