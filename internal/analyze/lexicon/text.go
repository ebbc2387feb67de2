package lexicon

import (
	"strings"
	"unicode"
)

// token is one word or one clause punctuation mark of a sentence.
type token struct {
	word  string // lower case without apostrophes, or "," for a clause mark
	shout bool   // written in capitals and longer than one letter, as in "SO bad"
	scare bool   // inside double quotes around at most scareQuoteWords words
}

// scareQuoteWords is the longest quotation read as scare quotes: a "brave"
// and "stunning" film is neither. Longer quotations are titles or speech.
const scareQuoteWords = 2

// sentence is one sentence of a review with its tokens.
type sentence struct {
	text    string // trimmed original text, used as evidence
	tokens  []token
	exclaim int // number of exclamation marks that end it
}

// abbreviations end in a full stop that does not end a sentence.
var abbreviations = map[string]bool{
	"mr": true, "mrs": true, "ms": true, "dr": true, "st": true, "vs": true,
	"jr": true, "sr": true, "etc": true, "e.g": true, "i.e": true,
}

// splitSentences cuts text at ".", "!", "?", "…" and line breaks. A full
// stop after a known abbreviation or between digits does not end a sentence.
func splitSentences(text string) []sentence {
	var sentences []sentence
	runes := []rune(text)
	start := 0

	flush := func(end int) {
		raw := strings.TrimSpace(string(runes[start:end]))
		start = end
		if raw == "" {
			return
		}
		tokens := tokenize(raw)
		if !hasWord(tokens) {
			return
		}
		sentences = append(sentences, sentence{text: raw, tokens: tokens, exclaim: strings.Count(raw, "!")})
	}

	for i := 0; i < len(runes); i++ {
		r := runes[i]
		if r == '\n' || r == '\r' {
			flush(i)
			continue
		}
		if !isTerminator(r) || isInnerStop(runes, i) {
			continue
		}

		end := i + 1
		for end < len(runes) && (isTerminator(runes[end]) || isCloser(runes[end])) {
			end++
		}
		flush(end)
		i = end - 1
	}
	flush(len(runes))

	return sentences
}

func isTerminator(r rune) bool {
	return r == '.' || r == '!' || r == '?' || r == '…'
}

func isCloser(r rune) bool {
	return r == '"' || r == '\'' || r == ')' || r == '”' || r == '’'
}

// isInnerStop reports whether the full stop at i belongs to a number such as
// "2.5" or to an abbreviation such as "Mr.".
func isInnerStop(runes []rune, i int) bool {
	if runes[i] != '.' {
		return false
	}
	if i > 0 && i+1 < len(runes) && unicode.IsDigit(runes[i-1]) && unicode.IsDigit(runes[i+1]) {
		return true
	}

	j := i
	for j > 0 && (unicode.IsLetter(runes[j-1]) || runes[j-1] == '.') {
		j--
	}
	return abbreviations[strings.ToLower(string(runes[j:i]))]
}

// tokenize splits a sentence into words at word boundaries. Apostrophes inside
// a word are dropped ("wasn't" gives "wasnt") and hyphens split it ("must-see"
// gives "must" and "see"). The clause marks , ; : — ( ) are kept, as ",",
// and "&" reads as "and" so that it joins aspect terms as "and" does.
func tokenize(s string) []token {
	var tokens []token
	var word []rune

	emit := func() {
		if len(word) == 0 {
			return
		}
		w := string(word)
		lower := strings.ToLower(w)
		tokens = append(tokens, token{word: lower, shout: len(word) > 1 && w != lower && strings.ToUpper(w) == w})
		word = word[:0]
	}

	runes := []rune(s)
	quoteStart := -1 // index of the first token after an opening double quote
	for i, r := range runes {
		if isDoubleQuote(r) {
			emit()
			switch {
			case quoteStart < 0 && r != '”':
				quoteStart = len(tokens)
			case quoteStart >= 0:
				if n := len(tokens) - quoteStart; n > 0 && n <= scareQuoteWords && !hasComma(tokens, quoteStart, len(tokens)) {
					for j := quoteStart; j < len(tokens); j++ {
						tokens[j].scare = true
					}
				}
				quoteStart = -1
			}
			continue
		}
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r):
			word = append(word, r)
		case (r == '\'' || r == '’') && len(word) > 0 && i+1 < len(runes) && unicode.IsLetter(runes[i+1]):
			// An apostrophe inside a word is dropped.
		default:
			emit()
			switch r {
			case ',', ';', ':', '—', '(', ')':
				tokens = append(tokens, token{word: ","})
			case '&':
				tokens = append(tokens, token{word: "and"})
			}
		}
	}
	emit()

	return tokens
}

func isDoubleQuote(r rune) bool {
	return r == '"' || r == '“' || r == '”'
}

func hasWord(tokens []token) bool {
	for _, t := range tokens {
		if t.word != "," {
			return true
		}
	}
	return false
}
