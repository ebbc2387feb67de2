#!/usr/bin/env bash
# Measures one hourly check cycle of many tracked movies with one worker
# process: the real binary against a replay server on 127.0.0.1, at a
# capped request rate. For each movie count it seeds a fresh database with
# movies whose last complete review pass is recent (so a check reads only the
# title page, as in the steady state), starts `reelpulse serve` with
# REELPULSE_CHECK_INTERVAL=1m, and waits until every movie has been checked.
# Prints one RESULT line per count: cycle time, checks per second, CPU time
# and peak resident memory of the reelpulse process, and requests served.
#
# Usage: scripts/bench-checks.sh [COUNTS [DATABASE [RATE [LATENCY [CHECK_WORKERS]]]]]
#   COUNTS    movie counts, comma-separated (default 1000,5000,10000)
#   DATABASE  postgres (default) or sqlite
#   RATE      REELPULSE_REQUESTS_PER_SECOND (default 40)
#   LATENCY   delay the replay server adds to every response (default 0s)
#   CHECK_WORKERS  REELPULSE_CHECK_WORKERS (default 8, as the binary)
#
# PostgreSQL runs need REELPULSE_TEST_DATABASE_URL, a role that may create
# databases; without it, scripts/test-services.sh starts a local server.
set -euo pipefail
cd "$(dirname "$0")/.."

counts=${1:-1000,5000,10000}
database=${2:-postgres}
rate=${3:-40}
latency=${4:-0s}
check_workers=${5:-8}

if [ "$database" = postgres ] && [ -z "${REELPULSE_TEST_DATABASE_URL:-}" ]; then
  echo "REELPULSE_TEST_DATABASE_URL is not set; starting PostgreSQL with scripts/test-services.sh" >&2
  bash scripts/test-services.sh
  export REELPULSE_TEST_DATABASE_URL='postgres://reelpulse:reelpulse@127.0.0.1:5432/postgres?sslmode=disable'
fi

export REELPULSE_BENCH_CHECKS="$counts"
export REELPULSE_BENCH_DB="$database"
export REELPULSE_BENCH_RATE="$rate"
export REELPULSE_BENCH_LATENCY="$latency"
export REELPULSE_BENCH_CHECK_WORKERS="$check_workers"

echo "machine: $(nproc) CPUs, $(go version)" >&2
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# The full output goes to stderr when the test ends, the summary lines to stdout.
if ! go test -count 1 -timeout 3h -run '^TestCheckCycleBenchmark$' -v ./cmd/reelpulse/ > "$log" 2>&1; then
  cat "$log" >&2
  echo "benchmark failed" >&2
  exit 1
fi
cat "$log" >&2
grep -oE '(RESULT|ROWS|TABLE) .*' "$log"
