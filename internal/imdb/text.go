package imdb

import (
	"strings"

	"golang.org/x/net/html"
)

// htmlToText turns a review's plaidHtml fragment into plain text: entities
// decoded, <br> as a line break, every other tag dropped, outer white space
// trimmed.
func htmlToText(fragment string) string {
	if !strings.ContainsAny(fragment, "<&\r\x00") {
		return strings.TrimSpace(fragment)
	}

	var out strings.Builder
	tokenizer := html.NewTokenizer(strings.NewReader(fragment))
	for {
		switch tokenizer.Next() {
		case html.ErrorToken:
			return strings.TrimSpace(out.String())
		case html.TextToken:
			out.Write(tokenizer.Text())
		case html.StartTagToken, html.SelfClosingTagToken:
			if name, _ := tokenizer.TagName(); string(name) == "br" {
				out.WriteByte('\n')
			}
		}
	}
}
