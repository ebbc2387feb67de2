package llmtest

import (
	"strings"
)

// keywords mark a mention of the built-in aspects, besides the aspect's own
// name.
var keywords = map[string][]string{
	"storytelling": {"story", "plot", "script", "characters", "pacing"},
	"acting":       {"acting", "performance", "cast", "actor", "actress"},
	"visuals":      {"visual", "cinematography", "effects", "colour", "color", "costumes"},
	"sound":        {"music", "songs", "soundtrack", "score"},
	"themes":       {"message", "theme", "moral"},
}

// DefaultScores returns the valid scores that the server sends when no
// fault changes them. An aspect is scored when the review mentions it, with
// the level of the star rating (0 without stars) and the first sentence
// that mentions it as evidence. Overall is always scored, with the first
// sentence of the text (or the title) as evidence.
func DefaultScores(req Request) []ReviewScores {
	answer := make([]ReviewScores, 0, len(req.Reviews))
	for _, r := range req.Reviews {
		level := starLevel(r.Stars)
		sentences := splitSentences(r.Title + "\n" + r.Text)
		scores := ReviewScores{ID: r.ID}
		for _, name := range req.Aspects {
			if name == overall {
				continue
			}
			score := AspectScore{Name: name, Score: LabelNotMentioned}
			if s, ok := mentioning(sentences, append([]string{name}, keywords[name]...)); ok {
				score.Score, score.Evidence = level, s
			}
			scores.Aspects = append(scores.Aspects, score)
		}
		evidence := firstSentence(r.Text)
		if evidence == "" {
			evidence = r.Title
		}
		scores.Aspects = append(scores.Aspects, AspectScore{Name: overall, Score: level, Evidence: evidence})
		answer = append(answer, scores)
	}
	return answer
}

func starLevel(stars *int) string {
	if stars == nil {
		return "0"
	}
	switch s := *stars; {
	case s <= 2:
		return "-2"
	case s <= 4:
		return "-1"
	case s <= 6:
		return "0"
	case s <= 8:
		return "+1"
	default:
		return "+2"
	}
}

// mentioning returns the first sentence that contains one of words.
func mentioning(sentences []string, words []string) (string, bool) {
	for _, s := range sentences {
		lower := strings.ToLower(s)
		for _, w := range words {
			if strings.Contains(lower, w) {
				return s, true
			}
		}
	}
	return "", false
}

func firstSentence(text string) string {
	sentences := splitSentences(text)
	if len(sentences) == 0 {
		return ""
	}
	return sentences[0]
}

// splitSentences cuts text after full stops, question and exclamation
// marks and at line breaks.
func splitSentences(text string) []string {
	var sentences []string
	start := 0
	flush := func(end int) {
		if s := strings.TrimSpace(text[start:end]); s != "" {
			sentences = append(sentences, s)
		}
		start = end
	}
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '\n':
			flush(i)
		case '.', '!', '?':
			if i+1 == len(text) || text[i+1] == ' ' || text[i+1] == '\n' {
				flush(i + 1)
			}
		}
	}
	flush(len(text))
	return sentences
}
