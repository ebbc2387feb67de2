package storetest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/reelpulse/reelpulse/internal/store"
)

// explorerReview returns a review of movie tt0000001 for the explorer tests.
func explorerReview(id string, rating *int, submitted [3]int, helpful int, spoiler bool, title, text string) store.Review {
	r := review(id, rating, day(submitted[0], time.Month(submitted[1]), submitted[2]))
	r.HelpfulUp = helpful
	r.Spoiler = spoiler
	r.Title = title
	r.Text = text
	return r
}

func score(aspect string, value *int) store.AspectScore {
	return store.AspectScore{Aspect: aspect, Score: value, Evidence: "Evidence of " + aspect}
}

// seedExplorer stores five listed reviews, one deleted review and one review
// of another movie, with results of two analyzers, one of them stale.
func seedExplorer(t *testing.T, s store.Store) {
	track(t, s, "tt0000001")
	track(t, s, "tt0000002")
	listed := []store.Review{
		explorerReview("rw1", ptr(8), [3]int{2025, 1, 2}, 10, false, "Great Film", "The ACTING was superb."),
		explorerReview("rw2", ptr(3), [3]int{2025, 3, 1}, 2, true, "Dull", "100% boring_plot"),
		explorerReview("rw3", nil, [3]int{2025, 3, 1}, 10, false, "Look", "Visually stunning"),
		explorerReview("rw4", ptr(5), [3]int{2024, 12, 31}, 0, false, "So-so", "meh"),
		explorerReview("rw5", ptr(10), [3]int{2025, 6, 15}, 7, false, "Path", `stored in C:\films`),
	}
	deleted := explorerReview("rw8", ptr(8), [3]int{2025, 2, 1}, 4, false, "Gone", "The acting is gone")
	other := explorerReview("rw9", ptr(8), [3]int{2025, 2, 1}, 4, false, "Other", "Acting elsewhere")
	other.MovieID = "tt0000002"

	votes := []store.ReviewVotes{}
	for _, r := range listed {
		votes = append(votes, store.ReviewVotes{ReviewID: r.ID, HelpfulUp: r.HelpfulUp, HelpfulDown: r.HelpfulDown})
	}
	applySync(t, s, store.SyncResult{Upserts: append(listed, deleted), At: at(1)})
	applySync(t, s, store.SyncResult{Seen: votes, Complete: true, At: at(2)})
	applySync(t, s, store.SyncResult{Seen: votes, Complete: true, At: at(3)})
	applySync(t, s, store.SyncResult{MovieID: "tt0000002", Upserts: []store.Review{other}, At: at(1)})

	openai := analysis("rw5", "hash-rw5", "v1", at(4), score("acting", ptr(-2)), score(store.Overall, ptr(-2)))
	openai.Analyzer = "openai"
	save(t, s,
		analysis("rw1", "hash-rw1", "v1", at(4), score("acting", ptr(2)), score(store.Overall, ptr(1)), score("sound", nil)),
		analysis("rw2", "hash-rw2", "v1", at(4), score("acting", ptr(-1)), score(store.Overall, ptr(-2))),
		analysis("rw3", "hash-rw3", "v1", at(4), score(store.Overall, ptr(0))),
		analysis("rw4", "stale-hash", "v1", at(4), score("acting", ptr(2)), score(store.Overall, ptr(2))),
		analysis("rw8", "hash-rw8", "v1", at(4), score("acting", ptr(2))),
		analysis("rw9", "hash-rw9", "v1", at(4), score("acting", ptr(2))),
		openai,
	)
}

func queryIDs(t *testing.T, s store.Store, f store.ReviewFilter) ([]string, store.ReviewPage) {
	t.Helper()
	page, err := s.QueryReviews(t.Context(), f)
	if err != nil {
		t.Fatalf("query reviews %+v: %v", f, err)
	}

	ids := []string{}
	for _, r := range page.Reviews {
		ids = append(ids, r.ID)
	}
	return ids, page
}

func testQueryReviews(t *testing.T, s store.Store) {
	seedExplorer(t, s)
	tests := []struct {
		name   string
		filter store.ReviewFilter
		want   []string
	}{
		{"all newest", store.ReviewFilter{}, []string{"rw5", "rw3", "rw2", "rw1", "rw4"}},
		{"oldest", store.ReviewFilter{Sort: store.SortOldest}, []string{"rw4", "rw1", "rw2", "rw3", "rw5"}},
		{"helpful", store.ReviewFilter{Sort: store.SortHelpful}, []string{"rw3", "rw1", "rw5", "rw2", "rw4"}},
		{"least helpful", store.ReviewFilter{Sort: store.SortLeastHelpful}, []string{"rw4", "rw2", "rw5", "rw1", "rw3"}},
		{"acting positive", store.ReviewFilter{Aspect: "acting", Polarity: store.PolarityPositive}, []string{"rw1"}},
		{"acting negative", store.ReviewFilter{Aspect: "acting", Polarity: store.PolarityNegative}, []string{"rw2"}},
		{"acting mentioned", store.ReviewFilter{Aspect: "acting", Polarity: store.PolarityMentioned}, []string{"rw2", "rw1"}},
		{"acting without polarity", store.ReviewFilter{Aspect: "acting"}, []string{"rw2", "rw1"}},
		{"acting not mentioned", store.ReviewFilter{Aspect: "acting", Polarity: store.PolarityNotMentioned}, []string{"rw3"}},
		{"sound mentioned", store.ReviewFilter{Aspect: "sound", Polarity: store.PolarityMentioned}, []string{}},
		{"sound not mentioned", store.ReviewFilter{Aspect: "sound", Polarity: store.PolarityNotMentioned}, []string{"rw3", "rw2", "rw1"}},
		{"neutral overall by default", store.ReviewFilter{Polarity: store.PolarityNeutral}, []string{"rw3"}},
		{"other analyzer", store.ReviewFilter{Analyzer: "openai", Aspect: "acting", Polarity: store.PolarityNegative}, []string{"rw5"}},
		{"min rating", store.ReviewFilter{MinRating: 5}, []string{"rw5", "rw1", "rw4"}},
		{"max rating", store.ReviewFilter{MaxRating: 5}, []string{"rw2", "rw4"}},
		{"rating range", store.ReviewFilter{MinRating: 4, MaxRating: 8}, []string{"rw1", "rw4"}},
		{"from", store.ReviewFilter{From: day(2025, 3, 1)}, []string{"rw5", "rw3", "rw2"}},
		{"to", store.ReviewFilter{To: day(2025, 1, 2)}, []string{"rw1", "rw4"}},
		{"one day", store.ReviewFilter{From: day(2025, 3, 1), To: day(2025, 3, 1)}, []string{"rw3", "rw2"}},
		{"spoilers only", store.ReviewFilter{Spoiler: store.SpoilerOnly}, []string{"rw2"}},
		{"spoilers excluded", store.ReviewFilter{Spoiler: store.SpoilerExclude}, []string{"rw5", "rw3", "rw1", "rw4"}},
		{"text ignores case", store.ReviewFilter{Text: "acting"}, []string{"rw1"}},
		{"text in title", store.ReviewFilter{Text: "GREAT"}, []string{"rw1"}},
		{"percent is literal", store.ReviewFilter{Text: "%"}, []string{"rw2"}},
		{"underscore is literal", store.ReviewFilter{Text: "_"}, []string{"rw2"}},
		{"backslash is literal", store.ReviewFilter{Text: `C:\f`}, []string{"rw5"}},
		{"no text match", store.ReviewFilter{Text: "nowhere"}, []string{}},
		{"combined", store.ReviewFilter{Aspect: store.Overall, Polarity: store.PolarityPositive, Spoiler: store.SpoilerExclude, MinRating: 5}, []string{"rw1"}},
		{"offset", store.ReviewFilter{Sort: store.SortOldest, Offset: 3}, []string{"rw3", "rw5"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.filter.MovieID = "tt0000001"
			tt.filter.CountTotal = true
			if tt.filter.Analyzer == "" {
				tt.filter.Analyzer = "lexicon"
			}
			ids, page := queryIDs(t, s, tt.filter)
			equal(t, "reviews", ids, tt.want)

			wantTotal := len(tt.want) + tt.filter.Offset
			if page.Total == nil || *page.Total != wantTotal || page.Next != nil {
				t.Errorf("total %v, next %v; want %d, nil", page.Total, page.Next, wantTotal)
			}
		})
	}
	t.Run("text search", func(t *testing.T) { testQueryReviewsText(t, s) })
}

// textReview returns a review of movie tt0000003 for the text search tests.
func textReview(id, title, text string) store.Review {
	r := explorerReview(id, ptr(7), [3]int{2025, 4, 1}, 0, false, title, text)
	r.MovieID = "tt0000003"
	r.ContentHash = "hash-" + id + "-" + text
	return r
}

// testQueryReviewsText checks the text filter on both of its paths: texts
// of reviewsql.MinIndexedText characters or more, which the back ends may
// look up in a trigram index, and shorter ones, which they match by
// scanning. The index must follow the reviews as they are added, edited,
// deleted and restored from a dump.
func testQueryReviewsText(t *testing.T, s store.Store) {
	track(t, s, "tt0000003")
	reviews := []store.Review{
		textReview("tx1", "Lighthouse", "A LIGHTHOUSE keeper's tale."),
		textReview("tx2", "Café crème", "Ein naïve Blick, ÉCOLE du regard."),
		textReview("tx3", "Deal", `rate 50%_off, he said "wow" OR NOT*`),
		textReview("tx4", "First draft", "original wording here"),
		textReview("tx5", "Soon gone", "vanishing lighthouse review"),
	}
	applySync(t, s, store.SyncResult{MovieID: "tt0000003", Upserts: reviews, At: at(1)})

	query := func(t *testing.T, text string) []string {
		t.Helper()
		ids, page := queryIDs(t, s, store.ReviewFilter{MovieID: "tt0000003", Text: text, Sort: store.SortOldest, CountTotal: true})
		if page.Total == nil || *page.Total != len(ids) {
			t.Errorf("text %q: total %v, want %d", text, page.Total, len(ids))
		}
		return ids
	}
	check := func(t *testing.T, cases []struct{ text, want string }) {
		t.Helper()
		for _, c := range cases {
			want := []string{}
			if c.want != "" {
				want = strings.Split(c.want, " ")
			}
			equal(t, fmt.Sprintf("reviews containing %q", c.text), query(t, c.text), want)
		}
	}

	check(t, []struct{ text, want string }{
		{"lighthouse", "tx1 tx5"},    // indexed, in title and text, any ASCII case
		{"LightHouse KEEPER", "tx1"}, // indexed, across words
		{"keeper's", "tx1"},          // a quote inside
		{"ke", "tx1"},                // too short for a trigram: scanned
		{"É", "tx2"},                 // one non-ASCII character: scanned
		{"x", ""},                    // too short, no match
		{"house k", "tx1"},           // spaces count as characters
		{"NAïVE", "tx2"},             // ASCII letters fold around a non-ASCII one
		{"ïve", "tx2"},               // three characters, four bytes
		{"aï", "tx2"},                // two characters, three bytes: scanned
		{"café crème", "tx2"},        // non-ASCII in the title
		{"0%_", "tx3"},               // wildcards are literal
		{"5_%", ""},                  // and match no other character
		{"%_o", "tx3"},               // a wildcard at the start
		{"__", ""},                   // short wildcards
		{`"wow"`, "tx3"},             // FTS5 quotes are literal
		{`wow" OR NOT*`, "tx3"},      // and so are its operators
		{"OR lighthouse", ""},        // which find nothing else
		{"ighthous", "tx1 tx5"},      // a substring of a word
		{"nowhere at all", ""},       // no match
		{"lighthouse keeper's tale.", "tx1"},
	})

	// An edit replaces the indexed text; a pass that only lists the review keeps it.
	edited := reviews[3]
	edited.Text = "Rewritten prose, lighthouse free"
	edited.ContentHash = "hash-tx4-edited"
	applySync(t, s, store.SyncResult{MovieID: "tt0000003", Upserts: []store.Review{edited}, ApplyEdits: true, At: at(2)})
	seen := []store.ReviewVotes{}
	for _, r := range reviews[:4] {
		seen = append(seen, store.ReviewVotes{ReviewID: r.ID, HelpfulUp: 3})
	}
	// Two complete passes without tx5 mark it deleted.
	applySync(t, s, store.SyncResult{MovieID: "tt0000003", Seen: seen, Complete: true, At: at(3)})
	applySync(t, s, store.SyncResult{MovieID: "tt0000003", Seen: seen, Complete: true, At: at(4)})
	check(t, []struct{ text, want string }{
		{"original", ""},
		{"wording", ""},
		{"rewritten PROSE", "tx4"},
		{"lighthouse", "tx1 tx4"},
		{"vanishing", ""},
		{"Re", "tx2 tx4"}, // scanned: "regard" and "Rewritten"
	})

	// A restore deletes every review and inserts the dumped ones.
	dumper, ok := s.(store.Dumper)
	if !ok {
		return
	}
	tables := DumpAll(t, dumper)
	reviewsTable := store.DumpTables[slices.IndexFunc(store.DumpTables, func(t store.Table) bool { return t.Name == "reviews" })]
	id, text := slices.Index(reviewsTable.ColumnNames(), "id"), slices.Index(reviewsTable.ColumnNames(), "text")
	for _, row := range tables["reviews"] {
		if row[id] == "tx1" {
			row[text] = "Restored with other words"
		}
	}
	if err := loadAll(t.Context(), dumper, tables); err != nil {
		t.Fatalf("load the dump: %v", err)
	}
	check(t, []struct{ text, want string }{
		{"keeper", ""},
		{"lighthouse", "tx1 tx4"}, // tx1's title
		{"other words", "tx1"},
		{"rewritten", "tx4"},
	})
}

func testQueryReviewsCursor(t *testing.T, s store.Store) {
	seedExplorer(t, s)
	for _, sort := range store.ReviewSorts {
		all, _ := queryIDs(t, s, store.ReviewFilter{MovieID: "tt0000001", Sort: sort})
		walked := []string{}
		filter := store.ReviewFilter{MovieID: "tt0000001", Sort: sort, Limit: 2}
		for range len(all) {
			ids, page := queryIDs(t, s, filter)
			walked = append(walked, ids...)
			if page.Next == nil {
				break
			}
			cursor, err := store.ParseReviewCursor(page.Next.String())
			if err != nil {
				t.Fatalf("sort %s: parse cursor %q: %v", sort, page.Next.String(), err)
			}
			filter.After = &cursor
		}
		equal(t, "reviews walked in sort "+string(sort), walked, all)
	}

	_, full := queryIDs(t, s, store.ReviewFilter{MovieID: "tt0000001", Limit: 5})
	if full.Next != nil {
		t.Errorf("a page that ends the list has next cursor %v", full.Next)
	}
	if full.Total != nil {
		t.Errorf("total %d without CountTotal, want nil", *full.Total)
	}

	mismatched := store.ReviewFilter{MovieID: "tt0000001", Sort: store.SortOldest, After: &store.ReviewCursor{Sort: store.SortNewest, ID: "rw1"}}
	if _, err := s.QueryReviews(t.Context(), mismatched); !errors.Is(err, store.ErrInvalidFilter) {
		t.Errorf("cursor of another sort: error %v, want ErrInvalidFilter", err)
	}
	if _, err := s.QueryReviews(t.Context(), store.ReviewFilter{MovieID: "tt0000001", Polarity: "great"}); !errors.Is(err, store.ErrInvalidFilter) {
		t.Errorf("unknown polarity: error %v, want ErrInvalidFilter", err)
	}
}

// testQueryReviewsCountLimit checks that a count reading the reviews stops
// at CountLimit and reports it, while one that the rollups compute stays exact.
func testQueryReviewsCountLimit(t *testing.T, s store.Store) {
	seedExplorer(t, s)
	// Four listed reviews are not spoilers, and a spoiler filter is
	// counted from the reviews; all five are counted from the rollups.
	for _, tc := range []struct {
		name   string
		filter store.ReviewFilter
		total  int
		capped bool
	}{
		{"capped scan", store.ReviewFilter{Spoiler: store.SpoilerExclude, CountLimit: 2}, 2, true},
		{"limit above the matches", store.ReviewFilter{Spoiler: store.SpoilerExclude, CountLimit: 10}, 4, false},
		{"limit equal to the matches", store.ReviewFilter{Spoiler: store.SpoilerExclude, CountLimit: 4}, 4, false},
		{"capped text scan", store.ReviewFilter{Text: "t", CountLimit: 1}, 1, true},
		{"rollup count stays exact", store.ReviewFilter{CountLimit: 2}, 5, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.filter.MovieID, tc.filter.CountTotal, tc.filter.Limit = "tt0000001", true, 1
			_, page := queryIDs(t, s, tc.filter)
			if page.Total == nil || *page.Total != tc.total || page.TotalCapped != tc.capped {
				t.Errorf("total %v, capped %v; want %d, %v", page.Total, page.TotalCapped, tc.total, tc.capped)
			}
		})
	}
}

// testQueryReviewsCursorStable adds reviews between two pages: the next
// page neither repeats nor skips a review, and shows new reviews that sort
// after the cursor.
func testQueryReviewsCursorStable(t *testing.T, s store.Store) {
	seedExplorer(t, s)
	filter := store.ReviewFilter{MovieID: "tt0000001", Limit: 2}
	first, page := queryIDs(t, s, filter)
	equal(t, "first page", first, []string{"rw5", "rw3"})

	applySync(t, s, store.SyncResult{Upserts: []store.Review{
		explorerReview("rw6", ptr(7), [3]int{2026, 1, 1}, 1, false, "New", "newest"),
		explorerReview("rw7", ptr(7), [3]int{2025, 2, 1}, 1, false, "Middle", "between"),
	}, At: at(5)})

	filter.After = page.Next
	filter.CountTotal = true
	second, page := queryIDs(t, s, filter)
	equal(t, "second page", second, []string{"rw2", "rw7"})
	filter.After = page.Next
	third, page := queryIDs(t, s, filter)
	equal(t, "third page", third, []string{"rw1", "rw4"})
	if page.Next != nil || page.Total == nil || *page.Total != 7 {
		t.Errorf("last page: next %v, total %v; want nil, 7", page.Next, page.Total)
	}
}
