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

# The vpcd driver listens on the port its reader.conf names. Debian's /etc/reader.conf.d/vpcd names 35963,
# which lies in Linux's ephemeral range (32768-60999): a client connection anywhere on the machine (the
# server tests make thousands) may hold that local port, in TIME_WAIT for 60 s after it closes, and then
# the driver cannot bind and pcscd has no reader. Our pcscd reads this reader.conf instead, with a port
# just below the ephemeral range, which the kernel never hands out to a client.
ephemeral_low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range)
vpcd_port=$((ephemeral_low - 5))
[ "$vpcd_port" -gt 1024 ] || { echo "the ephemeral port range starts at $ephemeral_low: no port for vpcd below it" >&2; exit 1; }
vpcd_address="127.0.0.1:$vpcd_port"
printf 'FRIENDLYNAME "Virtual PCD"\nDEVICENAME /dev/null:0x%X\nLIBPATH /usr/lib/pcsc/drivers/serial/libifdvpcd.so\nCHANNELID 0x%X\n' \
  "$vpcd_port" "$vpcd_port" > "$work/reader.conf"

pcscd_pid=""
sim_pid=""
program_pid=""
pcscd_stack_cleanup() {
  [ -n "$program_pid" ] && kill "$program_pid" 2> /dev/null && wait "$program_pid" 2> /dev/null || true
  [ -n "$sim_pid" ] && kill "$sim_pid" 2> /dev/null && wait "$sim_pid" 2> /dev/null || true
  [ -n "$pcscd_pid" ] && kill "$pcscd_pid" 2> /dev/null && wait "$pcscd_pid" 2> /dev/null || true
  rm -rf "$work"
}
trap pcscd_stack_cleanup EXIT

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
