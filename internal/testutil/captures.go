package testutil

import (
	"os"
	"path/filepath"
	"testing"
)

// captureLayout maps the real IMDb captures to the folder layout that
// replay.LoadDir reads: the reviews page and GraphQL pages 1, 4 and 103 of
// tt33014583 (chained by cursor), and the title page of tt0111161.
var captureLayout = map[string]string{
	"reviews-next-ssr-tt33014583.html":             "tt33014583/reviews.html",
	"graphql-reviews-tt33014583-page001.json":      "tt33014583/graphql/page001.json",
	"graphql-reviews-tt33014583-page004.json":      "tt33014583/graphql/page004.json",
	"graphql-reviews-tt33014583-page103-last.json": "tt33014583/graphql/page103.json",
	"title-next-tt0111161.html":                    "tt0111161/title.html",
}

// CaptureReplayDir links the real IMDb captures into a temporary folder in
// the replay server's layout and returns it with the captures folder. It
// skips the test when the captures are absent, as SharedDir does.
func CaptureReplayDir(t testing.TB) (dir, samples string) {
	t.Helper()
	samples = SharedDir(t, "imdb-samples")
	dir = t.TempDir()
	for from, to := range captureLayout {
		target := filepath.Join(dir, to)
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(filepath.Join(samples, from), target); err != nil {
			t.Fatal(err)
		}
	}
	return dir, samples
}
