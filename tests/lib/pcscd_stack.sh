# Sourced by the shell tests that go through the real PC/SC stack (pcscd + vsmartcard-vpcd + cccd-sim
# serve). Starts this test's own pcscd in the foreground, records its PID and, on exit, stops exactly the
# processes the test recorded (pcscd_pid, sim_pid, program_pid) and removes the work folder.
#
# After sourcing: $work (a fresh folder), $pcscd_pid, $vpcd_address (where `cccd-sim serve --vpcd` must
# connect); the test sets sim_pid / program_pid as it starts them.
# Exits 77 (ctest's skip) when not root: pcscd needs root to create /run/pcscd.

if [ "$(id -u)" -ne 0 ]; then
  echo "SKIP: pcscd needs root to create /run/pcscd"
  exit 77
fi
for needed in /usr/sbin/pcscd /usr/lib/pcsc/drivers/serial/libifdvpcd.so; do
  [ -e "$needed" ] || { echo "missing $needed: run scripts/install-deps.sh"; exit 1; }
done
# ctest's RESOURCE_LOCK serialises the pcscd tests of one run; this lock serialises them across runs on
# one machine (two checkouts tested at once). Held by fd 9 until the test exits.
exec 9> /run/lock/cccd-pcscd.lock
flock -w 1200 9 || { echo "another test held the machine's pcscd lock for 20 minutes" >&2; exit 1; }
if [ -S /run/pcscd/pcscd.comm ] && pgrep -x pcscd > /dev/null; then
  echo "a pcscd not started by this test is running; this test needs its own" >&2
  exit 1
fi

work=$(mktemp -d)

# Our pcscd reads its own reader.conf, with the vpcd driver on a port no client connection can hold
# (the script says why).
vpcd_address=$("$(dirname "${BASH_SOURCE[0]}")/vpcd_reader_conf.sh" "$work") || exit 1

pcscd_pid=""
sim_pid=""
program_pid=""
port_holder_pid=""
pcscd_stack_cleanup() {
  [ -n "$port_holder_pid" ] && kill "$port_holder_pid" 2> /dev/null && wait "$port_holder_pid" 2> /dev/null || true
  [ -n "$program_pid" ] && kill "$program_pid" 2> /dev/null && wait "$program_pid" 2> /dev/null || true
  [ -n "$sim_pid" ] && kill "$sim_pid" 2> /dev/null && wait "$sim_pid" 2> /dev/null || true
  [ -n "$pcscd_pid" ] && kill "$pcscd_pid" 2> /dev/null && wait "$pcscd_pid" 2> /dev/null || true
  rm -rf "$work"
}
trap pcscd_stack_cleanup EXIT

# A client connection holds Debian's vpcd port (35963) while the test runs, as one sometimes does by
# chance: a pcscd started with Debian's reader.conf instead of ours then has no reader in every run, not
# only in the unlucky ones.
/usr/bin/python3 "$(dirname "${BASH_SOURCE[0]}")/hold_client_port.py" 35963 > "$work/port_holder.out" 2>&1 &
port_holder_pid=$!
for _ in $(seq 50); do [ -s "$work/port_holder.out" ] && break; sleep 0.1; done
grep -qx 'held\|busy' "$work/port_holder.out" || { cat "$work/port_holder.out"; echo "could not hold port 35963"; exit 1; }

# Starts this test's pcscd (sets pcscd_pid) and waits for its socket; stop_pcscd stops it again, so a
# test can see the desk without a PC/SC service and the service coming back.
start_pcscd() {
  /usr/sbin/pcscd --foreground --config "$work/reader.conf" >> "$work/pcscd.log" 2>&1 &
  pcscd_pid=$!
  for _ in $(seq 50); do [ -S /run/pcscd/pcscd.comm ] && break; sleep 0.1; done
  [ -S /run/pcscd/pcscd.comm ] || { cat "$work/pcscd.log"; echo "pcscd did not start"; exit 1; }
}
stop_pcscd() {
  kill "$pcscd_pid" 2> /dev/null && wait "$pcscd_pid" 2> /dev/null || true
  pcscd_pid=""
  for _ in $(seq 50); do [ -S /run/pcscd/pcscd.comm ] || break; sleep 0.1; done
  [ ! -S /run/pcscd/pcscd.comm ] || { echo "pcscd left its socket behind"; exit 1; }
}
start_pcscd
