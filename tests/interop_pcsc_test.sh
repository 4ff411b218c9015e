#!/usr/bin/env bash
# Chips other than the CCCD, and extended length as the chip says it, through the real PC/SC stack
# (pcscd + vsmartcard-vpcd + cccd-sim serve), as issue 15 asks to show:
# - an EF.CardAccess with other chips' entries (standardized domain parameters, an unknown protocol, a
#   PACEInfo this library cannot use), a chip resolving SFIs relative to the current DF read twice
#   without anyone resetting it in between, and a chip without SFIs under secure messaging: each read
#   verified with PACE (never BAC);
# - the default card: the same APDU count through pcscd as in process (extended length learnt from the
#   chip, the vpcd driver reporting no buffer size), with EF.ATR/INFO hidden and announced; a card
#   refusing extended length: the same count through pcscd as in process, one question more than the
#   short-APDU read.
# APDU counts are compared with reads of the same run, never with fixed numbers.
# Usage: interop_pcsc_test.sh CCCD_VERIFY CCCD_SIM
set -euo pipefail
verify=$1
sim=$2
source "$(dirname "$0")/lib/pcscd_stack.sh"

id=001099012345
apdus() { python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["stats"]["apdus"])' "$1"; }
expect_verified_pace() {  # JSON LABEL
  grep -q '"overall": "verified"' "$1" || { cat "$1"; echo "$2: not verified"; exit 1; }
  grep -q '"detail": "PACE-GM"' "$1" || { cat "$1"; echo "$2: not opened with PACE-GM"; exit 1; }
}
serve_card() {  # serve ARGS...
  if [ -n "$sim_pid" ]; then
    kill "$sim_pid" && wait "$sim_pid" 2> /dev/null || true
    sim_pid=""
    sleep 2 # pcscd polls the driver for presence: let it see this card go before the next one comes
  fi
  "$sim" serve --vpcd "$vpcd_address" "$@" > "$work/sim.log" 2>&1 &
  sim_pid=$!
}
read_pcsc() {  # OUT READ-ARGS...: a read through pcscd (retried while the card is not there yet: exit 4)
  local out=$1 status=4
  shift
  for _ in $(seq 50); do
    set +e
    "$verify" read --reader "Virtual PCD" --id "$id" "$@" --json > "$out"
    status=$?
    set -e
    [ "$status" -ne 4 ] && break
    sleep 0.1
  done
  [ "$status" -eq 0 ] || { cat "$out" "$work/sim.log"; echo "read through pcscd: exit $status"; exit 1; }
}
read_sim() {  # OUT FOLDER READ-ARGS...: the same card read in process
  local out=$1 folder=$2
  shift 2
  "$verify" read --sim "$folder" --id "$id" "$@" --json > "$out" || { cat "$out"; echo "in-process read failed"; exit 1; }
}

# ---- 1. Interop: each card verified with PACE through pcscd ---------------------------------------------
"$sim" personalise "$work/extras" --card-access-extras > /dev/null
serve_card "$work/extras"
read_pcsc "$work/extras.json" --trust "$work/extras/csca.pem"
expect_verified_pace "$work/extras.json" "EF.CardAccess with other chips' entries"

"$sim" personalise "$work/relative" --sfi-relative > /dev/null
serve_card "$work/relative"
read_pcsc "$work/relative1.json" --trust "$work/relative/csca.pem"
expect_verified_pace "$work/relative1.json" "SFIs relative to the current DF, first read"
# pcscd keeps the card powered between programs: the eMRTD application is still selected.
read_pcsc "$work/relative2.json" --trust "$work/relative/csca.pem"
expect_verified_pace "$work/relative2.json" "SFIs relative to the current DF, second read"
[ "$(apdus "$work/relative1.json")" -eq "$(apdus "$work/relative2.json")" ] ||
  { echo "second read: $(apdus "$work/relative2.json") APDUs, first $(apdus "$work/relative1.json")"; exit 1; }

"$sim" personalise "$work/nosfi" --no-sfi-under-sm 6A82 > /dev/null
serve_card "$work/nosfi"
read_pcsc "$work/nosfi.json" --trust "$work/nosfi/csca.pem"
expect_verified_pace "$work/nosfi.json" "no SFIs under secure messaging"
grep -q '"absent": \[\]' "$work/nosfi.json" || { cat "$work/nosfi.json"; echo "no SFIs: files reported absent"; exit 1; }

# ---- 2. Extended length: the same APDU count through pcscd as in process -------------------------------
"$sim" personalise "$work/default" > /dev/null
read_sim "$work/default-sim.json" "$work/default"
read_sim "$work/default-short.json" "$work/default" --short-apdus
serve_card "$work/default"
read_pcsc "$work/default-pcsc.json" --trust "$work/default/csca.pem"
expect_verified_pace "$work/default-pcsc.json" "default card"
serve_card "$work/default" --atr-info
read_pcsc "$work/atrinfo-pcsc.json" --trust "$work/default/csca.pem"
expect_verified_pace "$work/atrinfo-pcsc.json" "default card announcing EF.ATR/INFO"

"$sim" personalise "$work/short" --no-extended-length > /dev/null
read_sim "$work/short-sim.json" "$work/short"
serve_card "$work/short"
read_pcsc "$work/short-pcsc.json" --trust "$work/short/csca.pem"
expect_verified_pace "$work/short-pcsc.json" "card refusing extended length"

extended_sim=$(apdus "$work/default-sim.json")
extended_pcsc=$(apdus "$work/default-pcsc.json")
announced_pcsc=$(apdus "$work/atrinfo-pcsc.json")
short_only=$(apdus "$work/default-short.json")
refusing_sim=$(apdus "$work/short-sim.json")
refusing_pcsc=$(apdus "$work/short-pcsc.json")
echo "APDUs of the default card: in process $extended_sim, through pcscd $extended_pcsc" \
  "($announced_pcsc with EF.ATR/INFO announced); short APDUs only (--short-apdus) $short_only"
echo "APDUs of a card refusing extended length: in process $refusing_sim, through pcscd $refusing_pcsc"
[ "$extended_pcsc" -eq "$extended_sim" ] || { echo "extended: pcscd $extended_pcsc != in process $extended_sim"; exit 1; }
[ "$announced_pcsc" -eq "$extended_sim" ] || { echo "EF.ATR/INFO: pcscd $announced_pcsc != $extended_sim"; exit 1; }
[ "$extended_sim" -lt "$short_only" ] || { echo "extended length saved nothing ($extended_sim vs $short_only)"; exit 1; }
[ "$refusing_pcsc" -eq "$refusing_sim" ] || { echo "refusing: pcscd $refusing_pcsc != in process $refusing_sim"; exit 1; }
# The chip's refusal costs its one question (EF.ATR/INFO answered 6700), then the short-APDU read.
[ "$refusing_pcsc" -eq $((short_only + 1)) ] ||
  { echo "refusing: $refusing_pcsc APDUs, expected the short read's $short_only + 1"; exit 1; }

echo "interop through pcscd: foreign EF.CardAccess, SFIs relative to the DF (read twice), no SFIs under SM"
echo "verified with PACE; extended length as the chip says it: pcscd and in-process counts agree"
