package llm_test

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/reelpulse/reelpulse/internal/analyze"
	"github.com/reelpulse/reelpulse/internal/analyze/llm"
	"github.com/reelpulse/reelpulse/internal/analyze/llm/llmtest"
)

// Example scores one review with a local OpenAI-compatible server. Here
// the loopback server of llmtest replaces Ollama.
func Example() {
	srv := llmtest.Start()
	defer srv.Close()

	a, err := llm.New(llm.Config{
		Flavour: llm.FlavourOpenAICompatible,
		BaseURL: srv.URL, // such as http://127.0.0.1:11434/v1/ for Ollama
		Model:   "llama3.1:8b",
		Logger:  slog.New(slog.DiscardHandler),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	stars := 8
	review := analyze.Input{
		ReviewID: "rw1", MovieID: "tt0000001", Title: "Lovely", Rating: &stars,
		Text: "The story drags a little. The songs are wonderful.",
	}

	save := func(results []analyze.Result) error {
		for _, r := range results {
			for _, s := range r.Aspects {
				if s.Score == nil {
					fmt.Printf("%s: not mentioned\n", s.Aspect)
					continue
				}
				fmt.Printf("%s: %+d %q\n", s.Aspect, *s.Score, s.Evidence)
			}
		}
		return nil
	}
	if err := a.Analyze(context.Background(), []analyze.Input{review}, save); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(a.Name(), a.Version())
	// Output:
	// storytelling: +1 "The story drags a little."
	// acting: not mentioned
	// visuals: not mentioned
	// sound: +1 "The songs are wonderful."
	// themes: not mentioned
	// overall: +1 "The story drags a little."
	// openai-compatible llama3.1:8b/p1
}
