package sync

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	gosync "sync"
	"testing"
	"time"

	"github.com/reelpulse/reelpulse/internal/fetch"
	"github.com/reelpulse/reelpulse/internal/imdb"
	"github.com/reelpulse/reelpulse/internal/replay"
	"github.com/reelpulse/reelpulse/internal/store/sqlite"
)

// BenchmarkSyncGenerated runs a full first pass over a generated movie of
// 2,000 reviews on the replay server with 50 ms added to every response,
// through the real IMDb client and a SQLite store. It reports the peak Go
// heap seen during the pass.
func BenchmarkSyncGenerated(b *testing.B) {
	const reviews = 2000
	site := replay.NewSite()
	movie := replay.Synthetic("tt9000001", reviews, 1)
	site.AddMovie(movie)
	server := httptest.NewServer(replay.NewServer(site, replay.Options{Latency: 50 * time.Millisecond}))
	defer server.Close()

	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	fetchCfg := fetch.DefaultConfig()
	fetchCfg.RequestsPerSecond = 100
	fetchCfg.AllowedPrivateHosts = []string{"127.0.0.1"}
	client := imdb.NewClient(fetch.New(fetchCfg, logger), imdb.Config{BaseURL: server.URL, GraphQLURL: server.URL + "/graphql"})

	var peak uint64
	for b.Loop() {
		b.StopTimer()
		ctx := context.Background()
		st, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "bench.db"), logger)
		if err != nil {
			b.Fatal(err)
		}
		if err := st.Migrate(ctx); err != nil {
			b.Fatal(err)
		}
		if _, err := st.TrackMovie(ctx, movie.ID, time.Now()); err != nil {
			b.Fatal(err)
		}
		syncer := New(client, st, logger, nil)
		runtime.GC()
		stop := watchHeap(&peak)
		b.StartTimer()

		res, err := syncer.Sync(ctx, movie.ID, nil)

		b.StopTimer()
		stop()
		if err != nil {
			b.Fatal(err)
		}
		if res.New != reviews {
			b.Fatalf("stored %d new reviews, want %d", res.New, reviews)
		}
		st.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}

// watchHeap samples the live heap every 5 ms and keeps the maximum in peak
// until the returned function is called.
func watchHeap(peak *uint64) (stop func()) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	done := make(chan struct{})
	var wg gosync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(sample)
			*peak = max(*peak, sample[0].Value.Uint64())
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func() {
		close(done)
		wg.Wait()
	}
}
