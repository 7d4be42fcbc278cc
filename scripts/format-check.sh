#!/usr/bin/env bash
# Fails when a tracked C++ file differs from clang-format's output (.clang-format: Google, 100).
set -euo pipefail
cd "$(dirname "$0")/.."
files=$(git ls-files '*.h' '*.cc')
if ! clang-format --dry-run --Werror $files 2>/tmp/perftco_format.$$; then
  grep -E "error:" /tmp/perftco_format.$$ | cut -d: -f1 | sort -u | sed 's/^/needs formatting: /'
  rm -f /tmp/perftco_format.$$
  echo "format: 0 passed, 1 failed (run make format)"
  exit 1
fi
rm -f /tmp/perftco_format.$$
echo "format: $(echo "$files" | wc -l) files clean"
