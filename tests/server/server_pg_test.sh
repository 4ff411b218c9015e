#!/usr/bin/env bash
# Two cccd-server nodes on one real PostgreSQL, started by this test (Debian's postgresql: initdb in a
# temporary folder, its own port, stopped by the PID in its postmaster.pid): a challenge issued by one node
# is consumed at the other, a replay is refused at both; 1000 concurrent submissions of one upload spread
# over both nodes: exactly one judged, 999 x 409; the audit rows in PostgreSQL; PostgreSQL stopped: 503 with
# Retry-After and /readyz not ready; started again: the nodes recover by themselves.
# PostgreSQL refuses to run as root: as root the database runs as `nobody` (runuser).
# The store's own tests that need a live PostgreSQL (server_unit_test's ServerPostgresLive) run first.
# Usage: server_pg_test.sh CCCD_SERVER CCCD_VERIFY CCCD_SIM SERVER_RACE SERVER_UNIT_TEST
#        (exit 77: no PostgreSQL server)
set -euo pipefail
server=$1
verify=$2
sim=$3
race=$4
unit=$5
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2> /dev/null | sort -V | tail -n 1)
if [ -z "$pgbin" ] || [ ! -x "$pgbin/initdb" ]; then
  echo "SKIP: no PostgreSQL server (Debian: apt install postgresql)"
  exit 77
fi
fail() {  # with the end of PostgreSQL's log
  echo "FAIL: $*"
  [ -f "$work/pg/log" ] && tail -n 20 "$work/pg/log"
  exit 1
}
source "$(dirname "$0")/server_lib.sh"
chmod 755 "$work"

as_pg=()
mkdir "$work/pg"
if [ "$(id -u)" -eq 0 ]; then
  as_pg=(runuser -u nobody --)
  chown nobody "$work/pg"
fi
pg_pid=
start_pg() {
  "${as_pg[@]}" "$pgbin/pg_ctl" -D "$work/pg/data" -l "$work/pg/log" -w -t 60 \
    -o "-p $pg_port -k $work/pg -c listen_addresses=127.0.0.1" start > /dev/null || fail "PostgreSQL did not start"
  pg_pid=$(head -n 1 "$work/pg/data/postmaster.pid")
}
stop_pg() {  # fast shutdown of exactly the postmaster this test started
  [ -n "$pg_pid" ] || return 0
  kill -INT "$pg_pid" 2> /dev/null || true
  local i
  for i in $(seq 1 300); do
    kill -0 "$pg_pid" 2> /dev/null || break
    sleep 0.1
  done
  pg_pid=
}
load_pid=
cleanup_more() {  # after the servers (server_lib.sh's trap)
  if [ -n "$load_pid" ]; then kill "$load_pid" 2> /dev/null || true; fi
  stop_pg
}

"${as_pg[@]}" "$pgbin/initdb" -D "$work/pg/data" -A trust -U cccd --no-sync > "$work/initdb.log" 2>&1 \
  || { cat "$work/initdb.log"; fail "initdb"; }
pg_port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
start_pg
psql() { "$pgbin/psql" -h 127.0.0.1 -p "$pg_port" -U cccd -d postgres -Atq "$@"; }
psql -c "CREATE DATABASE store_test"  # a database of their own: the rows counted below are the nodes'
CCCD_TEST_POSTGRESQL="host=127.0.0.1 port=$pg_port user=cccd dbname=store_test" \
  "$unit" --gtest_filter='ServerPostgresLive.*' --gtest_brief=1 > "$work/unit.log" 2>&1 \
  || { cat "$work/unit.log"; fail "server_unit_test's ServerPostgresLive tests"; }
grep -q "PASSED.*4 tests" "$work/unit.log" || { cat "$work/unit.log"; fail "ServerPostgresLive did not run"; }

key=test-key-$RANDOM$RANDOM
key_hash=$(sha256_hex "$key")
"$sim" personalise "$work/card" > /dev/null
for node in a b; do
  cat > "$work/$node.toml" << CONFIG
[server]
port = 0
node_id = "node-$node"
max_connections = 2100

[database]
postgresql = "host=127.0.0.1 port=$pg_port user=cccd dbname=postgres"

[trust]
csca = ["card/csca.pem"]

[[api_keys]]
id = "bank-app"
sha256 = "$key_hash"
CONFIG
done

start_server a "$work/a.toml"
start_server b "$work/b.toml"
url_a=http://127.0.0.1:$a_port
url_b=http://127.0.0.1:$b_port
out=$(api GET "$url_b/readyz")
expect_status 200 "$out" "readyz"
grep -q '"database":"postgresql"' <<< "$out" || fail "readyz: $out"

# Issued at A, judged at B; replayed at A and at B: 409 at both.
new_challenge "$url_a" "$key"
make_upload "$work/card" "$challenge_id" "$challenge" "$work/upload.json"
out=$(api POST "$url_b/v1/verifications" -H "X-API-Key: $key" --data-binary @"$work/upload.json")
expect_status 200 "$out" "A's challenge used at B"
grep -q '"overall":"verified"' <<< "$out" || fail "not verified: $(head -c 2000 <<< "$out")"
for url in "$url_a" "$url_b"; do
  out=$(api POST "$url/v1/verifications" -H "X-API-Key: $key" --data-binary @"$work/upload.json")
  expect_status 409 "$out" "a replay at $url"
done

# 1000 concurrent submissions of one upload over both nodes: exactly one judged.
new_challenge "$url_b" "$key"
make_upload "$work/card" "$challenge_id" "$challenge" "$work/race.json"
counts=$("$race" "$work/race.json" "$key" 1000 "127.0.0.1:$a_port" "127.0.0.1:$b_port")
echo "race over two nodes: $counts"
[ "$counts" = '{"200": 1, "409": 999}' ] || fail "1000 concurrent submissions over two nodes: $counts"

# The audit rows: two judged uploads, no personal data.
[ "$(psql -c 'SELECT count(*) FROM audit')" = 2 ] || fail "audit rows: $(psql -c 'SELECT count(*) FROM audit')"
[ "$(psql -c "SELECT count(*) FROM audit WHERE node = 'node-b' AND findings->>'chip_authenticity' = 'passed'")" -ge 1 ] \
  || fail "no audit row of node-b with chip authenticity passed"
psql -c 'SELECT * FROM audit' | grep -q -e 001099012345 -e NGUYEN && fail "personal data in the audit table"

# PostgreSQL stopped under load (a client asking node A for challenges without pause): 503 with
# Retry-After, /readyz not ready, the node keeps running; every answer is 201 or 503, none hangs.
(
  while [ ! -e "$work/load.stop" ]; do
    curl -s -o /dev/null -w '%{http_code}\n' --max-time 10 -X POST -H "X-API-Key: $key" "$url_a/v1/challenges" \
      >> "$work/load.codes" || echo "curl-failed" >> "$work/load.codes"
  done
) &
load_pid=$!
sleep 0.5
stop_pg
out=$(curl -sS -i -X POST -H "X-API-Key: $key" "$url_a/v1/challenges")
grep -q '^HTTP/1.1 503' <<< "$out" || fail "database down: $(head -n 1 <<< "$out")"
grep -qi '^Retry-After: 1' <<< "$out" || fail "503 without Retry-After"
grep -q '"code":"database_unavailable"' <<< "$out" || fail "503: $out"
out=$(api GET "$url_b/readyz")
expect_status 503 "$out" "readyz with the database down"

# Started again: both nodes recover without a restart.
start_pg
recovered=
for i in $(seq 1 100); do
  out=$(api POST "$url_a/v1/challenges" -H "X-API-Key: $key")
  if [ "$(tail -n 1 <<< "$out")" = 201 ]; then
    recovered=1
    break
  fi
  sleep 0.1
done
[ -n "$recovered" ] || fail "node A did not recover after PostgreSQL came back: $out"
sleep 0.3
touch "$work/load.stop"
wait "$load_pid"
load_pid=
echo "under load: $(sort "$work/load.codes" | uniq -c | tr '\n' ' ')"
grep -qx 503 "$work/load.codes" || fail "the load saw no 503 while the database was down"
[ "$(tail -n 1 "$work/load.codes")" = 201 ] || fail "the load did not end on 201 after the recovery"
if grep -vqx -e 201 -e 503 "$work/load.codes"; then fail "answers other than 201 and 503: $(sort -u "$work/load.codes")"; fi
new_challenge "$url_a" "$key"
make_upload "$work/card" "$challenge_id" "$challenge" "$work/after.json"
out=$(api POST "$url_b/v1/verifications" -H "X-API-Key: $key" --data-binary @"$work/after.json")
expect_status 200 "$out" "an upload after PostgreSQL came back"

# kill -9 of node A under load (4 clients uploading to it, each upload with its own challenge): every
# upload A answered 200 has its audit row; node B, on the same database, judges none of those again.
uploads=60
kill_under_load "$url_a" "$a_pid" $uploads 15
echo "kill -9 of node A after $answered answered uploads (of $uploads)"
audited=$(psql -c "SELECT challenge_id FROM audit WHERE node = 'node-a'" | sort)
missing=$(comm -23 "$work/crash-answered.ids" <(printf '%s\n' "$audited"))
[ -z "$missing" ] || fail "answered uploads without an audit row: $missing"
resend_after_kill "$url_b" "node B"
[ "$(psql -c 'SELECT count(*) = count(DISTINCT challenge_id) FROM audit')" = t ] || fail "a challenge judged twice"

stop_server "$b_pid"
for log in "$work/a.log" "$work/b.log"; do
  grep -q -e 001099012345 -e NGUYEN -e 'Nguyễn' "$log" && fail "personal data in $log"
done
echo "server_postgresql: two nodes on one database, replays refused at both, 1000 concurrent -> 1 + 999 x 409, recovery after the database came back, kill -9 of a node under load: $answered answered, all audited, none judged twice"
