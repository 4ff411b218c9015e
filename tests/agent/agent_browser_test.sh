#!/usr/bin/env bash
# The officer's page of cccd-agent in headless chromium (agent_browser_test.mjs, playwright-core), reading
# the virtual card through the real PC/SC stack: pcscd + vsmartcard-vpcd + cccd-sim serve. Starts its own
# pcscd, agent and cards (tests/lib/pcscd_stack.sh) and stops exactly those.
# Then the result the web app got is compared with what cccd-verify read --json prints for the same card
# and QR line: the same JSON but for the read's own statistics.
# Usage: agent_browser_test.sh CCCD_AGENT CCCD_SIM CCCD_VERIFY SOURCE_DIR SCREENSHOT_DIR
set -euo pipefail
agent=$1
sim=$2
verify=$3
source_dir=$4
shots=$5
here=$(cd "$(dirname "$0")" && pwd)
# Not a skip: CI must run this test, and scripts/install-deps.sh installs both.
[ -x /usr/bin/chromium ] || { echo "FAIL: no /usr/bin/chromium: run scripts/install-deps.sh"; exit 1; }
[ -f "$here/node_modules/playwright-core/package.json" ] ||
  { echo "FAIL: no playwright-core in tests/agent/node_modules: run scripts/install-deps.sh"; exit 1; }
source "$source_dir/tests/lib/pcscd_stack.sh"
export LANG=C.UTF-8 LC_ALL=C.UTF-8

browser_cleanup() {
  # The cards the driver placed (by the PIDs it recorded), then the stack's own processes.
  if [ -f "$work/sim.pids" ]; then
    while read -r pid; do kill "$pid" 2> /dev/null || true; done < "$work/sim.pids"
  fi
  pcscd_stack_cleanup
}
trap browser_cleanup EXIT
fail() {
  echo "FAIL: $*"
  for log in agent.log sim.log; do [ -f "$work/$log" ] && { echo "--- $log"; cat "$work/$log"; }; done
  exit 1
}
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

"$sim" personalise "$work/card" --seed 1 > /dev/null
"$sim" qr "$work/card" > "$work/card.qr"
app_port=$(free_port)
foreign_port=$(free_port)
"$agent" --port 0 --token-file "$work/token" --allow-origin "http://127.0.0.1:$app_port" \
  --trust "$work/card/csca.pem" --wait 30 > "$work/agent.log" 2>&1 &
program_pid=$!
for _ in $(seq 50); do grep -q "listening on" "$work/agent.log" 2> /dev/null && break; sleep 0.1; done
port=$(sed -nE 's|.*listening on http://127\.0\.0\.1:([0-9]+)/.*|\1|p' "$work/agent.log")
[ -n "$port" ] || fail "the agent did not start"

rm -rf "$shots"
AGENT_URL="http://127.0.0.1:$port" TOKEN_FILE="$work/token" SHOTS_DIR="$shots" QR_FILE="$work/card.qr" \
  WORK="$work" CCCD_SIM="$sim" CARD_DIR="$work/card" VPCD_ADDRESS="$vpcd_address" \
  APP_PORT="$app_port" FOREIGN_PORT="$foreign_port" \
  COUNTER_DOC="$source_dir/docs/counter.md" node "$here/agent_browser_test.mjs" || fail "the browser test failed"

# The agent stops cleanly after all that (exit 0; under the sanitizers: no error, no leak).
kill -TERM "$program_pid"
set +e
wait "$program_pid"
status=$?
set -e
program_pid=""
[ "$status" = 0 ] || fail "the agent ended with exit $status on SIGTERM"
if grep -qE "ERROR|runtime error" "$work/agent.log"; then fail "the agent reported an error"; fi
echo "ok: the agent stopped cleanly"

# The CLI then reads the same card (the agent no longer polls the reader). pcscd learns that the last
# card left by polling the vpcd reader; a card served again within that interval meets the stale state
# and the read's start-up reset answers "no smart card" (1 run in 3 here). One second is several polls.
sleep 1
"$sim" serve --vpcd "$vpcd_address" "$work/card" >> "$work/sim.log" 2>&1 &
sim_pid=$!
"$verify" read --wait 20 --reader "Virtual PCD" --id-stdin --trust "$work/card/csca.pem" --json \
  < "$work/card.qr" > "$work/cli-result.json" || fail "cccd-verify read of the same card: exit $?: $(head -c 600 "$work/cli-result.json")"
python3 - "$work/agent-result.json" "$work/cli-result.json" << 'PY' || fail "the agent's result differs from cccd-verify's"
import json, sys
agent, cli = (json.load(open(path)) for path in sys.argv[1:3])
for document in (agent, cli):
    document.pop("stats")  # APDUs, bytes and seconds of each read
if agent != cli:
    sys.exit("agent: %s\ncli:   %s" % (json.dumps(agent, sort_keys=True), json.dumps(cli, sort_keys=True)))
print("ok: the agent's result is cccd-verify read --json's, statistics aside")
PY
