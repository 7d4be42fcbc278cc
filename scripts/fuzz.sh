#!/usr/bin/env bash
# Runs the libFuzzer harnesses (fuzz/, docs/fuzzing.md).
#   scripts/fuzz.sh BUILD_DIR SECONDS [HARNESS...]   fuzz each harness for SECONDS
#   scripts/fuzz.sh BUILD_DIR runs:N [HARNESS...]    fuzz each harness for N executions
#   scripts/fuzz.sh BUILD_DIR 0 [HARNESS...]         replay the committed corpus only
# Seeds: the repository's real input files (scenarios, data, test data) and fuzz/corpus/<h>/,
# which holds hand-written seeds and every input that once crashed (regressions). New inputs
# the fuzzer finds go to BUILD_DIR/fuzz-corpus/<h>/; crashes to BUILD_DIR/fuzz-crashes/.
# Exits non-zero if any harness crashes, leaks, times out or trips a sanitizer.
set -euo pipefail
build=$(cd "$1" && pwd) seconds=$2
shift 2
root=$(cd "$(dirname "$0")/.." && pwd)
harnesses=("$@")
((${#harnesses[@]})) || harnesses=(scenario sweep cli model_config hardware data measured trace)

# seeds HARNESS DIR: copies the real files that harness reads into DIR.
seeds() {
  local h=$1 dir=$2 i=0 f
  mkdir -p "$dir"
  case $h in
    scenario) cp "$root"/scenarios/*.yaml "$root"/tests/data/*.yaml "$dir"/ ;;
    sweep) cp "$root"/scenarios/sweeps/*.yaml "$dir"/ ;;
    model_config) cp "$root"/data/models/*.json "$root"/tests/data/bad_models/* "$dir"/ ;;
    hardware) cp "$root"/data/hardware/*.yaml "$root"/tests/data/bad_hw/hardware/* "$dir"/ ;;
    measured)
      cp "$root"/tests/data/measured/*.csv "$dir"/
      head -40 "$root"/data/measured/calibration.csv > "$dir/calibration-head.csv" ;;
    trace)  # first byte: 0 = .csv, 1 = .jsonl
      for f in "$root"/tests/data/traces/*; do
        { printf '\x00'; cat "$f"; } > "$dir/$(basename "$f")"
      done ;;
    data)  # first byte picks the file (fuzz/fuzz_data.cc)
      for f in "$root"/data/prices/*.yaml "$root"/tests/data/bad_prices/prices/*; do
        { printf '\x00'; cat "$f"; } > "$dir/price-$((i++))"
      done
      local sel=1
      for f in datacenter/assumptions.yaml datacenter/cpu_servers.yaml engines.yaml \
               speculative.yaml models/index.yaml calibration/priors.yaml \
               calibration/fitted.yaml latency_limits.yaml; do
        { printf "\\x$(printf %02x $sel)"; cat "$root/data/$f"; } > "$dir/data-$sel"
        sel=$((sel + 1))
      done ;;
    cli) ;;  # fuzz/corpus/cli only
  esac
}

failed=()
for h in "${harnesses[@]}"; do
  bin="$build/fuzz/fuzz_$h"
  [ -x "$bin" ] || { echo "fuzz: $bin is missing: build with make fuzz" >&2; exit 1; }
  committed="$root/fuzz/corpus/$h"
  mkdir -p "$committed" "$build/fuzz-crashes"
  common=(-timeout=60 -rss_limit_mb=4096 -close_fd_mask=3 -print_final_stats=1
          "-artifact_prefix=$build/fuzz-crashes/$h-")
  log="$build/fuzz-$h.log"
  if [ "$seconds" = 0 ]; then
    echo "fuzz: $h: replaying $(ls "$committed" | wc -l) committed inputs"
    files=("$committed"/*)
    [ -e "${files[0]}" ] || continue
    "$bin" "${common[@]}" -runs=0 "${files[@]}" > "$log" 2>&1 || { failed+=("$h"); tail -30 "$log"; }
    continue
  fi
  work="$build/fuzz-corpus/$h" seeddir="$build/fuzz-seeds/$h"
  rm -rf "$seeddir"
  seeds "$h" "$seeddir"
  mkdir -p "$work"
  if [[ $seconds == runs:* ]]; then
    limit=(-runs="${seconds#runs:}")
    echo "fuzz: $h for ${seconds#runs:} executions"
  else
    limit=(-max_total_time="$seconds")
    echo "fuzz: $h for ${seconds}s"
  fi
  if "$bin" "${common[@]}" "${limit[@]}" "$work" "$seeddir" "$committed" \
      > "$log" 2>&1; then
    grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$log" | sed "s/^/fuzz: $h: /"
  else
    failed+=("$h")
    tail -40 "$log"
  fi
done
if ((${#failed[@]})); then
  echo "fuzz: FAILED: ${failed[*]} (inputs in $build/fuzz-crashes/; logs $build/fuzz-*.log)" >&2
  exit 1
fi
echo "fuzz: no crash in ${harnesses[*]}"
