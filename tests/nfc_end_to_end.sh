#!/usr/bin/env bash
# End to end through libnfc: `cccd-sim serve-pn532` puts a virtual CCCD in the field of an emulated PN532 on
# a pseudo-terminal, and cccd-verify reads it through libnfc's own pn532_uart driver, as a desk reads a PN532
# board on /dev/ttyUSB0. Starts its own cccd-sim, records its PID and stops exactly that process.
# Usage: nfc_end_to_end.sh CCCD_VERIFY CCCD_SIM
set -euo pipefail
verify=$1
sim=$2
export LIBNFC_LOG_LEVEL=${LIBNFC_LOG_LEVEL:-0}  # libnfc's own error lines would clutter the log

work=$(mktemp -d)
sim_pid=""
cleanup() {
  [ -n "$sim_pid" ] && kill "$sim_pid" 2> /dev/null && wait "$sim_pid" 2> /dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

"$sim" personalise "$work/card" > /dev/null
"$sim" serve-pn532 "$work/card" > "$work/connstring" 2> "$work/sim.log" &
sim_pid=$!
for _ in $(seq 100); do [ -s "$work/connstring" ] && break; sleep 0.1; done
connstring=$(head -n 1 "$work/connstring")
case "$connstring" in
  pn532_uart:/dev/pts/*) ;;
  *) cat "$work/sim.log"; echo "cccd-sim serve-pn532 printed no connstring"; exit 1 ;;
esac

# `readers` lists the device once libnfc is told about it, prefixed nfc:.
LIBNFC_DEFAULT_DEVICE=$connstring LIBNFC_AUTO_SCAN=false "$verify" readers > "$work/readers.txt"
grep -qx "  nfc:$connstring" "$work/readers.txt" || { cat "$work/readers.txt"; echo "not listed"; exit 1; }

read_card() {
  set +e
  "$verify" read --reader "$1" --id "$2" --birth 1990-05-17 --expiry 2030-05-17 --trust "$work/card/csca.pem" \
    --json "${@:3}" > "$work/out.json"
  status=$?
  set -e
}

# PACE (the card's EF.CardAccess offers it), verified.
read_card "$connstring" 001099012345
[ "$status" -eq 0 ] || { cat "$work/out.json" "$work/sim.log"; echo "read through libnfc: exit $status"; exit 1; }
grep -q '"overall": "verified"' "$work/out.json" || { cat "$work/out.json"; echo "not verified"; exit 1; }
grep -q '"detail": "PACE-GM"' "$work/out.json" || { cat "$work/out.json"; echo "not opened with PACE-GM"; exit 1; }
grep -q '"source": "nfc"' "$work/out.json" || { cat "$work/out.json"; echo "source is not nfc"; exit 1; }

# BAC through the same reader, named as `readers` lists it.
read_card "nfc:$connstring" 001099012345 --bac-only
[ "$status" -eq 0 ] || { cat "$work/out.json"; echo "BAC read through libnfc: exit $status"; exit 1; }
grep -q '"detail": "BAC"' "$work/out.json" || { cat "$work/out.json"; echo "not opened with BAC"; exit 1; }

# A wrong CAN: access denied (exit 3); the next right read still works.
read_card "$connstring" 001099012399
[ "$status" -eq 3 ] || { cat "$work/out.json"; echo "wrong CAN: exit $status, expected 3"; exit 1; }
read_card "$connstring" 001099012345
[ "$status" -eq 0 ] || { cat "$work/out.json"; echo "read after a wrong CAN: exit $status"; exit 1; }

# A port where no PN532 answers: no reader (exit 9).
set +e
"$verify" read --reader pn532_uart:/dev/cccd-no-such-tty --id 001099012345 > /dev/null 2> "$work/err.txt"
status=$?
set -e
[ "$status" -eq 9 ] || { cat "$work/err.txt"; echo "no such device: exit $status, expected 9"; exit 1; }

echo "libnfc end to end: verified through pn532_uart on $connstring (PACE and BAC); wrong CAN refused"
