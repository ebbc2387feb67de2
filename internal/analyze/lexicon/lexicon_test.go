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
	results, err := analyzeAll(New(), []analyze.Input{{ReviewID: "rw1", Title: title, Text: text, Rating: rating}})
	if err != nil {
		t.Fatalf("Analyze: %v", err)
	}
	scores := map[string]store.AspectScore{}
	for _, s := range results[0].Aspects {
		scores[s.Aspect] = s
	}
	return scores
}

// analyzeAll runs analyzer over inputs and returns the results that it
// saves, in the order saved.
func analyzeAll(analyzer *Analyzer, inputs []analyze.Input) ([]analyze.Result, error) {
	var results []analyze.Result
	err := analyzer.Analyze(context.Background(), inputs, func(batch []analyze.Result) error {
		results = append(results, batch...)
		return nil
	})
	return results, err
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
		{"like as a comparison", "The CGI looks like it belongs in a video game.", "visuals", absent},
		{"if not does not negate", "The script is among the weakest, if not the worst, of the year.", "storytelling", negative},
		{"scare quotes", `Such "stunning" visuals.`, "visuals", negative},
		{"long quotation is not irony", `The song "Whistle While You Work" is wonderful.`, "sound", positive},
		{"negated comparison is praise", "The cast couldn't have done a better job.", "acting", positive},
		{"so-called", "A so-called masterpiece of a script.", "storytelling", negative},
		{"unmet expectation", "The songs could have been better.", "sound", negative},
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

func TestAnalyzeOverallEvidenceWithoutOpinions(t *testing.T) {
	got := analyzeOne(t, "Saw it today", "Snow White meets seven dwarfs in the forest.", stars(7))[store.Overall]
	if got.Score == nil || got.Evidence != "Saw it today" {
		t.Errorf("overall %s with evidence %q, want a score with the title as evidence", show(got.Score), got.Evidence)
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
		{"rating ten short praise", "", "Still the best of its kind.", stars(10), stars(2)},
		{"rating nine dark praise", "", "So creepy and bleak, a terrifying film.", stars(9), stars(2)}, // no opinion word counts, so the stars decide
		{"rating eight", "", "", stars(8), stars(1)},
		{"rating five", "", "", stars(5), stars(0)},
		{"rating three", "", "", stars(3), stars(-1)},
		{"one star strong wording", "", "Awful. A total waste of time and the songs were forgettable.", stars(1), stars(-2)},
		{"one star hedged", "", "The songs are quite nice, though the story is somewhat dull and ultimately a little awful.", stars(1), stars(-1)},
		{"two stars mild wording", "", "The story was dull and the songs were forgettable.", stars(2), stars(-1)},
		{"two stars strong wording", "", "Terrible acting, awful songs, a disaster.", stars(2), stars(-2)},
		{"ten stars hedged", "", "Overall a lovely film, though somewhat long, and the songs are rather quaint.", stars(10), stars(1)},
		{"five stars positive text", "", "Lovely songs and a charming, wonderful cast.", stars(5), stars(1)},
		{"six stars negative text", "", "Dull, boring and far too long.", stars(6), stars(-1)},
		{"four stars positive text", "", "Lovely songs and a charming, wonderful cast.", stars(4), stars(1)},
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

// TestAnalyzeDemoReviews holds reviews of a silent horror film, written for
// the project's example data, that earlier rules scored visibly wrong.
func TestAnalyzeDemoReviews(t *testing.T) {
	tests := []struct {
		name   string
		title  string
		text   string
		rating *int
		aspect string
		want   direction
	}{
		{
			"restoration praised after bad copy", "Watch the restored version",
			"The first time I saw this it was a muddy public-domain copy running at the wrong speed with random classical music on top, and I thought it was a bore. The restored version is a different film. The tinting is back, the image is sharp enough to see the texture of the castle walls, and the reconstruction of the original score gives the scenes the rhythm they were cut to. If you only know the bad copies, give it another chance.",
			stars(8), store.Overall, positive,
		},
		// Since 0.4.0 the sound of the restored version above scores -1,
		// from the criticism around "music" in its first sentence.
		{
			"admiring a bleak ending", "That ending",
			"I did not expect the ending to be so bleak: Ellen keeps Orlok with her through the night so that the first sunlight destroys him, and she dies for it. No rescue, no hero arriving in time. It turns the whole film into a story about death that cannot be defeated, only paid for.",
			stars(9), store.Overall, positive,
		},
		{
			"bleak ending is praise", "That ending",
			"I did not expect the ending to be so bleak: the first sunlight destroys him, and she dies for it.",
			stars(9), "storytelling", positive,
		},
		{
			"dark words follow a low rating", "",
			"Not scary at all. The vampire looks silly.",
			stars(1), "visuals", negative,
		},
		{
			"explicit criticism beats a good rating", "Good, but the story is rough",
			"The atmosphere is excellent and Schreck is iconic, but the storytelling is rough.",
			stars(7), "storytelling", negative,
		},
		{
			"story falls apart", "Strong start, weak finish",
			"The first half in the castle is superb, but after the ship arrives the story falls apart.",
			stars(6), "storytelling", negative,
		},
		{
			"ampersand list reaches visuals", "",
			"The shadows, the tinting & the score all serve that one idea.",
			stars(9), "visuals", positive,
		},
		{
			"ampersand list reaches sound", "",
			"The shadows, the tinting & the score all serve that one idea.",
			stars(9), "sound", positive,
		},
		{
			"unrated review keeps sound opinion", "Notes after a film club screening",
			"Most of the group found the pacing slow but agreed the images stayed with them. Nobody liked the piano accompaniment on the copy we used.",
			nil, "sound", negative,
		},
		{
			"unrated review keeps pacing opinion", "Notes after a film club screening",
			"Most of the group found the pacing slow but agreed the images stayed with them. Nobody liked the piano accompaniment on the copy we used.",
			nil, "storytelling", negative,
		},
		{
			"theme of plague and fear", "Plague, fear and rats",
			"A film about fear more than about monsters. Orlok brings the plague, and death moves from house to house.",
			stars(9), "themes", positive,
		},
		{
			"theme of sacrifice", "Ellen is the real hero",
			"It is a bleak ending that makes sacrifice the whole point of the story.",
			stars(9), "themes", positive,
		},
		{
			"theme of an era", "",
			"Made only a few years after the war, it must have hit its first audiences hard. Its fear of disease still resonates.",
			stars(10), "themes", positive,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := analyzeOne(t, tt.title, tt.text, tt.rating)[tt.aspect]
			if d := directionOf(got.Score); d != tt.want {
				t.Errorf("%s score %s (evidence %q), want direction %d", tt.aspect, show(got.Score), got.Evidence, tt.want)
			}
		})
	}
}

func TestAnalyzeEnthusiasticTenStars(t *testing.T) {
	text := "Watched it on its hundredth anniversary with a new orchestral score in a packed cinema. Nothing I have seen this year looks as good. The compositions, the shadows, the use of real ruins and narrow streets: every frame could hang on a wall."
	got := analyzeOne(t, "A hundred years old today", text, stars(10))[store.Overall].Score
	if got == nil || *got != 2 {
		t.Errorf("overall %s, want 2", show(got))
	}
}

func TestAnalyzeEvidenceAvoidsOtherAspects(t *testing.T) {
	text := "The tinted restoration, amber for the day scenes and blue for the night, gives every shot a mood, and the sets look like woodcuts. But I won't pretend the pacing is easy for a modern audience."
	got := analyzeOne(t, "", text, stars(8))["storytelling"]
	if want := "But I won't pretend the pacing is easy for a modern audience."; got.Evidence != want {
		t.Errorf("storytelling evidence %q, want %q", got.Evidence, want)
	}
}

func TestAnalyzeSlots(t *testing.T) {
	results, err := analyzeAll(New(), []analyze.Input{{ReviewID: "a"}, {ReviewID: "b", Text: "Great film."}})
	if err != nil {
		t.Fatalf("Analyze: %v", err)
	}
	if len(results) != 2 {
		t.Fatalf("got %d results, want 2", len(results))
	}

	names := analyze.AspectNames()
	for i, result := range results {
		if want := []string{"a", "b"}[i]; result.ReviewID != want || result.Failure != "" {
			t.Errorf("result %d is %q with failure %q, want %q without failure", i, result.ReviewID, result.Failure, want)
		}
		scores := result.Aspects
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

	saved := 0
	err := New().Analyze(ctx, []analyze.Input{{ReviewID: "a", Text: "Fine."}}, func(results []analyze.Result) error {
		saved += len(results)
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Analyze error %v, want context.Canceled", err)
	}
	if saved != 0 {
		t.Errorf("saved %d results after cancellation, want 0", saved)
	}
}

func TestAnalyzeDeterministic(t *testing.T) {
	input := []analyze.Input{{ReviewID: "a", Title: "Mixed", Text: benchmarkText, Rating: stars(6)}}
	want, err := analyzeAll(New(), input)
	if err != nil {
		t.Fatalf("Analyze: %v", err)
	}

	analyzer := New()
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 20 {
				got, err := analyzeAll(analyzer, input)
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
	for _, tok := range tokenize("Wasn’t it a must-see, Zoë? Sound&vision") {
		got = append(got, tok.word)
	}
	want := []string{"wasnt", "it", "a", "must", "see", ",", "zoë", "sound", "and", "vision"}
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
		if err := analyzer.Analyze(context.Background(), input, discard); err != nil {
			b.Fatal(err)
		}
	}
}

// discard is a save function that keeps nothing.
func discard([]analyze.Result) error { return nil }
