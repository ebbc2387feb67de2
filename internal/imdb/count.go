package imdb

import (
	"fmt"
	"strings"
)

// maxCountDigits keeps every count within int64.
const maxCountDigits = 18

// ParseCompactCount reads a count as IMDb displays it: "1,308", "9 947",
// "1.2K" or "2.1M". The K, M and B suffixes mark a rounded-down figure, so
// exact is false for them: "11.4K" may stand for any count from 11,400 to
// 11,499. Without a suffix, commas, dots, apostrophes and spaces (including
// no-break spaces) are accepted as thousands separators between groups of
// three digits.
func ParseCompactCount(s string) (n int64, exact bool, err error) {
	text := strings.TrimSpace(s)
	invalid := fmt.Errorf("invalid count %q: expected digits with optional thousands separators or a K, M or B suffix, like \"1,308\" or \"1.2K\"", s)
	if text == "" {
		return 0, false, invalid
	}

	multiplier, number := splitSuffix(text)
	if multiplier == 1 {
		n, ok := parseGroupedDigits(number)
		if !ok {
			return 0, false, invalid
		}
		return n, true, nil
	}

	n, ok := parseScaled(number, multiplier)
	if !ok {
		return 0, false, invalid
	}
	return n, false, nil
}

// splitSuffix returns the multiplier of a trailing K, M or B and the number
// before it, or 1 and text unchanged.
func splitSuffix(text string) (int64, string) {
	multipliers := map[byte]int64{'k': 1e3, 'm': 1e6, 'b': 1e9}
	last := text[len(text)-1] | 0x20 // ASCII lower case
	multiplier, ok := multipliers[last]
	if !ok {
		return 1, text
	}
	return multiplier, strings.TrimSpace(text[:len(text)-1])
}

func isGroupSeparator(r rune) bool {
	switch r {
	case ',', '.', '\'', ' ', '\u00a0', '\u202f', '\u2009':
		return true
	}
	return false
}

// parseGroupedDigits reads digits that are either ungrouped or split into
// a first group of 1–3 digits and further groups of exactly 3.
func parseGroupedDigits(text string) (int64, bool) {
	groups := strings.FieldsFunc(text, isGroupSeparator)
	if len(groups) == 0 {
		return 0, false
	}
	if !separatorsBetweenGroups(text, groups) {
		return 0, false
	}
	for i, group := range groups {
		if len(groups) > 1 && (len(group) > 3 || (i > 0 && len(group) != 3)) {
			return 0, false
		}
	}
	return parseDigits(strings.Join(groups, ""))
}

// separatorsBetweenGroups reports whether exactly one separator is
// between consecutive groups and none at either end.
func separatorsBetweenGroups(text string, groups []string) bool {
	rebuilt := strings.Builder{}
	for _, r := range text {
		if isGroupSeparator(r) {
			rebuilt.WriteByte('|')
			continue
		}
		rebuilt.WriteRune(r)
	}
	return rebuilt.String() == strings.Join(groups, "|")
}

// parseScaled reads "12", "1.2" or "1,2" and multiplies it, dropping any
// fraction below one unit.
func parseScaled(text string, multiplier int64) (int64, bool) {
	whole, fraction, _ := strings.Cut(strings.ReplaceAll(text, ",", "."), ".")
	wholeValue, ok := parseDigits(whole)
	if !ok {
		return 0, false
	}
	if wholeValue > (1<<63-1)/multiplier {
		return 0, false
	}
	n := wholeValue * multiplier

	if fraction == "" {
		return n, !strings.ContainsAny(text, ".,")
	}
	scale := multiplier
	for _, c := range []byte(fraction) {
		if c < '0' || c > '9' {
			return 0, false
		}
		scale /= 10
		n += int64(c-'0') * scale
	}
	return n, true
}

func parseDigits(text string) (int64, bool) {
	if text == "" || len(text) > maxCountDigits {
		return 0, false
	}

	var n int64
	for _, c := range []byte(text) {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}
