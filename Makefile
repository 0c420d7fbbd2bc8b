# Casefile — build, record, test, bench. Every target installs what it needs (Debian 12, as root).
#
#   sudo make record      set up, build, record this host into ./casefile.db (Ctrl-C stops)
#   sudo make test        set up (incl. dockerd, containerd+CRI, podman), build, run all tests
#   make unit             build and run the unit tests only (no root, in parallel, seconds)
#   sudo make bench       the figures in BENCHMARKS.md

SWIFT ?= swift
DB ?= ./casefile.db
DEB_PACKAGES = libbpf-dev libelf-dev zlib1g-dev libsqlite3-dev sqlite3 pkg-config
# What only the tests need: headless Chromium renders the HTML report (ReportRenderingTests).
TEST_PACKAGES = chromium

.PHONY: all deps test-deps build release record test unit runtimes protos-check bench bench-memory bench-bpf clean

all: build

# Installs missing Debian packages (idempotent: nothing happens when all are present).
deps:
	@command -v $(SWIFT) >/dev/null || { echo "make: swift not found: Casefile needs a Swift 6 toolchain on PATH (e.g. /opt/swift/usr/bin)"; exit 1; }
	@missing=$$(for p in $(DEB_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "make: installing $$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

build: deps
	$(SWIFT) build

# Only the product: the tests' support library and the bench are not part of it.
release: deps
	$(SWIFT) build -c release --product casefile

record: release
	./.build/release/casefile record --db $(DB)

test-deps:
	@missing=$$(for p in $(TEST_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "make: installing $$missing (for the tests)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

# Container runtimes the tests use: dockerd, containerd with CRI, podman (see scripts/runtimes.sh).
runtimes:
	bash scripts/runtimes.sh all

# Unit tests in parallel; integration tests one at a time: every recorder sees the whole host, so
# recordings running at once would only add noise to each other.
test: deps runtimes test-deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --filter CasefileUnitTests
	$(SWIFT) test --skip-build --no-parallel --filter CasefileIntegrationTests

unit: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --filter CasefileUnitTests

# Is Sources/CasefileRuntimeAPI/Generated what proto/ generates? (needs protobuf-compiler, libprotobuf-dev)
protos-check: deps
	@for p in protobuf-compiler libprotobuf-dev; do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; fi
	bash scripts/generate-protos.sh --check

# Everything side by side in one run (~15 min): peers (bpftrace, auditd, the floor in bench/),
# ingest against raw SQLite, bytes per event, queries on a generated 10 M-event file, enrichment.
# BENCH_ARGS passes options, e.g. BENCH_ARGS="--only storms".
bench: release runtimes
	bash scripts/bench-tools.sh
	$(SWIFT) build -c release --product casefile-bench
	./.build/release/casefile-bench $(BENCH_ARGS)

# Resident memory of the recorder over a long storm (SECONDS=300 by default).
bench-memory: release
	scripts/bench-memory.sh $(or $(SECONDS),300)

# Kernel-side cost per BPF program during an open storm (kernel.bpf_stats_enabled).
bench-bpf: release
	scripts/bpf-cost.sh $(or $(OPENS),1000000)

clean:
	rm -rf .build
