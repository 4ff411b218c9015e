#!/usr/bin/env bash
# The whole ctest suite again, built with AddressSanitizer and UndefinedBehaviorSanitizer (gcc, Debug,
# -fno-sanitize-recover=all) in build-asan/: any report (memory error, leak, undefined behaviour) aborts
# the program that made it, and so fails its test. valgrind_end_to_end is not in this build (ASan and
# valgrind cannot share a process); the plain build runs it.
#
#   scripts/sanitize.sh [CTEST_ARGS...]        (e.g. -R hostile)
#
# --tsan instead builds ThreadSanitizer (gcc, RelWithDebInfo, in build-tsan/) and only what the tests
# labelled `concurrency` need (the trust store's add-while-verify test, cccd-server's worker threads under
# load, and a canary), then runs those: a data race is reported and fails the test (halt_on_error).
# Several minutes cold, seconds with ccache.
#
#   scripts/sanitize.sh --tsan [CTEST_ARGS...]
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ "${1:-}" == "--tsan" ]]; then
  shift
  build=${TSAN_BUILD_DIR:-build-tsan}
  cmake -S . -B "$build" -G Ninja -DCCCD_WERROR=ON -DCCCD_TSAN=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$build" --parallel "$(nproc)" --target trust_concurrency_test tsan_canary \
    cccd-server cccd-verify cccd-sim server_race
  export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
  exec ctest --test-dir "$build" --output-on-failure --parallel "$(nproc)" -L concurrency "$@"
fi
build=${ASAN_BUILD_DIR:-build-asan}
BUILD_DIR=$build scripts/build.sh -DCCCD_WERROR=ON -DCCCD_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ctest --test-dir "$build" --output-on-failure --parallel "$(nproc)" "$@"
