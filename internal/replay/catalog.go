package replay

import "fmt"

// CatalogID returns the id of the movie at index i of a synthetic catalog
// that starts at title number first, which is "tt" followed by first+i.
func CatalogID(first, i int) string {
	return fmt.Sprintf("tt%d", first+i)
}

// AddCatalog adds n synthetic movies, with ids CatalogID(first, 0) to
// CatalogID(first, n-1), and returns their ids. Each movie has reviews
// generated reviews (see Synthetic) and declares declared reviews. A
// declared count of 0 means the number generated.
//
// Catalogs serve load tests of many titles. A title without generated
// reviews takes about 4 KB of pages, a title page and an empty reviews
// page. Each generated review adds about 4 KB, because it appears both on
// the reviews page and on a GraphQL page.
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
