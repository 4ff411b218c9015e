#!/usr/bin/env bash
# Every test: installs the dependencies, builds, checks the format and the layering, runs ctest (with
# the end-to-end read under valgrind memcheck), builds the Release and verify-only configurations
# (scripts/check-configurations.sh), then the whole suite again built with ASan+UBSan
# (scripts/sanitize.sh, in build-asan/), the concurrency tests built with ThreadSanitizer
# (scripts/sanitize.sh --tsan, in build-tsan/), then each fuzz target briefly (5 s; about 4 minutes with its
# clang build: docs/FUZZING.md).
# With CCCD_REMOVE_TREES=1 (.ci/run sets it) each build tree is removed once its stage has passed: on
# CI's shared disk the trees' sum (over 5 GB) then never needs to fit at once, only the largest
# (ASan+UBSan's, 3.6 GB).
set -euo pipefail
cd "$(dirname "$0")/.."
done_with() {
  if [ "${CCCD_REMOVE_TREES:-0}" = 1 ]; then rm -rf "$@"; fi
}
scripts/install-deps.sh
scripts/build.sh
scripts/check-format.sh
scripts/check-layers.sh
ctest --test-dir "${BUILD_DIR:-build}" --output-on-failure --parallel "$(nproc)"
done_with "${BUILD_DIR:-build}"
scripts/check-configurations.sh
done_with build-release build-verify-only
scripts/sanitize.sh
done_with "${ASAN_BUILD_DIR:-build-asan}"
scripts/sanitize.sh --tsan
done_with "${TSAN_BUILD_DIR:-build-tsan}"
scripts/fuzz.sh 5
