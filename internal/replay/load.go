package replay

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

var titleIDPattern = regexp.MustCompile(`^tt[0-9]+$`)

// LoadDir reads a Site from a folder with one subfolder per title:
//
//	DIR/tt0013442/title.html       title page
//	DIR/tt0013442/reviews.html     server-rendered reviews page
//	DIR/tt0013442/graphql/*.json   GraphQL responses, chained in file name order
//
// Each file is optional. Files and folders whose names start with a dot are
// skipped. Any other entry, a reviews page without a readable __NEXT_DATA__
// cursor or a GraphQL file without data.title.reviews is an error that names
// the path.
func LoadDir(dir string) (*Site, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read replay folder: %w", err)
	}

	site := NewSite()
	for _, entry := range entries {
		if strings.HasPrefix(entry.Name(), ".") {
			continue
		}
		path := filepath.Join(dir, entry.Name())
		info, err := os.Stat(path)
		if err != nil {
			return nil, fmt.Errorf("read replay folder: %w", err)
		}
		if !info.IsDir() || !titleIDPattern.MatchString(entry.Name()) {
			return nil, fmt.Errorf("unexpected entry %s in replay folder: expected only folders named after title ids, such as tt0013442", path)
		}
		if err := loadTitle(site, entry.Name(), path); err != nil {
			return nil, err
		}
	}
	return site, nil
}

// loadTitle reads the pages of one title folder into the site.
func loadTitle(site *Site, id, dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("read title folder: %w", err)
	}

	site.update(id, func(*titlePages) {})
	for _, entry := range entries {
		if strings.HasPrefix(entry.Name(), ".") {
			continue
		}
		path := filepath.Join(dir, entry.Name())
		info, err := os.Stat(path)
		if err != nil {
			return fmt.Errorf("read title folder: %w", err)
		}

		switch {
		case entry.Name() == "title.html" && info.Mode().IsRegular():
			err = loadTitlePage(site, id, path)
		case entry.Name() == "reviews.html" && info.Mode().IsRegular():
			err = loadReviewsPage(site, id, path)
		case entry.Name() == "graphql" && info.IsDir():
			err = loadGraphQLPages(site, id, path)
		default:
			err = fmt.Errorf("unexpected entry %s in title folder: expected title.html, reviews.html or graphql/", path)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func loadTitlePage(site *Site, id, path string) error {
	page, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read title page: %w", err)
	}
	site.SetTitlePage(id, page)
	return nil
}

func loadReviewsPage(site *Site, id, path string) error {
	page, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read reviews page: %w", err)
	}
	if _, err := reviewsPageCursor(page); err != nil {
		return fmt.Errorf("invalid reviews page %s: %w", path, err)
	}
	site.SetReviewsPage(id, page)
	return nil
}

// loadGraphQLPages adds the *.json files of a graphql folder in file name
// order, which os.ReadDir returns, so names such as page001.json keep the
// capture order.
func loadGraphQLPages(site *Site, id, dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("read GraphQL folder: %w", err)
	}

	for _, entry := range entries {
		if strings.HasPrefix(entry.Name(), ".") {
			continue
		}
		path := filepath.Join(dir, entry.Name())
		info, err := os.Stat(path)
		if err != nil {
			return fmt.Errorf("read GraphQL folder: %w", err)
		}
		if !info.Mode().IsRegular() || filepath.Ext(entry.Name()) != ".json" {
			return fmt.Errorf("unexpected entry %s in GraphQL folder: expected only *.json response bodies", path)
		}

		body, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("read GraphQL page: %w", err)
		}
		if _, err := graphQLPageCursor(body); err != nil {
			return fmt.Errorf("invalid GraphQL page %s: %w", path, err)
		}
		site.AddGraphQLPage(id, body)
	}
	return nil
}

// WriteDir writes the pages of every title in the layout that LoadDir
// reads, creating dir when needed. GraphQL files are named page001.json and
// so on, with enough digits that file name order is page order.
func (s *Site) WriteDir(dir string) error {
	for _, id := range s.Titles() {
		if err := writeTitle(s.title(id), filepath.Join(dir, id)); err != nil {
			return err
		}
	}
	return nil
}

func writeTitle(title *titlePages, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create title folder: %w", err)
	}
	if title.titlePage != nil {
		if err := os.WriteFile(filepath.Join(dir, "title.html"), title.titlePage, 0o644); err != nil {
			return fmt.Errorf("write title page: %w", err)
		}
	}
	if title.reviewsPage != nil {
		if err := os.WriteFile(filepath.Join(dir, "reviews.html"), title.reviewsPage, 0o644); err != nil {
			return fmt.Errorf("write reviews page: %w", err)
		}
	}
	if len(title.graphQLPages) == 0 {
		return nil
	}

	graphQLDir := filepath.Join(dir, "graphql")
	if err := os.MkdirAll(graphQLDir, 0o755); err != nil {
		return fmt.Errorf("create GraphQL folder: %w", err)
	}
	digits := max(3, len(fmt.Sprint(len(title.graphQLPages))))
	for i, page := range title.graphQLPages {
		name := fmt.Sprintf("page%0*d.json", digits, i+1)
		if err := os.WriteFile(filepath.Join(graphQLDir, name), page, 0o644); err != nil {
			return fmt.Errorf("write GraphQL page: %w", err)
		}
	}
	return nil
}
