# perftco: two commands matter. `make demo` and `make test`; both install what is missing.
BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=Release

.PHONY: deps configure build test test-sanitize test-tsan fuzz-build fuzz fuzz-regress demo bench format format-check clean golden accuracy calibrate

deps:
	@./scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD) $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# The whole suite under AddressSanitizer + UndefinedBehaviorSanitizer (a separate build tree;
# minutes on 2 cores). Any report fails the run.
SANITIZE_BUILD ?= build-sanitize
test-sanitize: deps
	@cmake -S . -B $(SANITIZE_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPERFTCO_SANITIZE=ON >/dev/null
	@cmake --build $(SANITIZE_BUILD) -j $(JOBS)
	@cd $(SANITIZE_BUILD) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --output-on-failure -j $(JOBS)

# The threaded sweep under ThreadSanitizer (the CLI only, in build-tsan/): the sweep tests with
# --jobs 2, a simulate sweep on 2 threads. Any report fails the run.
TSAN_BUILD ?= build-tsan
test-tsan: deps
	@cmake -S . -B $(TSAN_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPERFTCO_TSAN=ON >/dev/null
	@cmake --build $(TSAN_BUILD) -j $(JOBS) --target perftco
	@TSAN_OPTIONS="halt_on_error=1 exitcode=66" ./tests/tsan_test.sh $(TSAN_BUILD)/perftco

# libFuzzer harnesses (fuzz/, docs/fuzzing.md) in their own clang tree with ASan + UBSan:
# `make fuzz` runs each for FUZZ_SECONDS; `make fuzz-regress` replays the committed corpus.
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_HARNESSES ?=
fuzz-build: deps
	@cmake -S . -B $(FUZZ_BUILD) -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DPERFTCO_FUZZ=ON >/dev/null
	@cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzz_all
fuzz: fuzz-build
	@./scripts/fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_HARNESSES)
fuzz-regress: fuzz-build
	@./scripts/fuzz.sh $(FUZZ_BUILD) 0 $(FUZZ_HARNESSES)

demo: build
	@$(BUILD)/perftco run scenarios/chat-vs-reasoning.yaml

bench: build
	@$(BUILD)/perftco_bench

# Refit the efficiency parameters and rerun the held-out fits (minutes), then `make accuracy`.
calibrate: build
	@$(BUILD)/perftco calibrate --markdown docs/models/calibration-holdout.md | tee docs/models/calibration-fit.txt

# The validation tables, then the out-of-sample section written by `make calibrate`.
accuracy: build
	@$(BUILD)/perftco validate --data data/measured --summary-only --markdown docs/models/accuracy.md >/dev/null
	@printf '\n' >> docs/models/accuracy.md && cat docs/models/calibration-holdout.md >> docs/models/accuracy.md
	@printf '\n' >> docs/models/accuracy.md && cat docs/models/training-accuracy.md >> docs/models/accuracy.md
	@echo "wrote docs/models/accuracy.md"

golden: build
	@./scripts/update-golden.sh $(BUILD)/perftco

format:
	@clang-format -i $$(git ls-files '*.h' '*.cc')

format-check:
	@./scripts/format-check.sh

clean:
	@rm -rf $(BUILD)
