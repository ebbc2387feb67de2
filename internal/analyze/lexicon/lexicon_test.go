package lexicon

import (
	"context"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/reelpulse/reelpulse/internal/analyze"
	"github.com/reelpulse/reelpulse/internal/store"
)

func analyzeOne(t *testing.T, title, text string, rating *int) map[string]store.AspectScore {
	t.Helper()
	results, err := New().Analyze(context.Background(), []analyze.Input{{ReviewID: "rw1", Title: title, Text: text, Rating: rating}})
	if err != nil {
		t.Fatalf("Analyze: %v", err)
	}
	scores := map[string]store.AspectScore{}
	for _, s := range results[0] {
		scores[s.Aspect] = s
	}
	return scores
}

func stars(n int) *int { return &n }

func show(p *int) string {
	if p == nil {
		return "nil"
	}
	return strconv.Itoa(*p)
}

// direction is the expected sign of an aspect score: nil for not mentioned.
type direction int

const (
	absent direction = iota
	negative
	neutral
	positive
)

func directionOf(p *int) direction {
	switch {
	case p == nil:
		return absent
	case *p < 0:
		return negative
	case *p > 0:
		return positive
	}
	return neutral
}

func TestAnalyzeAspectDirections(t *testing.T) {
	tests := []struct {
		name   string
		text   string
		aspect string
		want   direction
	}{
		{"plain praise", "The acting was great.", "acting", positive},
		{"plain criticism", "The script is awful.", "storytelling", negative},
		{"negated praise", "The acting was not good.", "acting", negative},
		{"negated contraction", "The soundtrack wasn't great.", "sound", negative},
		{"negated criticism", "The plot is never boring.", "storytelling", positive},
		{"negation out of reach", "I did not expect that the music would be so wonderful and lovely.", "sound", positive},
		{"negation stops at comma", "No, the cinematography is beautiful.", "visuals", positive},
		{"lacks negates", "The performances lack charm.", "acting", negative},
		{"contrast after but", "The visuals are fine but incredibly dull.", "visuals", negative},
		{"contrast splits aspects", "The acting was great, but the plot was boring.", "acting", positive},
		{"contrast splits aspects story", "The acting was great, but the plot was boring.", "storytelling", negative},
		{"although clause weighs less", "Although the story is slightly weak, the story is brilliant.", "storytelling", positive},
		{"coordinated aspects", "The acting and the songs were wonderful.", "sound", positive},
		{"nearest aspect wins", "The CGI is hideous and the songs are gorgeous.", "visuals", negative},
		{"nearest aspect wins other", "The CGI is hideous and the songs are gorgeous.", "sound", positive},
		{"subjectless clause inherits", "The songs are nice but far too long and dull.", "sound", negative},
		{"clause with own subject", "I loved the songs but the film was boring.", "sound", positive},
		{"word boundary act", "Actually the movie was great.", "acting", absent},
		{"word boundary cast", "The forecast was broadcast.", "acting", absent},
		{"multi-word aspect", "The sound design is breathtaking.", "sound", positive},
		{"multi-word masks opinion", "The special effects were there.", "visuals", absent},
		{"multi-word opinion", "The screenplay is a waste of time.", "storytelling", negative},
		{"phrase masks character", "The evil queen has a mirror. The songs are lovely.", "sound", positive},
		{"theme named", "Its political message is preachy.", "themes", negative},
		{"not mentioned", "The songs are lovely.", "visuals", absent},
		{"unicode apostrophe", "The soundtrack isn’t good.", "sound", negative},
		{"accented words", "The script is clichéd and the café scene is dull.", "storytelling", negative},
		{"capitals", "The CGI was SO BAD.", "visuals", negative},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := analyzeOne(t, "", tt.text, nil)[tt.aspect]
			if d := directionOf(got.Score); d != tt.want {
				t.Errorf("%s score %s, want direction %d for %q", tt.aspect, show(got.Score), tt.want, tt.text)
			}
		})
	}
}

func TestAnalyzeIntensifierStrength(t *testing.T) {
	tests := []struct {
		text string
		want int
	}{
		{"The acting was good.", 1},
		{"The acting was extremely good.", 1},
		{"The acting was absolutely brilliant.", 2},
		{"The acting was slightly terrible.", -1},
		{"The acting was terrible.", -2},
		{"The acting was okay.", 0},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			got := analyzeOne(t, "", tt.text, nil)["acting"].Score
			if got == nil || *got != tt.want {
				t.Errorf("acting score %s, want %d", show(got), tt.want)
			}
		})
	}
}

func TestAnalyzeEvidence(t *testing.T) {
	text := "Snow White flees into the forest. The songs are simply wonderful! The plot drags in the middle."
	scores := analyzeOne(t, "", text, nil)

	if got, want := scores["sound"].Evidence, "The songs are simply wonderful!"; got != want {
		t.Errorf("sound evidence %q, want %q", got, want)
	}
	if got, want := scores["storytelling"].Evidence, "The plot drags in the middle."; got != want {
		t.Errorf("storytelling evidence %q, want %q", got, want)
	}
	if got := scores["visuals"]; got.Score != nil || got.Evidence != "" {
		t.Errorf("visuals = %s %q, want nil score and no evidence", show(got.Score), got.Evidence)
	}
}

func TestAnalyzeOverallRating(t *testing.T) {
	tests := []struct {
		name   string
		title  string
		text   string
		rating *int
		want   *int
	}{
		{"rating only", "", "", stars(1), stars(-2)},
		{"rating ten mixed text", "", "Great songs. The ending is bad.", stars(10), stars(1)},
		{"rating ten glowing text", "A masterpiece", "Wonderful songs and gorgeous animation.", stars(10), stars(2)},
		{"rating eight", "", "", stars(8), stars(1)},
		{"rating five", "", "", stars(5), stars(0)},
		{"rating three", "", "", stars(3), stars(-1)},
		{"text contradicts rating", "Garbage", "Awful, boring and cheap. A disaster.", stars(9), stars(-2)},
		{"text alone positive", "", "A truly wonderful, magical film.", nil, stars(2)},
		{"text alone negative", "", "Boring and forgettable.", nil, stars(-2)},
		{"empty review", "", "", nil, nil},
		{"no opinion", "", "Snow White meets seven dwarfs in the forest.", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := analyzeOne(t, tt.title, tt.text, tt.rating)[store.Overall].Score
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("overall %s, want %s", show(got), show(tt.want))
			}
		})
	}
}

func TestAnalyzeSlots(t *testing.T) {
	results, err := New().Analyze(context.Background(), []analyze.Input{{ReviewID: "a"}, {ReviewID: "b", Text: "Great film."}})
	if err != nil {
		t.Fatalf("Analyze: %v", err)
	}
	if len(results) != 2 {
		t.Fatalf("got %d results, want 2", len(results))
	}

	names := analyze.AspectNames()
	for i, scores := range results {
		if len(scores) != len(names) {
			t.Fatalf("result %d has %d scores, want %d", i, len(scores), len(names))
		}
		for j, s := range scores {
			if s.Aspect != names[j] {
				t.Errorf("result %d slot %d is %q, want %q", i, j, s.Aspect, names[j])
			}
			if s.Score == nil && s.Evidence != "" {
				t.Errorf("result %d %s has evidence %q without a score", i, s.Aspect, s.Evidence)
			}
		}
	}
}

func TestAnalyzeCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()

	_, err := New().Analyze(ctx, []analyze.Input{{ReviewID: "a", Text: "Fine."}})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Analyze error %v, want context.Canceled", err)
	}
}

func TestAnalyzeDeterministic(t *testing.T) {
	input := []analyze.Input{{ReviewID: "a", Title: "Mixed", Text: benchmarkText, Rating: stars(6)}}
	want, err := New().Analyze(context.Background(), input)
	if err != nil {
		t.Fatalf("Analyze: %v", err)
	}

	analyzer := New()
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 20 {
				got, err := analyzer.Analyze(context.Background(), input)
				if err != nil {
					t.Errorf("Analyze: %v", err)
					return
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("results differ between runs:\n%v\n%v", got, want)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestSplitSentences(t *testing.T) {
	text := "Mr. Smith liked it... I rated it 7.5 out of 10!\nThe end? Yes"
	var got []string
	for _, s := range splitSentences(text) {
		got = append(got, s.text)
	}
	want := []string{"Mr. Smith liked it...", "I rated it 7.5 out of 10!", "The end?", "Yes"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("splitSentences = %q, want %q", got, want)
	}
}

func TestTokenize(t *testing.T) {
	var got []string
	for _, tok := range tokenize("Wasn’t it a must-see, Zoë?") {
		got = append(got, tok.word)
	}
	want := []string{"wasnt", "it", "a", "must", "see", ",", "zoë"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("tokenize = %q, want %q", got, want)
	}
}

func TestWordListsParse(t *testing.T) {
	if _, err := parseTables(); err != nil {
		t.Fatalf("parseTables: %v", err)
	}
}

const benchmarkText = `I went in with low expectations, and the first half hour did little to change them. The plot follows the old fairy tale closely but adds a rebel love interest who never feels necessary. The pacing is uneven: the opening drags, the middle rushes through the best moments, and the ending arrives before the characters have earned it.
The acting is a mixed bag. The lead actress sings beautifully and has real warmth, although her dialogue is stiff and the script gives her little to do. The queen is played with far too much camp, and the supporting cast is forgettable.
Visually the film is uneven too. Some of the sets and costumes are gorgeous, yet the CGI dwarfs look cheap and creepy, stuck somewhere in the uncanny valley. The lighting in the forest scenes is muddy.
The music is the highlight: the new songs are catchy, the score is lush, and the sound design in the mirror scenes is genuinely haunting. The message about kindness is sweet but preachy, and the political debate around the film overshadows what it actually says.
It is not a disaster, and it is not a masterpiece. Families will find a pleasant enough evening, but anyone who loves the original will be slightly disappointed.`

func BenchmarkAnalyze(b *testing.B) {
	analyzer := New()
	input := []analyze.Input{{ReviewID: "a", Title: "A mixed bag", Text: benchmarkText, Rating: stars(6)}}
	b.SetBytes(int64(len(benchmarkText)))
	b.ReportMetric(float64(len(strings.Fields(benchmarkText))), "words/op")
	for b.Loop() {
		if _, err := analyzer.Analyze(context.Background(), input); err != nil {
			b.Fatal(err)
		}
	}
}
