#!/usr/bin/env bash
# Installs the Debian packages perftco needs to build and test, and only those missing.
set -euo pipefail
pkgs=(cmake g++ make nlohmann-json3-dev libyaml-cpp-dev libcli11-dev libfmt-dev
      libgtest-dev libgmock-dev libbenchmark-dev libcsv-dev clang-format git
      libopenmpi-dev openmpi-bin clang)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# libFuzzer's runtime (make fuzz) ships in the libclang-rt package of clang's own version.
clang_major=$(clang --version | sed -n 's/.*clang version \([0-9]*\).*/\1/p' | head -1)
if [ -n "$clang_major" ] &&
   ! ls /usr/lib/llvm-"$clang_major"/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "install-deps: installing libclang-rt-$clang_major-dev"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    "libclang-rt-$clang_major-dev" >/dev/null
fi
