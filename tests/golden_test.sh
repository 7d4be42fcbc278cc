#!/usr/bin/env bash
# Every scenario's report must equal its golden copy in tests/golden/ byte for byte, and two runs
# must agree (determinism). Refresh the copies with `make golden` and review the diff.
set -u
bin="$1"
pass=0
fail=0
for sc in scenarios/*.yaml; do
  name=$(basename "$sc" .yaml)
  for fmt in txt json; do
    flag=""; [ "$fmt" = json ] && flag="--json"
    golden="tests/golden/$name.$fmt"
    got=$("$bin" run "$sc" $flag 2>&1)
    again=$("$bin" run "$sc" $flag 2>&1)
    if [ "$got" != "$again" ]; then
      echo "FAIL: $sc ($fmt): two runs differ"; fail=$((fail + 1)); continue
    fi
    if [ ! -f "$golden" ]; then
      echo "FAIL: $golden is missing: run make golden"; fail=$((fail + 1)); continue
    fi
    if [ "$got" != "$(cat "$golden")" ]; then
      echo "FAIL: $sc ($fmt) differs from $golden:"
      diff <(printf '%s\n' "$got") "$golden" | head -20
      fail=$((fail + 1)); continue
    fi
    pass=$((pass + 1))
  done
done
echo "golden: $pass passed, $fail failed"
[ $fail -eq 0 ]
