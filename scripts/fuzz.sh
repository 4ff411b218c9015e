#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ (clang, ASan+UBSan, in build-fuzz/), makes their seed corpora from
# generated virtual cards, the BSI 2008 specimen and the Dutch master list, and runs each target in turn.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     (default 10 s; TARGET e.g. tlv_fuzzer or tlv)
#   FUZZ_RUNS=10000000 scripts/fuzz.sh 7200 ...           (a campaign: each target stops after that many
#                                                           executions, or the seconds, whichever comes first)
#
# Prints per target its executions, executions per second, corpus size and crashes; exits non-zero when
# any target crashed (the reproducer is under build-fuzz/fuzz/crashes/<target>/). Corpora grow across
# runs in build-fuzz/fuzz/corpus/<target>/ (never committed). See docs/FUZZING.md.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
seconds=${1:-10}
shift || true
runs=${FUZZ_RUNS:--1}
build=${FUZZ_BUILD_DIR:-$root/build-fuzz}
work=$build/fuzz

all_targets=()
for source in fuzz/*_fuzzer.cpp; do all_targets+=("$(basename "$source" .cpp)"); done
targets=()
if [ $# -eq 0 ]; then
  targets=("${all_targets[@]}")
else
  for t in "$@"; do targets+=("${t%_fuzzer}_fuzzer"); done
fi

# The largest input each target gets: a little more than its largest real file.
max_len_of() {
  case "$1" in
    master_list_fuzzer) echo 700000 ;;  # the NL master list is 610 KiB
    dg2_fuzzer | face_image_fuzzer) echo 65536 ;; # the faces of the generated cards and the specimen: 10-25 KiB
    sod_fuzzer | tlv_fuzzer) echo 16384 ;;
    virtual_card_fuzzer) echo 4096 ;;
    evidence_fuzzer | json_members_fuzzer) echo 131072 ;;  # a whole card's evidence (as a request body)
    *) echo 8192 ;;
  esac
}

CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DCCCD_FUZZ=ON -DCCCD_BUILD_TESTS=OFF -DCCCD_BUILD_EXAMPLES=OFF -DCCCD_WERROR=ON \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" --target cccd-sim "${targets[@]}"

# Seed corpora.
seeds=$work/seeds
rm -rf "$seeds" "$work/cards"
mkdir -p "$seeds" "$work/cards"
sim=$build/cccd-sim
"$sim" personalise "$work/cards/default" >/dev/null
"$sim" personalise --seed 2 --ca v1 --aa rsa --signer rsa "$work/cards/ca1-aa-rsa" >/dev/null
"$sim" personalise --seed 3 --ca v2 --aa ecdsa --face jp2 "$work/cards/ca2-aa-ecdsa-jp2" >/dev/null
"$sim" personalise --seed 4 --pace im:16:aes256 "$work/cards/pace-im" >/dev/null
"$sim" personalise --seed 5 --pace none "$work/cards/bac-only" >/dev/null
specimen=$root/tests/data/bsi2008
[ -d "$specimen" ] || specimen=$root/../shared/specimens/bsi2008
/usr/bin/python3 "$root/fuzz/make_seeds.py" "$work/cards" "$specimen" "$root/tests/data/pki" "$seeds"

export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
failed=0
printf '%-22s %12s %10s %8s %8s\n' target execs exec/s corpus crashes
for target in "${targets[@]}"; do
  corpus=$work/corpus/$target
  crashes=$work/crashes/$target
  log=$work/logs/$target.log
  rm -rf "$crashes"
  mkdir -p "$corpus" "$crashes" "$(dirname "$log")"
  status=0
  "$build/fuzz/$target" "$corpus" "$seeds/${target%_fuzzer}" -max_total_time="$seconds" -runs="$runs" \
    -max_len="$(max_len_of "$target")" -timeout=20 -rss_limit_mb=4096 -print_final_stats=1 \
    -artifact_prefix="$crashes/" >"$log" 2>&1 || status=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  found=$(find "$crashes" -type f | wc -l)
  size=$(find "$corpus" -type f | wc -l)
  if [ "$status" -ne 0 ] && [ "$found" -eq 0 ]; then found=1; fi
  printf '%-22s %12s %10s %8s %8s\n' "$target" "${execs:-?}" "${rate:-?}" "$size" "$found"
  if [ "$found" -ne 0 ]; then
    failed=1
    echo "  $target: crash (log: $log; reproducer: $crashes/)" >&2
    grep -m 5 -E "ERROR: |runtime error|SUMMARY" "$log" | sed 's/^/  /' >&2 || true
  fi
done
exit "$failed"
