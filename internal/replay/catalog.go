package replay

import "fmt"

// CatalogID returns the id of the movie at index i of a synthetic catalog
// whose first title number is first: "tt" followed by first+i.
func CatalogID(first, i int) string {
	return fmt.Sprintf("tt%d", first+i)
}

// AddCatalog adds n synthetic movies, with ids CatalogID(first, 0) to
// CatalogID(first, n-1), and returns their ids. Each movie has reviews
// generated reviews (see Synthetic) and declares declared reviews; a
// declared count of 0 means the number generated.
//
// Catalogs serve load tests of many titles. A title with no generated
// reviews costs about 4 KB of pages (a 2.5 KB title page and an empty
// reviews page), so 100,000 such titles fit in well under a gigabyte; each
// generated review adds about 3 KB.
func (s *Site) AddCatalog(first, n, reviews, declared int, seed int64) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = CatalogID(first, i)
		m := Synthetic(ids[i], reviews, seed)
		if declared > 0 {
			m.DeclaredReviewCount = declared
		}
		s.AddMovie(m)
	}
	return ids
}
