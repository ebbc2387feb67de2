package replay

import (
	"fmt"
	"strings"
	"time"
)

// aboveTheFoldData is props.pageProps.aboveTheFoldData of the title page.
type aboveTheFoldData struct {
	titleMetadata
	ReleaseDate *releaseDate `json:"releaseDate"`
	Reviews     totalCount   `json:"reviews"`
}

type titlePageProps struct {
	Tconst           string           `json:"tconst"`
	AboveTheFoldData aboveTheFoldData `json:"aboveTheFoldData"`
	MainColumnData   struct {
		Reviews totalCount `json:"reviews"`
	} `json:"mainColumnData"`
}

// JSON-LD of the title page, a schema.org Movie.
type movieLD struct {
	Context         string             `json:"@context"`
	Type            string             `json:"@type"`
	URL             string             `json:"url"`
	Name            string             `json:"name"`
	AlternateName   string             `json:"alternateName,omitempty"`
	Image           string             `json:"image"`
	Review          *reviewLD          `json:"review,omitempty"`
	AggregateRating *aggregateRatingLD `json:"aggregateRating,omitempty"`
	DatePublished   string             `json:"datePublished,omitempty"`
}

type reviewLD struct {
	Type   string `json:"@type"`
	Author struct {
		Type string `json:"@type"`
		Name string `json:"name"`
	} `json:"author"`
	DateCreated  string    `json:"dateCreated"`
	InLanguage   string    `json:"inLanguage"`
	Name         string    `json:"name"`
	ReviewBody   string    `json:"reviewBody"`
	ReviewRating *ratingLD `json:"reviewRating,omitempty"`
}

type ratingLD struct {
	Type        string `json:"@type"`
	WorstRating int    `json:"worstRating"`
	BestRating  int    `json:"bestRating"`
	RatingValue int    `json:"ratingValue"`
}

type aggregateRatingLD struct {
	Type        string  `json:"@type"`
	RatingCount int64   `json:"ratingCount"`
	BestRating  int     `json:"bestRating"`
	WorstRating int     `json:"worstRating"`
	RatingValue float64 `json:"ratingValue"`
}

// renderTitlePage renders the main page of a title with its JSON-LD, its
// __NEXT_DATA__ and the visible hero section.
func renderTitlePage(m Movie) []byte {
	metadata := newTitleMetadata(m)
	var b strings.Builder

	b.WriteString(`<!DOCTYPE html><html lang="en-US"><head><meta charSet="utf-8"/>`)
	fmt.Fprintf(&b, `<title>%s - IMDb</title>`, escapeText(pageName(m)))
	fmt.Fprintf(&b, `<meta property="og:title" content="%s"/>`, escapeText(pageName(m)))
	fmt.Fprintf(&b, `<meta property="og:image" content="%s"/>`, escapeText(metadata.PrimaryImage.URL))
	b.WriteString(`<script type="application/ld+json">` + string(mustMarshal(newMovieLD(m))) + `</script>`)
	b.WriteString(`</head><body><main>`)

	writeHero(&b, m, metadata)

	props := titlePageProps{
		Tconst: m.ID,
		AboveTheFoldData: aboveTheFoldData{
			titleMetadata: metadata,
			ReleaseDate:   newReleaseDate(m.ReleaseDate),
			Reviews:       totalCount{Total: m.DeclaredReviewCount},
		},
	}
	props.MainColumnData.Reviews = totalCount{Total: m.DeclaredReviewCount}

	b.WriteString(`</main>`)
	b.WriteString(nextDataScript(newNextPage("/title/[tconst]", m.ID, props)))
	b.WriteString(`</body></html>`)
	return []byte(b.String())
}

// writeHero writes the top of the title page: name, year, rating, poster and
// the link to the user reviews with their abbreviated count.
func writeHero(b *strings.Builder, m Movie, metadata titleMetadata) {
	b.WriteString(`<section class="ipc-page-section" data-testid="hero-parent">`)
	fmt.Fprintf(b, `<h1 data-testid="hero__pageTitle"><span class="hero__primary-text" data-testid="hero__primary-text">%s</span></h1>`,
		escapeText(m.Title))
	if m.OriginalTitle != m.Title {
		fmt.Fprintf(b, `<div data-testid="hero-title-block__original-title">Original title: %s</div>`, escapeText(m.OriginalTitle))
	}
	if m.Year != 0 {
		fmt.Fprintf(b, `<ul class="ipc-inline-list"><li class="ipc-inline-list__item"><a href="/title/%s/releaseinfo/">%d</a></li></ul>`,
			escapeText(m.ID), m.Year)
	}

	if rating := metadata.RatingsSummary.AggregateRating; rating != nil {
		fmt.Fprintf(b, `<div data-testid="hero-rating-bar__aggregate-rating__score"><span>%.1f</span><span>/<!-- -->10</span></div><div>%s</div>`,
			*rating, formatCompact(m.RatingCount))
	}

	fmt.Fprintf(b, `<img class="ipc-image" alt="%s" src="%s" width="300" height="450"/>`,
		escapeText(m.Title), escapeText(metadata.PrimaryImage.URL))
	fmt.Fprintf(b, `<a href="/title/%s/reviews/?ref_=tt_ov_ql_2">User reviews</a><span class="score">%s</span>`,
		escapeText(m.ID), formatCompact(int64(m.DeclaredReviewCount)))
	b.WriteString(`</section>`)
}

func newReleaseDate(date time.Time) *releaseDate {
	if date.IsZero() {
		return nil
	}
	return &releaseDate{Day: date.Day(), Month: int(date.Month()), Year: date.Year()}
}

func newMovieLD(m Movie) movieLD {
	ld := movieLD{
		Context: "https://schema.org",
		Type:    "Movie",
		URL:     BasePlaceholder + "/title/" + m.ID + "/",
		Name:    m.Title,
		Image:   posterURL(m.ID),
	}
	if m.OriginalTitle != m.Title {
		ld.AlternateName = m.OriginalTitle
	}
	if !m.ReleaseDate.IsZero() {
		ld.DatePublished = m.ReleaseDate.Format(time.DateOnly)
	}

	if rating := newTitleMetadata(m).RatingsSummary.AggregateRating; rating != nil {
		ld.AggregateRating = &aggregateRatingLD{
			Type: "AggregateRating", RatingCount: m.RatingCount, BestRating: 10, WorstRating: 1, RatingValue: *rating,
		}
	}
	if len(m.Reviews) > 0 {
		ld.Review = newReviewLD(m.Reviews[0])
	}
	return ld
}

// newReviewLD describes the featured review, the first one, as IMDb's
// title page does.
func newReviewLD(review Review) *reviewLD {
	ld := &reviewLD{
		Type:        "Review",
		DateCreated: review.Date,
		InLanguage:  "English",
		Name:        review.Title,
		ReviewBody:  plainText(review.Text),
	}
	ld.Author.Type = "Person"
	ld.Author.Name = review.AuthorName
	if review.Rating != nil {
		ld.ReviewRating = &ratingLD{Type: "Rating", WorstRating: 1, BestRating: 10, RatingValue: *review.Rating}
	}
	return ld
}
