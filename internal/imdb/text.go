package imdb

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"
)

// htmlToText turns a review's plaidHtml fragment into plain text: entities
// decoded, <br> as a line break, block elements (paragraphs, list items) on
// lines of their own, every other tag dropped, outer white space trimmed,
// and the text cleaned as cleanText does.
func htmlToText(fragment string) string {
	if !strings.ContainsAny(fragment, "<&\r\x00") {
		return strings.TrimSpace(cleanText(fragment))
	}

	var out strings.Builder
	tokenizer := html.NewTokenizer(strings.NewReader(fragment))
	for {
		token := tokenizer.Next()
		switch token {
		case html.ErrorToken:
			return strings.TrimSpace(cleanText(out.String()))
		case html.TextToken:
			out.Write(tokenizer.Text())
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			name, _ := tokenizer.TagName()
			switch {
			case string(name) == "br" && token != html.EndTagToken:
				out.WriteByte('\n')
			case isBlock(string(name)):
				lineBreak(&out)
			}
		}
	}
}

// isBlock reports whether an element's start and end break the line.
func isBlock(name string) bool {
	switch name {
	case "p", "div", "li", "ul", "ol", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6":
		return true
	}
	return false
}

// lineBreak ends the current line unless the text is empty or already ends
// one, so that nested blocks give one line break, not several.
func lineBreak(out *strings.Builder) {
	text := out.String()
	if text == "" || strings.HasSuffix(text, "\n") {
		return
	}
	out.WriteByte('\n')
}

// cleanText cleans text as cleanHTML does, drops control characters other
// than line breaks and tabs, and puts it in Unicode normalization form C, so
// that the same word written with a precomposed letter or with a combining
// accent compares equal. Without the control characters, a title or review
// printed by the CLI cannot send escape sequences to the terminal.
func cleanText(s string) string {
	s = cleanHTML(s)
	if strings.IndexFunc(s, isControl) >= 0 {
		s = strings.Map(func(r rune) rune {
			if !isControl(r) {
				return r
			}
			// Windows-1252 text read as Latin-1 turns "…" into U+0085
			// and curly quotes into U+0091-U+0094: restore those.
			if r >= 0x80 && r <= 0x9f {
				if c := charmap.Windows1252.DecodeByte(byte(r)); !unicode.IsControl(c) && c != utf8.RuneError {
					return c
				}
			}
			return -1
		}, s)
	}
	return norm.NFC.String(s)
}

// isControl reports whether r is a C0 or C1 control character or DEL,
// other than a line feed, carriage return or tab.
func isControl(r rune) bool {
	return unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t'
}

// cleanHTML replaces invalid UTF-8 with U+FFFD and drops NUL characters,
// which PostgreSQL text columns reject. It changes nothing else, so that
// Review.TextHTML stays as IMDb served it.
func cleanHTML(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.ReplaceAll(s, "\x00", "")
}
