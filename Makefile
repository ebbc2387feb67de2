# Targets for building, testing and running reelpulse. `make help` lists them.

BINARY  := bin/reelpulse
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X github.com/reelpulse/reelpulse/internal/cli.Version=$(VERSION)
GOLANGCI_LINT_VERSION := v2.15.0

.PHONY: help build test lint bench bench-pages scale run demo clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  %-11s %s\n", $$1, $$2}'

build: ## Build bin/reelpulse
	CGO_ENABLED=0 go build -trimpath -ldflags '$(LDFLAGS)' -o $(BINARY) ./cmd/reelpulse

test: ## Run every test against real PostgreSQL and Chromium (installs and starts them)
	scripts/test.sh

lint: ## Run gofmt, go vet and golangci-lint
	@test -z "$$(gofmt -l .)" || { echo "gofmt needed on:"; gofmt -l .; exit 1; }
	go vet ./...
	go run github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION) run ./...

bench: ## Run the benchmarks recorded in docs/benchmarks.md
	go test -run '^$$' -bench . -benchmem ./internal/imdb/ ./internal/sync/ ./internal/analyze/...

bench-pages: ## Measure p50/p95 server time of the pages and API calls with 100,000 reviews (SQLite and PostgreSQL)
	go test -run '^$$' -bench Pages -benchtime 200x -timeout 60m ./internal/perf/

scale: ## Run the scale benchmarks: 10,000-movie check cycle and database size per review
	scripts/bench-checks.sh && scripts/bench-storage.sh

run: demo ## Same as demo

demo: build ## Run the scheduler and dashboard on SQLite with the bundled example data
	$(BINARY) demo

clean: ## Remove build output and the demo database
	rm -rf bin reelpulse-demo.db reelpulse-demo.db-wal reelpulse-demo.db-shm reelpulse-demo.db.lock
