package eval

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/reelpulse/reelpulse/internal/analyze"
)

// WriteTable writes the report as aligned plain-text tables.
func (r Report) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	r.writeSummary(tw)
	fmt.Fprintln(tw)
	r.writeAspects(tw)
	fmt.Fprintln(tw)
	r.writeConfusion(tw)
	return tw.Flush()
}

func (r Report) writeSummary(w io.Writer) {
	both := 0
	for _, a := range r.PerAspect {
		both += a.TruePositives
	}
	fmt.Fprintf(w, "%s %s on %d labelled reviews\n", r.Analyzer, r.Version, r.Reviews)
	fmt.Fprintf(w, "Overall polarity agreement\t%s\n", percent(r.OverallPolarityAgreement))
	fmt.Fprintf(w, "Overall exact agreement\t%s\n", percent(r.OverallExactAgreement))
	fmt.Fprintf(w, "Aspect mention micro-F1\t%.3f\n", r.AspectMentionMicroF1)
	fmt.Fprintf(w, "Aspect polarity agreement (%d both mention)\t%s\n", both, percent(r.AspectPolarityAgreement))
	fmt.Fprintf(w, "Aspect exact agreement\t%s\n", percent(r.AspectExactAgreement))
}

func (r Report) writeAspects(w io.Writer) {
	fmt.Fprintln(w, "Aspect\tPrecision\tRecall\tF1\tPolarity\tExact\tTP\tFP\tFN")
	for _, aspect := range analyze.Aspects {
		a, ok := r.PerAspect[aspect.Name]
		if !ok {
			continue
		}
		fmt.Fprintf(w, "%s\t%.3f\t%.3f\t%.3f\t%s\t%s\t%d\t%d\t%d\n", aspect.Name,
			a.Precision, a.Recall, a.F1, percent(a.PolarityAgreement), percent(a.ExactAgreement),
			a.TruePositives, a.FalsePositives, a.FalseNegatives)
	}
}

func (r Report) writeConfusion(w io.Writer) {
	fmt.Fprint(w, "Overall: labelled \\ predicted")
	for _, name := range ConfusionLevels {
		fmt.Fprintf(w, "\t%s", name)
	}
	fmt.Fprintln(w)
	for row, counts := range r.OverallConfusion {
		fmt.Fprint(w, ConfusionLevels[row])
		for _, n := range counts {
			fmt.Fprintf(w, "\t%d", n)
		}
		fmt.Fprintln(w)
	}
}

func percent(fraction float64) string {
	return fmt.Sprintf("%.1f %%", 100*fraction)
}
