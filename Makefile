# Dance: the two commands a fresh machine needs are `make demo` and `make test`.
# Both install missing system packages first (apt-get as root, otherwise a printed command).
SWIFT ?= swift
PREFIX ?= /usr/local

.PHONY: all deps build install demo experiment test fuzz bench clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	$(SWIFT) build -c release --product dance

install: build
	install -D -m 0755 .build/release/dance $(DESTDIR)$(PREFIX)/bin/dance

demo: build
	@scripts/demo.sh

# The whole DANCE experiment on the default synthetic dataset (300 train, 60 val at 512x256): every
# run and control with 3 seeds and the indicator ablation; hours on 2 cores. Rerunning continues it.
experiment: build
	.build/release/dance experiment --out experiment-output

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	@scripts/interop.sh
	@scripts/examples.sh

# The seeded mutation tests at a larger count: every image fixture (make test runs 20000 cases),
# hostile checkpoints (1/50 of the count; make test runs 400) and hostile shards (1/100; make test
# runs 150). DANCE_FUZZ_CASES and DANCE_FUZZ_SEED choose the count and the seed.
DANCE_FUZZ_CASES ?= 2000000
DANCE_FUZZ_SEED ?= 12
fuzz: deps
	$(SWIFT) build --build-tests
	DANCE_FUZZ_CASES=$(DANCE_FUZZ_CASES) DANCE_FUZZ_SEED=$(DANCE_FUZZ_SEED) $(SWIFT) test --skip-build --filter 'MutationTests|HostileCheckpointTests|HostileShardTests'

bench: deps
	$(SWIFT) build -c release --product dance-bench
	@scripts/bench.sh

clean:
	rm -rf .build demo-output
