#!/usr/bin/env bash
# cccd-server under the two ways a node stops:
#  - SIGTERM drains: a request in flight (its body still arriving) is answered, an idle keep-alive
#    connection is closed at once, no new connection is accepted, the process exits 0;
#  - kill -9 under load (4 clients uploading, each with its own challenge): every upload answered 200 has
#    its audit row, and after a restart every upload is sent again: none is judged a second time (each gets
#    409), so no challenge was used twice, whatever the moment of the kill.
# Usage: server_crash_test.sh CCCD_SERVER CCCD_VERIFY CCCD_SIM
set -euo pipefail
server=$1
verify=$2
sim=$3
source "$(dirname "$0")/server_lib.sh"

key=test-key-$RANDOM$RANDOM
key_hash=$(sha256_hex "$key")
"$sim" personalise "$work/card" > /dev/null
cat > "$work/server.toml" << CONFIG
[server]
port = 0
workers = 2
drain_timeout_ms = 10000

[database]
sqlite = "state.db"

[trust]
csca = ["card/csca.pem"]

[[api_keys]]
id = "bank-app"
sha256 = "$key_hash"
CONFIG

# --- SIGTERM drains ---
start_server node "$work/server.toml"
exec 3<> "/dev/tcp/127.0.0.1/$node_port"
printf 'POST /v1/challenges HTTP/1.1\r\nHost: x\r\nX-API-Key: %s\r\nContent-Length: 2\r\n\r\n' "$key" >&3
exec 4<> "/dev/tcp/127.0.0.1/$node_port"
sleep 0.2
kill -TERM "$node_pid"
wait_for_log '"event":"draining"' "$work/node.log"
timeout 3 cat <&4 > /dev/null || fail "the idle connection was not closed by the drain"
refused=
for i in $(seq 1 100); do
  if ! curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$node_port/healthz"; then
    refused=1
    break
  fi
  sleep 0.05
done
[ -n "$refused" ] || fail "new connections were still accepted while draining"
kill -0 "$node_pid" 2> /dev/null || fail "the server exited with a request in flight"
printf '{}' >&3
answer=$(timeout 5 cat <&3 || true)
exec 3<&- 4<&-
grep -q '^HTTP/1.1 201' <<< "$answer" || fail "the request in flight got: $(head -n 1 <<< "$answer")"
grep -qi '^Connection: close' <<< "$answer" || fail "the answer during the drain does not close the connection"
status=0
wait "$node_pid" || status=$?
[ "$status" -eq 0 ] || fail "exit $status after the drain"
grep -q '"connections_left":0,"event":"stopped"' "$work/node.log" || fail "no stopped line: $(tail -n 2 "$work/node.log")"

# --- kill -9 under load ---
start_server node "$work/server.toml"
url=http://127.0.0.1:$node_port
uploads=80
kill_under_load "$url" "$node_pid" $uploads 20
echo "kill -9 after $answered answered uploads (of $uploads)"
[ "$answered" -lt $uploads ] || fail "the node finished before the kill: the test proves nothing"

# Every upload answered 200 has its audit row.
/usr/bin/python3 - "$work/state.db" "$work/crash-answered.ids" << 'PY' || fail "an answered upload has no audit row"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
audited = {row[0] for row in db.execute("SELECT challenge_id FROM audit")}
answered = set(open(sys.argv[2]).read().split())
missing = answered - audited
assert not missing, f"{len(missing)} answered uploads without an audit row"
rows = db.execute("SELECT count(*), count(DISTINCT challenge_id) FROM audit").fetchone()
assert rows[0] == rows[1], f"a challenge judged twice: {rows}"
print(f"{len(answered)} answered, {len(audited)} audited")
PY

# After a restart, every upload again: none is judged twice. An upload whose challenge the killed node had
# used without answering gets 409 as well; one it never reached is judged now, once.
start_server node "$work/server.toml"
url=http://127.0.0.1:$node_port
resend_after_kill "$url" "the restarted node"
stop_server "$node_pid"
/usr/bin/python3 - "$work/state.db" "$uploads" << 'PY' || fail "the audit after the restart"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
total, distinct = db.execute("SELECT count(*), count(DISTINCT challenge_id) FROM audit").fetchone()
assert total == distinct, f"a challenge judged twice: {total} rows, {distinct} challenges"
assert total <= int(sys.argv[2]), total
PY
echo "server_crash: SIGTERM drained; kill -9 under load: $answered answered, all audited; $judged_again judged after the restart, none twice"
