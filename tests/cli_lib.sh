#!/usr/bin/env bash
# Shared helpers of the CLI test scripts (sourced, not run): expect_error and expect_ok count
# into `pass` and `fail`; the caller sets `bin` to the perftco binary before sourcing.
pass=0
fail=0
err_file=$(mktemp)
tmp_dir=$(mktemp -d)
trap 'rm -rf "$err_file" "$tmp_dir"' EXIT

# Bad input: a non-zero exit, nothing on stdout, one line on stderr containing `want`.
expect_error() {  # description, expected substring, args...
  local what="$1" want="$2"
  shift 2
  local out err rc
  out=$("$bin" "$@" 2>"$err_file")
  rc=$?
  err=$(cat "$err_file")
  if [ $rc -eq 0 ]; then echo "FAIL: $what: exit 0"; fail=$((fail + 1)); return; fi
  if [ -n "$out" ]; then echo "FAIL: $what: printed to stdout: $out"; fail=$((fail + 1)); return; fi
  if [ "$(printf '%s\n' "$err" | wc -l)" -ne 1 ]; then
    echo "FAIL: $what: stderr is not one line: $err"; fail=$((fail + 1)); return
  fi
  case "$err" in
    *"$want"*) pass=$((pass + 1)) ;;
    *) echo "FAIL: $what: stderr lacks '$want': $err"; fail=$((fail + 1)) ;;
  esac
}

# Good input: exit 0 and `want` somewhere in the output.
expect_ok() {  # description, expected substring of stdout, args...
  local what="$1" want="$2"
  shift 2
  local out rc
  out=$("$bin" "$@" 2>&1)
  rc=$?
  if [ $rc -ne 0 ]; then echo "FAIL: $what: exit $rc: $out"; fail=$((fail + 1)); return; fi
  case "$out" in
    *"$want"*) pass=$((pass + 1)) ;;
    *) echo "FAIL: $what: output lacks '$want'"; fail=$((fail + 1)) ;;
  esac
}
