#!/usr/bin/env bash
# cccd-server's threads, for the ThreadSanitizer build (label `concurrency`: scripts/sanitize.sh --tsan).
# Four workers judge batches of uploads sent over many connections at once, while the trust store is
# reloaded (SIGHUP) and /metrics is read; then 200 submissions of one upload race for its challenge. Under
# ThreadSanitizer (halt_on_error) a data race aborts the server: its requests then fail, and so does this
# test, which also looks for a report in the server's log. Built without it, the test runs the same steps.
# Usage: server_tsan_test.sh CCCD_SERVER CCCD_VERIFY CCCD_SIM SERVER_RACE
set -euo pipefail
server=$1
verify=$2
sim=$3
race=$4
fail() {  # with the server's ThreadSanitizer report, if there is one
  echo "FAIL: $*"
  [ -f "$work/node.log" ] && grep -A 30 -m 1 'ThreadSanitizer' "$work/node.log"
  exit 1
}
source "$(dirname "$0")/server_lib.sh"

key=tsan-key-$RANDOM$RANDOM
key_hash=$(sha256_hex "$key")
"$sim" personalise "$work/card" > /dev/null
cat > "$work/server.toml" << CONFIG
[server]
port = 0
workers = 4

[database]
sqlite = "state.db"

[policy]
require_chip_authenticity = true

[trust]
csca = ["card/csca.pem"]

[[api_keys]]
id = "bank-app"
sha256 = "$key_hash"
CONFIG
start_server node "$work/server.toml"
url=http://127.0.0.1:$node_port

# One read of the card, with the first challenge. The other uploads carry the same evidence with
# challenges of their own: each is judged all the same (not verified: the card signed another challenge),
# so every one of them runs the whole path, the look-up, the library, the commit of its use.
uploads=64
new_challenge "$url" "$key"
make_upload "$work/card" "$challenge_id" "$challenge" "$work/upload-1.json"
for i in $(seq 2 "$uploads"); do
  new_challenge "$url" "$key"
  sed "s/\"challenge_id\": \"[0-9a-f]*\"/\"challenge_id\": \"$challenge_id\"/" "$work/upload-1.json" \
    > "$work/upload-$i.json"
done

# Eight clients at once, each its share of the uploads; beside them, /metrics read and the trust
# store reloaded.
clients=()
for c in $(seq 0 7); do
  (
    for i in $(seq $((c + 1)) 8 "$uploads"); do
      curl -s -o "$work/answer-$i.json" -w "%{http_code}\n" -X POST -H "X-API-Key: $key" \
        --data-binary @"$work/upload-$i.json" "$url/v1/verifications" >> "$work/codes-$c" || echo failed >> "$work/codes-$c"
    done
  ) &
  clients+=($!)
  client_pids+=($!)
done
for round in 1 2 3; do
  kill -HUP "$node_pid"
  curl -s -o /dev/null -H "X-API-Key: $key" "$url/metrics" || fail "/metrics during the load"
  wait_for_log '"event":"trust_reloaded"' "$work/node.log" "$round"
done
for c in "${clients[@]}"; do wait "$c"; done
codes=$(cat "$work"/codes-* | sort | uniq -c | tr -s ' ' | tr '\n' ';')
[ "$codes" = " $uploads 200;" ] || fail "the uploads were answered: $codes"
grep -q '"overall": *"verified"' "$work/answer-1.json" || fail "the card's own challenge was not verified"
verified=$(grep -l '"overall": *"verified"' "$work"/answer-*.json | wc -l)
[ "$verified" = 1 ] || fail "$verified uploads verified, expected only the one with the card's challenge"

# 200 submissions of one upload over 200 connections: one judged, 199 refused.
new_challenge "$url" "$key"
make_upload "$work/card" "$challenge_id" "$challenge" "$work/race.json"
counts=$("$race" "$work/race.json" "$key" 200 "127.0.0.1:$node_port")
[ "$counts" = '{"200": 1, "409": 199}' ] || fail "200 concurrent submissions: $counts"

stop_server "$node_pid"
if grep -q 'ThreadSanitizer' "$work/node.log"; then fail "ThreadSanitizer reported"; fi
echo "server threads: $uploads uploads on 8 connections with 3 reloads, then a race of 200: no report"
