package imdb

import (
	"bytes"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/PuerkitoBio/goquery"
)

// reviewCardMarker is the class of a review card, checked before a page is
// parsed into a DOM.
var reviewCardMarker = []byte("user-review-item")

var (
	reviewLinkPattern = regexp.MustCompile(`/review/(rw\d+)(?:/|$|\?)`)
	userLinkPattern   = regexp.MustCompile(`/user/(ur\d+)(?:/|$|\?)`)
	titleLinkPattern  = regexp.MustCompile(`/title/(tt\d{7,10})/review/`)
	ratingLabel       = regexp.MustCompile(`rating: (\d+)\s*$`)
)

// hasReviewCards reports whether a page may contain review cards.
func hasReviewCards(body []byte) bool {
	return bytes.Contains(body, reviewCardMarker)
}

// ParseReviewCards reads the review cards (article.user-review-item) of a
// reviews page as the browser renders it, for pages that carry no
// __NEXT_DATA__ script, such as a saved browser snapshot. The total comes
// from the "572 reviews" text of div[data-testid=tturv-total-reviews], and
// TotalInexact is set when that text is abbreviated, as in "11.4K reviews".
//
// Votes are read from the counts next to the voting buttons, and
// VotesInexact is set when a count is abbreviated. Server-rendered pages
// show no vote counts, so their cards get 0 votes. The date is the displayed
// date, which for US visitors is one day earlier than the submission date in
// IMDb's JSON. A snapshot has no pagination cursor, so EndCursor is empty
// and HasNextPage false.
//
// A card that lacks its id or has an invalid date, rating or vote count is
// left out and described in Skipped. A page with neither cards nor a total
// returns an error matching ErrNoPageData. A page with cards but no total,
// or with a total above 0 but no cards, returns an error matching
// ErrLayoutChanged.
func ParseReviewCards(body []byte) (ReviewPage, error) {
	page, _, err := parseReviewCards(body)
	return page, err
}

// parseReviewCards also returns the title id found in review links, or "".
func parseReviewCards(body []byte) (ReviewPage, string, error) {
	document, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
	if err != nil {
		return ReviewPage{}, "", fmt.Errorf("parse review cards page as HTML: %w", err)
	}

	cards := document.Find("article.user-review-item")
	totalText := document.Find(`[data-testid="tturv-total-reviews"]`).First()
	if cards.Length() == 0 && totalText.Length() == 0 {
		return ReviewPage{}, "", fmt.Errorf("%w in review cards page: it has no article.user-review-item cards and no review total; "+
			"the layout changed or IMDb served a challenge page", ErrNoPageData)
	}
	if totalText.Length() == 0 {
		return ReviewPage{}, "", layoutChanged(`review cards page has no div[data-testid="tturv-total-reviews"] with the review total`)
	}

	total, exact, err := parseReviewTotal(totalText.Text())
	if err != nil {
		return ReviewPage{}, "", fmt.Errorf("review cards page: %w", err)
	}
	if cards.Length() == 0 && total > 0 {
		return ReviewPage{}, "", layoutChanged("review cards page shows a total of %d reviews but has no article.user-review-item cards", total)
	}

	page := ReviewPage{Total: total, TotalInexact: !exact, Reviews: make([]Review, 0, cards.Length())}
	sources := newSourceFragments(body, document)
	seen := make(map[string]bool)
	cards.Each(func(i int, card *goquery.Selection) {
		review, err := parseReviewCard(card, sources)
		switch {
		case err != nil:
			page.Skipped = append(page.Skipped, fmt.Sprintf("review card %d: %v", i, err))
			if id := reviewIDFromCard(card); id != "" {
				page.SkippedIDs = append(page.SkippedIDs, id)
			}
		case seen[review.ID]:
			page.Skipped = append(page.Skipped, fmt.Sprintf("review card %d: review %s appears twice", i, review.ID))
		default:
			seen[review.ID] = true
			page.Reviews = append(page.Reviews, review)
		}
	})
	return page, titleIDFromCards(cards), nil
}

// parseReviewTotal reads the count at the start of a total such as
// "2,561 reviews", "11.4K reviews" or "2.561 Rezensionen".
func parseReviewTotal(text string) (int, bool, error) {
	number := leadingCount(strings.TrimSpace(text))
	n, exact, err := ParseCompactCount(number)
	if err != nil {
		return 0, false, fmt.Errorf("invalid review total %q: expected a count followed by a word, like \"2,561 reviews\"", text)
	}
	if n > math.MaxInt {
		return 0, false, fmt.Errorf("invalid review total %q: the count is too large", text)
	}
	return int(n), exact, nil
}

// leadingCount returns the digits, thousands separators and optional K, M
// or B suffix at the start of text. A suffix letter counts only when no
// other letter follows it, so "5 Kritiken" yields "5".
func leadingCount(text string) string {
	runes := []rune(text)
	end := 0
	for end < len(runes) && (('0' <= runes[end] && runes[end] <= '9') || isGroupSeparator(runes[end])) {
		end++
	}
	if end < len(runes) && strings.ContainsRune("kKmMbB", runes[end]) &&
		(end+1 == len(runes) || !unicode.IsLetter(runes[end+1])) {
		end++
	}
	return string(runes[:end])
}

// parseReviewCard reads one card.
func parseReviewCard(card *goquery.Selection, sources sourceFragments) (Review, error) {
	id := reviewIDFromCard(card)
	if id == "" {
		return Review{}, fmt.Errorf("card has no /review/rw…/ link")
	}

	review := Review{ID: id}
	author := card.Find(`a[data-testid="author-link"]`).First()
	review.AuthorName = strings.TrimSpace(cleanText(author.Text()))
	review.AuthorID = firstMatch(userLinkPattern, author.AttrOr("href", ""))
	review.Title = strings.TrimSpace(cleanText(card.Find(`[data-testid="review-summary"] .ipc-title__text`).First().Text()))

	content, spoiler := reviewContent(card)
	review.Spoiler = spoiler
	if content.Length() > 0 {
		fragment, err := sources.innerHTML(content)
		if err != nil {
			return Review{}, fmt.Errorf("review %s: serialize text HTML: %w", id, err)
		}
		review.TextHTML = cleanHTML(fragment)
		review.Text = htmlToText(fragment)
	}

	if err := readCardDetails(card, &review); err != nil {
		return Review{}, fmt.Errorf("review %s: %w", id, err)
	}
	return review, nil
}

// readCardDetails reads the rating, date and votes of a card into review.
func readCardDetails(card *goquery.Selection, review *Review) error {
	rating, err := cardRating(card)
	if err != nil {
		return err
	}
	review.Rating = rating

	dateText := strings.TrimSpace(card.Find("li.review-date").First().Text())
	submitted, err := ParseDisplayDate(dateText)
	if err != nil {
		return fmt.Errorf("li.review-date: %w", err)
	}
	review.SubmittedAt = submitted

	up, upExact, err := cardVotes(card, ".ipc-voting__label__count--up")
	if err != nil {
		return err
	}
	down, downExact, err := cardVotes(card, ".ipc-voting__label__count--down")
	if err != nil {
		return err
	}
	review.HelpfulUp, review.HelpfulDown = up, down
	review.VotesInexact = !upExact || !downExact
	return nil
}

// reviewIDFromCard reads the review id from the permalink, or else from
// the title link.
func reviewIDFromCard(card *goquery.Selection) string {
	for _, selector := range []string{`a[data-testid="permalink-link"]`, `[data-testid="review-summary"] a`} {
		if id := firstMatch(reviewLinkPattern, card.Find(selector).First().AttrOr("href", "")); id != "" {
			return id
		}
	}
	return ""
}

// reviewContent returns the element that contains the review's HTML and
// whether the card marks it as a spoiler. Spoiler cards put the text in
// div[data-testid=review-spoiler-content] instead of review-overflow.
func reviewContent(card *goquery.Selection) (*goquery.Selection, bool) {
	spoiler := card.Find(`[data-testid="review-spoiler-content"]`).First()
	if spoiler.Length() > 0 {
		return spoiler.Find("." + contentClass).First(), true
	}
	content := card.Find(`[data-testid="review-overflow"] .` + contentClass).First()
	if content.Length() == 0 {
		content = card.Find("." + contentClass).First()
	}
	return content, false
}

// cardRating reads the star rating, or nil when the card has none. The
// number comes from span.ipc-rating-star--rating, or else from the
// aria-label "NAME's rating: 9".
func cardRating(card *goquery.Selection) (*int, error) {
	star := card.Find("span.review-rating").First()
	if star.Length() == 0 {
		return nil, nil
	}

	text := strings.TrimSpace(star.Find(".ipc-rating-star--rating").First().Text())
	if text == "" {
		text = firstMatch(ratingLabel, star.AttrOr("aria-label", ""))
	}
	rating, err := strconv.Atoi(text)
	if err != nil || rating < 1 || rating > 10 {
		return nil, fmt.Errorf("invalid rating %q: expected a whole number from 1 to 10", text)
	}
	return &rating, nil
}

// cardVotes reads a vote count. A card without the count, as on
// server-rendered pages, gets 0 and exact true, because nothing was rounded.
func cardVotes(card *goquery.Selection, selector string) (int, bool, error) {
	count := card.Find(selector).First()
	if count.Length() == 0 {
		return 0, true, nil
	}
	n, exact, err := ParseCompactCount(count.Text())
	if err != nil {
		return 0, false, fmt.Errorf("vote count %s: %w", selector, err)
	}
	if n > math.MaxInt {
		return 0, false, fmt.Errorf("vote count %s %q is too large", selector, count.Text())
	}
	return int(n), exact, nil
}

// titleIDFromCards returns the title id of the first review link of the
// form /title/tt…/review/rw…/, or "" when the links omit the title.
func titleIDFromCards(cards *goquery.Selection) string {
	var id string
	cards.Find("a[href]").EachWithBreak(func(_ int, link *goquery.Selection) bool {
		id = firstMatch(titleLinkPattern, link.AttrOr("href", ""))
		return id == ""
	})
	return id
}

// firstMatch returns the first submatch of pattern in s, or "".
func firstMatch(pattern *regexp.Regexp, s string) string {
	match := pattern.FindStringSubmatch(s)
	if match == nil {
		return ""
	}
	return match[1]
}
