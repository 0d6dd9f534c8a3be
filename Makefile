# Porthole: the two commands are `make run` and `make test`.
BUILD        ?= build
TEST_BUILD   ?= build-test
FUZZ_BUILD   ?= build-fuzz
FUZZ_SECONDS ?= 30
JOBS         ?= $(shell nproc)

.PHONY: all deps build run test fuzz bench clean

all: build

deps:
	@deploy/install-deps.sh

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(BUILD) -j$(JOBS)

# Builds and starts the demo VM on this terminal.
run: build
	@deploy/run-demo.sh $(BUILD)

# Builds with ASan and UBSan and runs every test.
test: deps
	cmake -S . -B $(TEST_BUILD) -DCMAKE_BUILD_TYPE=Debug -DPORTHOLE_SANITIZE=ON
	cmake --build $(TEST_BUILD) -j$(JOBS)
	cd $(TEST_BUILD) && ctest --output-on-failure

# Each libFuzzer target for FUZZ_SECONDS.
fuzz: deps
	CC=clang cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=Debug -DPORTHOLE_FUZZ=ON
	cmake --build $(FUZZ_BUILD) -j$(JOBS)
	tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

# Benchmarks, side by side with QEMU where it applies.
bench: build
	tests/bench/run.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(TEST_BUILD) $(FUZZ_BUILD)
