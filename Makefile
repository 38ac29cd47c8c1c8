# jobpulse — the two commands a new user needs are `make run` and `make test`.
GO      ?= go
GOFILES := $(shell find . -name '*.go' -not -path './data/*' -not -path './node_modules/*')

.PHONY: run test bench lint sqlcheck build clean

## run: run the pipeline on the embedded defaults (./data, demo source without keys)
run:
	$(GO) run ./cmd/jobpulse run

## test: lint, the BigQuery syntax check, then every test with the race detector
test: lint sqlcheck
	$(GO) test -race -count=1 ./...
	@$(GO) test -count=1 -run 'Eval' -v ./internal/skills/ | grep -E '^(skills|roles) eval:'

## bench: the Go benchmarks, then jobpulse-monitor beside node_exporter (figures go to docs/benchmarks.md)
bench:
	$(GO) test -run='^$$' -bench=. -benchmem -count=1 ./...
	$(MAKE) bench-monitor

## lint: gofmt and go vet
lint:
	@out=$$(gofmt -l $(GOFILES)); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

## sqlcheck: parse the golden BigQuery SQL offline with sql-parser-cst (node/npm; CI tool, not shipped)
sqlcheck:
	cd tools/sqlcheck && npm ci --no-audit --no-fund && node check.mjs ../../internal/models/testdata/golden/bigquery

## build: build the binaries into ./bin: jobpulse (the CLI, also the monitor's probe) and jobpulse-monitor (the agent; install both together)
build:
	$(GO) build -o bin/ ./cmd/jobpulse
	CGO_ENABLED=0 $(GO) build -o bin/jobpulse-monitor ./cmd/jobpulse-monitor

## clean: remove build output (not ./data)
clean:
	rm -rf bin

## lint-terraform: tflint (bundled Terraform ruleset, infra/terraform/.tflint.hcl) built from tools/tflint's own go.mod; not part of make test
.PHONY: lint-terraform
lint-terraform:
	cd tools/tflint && $(GO) tool tflint --chdir=../../infra/terraform --format=compact

## bench-monitor: jobpulse-monitor beside Debian's prometheus-node-exporter, both scraped every 15 s for 20 ticks (~5.5 min; installs the package with apt-get when root and it is missing); the table goes to docs/benchmarks.md. Quick look without touching the docs: make bench-monitor ARGS='-interval 1s -ticks 30'
.PHONY: bench-monitor
bench-monitor: ARGS ?= -interval 15s -ticks 20 -doc docs/benchmarks.md
bench-monitor:
	CGO_ENABLED=0 $(GO) build -o bin/jobpulse-monitor ./cmd/jobpulse-monitor
	$(GO) run ./tools/monitorbench -agent bin/jobpulse-monitor $(ARGS)
