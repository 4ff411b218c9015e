#!/usr/bin/env bash
# The desk and the kiosk through the real PC/SC stack (pcscd + vsmartcard-vpcd + cccd-sim serve):
#   loop               cccd-verify read --wait --loop reads card after card (a new `cccd-sim serve` is a new
#                      card), shows a card pulled away as an error and goes on, and ends on SIGINT with exit 0
#   kiosk_removal      examples/kiosk: progress callback, the card pulled at APDU 14 (in DG2) and put back (resume),
#                      verified, then the card taken away
#   kiosk_no_card      examples/kiosk: no card comes, the example's timer thread cancels the wait (exit 3)
# Starts its own pcscd and cccd-sim, records their PIDs and stops exactly those (as pcsc_end_to_end.sh).
# Usage: desk_pcsc_test.sh MODE CCCD_VERIFY CCCD_SIM KIOSK
set -euo pipefail
mode=$1
verify=$2
sim=$3
kiosk=$4
source "$(dirname "$0")/lib/pcscd_stack.sh"
"$sim" personalise "$work/card" > /dev/null

# A new card on the reader: `cccd-sim serve` with the given options.
insert_card() {
  "$sim" serve --vpcd "$vpcd_address" "$work/card" "$@" >> "$work/sim.log" 2>&1 &
  sim_pid=$!
}
# Takes the card away; pcscd polls the driver for presence, so give it time to see the card go.
remove_card() {
  kill "$sim_pid" && wait "$sim_pid" 2> /dev/null || true
  sim_pid=""
  sleep 2
}
# Waits up to $2 seconds for the pattern $1 (grep -E) to appear $3 times (default 1) in file $4.
wait_for_text() {
  local count=${3:-1}
  for _ in $(seq $(($2 * 10))); do
    [ "$(grep -cE "$1" "$4" || true)" -ge "$count" ] && return 0
    sleep 0.1
  done
  echo "timed out waiting for '$1' x$count in $4:"
  cat "$4"
  return 1
}
fail() {
  echo "FAIL: $*"
  echo "--- output"; cat "$work/out" 2> /dev/null || true
  echo "--- sim"; cat "$work/sim.log" 2> /dev/null || true
  exit 1
}

case "$mode" in
  loop)
    "$verify" read --reader "Virtual PCD" --wait --loop --lang en --id 001099012345 \
      --trust "$work/card/csca.pem" > "$work/out" 2>&1 &
    program_pid=$!
    wait_for_text "Place a card" 10 1 "$work/out" || fail "no prompt"
    # Card 1: read and verified; the loop asks for it to be taken away.
    insert_card
    wait_for_text "Please remove the card" 30 1 "$work/out" || fail "card 1 not read"
    remove_card
    # Card 2: pulled away at APDU 14 (put back 0.5 s later): an error, shown, and the loop goes on.
    insert_card --remove-at 14
    wait_for_text "Please remove the card" 30 2 "$work/out" || fail "card 2 not handled"
    remove_card
    # Card 3: read and verified again.
    insert_card
    wait_for_text "Please remove the card" 30 3 "$work/out" || fail "card 3 not read"
    # Ctrl-C while it waits for the removal: the wait ends at once, exit 0.
    kill -INT "$program_pid"
    started=$(date +%s)
    set +e
    wait "$program_pid"
    status=$?
    set -e
    program_pid=""
    elapsed=$(($(date +%s) - started))
    cat "$work/out"
    [ "$status" -eq 0 ] || fail "loop ended with exit $status, expected 0"
    [ "$elapsed" -le 3 ] || fail "SIGINT took $elapsed s to end the loop"
    grep -q "===== Card 1 =====" "$work/out" || fail "no card 1"
    grep -q "===== Card 2 =====" "$work/out" || fail "no card 2"
    grep -q "===== Card 3 =====" "$work/out" || fail "no card 3"
    [ "$(grep -c "RESULT: VERIFIED" "$work/out")" -eq 2 ] || fail "cards 1 and 3 not both verified"
    grep -q "ERROR: card_removed" "$work/out" || fail "card 2's removal not shown"
    # Card 2's error comes between card 2's header and card 3's.
    sed -n '/===== Card 2 =====/,/===== Card 3 =====/p' "$work/out" | grep -q "ERROR: card_removed" ||
      fail "card 2's error not under card 2"
    grep -q "Stopped. Cards read: 3" "$work/out" || fail "no stop line"
    echo "desk loop: three cards in a row (one pulled away), ended by SIGINT in ${elapsed} s"
    ;;
  kiosk_removal)
    # Pulled at APDU 14 and put back 1.5 s later; the kiosk resumes and verifies.
    insert_card --remove-at 14 --reinsert-after-ms 1500
    "$kiosk" 001099012345 1990-05-17 2030-05-17 "Virtual PCD" 60 "$work/card/csca.pem" > "$work/out" 2>&1 &
    program_pid=$!
    wait_for_text "please take your card" 60 1 "$work/out" || fail "kiosk did not finish the read"
    remove_card
    set +e
    wait "$program_pid"
    status=$?
    set -e
    program_pid=""
    cat "$work/out"
    [ "$status" -eq 0 ] || fail "kiosk exit $status, expected 0"
    grep -q "kiosk: read with [0-9]* progress reports: verified" "$work/out" || fail "not verified"
    grep -qE "progress: DG2 [0-9]+/[0-9]+ bytes" "$work/out" || fail "no DG2 progress"
    grep -q "kiosk: card taken" "$work/out" || fail "the removal was not seen"
    grep -q "The card left the field at APDU 14" "$work/sim.log" || fail "the card was not pulled during the read"
    grep -q "The card is back" "$work/sim.log" || fail "the card was not put back"
    echo "kiosk: progress, card pulled and put back, verified, card taken"
    ;;
  kiosk_no_card)
    started=$(date +%s)
    set +e
    "$kiosk" 001099012345 1990-05-17 2030-05-17 "Virtual PCD" 2 > "$work/out" 2>&1
    status=$?
    set -e
    elapsed=$(($(date +%s) - started))
    cat "$work/out"
    [ "$status" -eq 3 ] || fail "kiosk exit $status, expected 3"
    grep -q "kiosk: no card within 2 s, cancelling" "$work/out" || fail "the timer did not fire"
    grep -q "kiosk: cancelled, no card was presented" "$work/out" || fail "not reported as cancelled"
    [ "$elapsed" -le 5 ] || fail "the cancel took $elapsed s"
    echo "kiosk: no card, cancelled by its timer thread after ${elapsed} s"
    ;;
  *)
    echo "unknown mode $mode"
    exit 2
    ;;
esac
