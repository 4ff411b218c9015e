#!/usr/bin/env bash
# examples/read_card.cpp (the C++ API, cccd.hpp) verifies a dump of a virtual card against the card's
# CSCA: verified; against another card's CSCA: not verified; a folder that is no dump: a clear error.
#
#   read_card_cpp_test.sh READ_CARD_CPP CCCD_VERIFY CCCD_SIM
set -euo pipefail
example=$1 verify=$2 sim=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# Cards without chip proofs (--ca none --aa none): a dump verified offline without the server's challenge
# cannot count a CCCD's Chip or Active Authentication, and this test is about passive authentication.
"$sim" personalise "$work/card" --seed 4 --ca none --aa none > /dev/null
"$sim" personalise "$work/other" --seed 5 --ca none --aa none > /dev/null
"$verify" read --sim "$work/card" --id 001099012345 --trust "$work/card/csca.pem" --dump "$work/dump" \
  --json > "$work/read.json" || fail "the dump could not be made"

set +e
"$example" --trust "$work/card/csca.pem" --dump "$work/dump" > "$work/ok.out" 2>&1
ok=$?
"$example" --trust "$work/other/csca.pem" --dump "$work/dump" > "$work/other.out" 2>&1
other=$?
"$example" --trust "$work/card/csca.pem" --dump "$work/card/no-such-folder" > "$work/missing.out" 2>&1
missing=$?
set -e
[ "$ok" -eq 0 ] && grep -q '^overall: verified$' "$work/ok.out" || { cat "$work/ok.out"; fail "own CSCA: exit $ok"; }
grep -q '^photo: [1-9][0-9]* bytes$' "$work/ok.out" || fail "no photo"
echo "ok: verified against the card's own CSCA"
[ "$other" -eq 1 ] && grep -q '^overall: not verified$' "$work/other.out" || { cat "$work/other.out"; fail "other CSCA: exit $other"; }
echo "ok: not verified against another card's CSCA"
[ "$missing" -eq 2 ] && grep -q '^read: ' "$work/missing.out" || { cat "$work/missing.out"; fail "missing dump: exit $missing"; }
echo "ok: a missing dump is a clear error: $(grep '^read: ' "$work/missing.out")"
