#!/usr/bin/env bash
# perftco sweep: the same CSV whatever --jobs, an interrupted run resumed to the same file, bad
# input refused with one line and no output file. Usage: tests/sweep_cli_test.sh perftco
set -u
bin="$1"
source "$(dirname "$0")/cli_lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
S=scenarios/sweeps/llama-70b-systems.yaml

expect_ok "sweep to stdout" "tok_s_per_chip" sweep "$S"
"$bin" sweep "$S" --jobs 1 --pareto tok_s_per_user,tok_s_per_chip --out "$tmp/one.csv" >/dev/null
"$bin" sweep "$S" --jobs 2 --pareto tok_s_per_user,tok_s_per_chip --out "$tmp/two.csv" >/dev/null
if cmp -s "$tmp/one.csv" "$tmp/two.csv" && [ ! -e "$tmp/two.csv.partial" ]; then
  pass=$((pass + 1))
else
  echo "FAIL: --jobs 1 and --jobs 2 differ, or the checkpoint was left"; fail=$((fail + 1))
fi
# Interrupted after 7 points (as a kill leaves it, plus a line cut short), then resumed: the
# same file as the uninterrupted run.
"$bin" sweep "$S" --jobs 2 --out "$tmp/cut.csv" --stop-after 7 >/dev/null
printf '{"i": 39, "ok": tr' >> "$tmp/cut.csv.partial"
printf '\n{"i": "x", "ok": 1, "cells": [2]}\n' >> "$tmp/cut.csv.partial"  # edited: wrong types
"$bin" sweep "$S" --jobs 2 --out "$tmp/cut.csv" >/dev/null
"$bin" sweep "$S" --jobs 1 --out "$tmp/full.csv" >/dev/null
if [ "$(wc -l < "$tmp/full.csv")" -eq 41 ] && cmp -s "$tmp/cut.csv" "$tmp/full.csv"; then
  pass=$((pass + 1))
else
  echo "FAIL: the resumed sweep differs from the uninterrupted one"; fail=$((fail + 1))
fi
# Across MPI ranks (scripts/install-deps.sh installs OpenMPI): the same file as --jobs 1.
if command -v mpirun >/dev/null; then
  OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 \
    mpirun -n 2 --oversubscribe "$bin" sweep "$S" --pareto tok_s_per_user,tok_s_per_chip \
    --out "$tmp/mpi.csv" >"$tmp/mpi.log" 2>&1
  if cmp -s "$tmp/mpi.csv" "$tmp/one.csv"; then
    pass=$((pass + 1))
  else
    echo "FAIL: mpirun -n 2 differs from --jobs 1:"; cat "$tmp/mpi.log"; fail=$((fail + 1))
  fi
else
  echo "sweep cli: mpirun not installed, MPI check skipped (scripts/install-deps.sh installs it)"
fi
printf 'kind: sweep\nname: bad\nbase: {model: llama-3.1-8b}\ngrid: {hardwre: [h100-sxm]}\n' > "$tmp/bad-axis.yaml"
expect_error "unknown axis" "hardware" sweep "$tmp/bad-axis.yaml" --out "$tmp/bad.csv"
expect_error "not a sweep" "not a sweep" sweep scenarios/model-size-cost.yaml
expect_error "bad pareto column" "not a numeric result column" sweep "$S" --pareto plan,tok_s_per_chip
expect_error "zero jobs" "--jobs must be at least 1" sweep "$S" --jobs 0
if [ ! -e "$tmp/bad.csv" ]; then pass=$((pass + 1)); fi

echo "sweep cli: $pass passed, $fail failed"
[ $fail -eq 0 ]
