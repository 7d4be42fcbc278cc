#!/usr/bin/env bash
# Every fuzz corpus input, given to the CLI the way a user would give it: accepted (exit 0), or
# refused with one line on stderr, nothing on stdout and a non-zero exit; never a crash (exit
# above 128) or an internal error (70). Usage: tests/corpus_cli_test.sh perftco [CORPUS_ROOT]
# (default fuzz/corpus; build-fuzz/fuzz-corpus holds what a long fuzzing run kept).
set -u
bin="$1"
root="${2:-fuzz/corpus}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0 accepted=0

check() {  # file, args...
  local f="$1"
  shift
  local rc
  timeout 60 "$bin" "$@" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  if [ $rc -eq 0 ]; then
    accepted=$((accepted + 1)); pass=$((pass + 1)); return
  fi
  if [ $rc -ge 70 ] || [ -s "$tmp/out" ] || [ "$(wc -l < "$tmp/err")" -ne 1 ]; then
    echo "FAIL: $f: exit $rc, stdout $(wc -c < "$tmp/out") bytes, stderr: $(head -c 300 "$tmp/err")"
    fail=$((fail + 1))
  else
    pass=$((pass + 1))
  fi
}

for f in "$root"/scenario/* "$root"/sweep/*; do
  [ -f "$f" ] || continue
  cp "$f" "$tmp/in.yaml"
  case $f in
    */sweep/*) check "$f" sweep "$tmp/in.yaml" --out "$tmp/sweep.csv" ;;
    *) check "$f" run "$tmp/in.yaml" --json ;;
  esac
done
for f in "$root"/model_config/*; do
  [ -f "$f" ] || continue
  cp "$f" "$tmp/config.json"
  check "$f" estimate --model "$tmp/config.json" --hardware h100-sxm --batch 1
done
for f in "$root"/trace/*; do
  [ -f "$f" ] || continue
  ext=csv
  [ "$(head -c1 "$f" | od -An -tu1 | tr -d ' ')" = "1" ] && ext=jsonl
  tail -c +2 "$f" > "$tmp/trace.$ext"
  check "$f" simulate --model llama-3.1-8b --hardware h100-sxm --workload "$tmp/trace.$ext" -n 2000
done
for f in "$root"/measured/*; do
  [ -f "$f" ] || continue
  cp "$f" "$tmp/measured.csv"
  check "$f" validate --data "$tmp/measured.csv" --summary-only
done
echo "corpus: $pass passed ($accepted accepted), $fail failed"
[ $fail -eq 0 ]
