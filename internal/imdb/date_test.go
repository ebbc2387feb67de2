package imdb

import (
	"strings"
	"testing"
	"time"
)

func TestParseDisplayDate(t *testing.T) {
	tests := map[string]string{
		"Dec 5, 2025":            "2025-12-05",
		"December 5, 2025":       "2025-12-05",
		"Dec. 5, 2025":           "2025-12-05",
		"5 December 2025":        "2025-12-05",
		"5 Dec 2025":             "2025-12-05",
		"05.12.2025":             "2025-12-05",
		"5.12.2025":              "2025-12-05",
		"2025-12-05":             "2025-12-05",
		"  Aug 24, 2013 ":        "2013-08-24",
		"31 July 2001":           "2001-07-31",
		"Sept 1, 2020":           "2020-09-01",
		"5. Dezember 2025":       "2025-12-05",
		"5. Dez. 2025":           "2025-12-05",
		"3. März 2024":           "2024-03-03",
		"3. Marz 2024":           "2024-03-03",
		"1. Jänner 2024":         "2024-01-01",
		"5 déc. 2025":            "2025-12-05",
		"5 décembre 2025":        "2025-12-05",
		"1er août 2024":          "2024-08-01",
		"12 févr. 2024":          "2024-02-12",
		"5 de diciembre de 2025": "2025-12-05",
		"5 dic 2025":             "2025-12-05",
		"5 dicembre 2025":        "2025-12-05",
		"12 ott 2023":            "2023-10-12",
		"5 de dezembro de 2025":  "2025-12-05",
		"5 de dez. de 2025":      "2025-12-05",
		"1º de março de 2024":    "2024-03-01",
		"7 de out. de 2022":      "2022-10-07",
		"29 Feb 2024":            "2024-02-29",
		"5 de\u0301c. 2025":      "2025-12-05", // decomposed accent
		"5\u00a0Dec\u00a02025":   "2025-12-05", // no-break spaces
	}
	for input, want := range tests {
		got, err := ParseDisplayDate(input)
		if err != nil {
			t.Errorf("ParseDisplayDate(%q): %v", input, err)
			continue
		}
		if got.Format(time.DateOnly) != want || got.Location() != time.UTC || !got.Equal(got.Truncate(24*time.Hour)) {
			t.Errorf("ParseDisplayDate(%q) = %v, want UTC midnight of %s", input, got, want)
		}
	}
}

// An unreadable date is an error, never today or a guess.
func TestParseDisplayDateInvalid(t *testing.T) {
	inputs := []string{
		"", "yesterday", "today", "Dec 2025", "Dec 5", "5 2025", "Foo 5, 2025",
		"05/12/2025", "12/05/2025", "2025/12/05",
		"Feb 30, 2024", "29 Feb 2023", "31.04.2025", "00.12.2025", "05.13.2025",
		"Dec 5, 25", "Dec 5, 02025", "Dec 5, 0000", "2025-12-5x", "2025-12", "25-12-05",
		"Dec 123, 2025", "Dec -5, 2025", "Dec 5, 2025, 10:00", "5 de de 2025",
		"\xff 5 2025",
	}
	for _, input := range inputs {
		got, err := ParseDisplayDate(input)
		if err == nil {
			t.Errorf("ParseDisplayDate(%q) = %v, want an error", input, got)
			continue
		}
		if !got.IsZero() {
			t.Errorf("ParseDisplayDate(%q) = %v with the error, want the zero time", input, got)
		}
		if !strings.Contains(err.Error(), "expected a day, month and year") {
			t.Errorf("ParseDisplayDate(%q) message %q does not say what is expected", input, err)
		}
	}
}
