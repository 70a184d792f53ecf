# otelcol-llm: build, run, test, bench, lint.
# `make run` and `make test` do all set-up themselves on a fresh machine with Go installed.

GO        ?= go
GOBIN     ?= $(shell $(GO) env GOPATH)/bin
OCB_VERSION := v0.165.0
OCB       := $(GOBIN)/builder
BIN       := bin
# Every Go source of the repository except the generated distribution.
GO_SOURCES := $(shell find . -name '*.go' -not -path './_build/*' -not -path './node_modules/*') go.mod go.sum

.PHONY: all build run test test-deps test-unit test-e2e bench lint fuzz clean

all: build

$(OCB):
	$(GO) install go.opentelemetry.io/collector/cmd/builder@$(OCB_VERSION)

# OCB generates ./_build (main.go, go.mod with a replace to this module); we compile it
# with the same flags as `go test`, so that the distribution reuses the build cache of
# the tests instead of compiling every dependency a second time (OCB's own compile step
# uses -trimpath, which keys the cache differently). flock serialises concurrent builds.
$(BIN)/otelcol-llm: builder-config.yaml $(GO_SOURCES) | $(OCB)
	@mkdir -p $(BIN)
	flock .build.lock sh -c '$(OCB) --config builder-config.yaml --skip-compilation && \
	  cd _build && $(GO) build -ldflags="-s -w" -o ../$@ .' 

$(BIN)/llmctl: $(GO_SOURCES)
	@mkdir -p $(BIN)
	$(GO) build -o $@ ./cmd/llmctl

build: $(BIN)/otelcol-llm $(BIN)/llmctl

# Runs the distribution on the embedded quickstart config: OTLP on localhost:4317/4318,
# the llm processor, and the debug exporter printing every normalized, priced span.
run: build
	$(BIN)/otelcol-llm --config examples/quickstart/config.yaml

# The real peers of the end-to-end tests, from Debian's packages: Prometheus scrapes us,
# Alertmanager receives our alerts, Chromium renders the web UI. Installed when missing
# and apt-get can run (as root, or with sudo); otherwise those tests are skipped locally
# and fail in CI (CI=true), where .ci/run installs them.
E2E_PEERS := prometheus prometheus-alertmanager chromium
test-deps:
	@missing=""; for b in $(E2E_PEERS); do command -v $$b >/dev/null || missing="$$missing $$b"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO=sudo; else \
	    echo "missing:$$missing (install them with apt-get to run every end-to-end test)"; exit 0; fi; \
	  echo "installing:$$missing"; \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends$$missing >/dev/null; \
	fi

# Every test: unit, golden, fuzz seeds, benchmarks compile, and the end-to-end tests that
# run the built distribution against real peers.
test: lint test-deps build
	$(GO) test -count=1 -timeout 20m ./...

test-unit:
	$(GO) test -count=1 $$($(GO) list ./... | grep -v /e2e)

test-e2e: test-deps build
	$(GO) test -count=1 -timeout 20m ./e2e/...

bench:
	$(GO) test -run='^$$' -bench=. -benchmem -timeout 60m ./...

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

# Short fuzzing of every fuzz target (FUZZTIME per target).
FUZZTIME ?= 20s
fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "== $$pkg $$f"; $(GO) test -run='^$$' -fuzz="^$$f$$" -fuzztime=$(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

clean:
	rm -rf $(BIN) _build .build.lock
