package replay

import (
	"fmt"
	"strings"
)

// entityMetadata is props.pageProps.contentData.entityMetadata of the
// reviews page.
//
// NOTE: IMDb's reviews page has no releaseDate here, only releaseYear, so
// the generated page has none either.
type entityMetadata struct {
	titleMetadata
	SubNavReviews totalCount `json:"subNavReviews"`
}

type reviewsPageProps struct {
	ContentData struct {
		EntityMetadata entityMetadata `json:"entityMetadata"`
		Data           struct {
			Title struct {
				entityMetadata
				Reviews  reviewsConnection `json:"reviews"`
				Typename string            `json:"__typename"`
			} `json:"title"`
		} `json:"data"`
		PageInfo    pageInfo `json:"pageInfo"`
		ReviewCount int      `json:"reviewCount"`
		TitleText   string   `json:"titleText"`
	} `json:"contentData"`
}

// renderReviewsPage renders the server-side HTML of the reviews page with
// the first page of reviews. Like IMDb's, it has no helpful-vote counts in
// the cards, only in __NEXT_DATA__.
func renderReviewsPage(m Movie, first reviewPage) []byte {
	var b strings.Builder

	b.WriteString(`<!DOCTYPE html><html lang="en-US"><head><meta charSet="utf-8"/>`)
	fmt.Fprintf(&b, `<title>%s - User reviews - IMDb</title>`, escapeText(pageName(m)))
	b.WriteString(`</head><body><main><section class="ipc-page-section ipc-page-section--base">`)
	fmt.Fprintf(&b, `<hgroup><h2 data-testid="subtitle"><a href="/title/%s/">%s</a></h2><h1 class="ipc-title__text">User reviews</h1></hgroup>`,
		escapeText(m.ID), escapeText(m.Title))
	fmt.Fprintf(&b, `<div data-testid="tturv-total-reviews">%s</div>`, reviewTotalText(m.DeclaredReviewCount))

	for i, review := range first.reviews {
		writeReviewCard(&b, m.ID, i+1, review)
	}
	if first.endCursor != "" {
		fmt.Fprintf(&b, `<div data-testid="tturv-pagination"><div class="pagination-container"><span class="ipc-see-more single-page-see-more-button"><button class="ipc-btn ipc-see-more__button"><span class="ipc-see-more__text">%d more</span></button></span>`, PageSize)
		b.WriteString(`<span class="ipc-see-more chained-see-more-button"><button class="ipc-btn ipc-see-more__button"><span class="ipc-see-more__text">See all</span></button></span></div></div>`)
	}
	b.WriteString(`</section></main>`)

	b.WriteString(nextDataScript(newNextPage("/title/[tconst]/reviews", m.ID, newReviewsPageProps(m, first))))
	b.WriteString(`</body></html>`)
	return []byte(b.String())
}

func reviewTotalText(total int) string {
	if total == 1 {
		return "1 review"
	}
	return formatCount(int64(total)) + " reviews"
}

func newReviewsPageProps(m Movie, first reviewPage) reviewsPageProps {
	metadata := entityMetadata{
		titleMetadata: newTitleMetadata(m),
		SubNavReviews: totalCount{Total: m.DeclaredReviewCount},
	}
	reviews := newReviewsConnection(first, true)

	var props reviewsPageProps
	content := &props.ContentData
	content.EntityMetadata = metadata
	content.Data.Title.entityMetadata = metadata
	content.Data.Title.Reviews = reviews
	content.Data.Title.Typename = "Title"
	content.PageInfo = reviews.PageInfo
	content.ReviewCount = m.DeclaredReviewCount
	content.TitleText = m.Title
	return props
}

// writeReviewCard writes one article.user-review-item. number is the
// 1-based position on the page, which IMDb puts in the ref_ parameters.
func writeReviewCard(b *strings.Builder, titleID string, number int, review Review) {
	titleID, reviewID := escapeText(titleID), escapeText(review.ID)

	b.WriteString(`<article class="user-review-item"><div class="ipc-list-card--border-speech ipc-list-card--hasActions ipc-list-card--base ipc-list-card" data-testid="review-card-parent"><div class="ipc-list-card__content">`)
	if review.Rating != nil {
		fmt.Fprintf(b, `<div><span aria-label="%s rating: %d" class="ipc-rating-star ipc-rating-star--base ipc-rating-star--otherUserAlt review-rating"><span class="ipc-rating-star--rating">%d</span><span class="ipc-rating-star--maxRating">/<!-- -->10</span></span></div>`,
			escapeText(review.AuthorName+"'s"), *review.Rating, *review.Rating)
	}
	fmt.Fprintf(b, `<div><div class="ipc-title ipc-title--base ipc-title--title ipc-title--on-textPrimary" data-testid="review-summary"><a href="/title/%s/review/%s/?ref_=tturv_%d" class="ipc-title-link-wrapper" tabindex="0"><h3 class="ipc-title__text">%s</h3></a></div></div>`,
		titleID, reviewID, number, escapeText(review.Title))
	writeReviewText(b, review)
	b.WriteString(`</div><div class="ipc-list-card__actions"><div><svg class="ipc-loader ipc-loader--circle" data-testid="user-voting-loader" role="presentation" width="48px" height="48px" viewBox="0 0 48 48" version="1.1" xmlns="http://www.w3.org/2000/svg"></svg></div></div></div>`)

	b.WriteString(`<div data-testid="reviews-author"><ul class="ipc-inline-list ipc-inline-list--show-dividers ipc-inline-list--inline base" role="presentation">`)
	fmt.Fprintf(b, `<li role="presentation" class="ipc-inline-list__item"><a class="ipc-link ipc-link--base" tabindex="0" aria-disabled="false" data-testid="author-link" href="/user/%s/?ref_=tturv_usr_%d_t">%s</a></li>`,
		escapeText(review.AuthorID), number, escapeText(review.AuthorName))
	fmt.Fprintf(b, `<li role="presentation" class="ipc-inline-list__item review-date">%s</li>`, escapeText(displayDate(review.Date)))
	fmt.Fprintf(b, `<li role="presentation" class="ipc-inline-list__item"><a class="ipc-link ipc-link--base" tabindex="0" aria-disabled="false" data-testid="permalink-link" href="/title/%s/review/%s/?ref_=tturv_perm_%d">Permalink</a></li>`,
		titleID, reviewID, number)
	b.WriteString(`</ul></div></article>`)
}

// writeReviewText writes the review body, an HTML fragment that is not
// escaped again. Spoiler reviews get the "Spoiler" signpost of IMDb's
// rendered page.
func writeReviewText(b *strings.Builder, review Review) {
	if review.Spoiler {
		b.WriteString(`<div data-testid="review-spoiler-content"><div class="ipc-signpost ipc-signpost--accent3 ipc-signpost--left-aligned" role="presentation"><div class="ipc-signpost__text" role="presentation">Spoiler</div></div>`)
		b.WriteString(`<div class="ipc-html-content ipc-html-content--base review-content" role="presentation"><div class="ipc-html-content-inner-div" role="presentation">`)
		b.WriteString(review.Text)
		b.WriteString(`</div></div></div>`)
		return
	}

	b.WriteString(`<div class="ipc-overflowText ipc-overflowText--listCard ipc-overflowText--height-long ipc-overflowText--long ipc-overflowText--click ipc-overflowText--base" data-testid="review-overflow"><div class="ipc-overflowText--children"><div class="ipc-html-content ipc-html-content--base" role="presentation"><div class="ipc-html-content-inner-div" role="presentation">`)
	b.WriteString(review.Text)
	b.WriteString(`</div></div></div></div>`)
}
