package sqlite

import (
	"slices"
	"testing"
	"time"

	"github.com/reelpulse/reelpulse/internal/store"
)

// TestTextSearchFoldsASCIIOnly checks that the trigram index matches what
// LIKE matches: the case of ASCII letters is ignored, and other letters,
// including those that Unicode folds to ASCII letters (the Kelvin sign
// and the long s), match only themselves. After the writes, FTS5's
// integrity check compares the index with the reviews.
func TestTextSearchFoldsASCIIOnly(t *testing.T) {
	ctx := t.Context()
	s := open(t)
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	at := time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC)
	if _, err := s.TrackMovie(ctx, "tt0000001", at); err != nil {
		t.Fatalf("track: %v", err)
	}
	texts := map[string]string{
		"rw1": "L'ÉCOLE du regard",
		"rw2": "l'école du regard",
		"rw3": "A \u212Aeeper of the light", // Kelvin sign
		"rw4": "Mi\u017F\u017Fing scenes",   // long s
		"rw5": "A KEEPER of the light",
	}
	upserts := []store.Review{}
	for id, text := range texts {
		upserts = append(upserts, store.Review{ID: id, MovieID: "tt0000001", Title: "Title", Text: text,
			SubmittedAt: at, ContentHash: "hash-" + id})
	}
	if _, err := s.ApplySync(ctx, store.SyncResult{MovieID: "tt0000001", Upserts: upserts, At: at}); err != nil {
		t.Fatalf("apply sync: %v", err)
	}

	tests := []struct {
		text string
		want []string
	}{
		{"ÉCOLE", []string{"rw1"}},
		{"école", []string{"rw2"}},
		{"'ÉCOLE DU", []string{"rw1"}},
		{"'éCOLE DU", []string{"rw2"}},
		{"L'É", []string{"rw1"}},
		{"keeper", []string{"rw5"}},
		{"\u212Aeeper", []string{"rw3"}},
		{"missing", nil},
		{"mi\u017F\u017Fing", []string{"rw4"}},
		{"É", []string{"rw1"}}, // scanned with LIKE
		{"é", []string{"rw2"}},
	}
	for _, tt := range tests {
		page, err := s.QueryReviews(ctx, store.ReviewFilter{MovieID: "tt0000001", Text: tt.text, Sort: store.SortOldest, CountTotal: true})
		if err != nil {
			t.Fatalf("query %q: %v", tt.text, err)
		}
		var ids []string
		for _, r := range page.Reviews {
			ids = append(ids, r.ID)
		}
		slices.Sort(ids)
		if !slices.Equal(ids, tt.want) || *page.Total != len(tt.want) {
			t.Errorf("reviews containing %q: %v (total %d), want %v", tt.text, ids, *page.Total, tt.want)
		}
	}

	edited := upserts[0]
	edited.Text = "Rewritten"
	edited.ContentHash = "hash-edited"
	if _, err := s.ApplySync(ctx, store.SyncResult{MovieID: "tt0000001", Upserts: []store.Review{edited}, ApplyEdits: true, At: at.Add(time.Hour)}); err != nil {
		t.Fatalf("apply sync: %v", err)
	}
	if _, err := s.writer.ExecContext(ctx, `INSERT INTO reviews_fts (reviews_fts, rank) VALUES ('integrity-check', 1)`); err != nil {
		t.Errorf("the trigram index differs from the reviews: %v", err)
	}
	if _, err := s.writer.ExecContext(ctx, `UPDATE reviews_fts_data SET block = x'00' WHERE id = (SELECT max(id) FROM reviews_fts_data)`); err != nil {
		t.Fatalf("corrupt the index: %v", err)
	}
	if _, err := s.writer.ExecContext(ctx, `INSERT INTO reviews_fts (reviews_fts, rank) VALUES ('integrity-check', 1)`); err == nil {
		t.Error("the integrity check passed on a corrupted index, so it checks nothing")
	}
}
