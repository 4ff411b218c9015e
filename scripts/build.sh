#!/usr/bin/env bash
# Configures and builds libcccd in build/ (BUILD_DIR and extra cmake options may be given).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${BUILD_DIR:-build}
cmake -S . -B "$build_dir" -G Ninja "$@" >/dev/null
cmake --build "$build_dir" --parallel "$(nproc)"
