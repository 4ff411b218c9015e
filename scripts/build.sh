#!/usr/bin/env bash
# Configures and builds libcccd in build/ (BUILD_DIR and extra cmake options may be given), with warnings
# as errors (CCCD_WERROR=ON; an option given after it, e.g. -DCCCD_WERROR=OFF, wins).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${BUILD_DIR:-build}
cmake -S . -B "$build_dir" -G Ninja -DCCCD_WERROR=ON "$@" >/dev/null
cmake --build "$build_dir" --parallel "$(nproc)"
