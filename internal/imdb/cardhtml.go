package imdb

import (
	"bytes"
	"slices"
	"strings"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
)

// contentClass is the class of the element that holds a review's HTML.
const contentClass = "ipc-html-content-inner-div"

// sourceFragments gives the inner HTML of review content elements as the
// page's bytes have it. goquery re-serializes a parsed tree, which changes
// entities such as &quot; and decodes character references, so
// Review.TextHTML takes the source bytes instead.
type sourceFragments struct {
	elements  *goquery.Selection // every content element, in document order
	fragments [][]byte           // their source inner HTML, in the same order
}

func newSourceFragments(body []byte, document *goquery.Document) sourceFragments {
	return sourceFragments{
		elements:  document.Find("." + contentClass),
		fragments: innerHTMLByClass(body, contentClass),
	}
}

// innerHTML returns the source inner HTML of content, an element of
// s.elements. When the tokenizer and the HTML parser disagree on the
// elements, as on malformed pages, it falls back to goquery's serialization.
func (s sourceFragments) innerHTML(content *goquery.Selection) (string, error) {
	index := s.elements.IndexOfSelection(content)
	if index >= 0 && len(s.fragments) == s.elements.Length() {
		return string(s.fragments[index]), nil
	}
	return content.Html()
}

// innerHTMLByClass returns the source bytes between the start and end tags
// of every div with the class, in document order. A div of that class
// nested inside another is part of the outer one's bytes, not a fragment
// of its own.
func innerHTMLByClass(body []byte, class string) [][]byte {
	var fragments [][]byte
	var current []byte
	depth := 0
	tokenizer := html.NewTokenizer(bytes.NewReader(body))
	for {
		token := tokenizer.Next()
		if token == html.ErrorToken {
			return fragments
		}
		name, hasAttributes := tokenizer.TagName()
		isDiv := string(name) == "div"
		switch {
		case depth == 0:
			if token == html.StartTagToken && isDiv && hasAttributes && hasClass(tokenizer, class) {
				depth, current = 1, []byte{}
			}
			continue
		case token == html.StartTagToken && isDiv:
			depth++
		case token == html.EndTagToken && isDiv:
			depth--
			if depth == 0 {
				fragments = append(fragments, current)
				continue
			}
		}
		current = append(current, tokenizer.Raw()...)
	}
}

// hasClass reports whether the current start tag's class attribute lists
// class.
func hasClass(tokenizer *html.Tokenizer, class string) bool {
	for {
		key, value, more := tokenizer.TagAttr()
		if string(key) == "class" && slices.Contains(strings.Fields(string(value)), class) {
			return true
		}
		if !more {
			return false
		}
	}
}
