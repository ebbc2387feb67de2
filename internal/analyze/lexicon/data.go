package lexicon

import (
	"bufio"
	"embed"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/reelpulse/reelpulse/internal/analyze"
)

//go:embed data/*.txt
var dataFiles embed.FS

// phrase is one word or multi-word entry of a word list. Value is a valence,
// an intensifier factor or an aspect index, depending on the list.
type phrase struct {
	words []string
	value float64
	kind  opinionKind
}

// opinionKind is the way an opinion word counts, set by its section of
// data/sentiment.txt.
type opinionKind uint8

const (
	plainOpinion opinionKind = iota
	reputation               // counts for the overall verdict only
	darkContent              // counts for aspects in the rating's direction only
)

// phraseIndex finds list entries in token streams, keyed by first word.
type phraseIndex map[string][]phrase

func (ix phraseIndex) add(text string, value float64) {
	ix.addKind(text, value, plainOpinion)
}

func (ix phraseIndex) addKind(text string, value float64, kind opinionKind) {
	words := tokenize(text)
	p := phrase{value: value, kind: kind}
	for _, w := range words {
		p.words = append(p.words, w.word)
	}
	if len(p.words) == 0 {
		return
	}

	list := ix[p.words[0]]
	list = append(list, p)
	slices.SortStableFunc(list, func(a, b phrase) int { return len(b.words) - len(a.words) })
	ix[p.words[0]] = list
}

// clone returns a copy of ix that entries can be added to without changing
// ix.
func (ix phraseIndex) clone() phraseIndex {
	c := make(phraseIndex, len(ix))
	for w, list := range ix {
		c[w] = slices.Clip(list)
	}
	return c
}

// match returns the longest entry that starts at tokens[i].
func (ix phraseIndex) match(tokens []token, i int) (phrase, bool) {
	for _, p := range ix[tokens[i].word] {
		if i+len(p.words) > len(tokens) {
			continue
		}
		if matchesAt(tokens, i, p.words) {
			return p, true
		}
	}
	return phrase{}, false
}

func matchesAt(tokens []token, i int, words []string) bool {
	for j, w := range words {
		if tokens[i+j].word != w {
			return false
		}
	}
	return true
}

// tables holds the parsed word lists of the data folder.
type tables struct {
	sentiment      phraseIndex
	aspects        phraseIndex // value is an index into the analyzer's aspects, built-ins first
	negators       phraseIndex
	intensifiers   phraseIndex
	contrastAfter  phraseIndex
	contrastBefore phraseIndex
	hedges         phraseIndex
}

// loadTables parses the embedded word lists once. The lists ship with the
// binary, so a parse error is a bug that the package tests catch.
var loadTables = sync.OnceValue(func() *tables {
	t, err := parseTables()
	if err != nil {
		panic(fmt.Sprintf("lexicon: %v", err))
	}
	return t
})

func parseTables() (*tables, error) {
	t := &tables{
		sentiment:      phraseIndex{},
		aspects:        phraseIndex{},
		negators:       phraseIndex{},
		intensifiers:   phraseIndex{},
		contrastAfter:  phraseIndex{},
		contrastBefore: phraseIndex{},
		hedges:         phraseIndex{},
	}

	if err := parseSentiment(t.sentiment); err != nil {
		return nil, err
	}
	if err := parseAspects(t.aspects); err != nil {
		return nil, err
	}
	if err := parseModifiers(t); err != nil {
		return nil, err
	}
	return t, nil
}

func parseSentiment(ix phraseIndex) error {
	return eachLine("data/sentiment.txt", func(section, line string) error {
		text, value, ok := strings.Cut(line, "\t")
		if !ok {
			return fmt.Errorf("missing tab between phrase and valence in %q", line)
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if err != nil || v < -4 || v > 4 {
			return fmt.Errorf("invalid valence in %q: want a number in -4..4", line)
		}
		kind, ok := opinionKinds[section]
		if !ok {
			return fmt.Errorf("unknown sentiment section [%s]", section)
		}
		ix.addKind(text, v, kind)
		return nil
	})
}

var opinionKinds = map[string]opinionKind{
	"":             plainOpinion,
	"reputation":   reputation,
	"dark-content": darkContent,
}

func parseAspects(ix phraseIndex) error {
	return eachLine("data/aspects.txt", func(section, line string) error {
		i := slices.IndexFunc(analyze.Aspects, func(a analyze.Aspect) bool { return a.Name == section })
		if i < 0 {
			return fmt.Errorf("unknown aspect section [%s]", section)
		}
		ix.add(line, float64(i))
		return nil
	})
}

func parseModifiers(t *tables) error {
	return eachLine("data/modifiers.txt", func(section, line string) error {
		switch section {
		case "negators":
			t.negators.add(line, -1)
		case "contrast-after":
			t.contrastAfter.add(line, 0)
		case "contrast-before":
			t.contrastBefore.add(line, 0)
		case "hedges":
			t.hedges.add(line, 0)
		case "intensifiers":
			return parseIntensifier(t.intensifiers, line)
		default:
			return fmt.Errorf("unknown modifier section [%s]", section)
		}
		return nil
	})
}

func parseIntensifier(ix phraseIndex, line string) error {
	i := strings.LastIndexByte(line, ' ')
	if i < 0 {
		return fmt.Errorf("missing factor in intensifier %q", line)
	}
	f, err := strconv.ParseFloat(line[i+1:], 64)
	if err != nil || f <= 0 {
		return fmt.Errorf("invalid factor in intensifier %q: want a positive number", line)
	}
	ix.add(line[:i], f)
	return nil
}

// eachLine calls fn for every entry line of a data file with the name of the
// bracketed section it is in. Blank lines and lines starting with "#" are
// skipped.
func eachLine(name string, fn func(section, line string) error) error {
	f, err := dataFiles.Open(name)
	if err != nil {
		return fmt.Errorf("open %s: %w", name, err)
	}
	defer f.Close()

	section := ""
	scanner := bufio.NewScanner(f)
	for n := 1; scanner.Scan(); n++ {
		line := strings.TrimSpace(scanner.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			section = line[1 : len(line)-1]
			continue
		}
		if err := fn(section, line); err != nil {
			return fmt.Errorf("%s line %d: %w", name, n, err)
		}
	}
	if err := scanner.Err(); err != nil {
		return fmt.Errorf("read %s: %w", name, err)
	}
	return nil
}
