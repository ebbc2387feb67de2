#!/usr/bin/env bash
# Runs every test against real services: starts PostgreSQL and installs
# Chromium through scripts/test-services.sh unless REELPULSE_TEST_DATABASE_URL
# is already set, then runs the Go tests with the race detector.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ -z "${REELPULSE_TEST_DATABASE_URL:-}" ]]; then
  eval "$(scripts/test-services.sh)"
fi
export REELPULSE_TEST_DATABASE_URL

go test -race -count=1 -timeout 20m "$@" ./...
