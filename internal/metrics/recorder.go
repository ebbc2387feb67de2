package metrics

// Recorder counts the reviews that review passes and analyses handle.
// *Metrics implements it, and so does Nop, which counts nothing. After a
// review pass, call ReviewsFetched and ReviewsStored with the figures of
// its sync.Result. After an analysis, call ReviewsAnalyzed with those of
// its analyze.Progress, also when it stopped with an error.
type Recorder interface {
	// ReviewsFetched counts n reviews read from IMDb by a review pass.
	ReviewsFetched(n int)
	// ReviewsStored counts the new, edited and deleted reviews that a
	// review pass stored.
	ReviewsStored(added, edited, deleted int)
	// ReviewsAnalyzed counts the reviews an analyzer scored (ok) or marked
	// failed.
	ReviewsAnalyzed(analyzer string, ok, failed int)
}

// Nop is a Recorder that counts nothing.
type Nop struct{}

// ReviewsFetched does nothing.
func (Nop) ReviewsFetched(int) {}

// ReviewsStored does nothing.
func (Nop) ReviewsStored(int, int, int) {}

// ReviewsAnalyzed does nothing.
func (Nop) ReviewsAnalyzed(string, int, int) {}

var (
	_ Recorder = (*Metrics)(nil)
	_ Recorder = Nop{}
)
