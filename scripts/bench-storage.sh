#!/usr/bin/env bash
# Measures the database space that stored reviews take: `reelpulse serve`
# scrapes and analyzes generated movies from a replay server on 127.0.0.1
# into a fresh database, and the growth of the database is divided by the
# number of reviews. Prints one RESULT line per database (bytes per review,
# row counts) and the largest tables.
#
# Usage: scripts/bench-storage.sh [MOVIESxREVIEWS [DATABASES]]
#   MOVIESxREVIEWS  generated movies and reviews per movie (default 100x500)
#   DATABASES       postgres, sqlite or both (default both)
#
# PostgreSQL runs need REELPULSE_TEST_DATABASE_URL, a role that may create
# databases; without it, scripts/test-services.sh starts a local server.
set -euo pipefail
cd "$(dirname "$0")/.."

spec=${1:-100x500}
databases=${2:-both}
[ "$databases" = both ] && databases="postgres sqlite"

if [[ " $databases " == *" postgres "* ]] && [ -z "${REELPULSE_TEST_DATABASE_URL:-}" ]; then
  echo "REELPULSE_TEST_DATABASE_URL is not set; starting PostgreSQL with scripts/test-services.sh" >&2
  bash scripts/test-services.sh
  export REELPULSE_TEST_DATABASE_URL='postgres://reelpulse:reelpulse@127.0.0.1:5432/postgres?sslmode=disable'
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
for database in $databases; do
  if ! REELPULSE_BENCH_STORAGE="$spec" REELPULSE_BENCH_DB="$database" \
    go test -count 1 -timeout 2h -run '^TestStorageFootprint$' -v ./cmd/reelpulse/ > "$log" 2>&1; then
    cat "$log" >&2
    echo "benchmark on $database failed" >&2
    exit 1
  fi
  cat "$log" >&2
  grep -oE '(RESULT|TABLE) .*' "$log"
done
