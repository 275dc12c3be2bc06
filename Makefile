# make run  — install what is missing, build release, start sfu-server on its embedded defaults
#             (it prints the address of a meeting to open in a browser).
# make test — install the test dependencies, run the unit tests, the end-to-end tests and a
#             short libFuzzer run of every parser.
SWIFT ?= swift
# The media plane binds and advertises only these addresses (repeat --ice-address for more).
RUN_ARGS ?= --ice-address 127.0.0.1

# Seconds each fuzz target runs in `make test` (a smoke run; longer runs: scripts/fuzz.sh all 300).
FUZZ_SECONDS ?= 20

.PHONY: run build deps test test-deps unit-test e2e-test fuzz-smoke clean

deps:
	@scripts/install-deps.sh run

build: deps
	$(SWIFT) build -c release --product sfu-server

run: build
	.build/release/sfu-server $(RUN_ARGS)

test-deps:
	@scripts/install-deps.sh test

unit-test: test-deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

e2e-test: test-deps
	$(SWIFT) build -c release --product sfu-server
	$(SWIFT) build -c release --product sfu-embed-pair
	$(SWIFT) build -c release --product twin-daemon
	tests/e2e/run-in-netns.sh python3 -m pytest -v -p no:cacheprovider tests/e2e

fuzz-smoke: test-deps
	scripts/fuzz.sh all $(FUZZ_SECONDS)

test: unit-test e2e-test fuzz-smoke

clean:
	rm -rf .build
