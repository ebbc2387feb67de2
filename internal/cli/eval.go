package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/reelpulse/reelpulse/internal/analyze"
	"github.com/reelpulse/reelpulse/internal/analyze/eval"
	"github.com/reelpulse/reelpulse/internal/analyze/lexicon"
)

func runEval(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "eval", "--labels FILE [--analyzer NAME] [--json]",
		"Score labelled reviews with an analyzer and print how far it agrees with the labels:\n"+
			"overall polarity and exact agreement, aspect mention precision, recall and F1,\n"+
			"aspect polarity agreement, and the overall confusion matrix. FILE holds one JSON\n"+
			"object per line with title, text, rating and labels (storytelling, acting, visuals,\n"+
			"sound, themes, overall: -2..2 or null). Needs no database. A language model\n"+
			"analyzer reads its key, model and limits from the usual settings; its calls\n"+
			"are not recorded, and reviews it could not score are counted apart.")
	labels := fs.String("labels", "", "labelled reviews to score, a JSON Lines `FILE` (required)")
	analyzerName := fs.String("analyzer", "offline", "analyzer to evaluate, by `NAME`; one of: "+strings.Join(analyzerNames, ", "))
	asJSON := fs.Bool("json", false, "print the figures as one JSON object instead of tables")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *labels == "" || fs.NArg() > 0 {
		fmt.Fprintln(env.stderr, "reelpulse eval: give the labelled reviews with --labels FILE and no other arguments")
		fs.Usage()
		return errUsage
	}

	if err := checkAnalyzerName(*analyzerName); err != nil {
		return err
	}
	analyzer, err := evalAnalyzer(env, *analyzerName)
	if err != nil {
		return err
	}
	examples, err := readLabelFile(*labels)
	if err != nil {
		return err
	}
	report, err := eval.Evaluate(ctx, analyzer, examples)
	if err != nil {
		return err
	}

	if *asJSON {
		encoder := json.NewEncoder(env.stdout)
		encoder.SetIndent("", "  ")
		return encoder.Encode(report)
	}
	return report.WriteTable(env.stdout)
}

// evalAnalyzer builds the analyzer called name without opening the
// database. The offline analyzer needs no settings at all, so a broken
// setting elsewhere does not stop its evaluation.
func evalAnalyzer(env *environment, name string) (analyze.Analyzer, error) {
	if name == "offline" || name == "lexicon" {
		return lexicon.New(), nil
	}
	if !slices.Contains(analyzerNames, name) {
		return nil, fmt.Errorf("unknown analyzer %q; use --analyzer with one of: %s", name, strings.Join(analyzerNames, ", "))
	}
	lookup, err := envLookup()
	if err != nil {
		return nil, err
	}
	cfg, err := loadConfig(lookup)
	if err != nil {
		return nil, err
	}
	aspects, err := analyze.LoadAspects(cfg.AspectsFile)
	if err != nil {
		return nil, err
	}
	// Without a database there is no spend to compare with a budget.
	cfg.LLM.DailyBudgetUSD = 0
	return buildAnalyzer(name, cfg, aspects, nil, newLogger(cfg, env))
}

func readLabelFile(path string) ([]eval.Example, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open labels: %w", err)
	}
	defer f.Close()

	examples, err := eval.ReadLabels(f)
	if err != nil {
		return nil, fmt.Errorf("read labels %s: %w", path, err)
	}
	if len(examples) == 0 {
		return nil, errors.New("no labelled reviews in " + path + "; give a file with one JSON object per line")
	}
	return examples, nil
}
