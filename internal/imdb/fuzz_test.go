package imdb

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// addTestdataSeeds adds every hand-written testdata file with the given
// extension to the corpus.
func addTestdataSeeds(f *testing.F, ext string) {
	f.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "*"+ext))
	if err != nil {
		f.Fatal(err)
	}
	for _, path := range paths {
		if strings.HasSuffix(path, ".golden.json") {
			continue
		}
		body, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(body)
	}
}

func FuzzParseReviewsPage(f *testing.F) {
	addTestdataSeeds(f, ".html")
	f.Fuzz(func(t *testing.T, body []byte) {
		_, page, err := ParseReviewsPage(body)
		if err == nil {
			checkReviewPage(t, page)
		}
	})
}

func FuzzParseGraphQLReviews(f *testing.F) {
	addTestdataSeeds(f, ".json")
	f.Fuzz(func(t *testing.T, body []byte) {
		page, err := ParseGraphQLReviews(body)
		if err == nil {
			checkReviewPage(t, page)
		}
	})
}

func checkReviewPage(t *testing.T, page ReviewPage) {
	t.Helper()
	for _, r := range page.Reviews {
		if r.ID == "" {
			t.Error("review without id")
		}
		if r.Rating != nil && (*r.Rating < 1 || *r.Rating > 10) {
			t.Errorf("rating %d outside 1–10", *r.Rating)
		}
		if r.SubmittedAt.Location().String() != "UTC" {
			t.Errorf("date %v not in UTC", r.SubmittedAt)
		}
	}
}

func FuzzParseTitlePage(f *testing.F) {
	addTestdataSeeds(f, ".html")
	f.Fuzz(func(t *testing.T, body []byte) {
		title, err := ParseTitlePage(body)
		if err != nil {
			return
		}
		if title.ReleaseDate != nil && title.ReleaseDate.Location().String() != "UTC" {
			t.Errorf("release date %v not in UTC", title.ReleaseDate)
		}
	})
}

func FuzzParseID(f *testing.F) {
	for _, seed := range []string{"tt0013442", "TT0013442", "https://m.imdb.com/title/tt0013442/reviews", "x", "imdb.com/title/"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, input string) {
		id, err := ParseID(input)
		if err != nil {
			return
		}
		again, err := ParseID(id)
		if err != nil || again != id {
			t.Errorf("ParseID(%q) = %q, which does not parse to itself: %q, %v", input, id, again, err)
		}
		if !strings.HasPrefix(id, "tt") || len(id) < 9 || len(id) > 12 {
			t.Errorf("ParseID(%q) = %q, not tt and 7 to 10 digits", input, id)
		}
	})
}

func FuzzParseCompactCount(f *testing.F) {
	for _, seed := range []string{"1,308", "9 947", "1.2K", "2.1M", "3M", "", "1,30", "9999999999999999999"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, input string) {
		n, exact, err := ParseCompactCount(input)
		if err != nil {
			return
		}
		if n < 0 {
			t.Errorf("ParseCompactCount(%q) = %d, negative", input, n)
		}
		if exact && strings.ContainsAny(input, "kKmMbB") {
			t.Errorf("ParseCompactCount(%q) is exact despite a suffix", input)
		}
	})
}

func FuzzHTMLToText(f *testing.F) {
	for _, seed := range []string{"a<br/>b", "It&#39;s", "<b>x</b>", "&lt;3", " café ", "\r\n"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, fragment string) {
		text := htmlToText(fragment)
		if text != strings.TrimSpace(text) {
			t.Errorf("htmlToText(%q) = %q, not trimmed", fragment, text)
		}
		if utf8.ValidString(fragment) && !utf8.ValidString(text) {
			t.Errorf("htmlToText(%q) = %q, invalid UTF-8", fragment, text)
		}
	})
}

func FuzzParseReviewCards(f *testing.F) {
	addTestdataSeeds(f, ".html")
	f.Fuzz(func(t *testing.T, body []byte) {
		page, err := ParseReviewCards(body)
		if err != nil {
			return
		}
		checkReviewPage(t, page)
		for _, r := range page.Reviews {
			if !utf8.ValidString(r.Text) || !utf8.ValidString(r.TextHTML) || strings.ContainsRune(r.Text+r.TextHTML, 0) {
				t.Errorf("review %s: text or HTML has invalid UTF-8 or NUL", r.ID)
			}
			if r.HelpfulUp < 0 || r.HelpfulDown < 0 {
				t.Errorf("review %s: negative votes %d/%d", r.ID, r.HelpfulUp, r.HelpfulDown)
			}
		}
	})
}

func FuzzParseDisplayDate(f *testing.F) {
	for _, seed := range []string{"Dec 5, 2025", "5 December 2025", "05.12.2025", "2025-12-05", "5. Dezember 2025",
		"1er déc. 2025", "5 de diciembre de 2025", "1º de março de 2024", "05/12/2025", "Feb 30, 2024", ""} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, input string) {
		date, err := ParseDisplayDate(input)
		if err != nil {
			if !date.IsZero() {
				t.Errorf("ParseDisplayDate(%q) = %v with an error, want the zero time", input, date)
			}
			return
		}
		if date.Location() != time.UTC || !date.Equal(date.Truncate(24*time.Hour)) {
			t.Errorf("ParseDisplayDate(%q) = %v, not UTC midnight", input, date)
		}
		if date.Year() < 1 || date.Year() > 9999 {
			t.Errorf("ParseDisplayDate(%q) = %v, year outside 1–9999", input, date)
		}
	})
}

func FuzzParseSuggestions(f *testing.F) {
	addTestdataSeeds(f, ".json")
	f.Fuzz(func(t *testing.T, body []byte) {
		suggestions, err := ParseSuggestions(body)
		if err != nil {
			return
		}
		for _, s := range suggestions {
			if again, err := ParseID(s.ID); err != nil || again != s.ID {
				t.Errorf("suggestion id %q is not a canonical title id", s.ID)
			}
			if s.Year < 0 {
				t.Errorf("suggestion %s: negative year %d", s.ID, s.Year)
			}
			if s.PosterURL != "" && !strings.HasPrefix(s.PosterURL, "https://") && !strings.HasPrefix(s.PosterURL, "http://") {
				t.Errorf("suggestion %s: poster URL %q is not an absolute http(s) URL", s.ID, s.PosterURL)
			}
		}
	})
}

func FuzzSuggestionPath(f *testing.F) {
	for _, seed := range []string{"Nosferatu", " The  Matrix ", "Élise", "a/b?c", "", "\xff"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, query string) {
		path, err := suggestionPath(query)
		if err != nil {
			return
		}
		if !strings.HasPrefix(path, "/") || !strings.HasSuffix(path, ".json") || strings.Count(path, "/") != 2 {
			t.Errorf("suggestionPath(%q) = %q, want /{letter}/{query}.json", query, path)
		}
	})
}
