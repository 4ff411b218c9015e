#!/usr/bin/env bash
# examples/kyc_server: a card with Active Authentication read with the server's challenge into a dump
# (cccd-verify read --challenge HEX --dump DIR), then checked offline: with that challenge verified (exit 0),
# with another one not verified (exit 1, chip authenticity failed).
# Usage: kyc_server_test.sh CCCD_VERIFY CCCD_SIM KYC_SERVER
set -euo pipefail
verify=$1
sim=$2
kyc=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$sim" personalise "$work/card" --aa ecdsa > /dev/null
"$verify" read --sim "$work/card" --id 001099012345 --challenge 0123456789abcdef --dump "$work/upload" \
  --json > /dev/null || fail "the client's read failed"

set +e
"$kyc" "$work/upload" 0123456789ABCDEF "$work/card/csca.pem" > "$work/right.out"
right=$?
"$kyc" "$work/upload" 0123456789abcdee "$work/card/csca.pem" > "$work/wrong.out"
wrong=$?
"$kyc" "$work/upload" 0123 "$work/card/csca.pem" > "$work/short.out" 2>&1
short=$?
"$kyc" "$work/nothing" 0123456789abcdef "$work/card/csca.pem" > "$work/missing.out"
missing=$?
set -e
cat "$work/right.out" "$work/wrong.out"
[ "$right" -eq 0 ] || fail "the server's own challenge: exit $right"
grep -q "chip authenticity passed" "$work/right.out" || fail "AA not passed with the right challenge"
grep -q "kyc: verified" "$work/right.out" || fail "not verified with the right challenge"
[ "$wrong" -eq 1 ] || fail "another challenge: exit $wrong, expected 1"
grep -q "chip authenticity failed" "$work/wrong.out" || fail "AA not failed with another challenge"
grep -q "data integrity passed" "$work/wrong.out" || fail "the data itself should still be intact"
[ "$short" -eq 2 ] || fail "a short challenge: exit $short, expected 2"
[ "$missing" -eq 2 ] || fail "a missing dump: exit $missing, expected 2"
echo "kyc_server: the server's challenge verifies, another one does not"
