#!/usr/bin/env bash
# examples/custom_transport: libcccd reads, through the example's own transport callbacks, a card served by
# another process (cccd-sim serve, over the vpcd protocol on TCP), and verifies it against the card's CSCA.
# Cases: an uninterrupted read; a wrong CAN; the card pulled away mid-read with and without --resume (the
# resumed read's files equal the uninterrupted read's); short APDUs only; a read cancelled by SIGTERM
# while it waits for the card. Starts the example and the sim for each case, records their PIDs and stops
# exactly those; every wait is bounded.
# Usage: custom_transport_test.sh CUSTOM_TRANSPORT CCCD_SIM
set -euo pipefail
example=$1
sim=$2

work=$(mktemp -d)
example_pid=""
sim_pid=""
cleanup() {
  [ -n "$example_pid" ] && kill "$example_pid" 2> /dev/null && wait "$example_pid" 2> /dev/null || true
  [ -n "$sim_pid" ] && kill "$sim_pid" 2> /dev/null && wait "$sim_pid" 2> /dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

current_case=""
fail() {
  echo "FAIL: $current_case: $*"
  for log in "$work/$current_case".{out,err} "$work/$current_case.sim.log"; do
    [ -s "$log" ] && { echo "--- $log"; cat "$log"; }
  done
  exit 1
}

"$sim" personalise "$work/card" --id 001099012345 --birth 1990-05-17 --expiry 2030-05-17 --seed 3 > /dev/null
[ -s "$work/card/csca.pem" ] || { echo "FAIL: cccd-sim personalise wrote no csca.pem"; exit 1; }

# Polls (up to 10 s) until process $1 has exited; then `wait` collects its status.
wait_exit() {
  for _ in $(seq 100); do
    kill -0 "$1" 2> /dev/null || return 0
    sleep 0.1
  done
  return 1
}

# Starts the example in the background (its arguments: "$@"), waits (up to 10 s) for the port it
# listens on and sets $port.
start_example() {
  "$example" --port 0 "$@" > "$work/$current_case.out" 2> "$work/$current_case.err" &
  example_pid=$!
  port=""
  for _ in $(seq 100); do
    # The background shell may not have created the output file yet: no file is no port yet.
    port=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' "$work/$current_case.out" 2> /dev/null || true)
    [ -n "$port" ] && return 0
    kill -0 "$example_pid" 2> /dev/null || break
    sleep 0.1
  done
  fail "the example did not say which port it listens on"
}

# Waits for the example to end and sets $status to its exit status.
collect_example() {
  wait_exit "$example_pid" || fail "the example did not end within 10 s"
  set +e
  wait "$example_pid"
  status=$?
  set -e
  example_pid=""
}

# run_case NAME [SIM_OPTION...] -- EXAMPLE_ARGUMENT...: one read of the card; sets $status.
run_case() {
  current_case=$1
  shift
  local sim_options=()
  while [ "$1" != "--" ]; do
    sim_options+=("$1")
    shift
  done
  shift
  start_example "$@"
  "$sim" serve "$work/card" --vpcd "127.0.0.1:$port" "${sim_options[@]}" > "$work/$current_case.sim.log" 2>&1 &
  sim_pid=$!
  collect_example
  # The sim ends by itself once the example closes the connection; SIGTERM in case it is still waiting.
  kill "$sim_pid" 2> /dev/null || true
  wait_exit "$sim_pid" || fail "cccd-sim did not stop within 10 s"
  wait "$sim_pid" 2> /dev/null || true
  sim_pid=""
}

expect_verified() {
  [ "$status" -eq 0 ] || fail "exit $status, expected 0 (verified)"
  grep -qx "overall: verified" "$work/$current_case.out" || fail "no 'overall: verified'"
}

expect_failure() { # $1: the status name the read must fail with
  [ "$status" -eq 2 ] || fail "exit $status, expected 2 (the read failed)"
  grep -q "^read: $1" "$work/$current_case.err" || fail "stderr does not say 'read: $1'"
}

# 1. An uninterrupted read with the CAN (the last 6 digits of the ID number), extended length.
run_case plain -- --can 012345 --trust "$work/card/csca.pem" --dump "$work/plain.dump"
expect_verified
for file in EF.COM EF.SOD DG1 DG2; do
  [ -s "$work/plain.dump/$file" ] || fail "no $file in the dump"
done
# The example logs how many command APDUs the read took: the card is pulled away halfway through.
apdus=$(sed -n 's/^\([0-9][0-9]*\) command APDUs sent$/\1/p' "$work/plain.err")
[ -n "$apdus" ] && [ "$apdus" -ge 10 ] || fail "no APDU count in the log, or too few APDUs for a read"
remove_at=$((apdus / 2))
echo "ok: uninterrupted read with the CAN: verified in $apdus APDUs, dump written"

# 2. A wrong CAN: PACE fails, access denied.
run_case wrong_can -- --can 012399 --trust "$work/card/csca.pem"
expect_failure access_denied
echo "ok: wrong CAN: exit 2, read: access_denied"

# 3. The card pulled away halfway through the read and put back 300 ms later.
run_case resumed --remove-at "$remove_at" --reinsert-after-ms 300 -- \
  --can 012345 --trust "$work/card/csca.pem" --resume --dump "$work/resumed.dump"
expect_verified
grep -q "left the field at APDU $remove_at\$" "$work/resumed.sim.log" || fail "the card was not pulled away"
compared=0
for file in "$work/plain.dump"/*; do
  name=$(basename "$file")
  [ "$name" = read.json ] && continue
  cmp -s "$file" "$work/resumed.dump/$name" || fail "$name differs from the uninterrupted read's"
  compared=$((compared + 1))
done
for file in "$work/resumed.dump"/*; do
  [ -e "$work/plain.dump/$(basename "$file")" ] || fail "$(basename "$file") only in the resumed dump"
done
[ "$compared" -ge 3 ] || fail "only $compared files to compare"
echo "ok: card pulled away at APDU $remove_at with --resume: verified, its $compared files equal the" \
  "uninterrupted read's"

run_case torn --remove-at "$remove_at" --reinsert-after-ms 300 -- --can 012345 --trust "$work/card/csca.pem"
expect_failure card_removed
echo "ok: card pulled away at APDU $remove_at without --resume: exit 2, read: card_removed"

# 4. Short APDUs only (max_command_data / max_response_data 0), with the ID number and dates this time.
run_case short -- --short --id 001099012345 --birth 1990-05-17 --expiry 2030-05-17 --trust "$work/card/csca.pem"
expect_verified
echo "ok: short APDUs only, ID number and dates: verified"

# 5. Cancel: no card ever comes; SIGTERM makes the example cancel its read (cccd_cancel, which calls the
# transport's cancel callback) long before the 60 s wait for the card would end.
current_case=cancelled
start_example --wait 60 --can 012345
sleep 0.5
kill -TERM "$example_pid"
collect_example
expect_failure cancelled
echo "ok: SIGTERM while waiting for the card: exit 2, read: cancelled"

echo "custom_transport: every case passed"
