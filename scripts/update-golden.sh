#!/usr/bin/env bash
# Regenerates tests/golden/ from scenarios/; review the diff before committing.
set -euo pipefail
bin="$1"
mkdir -p tests/golden
for sc in scenarios/*.yaml; do
  name=$(basename "$sc" .yaml)
  "$bin" run "$sc" > "tests/golden/$name.txt"
  "$bin" run "$sc" --json > "tests/golden/$name.json"
done
echo "golden files updated: git diff tests/golden"
