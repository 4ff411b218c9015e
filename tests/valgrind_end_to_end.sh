#!/usr/bin/env bash
# The end-to-end read under valgrind memcheck (issue 7): every program below runs under memcheck, and
# any memcheck report (invalid read or write, use of an uninitialised value, a definite or indirect
# leak, a bad free) fails the test. ASan builds cannot run under valgrind, so CMake registers this test
# only in builds without CCCD_SANITIZE; the ASan+UBSan job runs the rest of the suite.
#
# What runs under memcheck:
#   1. cccd-verify reading the built-in virtual CCCD (PACE-GM, secure messaging, passive, chip and active
#      authentication, DG13, the JPEG face converted to PNG);
#   2. the same with BAC, and a card with a JPEG 2000 face, CA v2 and ECDSA Active Authentication;
#   3. a wrong CAN (the refusal path) and the offline verification of a dump;
#   4. the C API example (libcccd.so);
#   5. when root: cccd-verify through the real pcscd + vsmartcard-vpcd stack to cccd-sim serve.
#
# Usage: valgrind_end_to_end.sh CCCD_VERIFY CCCD_SIM READ_CARD_C
set -euo pipefail
verify=$1
sim=$2
read_card_c=$3
command -v valgrind > /dev/null || { echo "valgrind missing: run scripts/install-deps.sh"; exit 1; }

logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
runs=0

# memcheck NAME EXPECTED_STATUS COMMAND...: runs COMMAND under memcheck; fails unless it exits with
# EXPECTED_STATUS and memcheck reported nothing.
memcheck() {
  local name=$1 expected=$2
  shift 2
  local status=0
  valgrind --tool=memcheck --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect \
    --errors-for-leak-kinds=definite,indirect --num-callers=40 --log-file="$logs/$name.valgrind" \
    "$@" > "$logs/$name.out" 2>&1 || status=$?
  runs=$((runs + 1))
  if ! grep -q "ERROR SUMMARY: 0 errors from 0 contexts" "$logs/$name.valgrind"; then
    cat "$logs/$name.valgrind"
    echo "$name: memcheck reported errors (exit $status)"
    exit 1
  fi
  if [ "$status" -ne "$expected" ]; then
    cat "$logs/$name.out"
    echo "$name: exit $status, expected $expected"
    exit 1
  fi
  echo "$name: exit $status as expected, memcheck: $(grep -o 'ERROR SUMMARY: .*' "$logs/$name.valgrind")"
}

cards=$logs/cards
mkdir -p "$cards"
"$sim" personalise "$cards/card" > /dev/null
"$sim" personalise --seed 3 --ca v2 --aa ecdsa --face jp2 "$cards/card-jp2" > /dev/null

memcheck virtual_pace 0 "$verify" read --sim --id 001099012345 --json --photo "$cards/face.png" \
  --dump "$cards/dump"
grep -q '"overall": "verified"' "$logs/virtual_pace.out" || { cat "$logs/virtual_pace.out"; exit 1; }
[ -s "$cards/face.png" ] || { echo "no face image written"; exit 1; }
memcheck virtual_bac 0 "$verify" read --sim "$cards/card" --bac-only --id 001099012345 --birth 1990-05-17 \
  --expiry 2030-05-17 --trust "$cards/card/csca.pem" --json
memcheck virtual_jp2_ca2_ecdsa 0 "$verify" read --sim "$cards/card-jp2" --id 001099012345 \
  --trust "$cards/card-jp2/csca.pem" --photo "$cards/face-jp2.png" --json
memcheck wrong_can 3 "$verify" read --sim --id 001099012399 --json
memcheck offline_verify 1 "$verify" verify "$cards/dump" --json
memcheck c_api 0 "$read_card_c" 001099012345 1990-05-17 2030-05-17

if [ "$(id -u)" -eq 0 ]; then
  # pcscd_stack.sh starts this test's own pcscd and replaces the EXIT trap with one that stops exactly
  # the recorded PIDs and removes its $work; the logs folder is removed by that trap too.
  source "$(dirname "$0")/lib/pcscd_stack.sh"
  trap 'pcscd_stack_cleanup; rm -rf "$logs"' EXIT
  "$sim" serve --vpcd "$vpcd_address" "$cards/card" > "$work/sim.log" 2>&1 &
  sim_pid=$!
  memcheck pcsc 0 "$verify" read --reader "Virtual PCD" --wait 20 --id 001099012345 \
    --trust "$cards/card/csca.pem" --json
else
  echo "not root: the pcscd part is skipped (pcscd needs root to create /run/pcscd)"
fi
echo "valgrind memcheck: $runs end-to-end runs, zero reports"
