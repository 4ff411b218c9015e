#!/usr/bin/env bash
# End to end through the real PC/SC stack: Debian's pcscd with the vsmartcard-vpcd reader driver, the
# virtual CCCD served over the vpcd protocol by cccd-sim, and cccd-verify reading it as a desk would.
# Starts its own pcscd and cccd-sim, records their PIDs and stops exactly those.
# Usage: pcsc_end_to_end.sh CCCD_VERIFY CCCD_SIM READ_CARD_C
set -euo pipefail
verify=$1
sim=$2
read_card_c=$3
source "$(dirname "$0")/lib/pcscd_stack.sh"

"$sim" personalise "$work/card" > /dev/null
"$sim" serve --vpcd "$vpcd_address" "$work/card" > "$work/sim.log" 2>&1 &
sim_pid=$!

# The card is present once cccd-sim has connected to the vpcd driver; until then: exit 4 (no card).
status=4
for _ in $(seq 50); do
  set +e
  "$verify" read --reader "Virtual PCD" --id 001099012345 --trust "$work/card/csca.pem" --json > "$work/out.json"
  status=$?
  set -e
  [ "$status" -ne 4 ] && break
  sleep 0.1
done
cat "$work/out.json"
[ "$status" -eq 0 ] || { echo "read through pcscd: exit $status"; cat "$work/sim.log"; exit 1; }
grep -q '"overall": "verified"' "$work/out.json" || { echo "not verified"; exit 1; }
grep -q '"detail": "PACE-GM"' "$work/out.json" || { echo "not opened with PACE-GM"; exit 1; }

# A wrong CAN through the same stack: access denied (exit 3), and the next right read still works.
set +e
"$verify" read --reader "Virtual PCD" --id 001099012399 --json > "$work/wrong.json"
status=$?
set -e
[ "$status" -eq 3 ] || { cat "$work/wrong.json"; echo "wrong CAN: exit $status, expected 3"; exit 1; }
"$verify" read --reader "Virtual PCD" --id 001099012345 --trust "$work/card/csca.pem" --json > /dev/null

# BAC through the same stack, with the dates of the ID card.
"$verify" read --reader "Virtual PCD" --bac-only --id 001099012345 --birth 1990-05-17 --expiry 2030-05-17 \
  --trust "$work/card/csca.pem" --json > "$work/bac.json" || { cat "$work/bac.json"; echo "BAC read failed"; exit 1; }
grep -q '"overall": "verified"' "$work/bac.json" || { echo "BAC: not verified"; exit 1; }
grep -q '"detail": "BAC"' "$work/bac.json" || { echo "not opened with BAC"; exit 1; }

# The C API (libcccd.so) through pcscd. It names no trust store, so signer trust stays unknown and the
# overall verdict is "not verified" (exit 1); the chip was still opened and its data genuine.
set +e
"$read_card_c" 001099012345 1990-05-17 2030-05-17 "pcsc:Virtual PCD" > "$work/capi.out"
status=$?
set -e
[ "$status" -eq 1 ] || { cat "$work/capi.out"; echo "C API read: exit $status, expected 1"; exit 1; }
grep -q '"detail": "PACE-GM"' "$work/capi.out" || { echo "C API: not opened with PACE-GM"; exit 1; }
grep -q '"detail": "the EF.SOD signature verifies' "$work/capi.out" || { echo "C API: data integrity"; exit 1; }

# The card pulled away at APDU 14 (in DG2; 20 APDUs with extended length) and put back 1.5 s later: without --resume a communication error
# (exit 5); with --resume the read goes on and verifies.
restart_card() {
  kill "$sim_pid" && wait "$sim_pid" 2> /dev/null || true
  sleep 2 # pcscd polls the driver for presence: let it see this card go before the next one comes
  "$sim" serve --vpcd "$vpcd_address" "$work/card" "$@" > "$work/sim.log" 2>&1 &
  sim_pid=$!
}
restart_card --remove-at 14 --reinsert-after-ms 1500
set +e
"$verify" read --reader "Virtual PCD" --wait 20 --id 001099012345 --json > "$work/torn.json"
status=$?
set -e
[ "$status" -eq 5 ] || { cat "$work/torn.json"; echo "card pulled: exit $status, expected 5"; exit 1; }
grep -q '"card_removed"' "$work/torn.json" || { cat "$work/torn.json"; echo "card pulled: no card_removed error"; exit 1; }
restart_card --remove-at 14 --reinsert-after-ms 1500
"$verify" read --reader "Virtual PCD" --wait 20 --resume --id 001099012345 --trust "$work/card/csca.pem" \
  --json > "$work/resumed.json" || { cat "$work/resumed.json" "$work/sim.log"; echo "resumed read failed"; exit 1; }
grep -q '"overall": "verified"' "$work/resumed.json" || { echo "resumed read: not verified"; exit 1; }

echo "PC/SC end to end: verified through pcscd + vpcd with PACE and BAC, the C API read, a read resumed"
echo "after the card was pulled away; wrong CAN refused"
