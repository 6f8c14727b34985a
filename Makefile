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

# The DANCE experiment. ROOT=path/to/CamVid (SegNet's release; see the README): the operating point
# (3 seeds) and the frontier on real data into results/camvid/, continuing from the committed runs.
# Without ROOT: every run and control with 3 seeds on the default synthetic dataset into
# experiment-output/. Hours on 2 cores; rerunning continues where it stopped.
ROOT ?=
experiment: build
	@scripts/experiment.sh $(ROOT)

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
