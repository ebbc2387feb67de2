package replay

import (
	"fmt"
	"html"
	"strings"
)

// posterLineLength is the number of characters that fit on one line of a
// generated poster at its font size.
const posterLineLength = 16

// posterSVG draws a 2:3 poster with the title name, wrapped on word
// boundaries.
func posterSVG(name string) []byte {
	lines := wrapWords(name, posterLineLength)

	var b strings.Builder
	b.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" width="300" height="450" viewBox="0 0 300 450">`)
	b.WriteString(`<rect width="300" height="450" fill="#1f1f1f"/>`)
	b.WriteString(`<rect x="12" y="12" width="276" height="426" fill="none" stroke="#f5c518" stroke-width="4"/>`)

	top := 225 - 18*len(lines)
	for i, line := range lines {
		fmt.Fprintf(&b, `<text x="150" y="%d" fill="#ffffff" font-family="sans-serif" font-size="28" text-anchor="middle">%s</text>`,
			top+36*i+28, html.EscapeString(line))
	}

	b.WriteString(`<text x="150" y="420" fill="#f5c518" font-family="sans-serif" font-size="14" text-anchor="middle">reelpulse replay</text>`)
	b.WriteString(`</svg>`)
	return []byte(b.String())
}

// wrapWords splits text into lines of at most width characters, except for
// single words that are longer.
func wrapWords(text string, width int) []string {
	var lines []string
	var line string
	for _, word := range strings.Fields(text) {
		switch {
		case line == "":
			line = word
		case len([]rune(line))+1+len([]rune(word)) <= width:
			line += " " + word
		default:
			lines = append(lines, line)
			line = word
		}
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}
