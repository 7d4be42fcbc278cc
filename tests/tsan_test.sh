#!/usr/bin/env bash
# The threaded sweep under ThreadSanitizer (`make test-tsan`): an estimate sweep and a simulate
# sweep on 2 threads, each the same file as on 1 thread, and no race reported.
# Usage: tests/tsan_test.sh perftco-built-with-tsan
set -u
bin="$1"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
cat > "$tmp/sim.yaml" <<'YAML'
kind: sweep
mode: simulate
base: {model: llama-3.1-8b, hardware: h100-sxm, requests: 300, workload: chat}
grid:
  rate: [2, 8, 32]
  max_num_seqs: [16, 256]
YAML
for s in scenarios/sweeps/llama-70b-systems.yaml "$tmp/sim.yaml"; do
  name=$(basename "$s")
  if "$bin" sweep "$s" --jobs 2 --out "$tmp/two.csv" 2> "$tmp/two.err" >/dev/null &&
     "$bin" sweep "$s" --jobs 1 --out "$tmp/one.csv" 2> "$tmp/one.err" >/dev/null &&
     cmp -s "$tmp/one.csv" "$tmp/two.csv" && ! grep -q ThreadSanitizer "$tmp/two.err"; then
    pass=$((pass + 1))
  else
    echo "FAIL: $name under TSan:"; head -40 "$tmp/two.err"; fail=$((fail + 1))
  fi
done
echo "tsan: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
