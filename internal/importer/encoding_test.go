package importer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reelpulse/reelpulse/internal/store"
)

// TestImportRejectsInvalidText imports rows whose text is Latin-1 rather
// than UTF-8, or contains a NUL character, on each database. Those rows are
// skipped with their file and line, and the other rows are stored:
// PostgreSQL would otherwise abort the whole import, and SQLite would store
// the bytes as they are.
// fileWriter returns a function that writes a file of the given name and
// content into a new folder and returns its path.
func fileWriter(t *testing.T) func(name, content string) string {
	dir := t.TempDir()
	return func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
}

func TestImportRejectsInvalidText(t *testing.T) {
	write := fileWriter(t)
	movies := write("movies.csv", "movie_id,title,release_date,nb_reviews,scrapping_timestamp\n"+
		"tt9100001,Caf\xe9 Noir,2021-03-12,4,\n"+ // Latin-1 é
		"tt9100002,Good,2021-03-12,4,\n"+
		"tt9100003,\"Nul\x00Title\",,,\n")
	reviews := write("reviews_raw.csv", "movie_id,review_id,author,title,text,rating,date,upvotes,downvotes,poster\n"+
		"tt9100002,rw8000001,ann,Fine,\"Na\xefve but\nfine.\",7,2024-01-05,0,0,\n"+ // Latin-1 ï on line 2 of a two-line row
		"tt9100002,rw8000002,bob,Fine,Plain UTF-8 text: naïve.,7,2024-01-05,0,0,\xff\n"+ // a bad byte in a column that is not read
		"tt9100002,rw8000003,c\x00d,Fine,Text.,7,2024-01-05,0,0,\n")
	export := write("tt9100002-reviews.jsonl",
		`{"id":"rw8000004","author_name":"a","title":"t","text":"caf`+"\xe9"+`","rating":6,"spoiler":false,"submitted_at":"2024-06-01","helpful_up":0,"helpful_down":0}`+"\n"+
			`{"id":"rw8000005","author_name":"a","title":"t","text":"a\u0000b","rating":6,"spoiler":false,"submitted_at":"2024-06-01","helpful_up":0,"helpful_down":0}`+"\n"+
			`{"id":"rw8000006","author_name":"a","title":"t","text":"ok","rating":6,"spoiler":false,"submitted_at":"2024-06-01","helpful_up":0,"helpful_down":0,"aspects":{"acting":1},"evidence":{"acting":"x\u0000"}}`+"\n")
	want := []string{
		movies + `:2: title is not UTF-8 text (byte 0xe9 at byte 4); save the file as UTF-8`,
		movies + `:4: title contains a NUL character at byte 4, which the database cannot store; remove it`,
		reviews + `:2: text is not UTF-8 text (byte 0xef at byte 3); save the file as UTF-8`,
		reviews + `:5: author contains a NUL character at byte 2, which the database cannot store; remove it`,
		export + `:1: the line is not UTF-8 text (byte 0xe9 at byte 60); save the file as UTF-8`,
		export + `:2: text contains a NUL character at byte 2, which the database cannot store; remove it`,
		export + `:3: evidence.acting contains a NUL character at byte 2, which the database cannot store; remove it`,
	}

	for _, backend := range backends {
		t.Run(backend.name, func(t *testing.T) {
			st := backend.open(t)
			summary, err := Import(t.Context(), st, []string{movies, reviews, export}, Options{})
			if err != nil {
				t.Fatalf("import: %v", err)
			}
			var got []string
			for _, p := range summary.Problems {
				got = append(got, p.String())
				if p.Reason != reasonEncoding {
					t.Errorf("%s: reason %q, want %q", p, p.Reason, reasonEncoding)
				}
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("skipped rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			if summary.MoviesCreated != 1 || summary.ReviewsNew != 1 {
				t.Errorf("summary = %+v, want 1 movie and 1 review stored", summary)
			}
			stored, err := st.ListReviews(t.Context(), store.ReviewQuery{MovieID: "tt9100002"})
			if err != nil {
				t.Fatal(err)
			}
			if len(stored) != 1 || stored[0].Text != "Plain UTF-8 text: naïve." {
				t.Errorf("stored reviews = %+v, want rw8000002 with its UTF-8 text", stored)
			}
		})
	}
}

// TestImportSkipsReviewOfAnotherMovie checks that a row whose review id is
// stored under another movie is skipped with a message naming both movies,
// and that the other rows are stored.
func TestImportSkipsReviewOfAnotherMovie(t *testing.T) {
	write := fileWriter(t)
	movies := write("movies.csv", "movie_id,title,release_date,nb_reviews,scrapping_timestamp\n"+
		"tt9100001,First,2021-03-12,1,\n"+
		"tt9100002,Second,2021-03-12,2,\n")
	first := write("first.csv", "movie_id,review_id,author,title,text,rating,date,upvotes,downvotes,poster\n"+
		"tt9100001,rw8000001,ann,Fine,Fine.,7,2024-01-05,0,0,\n")
	second := write("second.csv", "movie_id,review_id,author,title,text,rating,date,upvotes,downvotes,poster\n"+
		"tt9100002,rw8000001,ann,Fine,Fine.,7,2024-01-05,0,0,\n"+
		"tt9100002,rw8000002,bob,Good,Good.,8,2024-01-06,0,0,\n")

	for _, backend := range backends {
		t.Run(backend.name, func(t *testing.T) {
			st := backend.open(t)
			if _, err := Import(t.Context(), st, []string{movies, first}, Options{}); err != nil {
				t.Fatalf("first import: %v", err)
			}
			summary, err := Import(t.Context(), st, []string{movies, second}, Options{})
			if err != nil {
				t.Fatalf("second import: %v", err)
			}
			want := second + ":2: review rw8000001 is stored under movie tt9100001, not tt9100002; correct its movie_id or leave the row out"
			if len(summary.Problems) != 1 || summary.Problems[0].String() != want || summary.Problems[0].Reason != reasonOtherMovie {
				t.Errorf("problems = %v, want %q", summary.Problems, want)
			}
			stored, err := st.ListReviews(t.Context(), store.ReviewQuery{MovieID: "tt9100002"})
			if err != nil {
				t.Fatal(err)
			}
			if len(stored) != 1 || stored[0].ID != "rw8000002" {
				t.Errorf("reviews of tt9100002 = %+v, want rw8000002 alone", stored)
			}
		})
	}
}
