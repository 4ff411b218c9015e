#!/usr/bin/env bash
# The builds a packager and an integrator make, warnings as errors: a Release build of everything but the
# tests, and the verify-only library (no PC/SC, libnfc, CLI11 or GoogleTest). Checks that each
# libcccd.so exports the C API and nothing else. Build dirs: build-release/, build-verify-only/.
set -euo pipefail
cd "$(dirname "$0")/.."

check_exports() {
  local library=$1 others
  others=$(nm -D --defined-only "$library" | awk '$3 !~ /^cccd_/ && $2 != "A" {print $3}')
  if [ -n "$others" ]; then
    echo "configurations: $library exports more than cccd_*: $others" >&2
    exit 1
  fi
  if nm -C "$library" | grep -q 'cccd::sim::'; then
    echo "configurations: $library carries the simulator" >&2
    exit 1
  fi
}

cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release -DCCCD_WERROR=ON -DCCCD_BUILD_TESTS=OFF >/dev/null
cmake --build build-release --parallel "$(nproc)"
check_exports build-release/libcccd.so
echo "configurations: Release builds warning-free; libcccd.so exports $(nm -D --defined-only build-release/libcccd.so | grep -c ' cccd_') cccd_* symbols and nothing else"

cmake -S . -B build-verify-only -G Ninja -DCMAKE_BUILD_TYPE=Release -DCCCD_WERROR=ON -DCCCD_WITH_PCSC=OFF \
  -DCCCD_WITH_NFC=OFF -DCCCD_BUILD_CLI=OFF -DCCCD_BUILD_EXAMPLES=OFF -DCCCD_BUILD_SERVER=OFF -DCCCD_BUILD_TESTS=OFF >/dev/null
cmake --build build-verify-only --parallel "$(nproc)"
check_exports build-verify-only/libcccd.so
if ldd build-verify-only/libcccd.so | grep -qE 'libpcsclite|libnfc'; then
  echo "configurations: the verify-only library links PC/SC or libnfc" >&2
  exit 1
fi
echo "configurations: the verify-only library builds without PC/SC, libnfc, CLI11 and GoogleTest"
