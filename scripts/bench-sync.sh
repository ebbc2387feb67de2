#!/usr/bin/env bash
# Measures a full first sync of a generated movie through the real binary:
# `reelpulse replay` serves a movie of N reviews with LATENCY added to every
# response, and `reelpulse sync` scrapes it into a fresh SQLite database.
# Prints the wall time, the peak resident memory of the sync process (from
# GNU time) and the number of requests the replay server served.
#
# Usage: scripts/bench-sync.sh [REVIEWS [LATENCY [REQUESTS_PER_SECOND]]]
set -euo pipefail
cd "$(dirname "$0")/.."

reviews=${1:-2000}
latency=${2:-50ms}
rate=${3:-100}
port=${BENCH_PORT:-18765}

work=$(mktemp -d)
trap 'kill "${replay_pid:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT

go build -o "$work/reelpulse" ./cmd/reelpulse
"$work/reelpulse" replay --addr "127.0.0.1:$port" --synthetic "$reviews" --latency "$latency" > "$work/replay.log" 2>&1 &
replay_pid=$!
for _ in $(seq 1 50); do
  grep -q "replay server on" "$work/replay.log" && break
  sleep 0.1
done

export DATABASE_URL="$work/bench.db"
export REELPULSE_IMDB_BASE_URL="http://127.0.0.1:$port"
export REELPULSE_IMDB_GRAPHQL_URL="http://127.0.0.1:$port/graphql"
export REELPULSE_REQUESTS_PER_SECOND="$rate"
export REELPULSE_BROWSER=never
export REELPULSE_LOG_LEVEL=warn

"$work/reelpulse" track add tt9000001 > /dev/null
/usr/bin/time -v "$work/reelpulse" sync tt9000001 > "$work/sync.log" 2> "$work/time.log" || {
  cat "$work/sync.log" "$work/time.log"
  exit 1
}

kill -INT "$replay_pid"
wait "$replay_pid" 2>/dev/null || true

echo "reviews:              $reviews"
echo "latency per response: $latency"
echo "requests per second:  $rate"
grep -E "Elapsed \(wall clock\)" "$work/time.log" | sed 's/^\s*/wall time: /'
grep -E "Maximum resident set size" "$work/time.log" | sed 's/^\s*/peak RSS: /'
grep -E "served [0-9]+ requests" "$work/replay.log" | sed 's/^/replay server: /'
tail -n 3 "$work/sync.log"
