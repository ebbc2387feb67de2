package imdb

import (
	"encoding/json"
	"fmt"
	"html"
	"strings"
)

// titleNextData is the part of a title page's __NEXT_DATA__ that is read.
type titleNextData struct {
	Props struct {
		PageProps struct {
			AboveTheFoldData *titleMetadataJSON `json:"aboveTheFoldData"`
		} `json:"pageProps"`
	} `json:"props"`
}

// linkedData is the schema.org record of a title page's JSON-LD script.
type linkedData struct {
	URL             string          `json:"url"`
	Name            string          `json:"name"`
	Image           json.RawMessage `json:"image"`
	DatePublished   string          `json:"datePublished"`
	AggregateRating *struct {
		RatingValue json.Number `json:"ratingValue"`
		RatingCount json.Number `json:"ratingCount"`
	} `json:"aggregateRating"`
}

// ParseTitlePage reads a title's metadata from its main page
// (/title/{id}/). The Next.js data (aboveTheFoldData) comes first, and the
// JSON-LD record fills the fields it lacks. DeclaredReviewCount is the user
// review count of reviews.total. A page whose __NEXT_DATA__ lacks
// aboveTheFoldData and that has no JSON-LD title record returns an error
// matching ErrLayoutChanged. A page with neither script returns an error
// matching ErrNoPageData.
func ParseTitlePage(body []byte) (Title, error) {
	scripts := findScripts(body)
	fromNext, hasNext, err := titleFromNextData(scripts.nextData)
	if err != nil {
		return Title{}, err
	}

	fromLinkedData, hasLinkedData, err := titleFromLinkedData(scripts.jsonLD)
	if err != nil {
		return Title{}, err
	}

	if !hasNext && !hasLinkedData {
		if scripts.nextData != nil {
			return Title{}, layoutChanged("title page __NEXT_DATA__ has no props.pageProps.aboveTheFoldData, and no JSON-LD script has a title record")
		}
		return Title{}, fmt.Errorf("%w in title page: it has neither __NEXT_DATA__ with aboveTheFoldData nor a JSON-LD title record; "+
			"the layout changed or IMDb served a challenge page", ErrNoPageData)
	}
	t := mergeTitles(fromNext, fromLinkedData)
	t.Title = strings.TrimSpace(cleanText(t.Title))
	t.OriginalTitle = strings.TrimSpace(cleanText(t.OriginalTitle))
	return t, nil
}

func titleFromNextData(script []byte) (Title, bool, error) {
	if script == nil {
		return Title{}, false, nil
	}

	var data titleNextData
	if err := decodeJSON(script, &data, "title page __NEXT_DATA__"); err != nil {
		return Title{}, false, err
	}
	metadata := data.Props.PageProps.AboveTheFoldData
	if metadata == nil {
		return Title{}, false, nil
	}
	return metadata.title(), true, nil
}

// titleFromLinkedData reads the first JSON-LD object that has a name.
// Scripts that hold an array or do not parse are skipped, because pages
// also carry JSON-LD for breadcrumbs and other widgets.
func titleFromLinkedData(scripts [][]byte) (Title, bool, error) {
	for _, script := range scripts {
		var record linkedData
		if json.Unmarshal(script, &record) != nil || record.Name == "" {
			continue
		}
		return record.title(), true, nil
	}
	return Title{}, false, nil
}

// title converts the record. IMDb escapes HTML entities in JSON-LD strings
// ("Schindler&apos;s List"), so names are unescaped.
func (r *linkedData) title() Title {
	var t Title
	if id, err := ParseID(r.URL); err == nil {
		t.ID = id
	}
	t.Title = html.UnescapeString(r.Name)
	t.PosterURL = imageURL(r.Image)

	if date, err := parseDate(r.DatePublished); err == nil {
		t.ReleaseDate = &date
		t.Year = date.Year()
	}

	if rating := r.AggregateRating; rating != nil {
		if value, err := rating.RatingValue.Float64(); err == nil {
			t.AggregateRating = &value
		}
		if count, err := rating.RatingCount.Int64(); err == nil {
			t.RatingCount = &count
		}
	}
	return t
}

// imageURL reads a schema.org image given as a URL string, an ImageObject
// or a list of either.
func imageURL(raw json.RawMessage) string {
	var url string
	if json.Unmarshal(raw, &url) == nil {
		return url
	}

	var object struct {
		URL string `json:"url"`
	}
	if json.Unmarshal(raw, &object) == nil {
		return object.URL
	}

	var list []json.RawMessage
	if json.Unmarshal(raw, &list) == nil && len(list) > 0 {
		return imageURL(list[0])
	}
	return ""
}

// mergeTitles returns primary with its empty fields taken from fallback.
func mergeTitles(primary, fallback Title) Title {
	t := primary
	t.ID = firstNonEmpty(t.ID, fallback.ID)
	t.Title = firstNonEmpty(t.Title, fallback.Title)
	t.OriginalTitle = firstNonEmpty(t.OriginalTitle, fallback.OriginalTitle)
	t.PosterURL = firstNonEmpty(t.PosterURL, fallback.PosterURL)
	if t.Year == 0 {
		t.Year = fallback.Year
	}
	if t.ReleaseDate == nil {
		t.ReleaseDate = fallback.ReleaseDate
	}
	if t.AggregateRating == nil {
		t.AggregateRating = fallback.AggregateRating
	}
	if t.RatingCount == nil {
		t.RatingCount = fallback.RatingCount
	}
	if t.DeclaredReviewCount == nil {
		t.DeclaredReviewCount = fallback.DeclaredReviewCount
	}
	return t
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}
