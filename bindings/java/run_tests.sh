#!/usr/bin/env bash
# The Java binding's JUnit 5 tests (src/test/java), run by ctest through Debian's JUnit console launcher.
#   memory: everything but the pcsc tag: a dump verified from memory with the server's challenge, a replay
#           refused, bad input and failing links as CccdExceptions, the README's Java example.
#   pcsc:   the pcsc tag: the virtual card read through pcscd + vsmartcard-vpcd by a javax.smartcardio
#           transport. Starts its own pcscd under the machine-wide lock (tests/lib/pcscd_stack.sh).
# Usage: run_tests.sh memory|pcsc JAVA CLASSPATH LIBCCCD CCCD_SIM CCCD_VERIFY README
# (CLASSPATH ends with the tests' jar, whose *Test classes are run.)
set -euo pipefail
mode=$1 java=$2 classpath=$3 library=$4 sim=$5 verify=$6 readme=$7
here=$(cd "$(dirname "$0")" && pwd)

# javax.smartcardio loads pcsc-lite itself; Debian's JDK looks for libpcsclite.so, which only the -dev
# package provides, so name the runtime library (libpcsclite1) wherever the multiarch path put it.
pcsclite=""
for candidate in /usr/lib/x86_64-linux-gnu/libpcsclite.so.1 /usr/lib/*/libpcsclite.so.1 /usr/lib/libpcsclite.so.1; do
  [ -e "$candidate" ] && { pcsclite=$candidate; break; }
done

if [ "$mode" = pcsc ]; then
  source "$here/../../tests/lib/pcscd_stack.sh" # sets $work, stops what it recorded on exit
  [ -n "$pcsclite" ] || { echo "FAIL: no libpcsclite.so.1 for javax.smartcardio"; exit 1; }
else
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi

"$sim" personalise "$work/card" --aa ecdsa --seed 5 > /dev/null
if [ "$mode" = pcsc ]; then
  "$sim" serve --vpcd "$vpcd_address" "$work/card" > "$work/sim.log" 2>&1 &
  sim_pid=$!
  tags=(--include-tag pcsc)
else
  # What a phone would upload: read with the server's challenge (0123456789abcdef, Fixtures.java).
  "$verify" read --sim "$work/card" --id 001099012345 --challenge 0123456789abcdef --dump "$work/upload" \
    --json > /dev/null
  tags=(--exclude-tag pcsc)
fi

set +e
"$java" -Dcccd.library="$library" -Dsun.security.smartcardio.library="$pcsclite" \
  -Dcccd.test.card="$work/card" -Dcccd.test.upload="$work/upload" -Dcccd.test.verify="$verify" \
  -Dcccd.test.readme="$readme" -Djava.io.tmpdir="$work" \
  -cp "$classpath" org.junit.platform.console.ConsoleLauncher --disable-banner --details=tree \
  --fail-if-no-tests --scan-classpath "${classpath##*:}" "${tags[@]}"
status=$?
set -e
if [ "$status" -ne 0 ] && [ "$mode" = pcsc ]; then
  echo "--- cccd-sim"; cat "$work/sim.log"
fi
exit "$status"
