# Dance: the two commands a fresh machine needs are `make demo` and `make test`.
# Both install missing system packages first (apt-get as root, otherwise a printed command).
SWIFT ?= swift

.PHONY: all deps build demo test bench clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	$(SWIFT) build -c release --product dance

demo: build
	@scripts/demo.sh

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	@scripts/interop.sh
	@scripts/examples.sh

bench: deps
	$(SWIFT) build -c release --product dance-bench
	@scripts/bench.sh

clean:
	rm -rf .build demo-output
