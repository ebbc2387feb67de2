package llm

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// charsPerToken is the estimate of characters per token for English text
// used before a request, when the real count is not known yet. OpenAI
// documents about 4 characters per token for English.
const charsPerToken = 4

// estimateTokens estimates the tokens of s.
func estimateTokens(s string) int {
	return (utf8.RuneCountInString(s) + charsPerToken - 1) / charsPerToken
}

// trimToTokens cuts text to about maxTokens tokens, at the end of the last
// sentence that fits when that keeps at least half of the budget, at a word
// boundary otherwise. It reports whether it cut anything.
func trimToTokens(text string, maxTokens int) (string, bool) {
	maxRunes := maxTokens * charsPerToken
	if utf8.RuneCountInString(text) <= maxRunes {
		return text, false
	}
	cut := 0
	for i := range text {
		if maxRunes == 0 {
			cut = i
			break
		}
		maxRunes--
	}
	head := text[:cut]

	if end := lastSentenceEnd(head); end >= len(head)/2 {
		return strings.TrimSpace(head[:end]), true
	}
	if space := strings.LastIndexFunc(head, unicode.IsSpace); space >= len(head)/2 {
		return strings.TrimSpace(head[:space]), true
	}
	return strings.TrimSpace(head), true
}

// lastSentenceEnd returns the byte offset just after the last sentence end
// in s: a full stop, question or exclamation mark, or ellipsis followed by
// white space, or a line break. It returns -1 when there is none.
func lastSentenceEnd(s string) int {
	for i := len(s) - 1; i > 0; i-- {
		if s[i] == '\n' {
			return i
		}
		if s[i] != ' ' && s[i] != '\t' {
			continue
		}
		prev, _ := utf8.DecodeLastRuneInString(s[:i])
		if strings.ContainsRune(".!?…", prev) {
			return i
		}
	}
	return -1
}

// quoteReplacer maps typographic quotes, dashes and the ellipsis character
// to ASCII.
var quoteReplacer = strings.NewReplacer(
	"\u2018", "'", "\u2019", "'", "\u201a", "'", "\u201b", "'", "\u2032", "'", "`", "'", "\u00b4", "'",
	"\u201c", `"`, "\u201d", `"`, "\u201e", `"`, "\u201f", `"`, "\u00ab", `"`, "\u00bb", `"`, "\u2033", `"`,
	"\u2013", "-", "\u2014", "-", "\u2212", "-",
	"\u2026", "...",
	"\u00a0", " ",
)

// quoteRemover drops quote marks once quoteReplacer has made them ASCII,
// because models often leave out or change quote marks inside a quote.
var quoteRemover = strings.NewReplacer(`"`, "", "'", "")

// normalizeForMatch lowercases s, drops quote marks, maps dashes to ASCII
// and collapses white space, so that evidence is compared with the review
// text regardless of those differences.
func normalizeForMatch(s string) string {
	s = quoteRemover.Replace(quoteReplacer.Replace(strings.ToLower(s)))
	return strings.Join(strings.Fields(s), " ")
}

// evidenceOccurs reports whether evidence is a quote from normalizedText
// (already passed through normalizeForMatch). Quote marks, and punctuation
// at the ends of the evidence, are ignored, and an ellipsis may stand for
// left-out words, in which case every part must occur in order.
func evidenceOccurs(evidence, normalizedText string) bool {
	parts := strings.Split(normalizeForMatch(evidence), "...")
	found := 0
	rest := normalizedText
	for _, part := range parts {
		part = strings.Trim(part, " .,;:!?-()")
		if part == "" {
			continue
		}
		i := strings.Index(rest, part)
		if i < 0 {
			return false
		}
		rest = rest[i+len(part):]
		found++
	}
	return found > 0
}

// hasWordCharacter reports whether s contains a letter or a digit.
func hasWordCharacter(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0
}
