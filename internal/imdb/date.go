package imdb

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// monthNames maps month names and their abbreviations in English, German,
// French, Spanish, Italian and Portuguese to months. Keys are lower case
// without accents, because ParseDisplayDate strips them before the look-up.
var monthNames = buildMonthNames(map[time.Month][]string{
	time.January:   {"january", "jan", "januar", "janner", "janvier", "janv", "enero", "ene", "gennaio", "gen", "janeiro"},
	time.February:  {"february", "feb", "februar", "fevrier", "fevr", "fev", "febrero", "febbraio", "fevereiro"},
	time.March:     {"march", "mar", "marz", "mars", "marzo", "marco"},
	time.April:     {"april", "apr", "avril", "avr", "abril", "abr", "aprile"},
	time.May:       {"may", "mai", "mayo", "maggio", "mag", "maio"},
	time.June:      {"june", "jun", "juni", "juin", "junio", "giugno", "giu", "junho"},
	time.July:      {"july", "jul", "juli", "juillet", "juil", "julio", "luglio", "lug", "julho"},
	time.August:    {"august", "aug", "aout", "agosto", "ago"},
	time.September: {"september", "sep", "sept", "septembre", "septiembre", "setiembre", "settembre", "set", "setembro"},
	time.October:   {"october", "oct", "oktober", "okt", "octobre", "octubre", "ottobre", "ott", "outubro", "out"},
	time.November:  {"november", "nov", "novembre", "noviembre", "novembro"},
	time.December:  {"december", "dec", "dezember", "dez", "decembre", "diciembre", "dic", "dicembre", "dezembro"}, //nolint:misspell // "decembre" is French ("décembre" without its accent)
})

func buildMonthNames(names map[time.Month][]string) map[string]time.Month {
	months := make(map[string]time.Month)
	for month, list := range names {
		for _, name := range list {
			months[name] = month
		}
	}
	return months
}

// dateFillers are the words that Spanish and Portuguese dates put between
// day, month and year: "5 de diciembre de 2025".
var dateFillers = map[string]bool{"de": true, "del": true}

// ParseDisplayDate reads a date as IMDb pages display it and returns UTC
// midnight of that day. It accepts "Dec 5, 2025", "December 5, 2025",
// "5 December 2025", "5 Dec 2025", "05.12.2025" (day first), "2025-12-05",
// and month names or abbreviations in German, French, Spanish, Italian and
// Portuguese, such as "5. Dezember 2025", "1er déc. 2025" and
// "5 de diciembre de 2025". Letter case and accents are ignored.
//
// Dates with slashes are rejected, because "05/12/2025" is May 12 in the US
// and 5 December elsewhere. A date it cannot read is an error, never a
// guess.
func ParseDisplayDate(s string) (time.Time, error) {
	invalid := fmt.Errorf("invalid date %q: expected a day, month and year such as \"Dec 5, 2025\", \"5 December 2025\", \"05.12.2025\" or \"2025-12-05\"", s)

	words := dateWords(s)
	var date *time.Time
	switch len(words) {
	case 1:
		date = numericDate(words[0])
	case 3:
		date = namedMonthDate(words)
	}
	if date == nil {
		return time.Time{}, invalid
	}
	return *date, nil
}

// dateWords splits a date into lower-case words without accents, commas,
// trailing dots or filler words.
func dateWords(s string) []string {
	var plain strings.Builder
	for _, r := range norm.NFD.String(strings.ToValidUTF8(s, "\uFFFD")) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		plain.WriteRune(unicode.ToLower(r))
	}

	var words []string
	for _, word := range strings.FieldsFunc(plain.String(), isDateSeparator) {
		word = strings.TrimRight(word, ".")
		if word != "" && !dateFillers[word] {
			words = append(words, word)
		}
	}
	return words
}

// isDateSeparator reports whether r separates the words of a date. Dots are
// not separators, so that "05.12.2025" stays one word.
func isDateSeparator(r rune) bool {
	return r == ',' || unicode.IsSpace(r)
}

// numericDate reads "05.12.2025" (day, month, year) or "2025-12-05".
func numericDate(word string) *time.Time {
	if parts := strings.Split(word, "-"); len(parts) == 3 && len(parts[0]) == 4 {
		return dateFromParts(parts[2], parts[1], parts[0])
	}
	if parts := strings.Split(word, "."); len(parts) == 3 {
		return dateFromParts(parts[0], parts[1], parts[2])
	}
	return nil
}

// namedMonthDate reads three words with the month as a name, in the order
// month, day, year or day, month, year.
func namedMonthDate(words []string) *time.Time {
	if month, ok := monthNames[words[0]]; ok {
		return dateWithMonth(words[1], month, words[2])
	}
	if month, ok := monthNames[words[1]]; ok {
		return dateWithMonth(words[0], month, words[2])
	}
	return nil
}

func dateFromParts(day, month, year string) *time.Time {
	monthNumber, ok := smallNumber(month, 2)
	if !ok {
		return nil
	}
	return dateWithMonth(day, time.Month(monthNumber), year)
}

// dateWithMonth returns the date, or nil when the day or year is not a
// number or the day does not exist in that month. The day may carry the
// ordinal mark of "1er" (French) or "1º" (Spanish, Portuguese).
func dateWithMonth(day string, month time.Month, year string) *time.Time {
	for _, mark := range []string{"er", "º"} {
		day = strings.TrimSuffix(day, mark)
	}
	dayNumber, ok := smallNumber(day, 2)
	if !ok || len(year) != 4 {
		return nil
	}
	yearNumber, ok := smallNumber(year, 4)
	if !ok {
		return nil
	}
	return calendarDate(yearNumber, int(month), dayNumber)
}

// smallNumber reads 1 to digits ASCII digits.
func smallNumber(s string, digits int) (int, bool) {
	if s == "" || len(s) > digits {
		return 0, false
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}
