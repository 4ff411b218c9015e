#!/usr/bin/env bash
# Every test: installs the dependencies, builds, checks the format and the layering, runs ctest (with
# the end-to-end read under valgrind memcheck), builds the Release and verify-only configurations
# (scripts/check-configurations.sh), then the whole suite again built with ASan+UBSan
# (scripts/sanitize.sh, in build-asan/), the concurrency tests built with ThreadSanitizer
# (scripts/sanitize.sh --tsan, in build-tsan/), then each fuzz target briefly (5 s; about 4 minutes with its
# clang build: docs/FUZZING.md).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
scripts/check-format.sh
scripts/check-layers.sh
ctest --test-dir "${BUILD_DIR:-build}" --output-on-failure --parallel "$(nproc)"
scripts/check-configurations.sh
scripts/sanitize.sh
scripts/sanitize.sh --tsan
scripts/fuzz.sh 5
