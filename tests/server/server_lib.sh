# Shared by the server tests (sourced): start cccd-server from a config, wait for its port, talk JSON with
# curl, stop exactly the processes started here (by PID, never by name).
# Needs: $server (the cccd-server binary).
#
# Sourcing it starts the test: $work, a temporary folder, and an EXIT trap that stops the background
# clients and the servers started here, then runs the script's own `cleanup_more` when it has one, then
# removes $work. fail() says why and exits 1, unless the script defined its own before (to show more).

server_pids=()
client_pids=()  # background clients (kill_under_load); the trap stops them
work=$(mktemp -d)
if ! declare -F fail > /dev/null; then
  fail() {
    echo "FAIL: $*"
    exit 1
  }
fi
finish_test() {
  stop_clients_and_servers
  if declare -F cleanup_more > /dev/null; then cleanup_more; fi
  rm -rf "$work"
}
trap finish_test EXIT

# start_server NAME CONFIG: starts a node; sets $port to its port. Its log is $work/NAME.log.
start_server() {
  local name=$1 config=$2 i
  rm -f "$work/$name.port"
  "$server" --config "$config" --port-file "$work/$name.port" 2> "$work/$name.log" &
  local pid=$!
  server_pids+=("$pid")
  eval "${name}_pid=$pid"
  for i in $(seq 1 200); do
    [ -s "$work/$name.port" ] && break
    kill -0 "$pid" 2> /dev/null || { cat "$work/$name.log"; fail "$name did not start"; }
    sleep 0.05
  done
  [ -s "$work/$name.port" ] || fail "$name wrote no port within 10 s"
  port=$(cat "$work/$name.port")
  eval "${name}_port=$port"
}

# stop_server PID: SIGTERM (the server drains and exits 0), then wait for it.
stop_server() {
  local pid=$1 status=0
  kill -TERM "$pid" 2> /dev/null || return 0
  wait "$pid" || status=$?
  [ "$status" -eq 0 ] || fail "the server $pid exited $status after SIGTERM"
}

# kill_under_load URL PID UPLOADS AT_LEAST: UPLOADS uploads, each with its own challenge from URL
# ($work/crash-I.json, its challenge id in crash-I.id), sent to URL by four clients at once (each its
# share, one after the other, "ID STATUS" per answer in crash-answers-C); once AT_LEAST are answered 200,
# kill -9 of PID. Sets $answered; the ids answered 200 are in $work/crash-answered.ids (sorted).
kill_under_load() {
  local url=$1 pid=$2 uploads=$3 at_least=$4 i c clients=()
  for i in $(seq 1 "$uploads"); do
    new_challenge "$url" "$key"
    make_upload "$work/card" "$challenge_id" "$challenge" "$work/crash-$i.json"
    echo "$challenge_id" > "$work/crash-$i.id"
  done
  for c in 0 1 2 3; do
    (
      for i in $(seq $((c + 1)) 4 "$uploads"); do
        code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "X-API-Key: $key" \
          --data-binary @"$work/crash-$i.json" "$url/v1/verifications" || true)
        echo "$(cat "$work/crash-$i.id") $code" >> "$work/crash-answers-$c"
      done
    ) &
    clients+=($!)
    client_pids+=($!)
  done
  for i in $(seq 1 300); do
    [ "$(cat "$work"/crash-answers-* 2> /dev/null | grep -c ' 200$' || true)" -ge "$at_least" ] && break
    sleep 0.02
  done
  kill -KILL "$pid"
  wait "$pid" 2> /dev/null || true
  for c in "${clients[@]}"; do wait "$c" || true; done
  answered=$(cat "$work"/crash-answers-* | grep -c ' 200$' || true)
  grep -h ' 200$' "$work"/crash-answers-* | cut -d' ' -f1 | sort > "$work/crash-answered.ids"
  [ "$answered" -ge "$at_least" ] || fail "the load did not get going: $answered answered"
}

# resend_after_kill URL WHO: every upload of kill_under_load sent again to URL (the restarted node, or
# another node on the same database). One answered before the kill must get 409 (its challenge was used);
# one that was not may be judged now (200) or have been used without an answer (409). Sets $judged_again
# to the number judged now. WHO names the node in the failure messages.
resend_after_kill() {
  local url=$1 who=$2 i id code
  judged_again=0
  for i in $(seq 1 "$uploads"); do
    id=$(cat "$work/crash-$i.id")
    code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "X-API-Key: $key" \
      --data-binary @"$work/crash-$i.json" "$url/v1/verifications")
    if grep -qx "$id" "$work/crash-answered.ids"; then
      [ "$code" = 409 ] || fail "upload $i, answered before the kill, was judged again by $who: $code"
    else
      [ "$code" = 409 ] || [ "$code" = 200 ] || fail "upload $i at $who: $code"
      [ "$code" = 200 ] && judged_again=$((judged_again + 1))
    fi
  done
}

# wait_for_log PATTERN FILE [COUNT]: until FILE has COUNT lines (default 1) matching PATTERN, 20 s at most
# (a loaded machine may take a while to deliver a signal and reload).
wait_for_log() {
  local pattern=$1 file=$2 count=${3:-1} i
  for i in $(seq 1 400); do
    [ "$(grep -c -e "$pattern" "$file" 2> /dev/null || true)" -ge "$count" ] && return 0
    sleep 0.05
  done
  fail "no line $pattern in $file within 20 s"
}

# stop_clients_and_servers: for a test's EXIT trap: the background clients, then the servers, by PID.
stop_clients_and_servers() {
  local pid
  for pid in "${client_pids[@]}"; do kill "$pid" 2> /dev/null || true; done
  for pid in "${server_pids[@]}"; do
    kill -KILL "$pid" 2> /dev/null || true
  done
}

# sha256_hex TEXT: an API key as the config holds it.
sha256_hex() {
  printf %s "$1" | sha256sum | cut -d' ' -f1
}

# api METHOD URL [CURL ARGS...]: prints the body, then the status code on a line of its own (every body of
# the server ends with a newline).
api() {
  local method=$1 url=$2
  shift 2
  curl -sS -X "$method" -w '%{http_code}\n' "$@" "$url"
}

# expect_status WANT OUTPUT WHAT
expect_status() {
  local got
  got=$(tail -n 1 <<< "$2")
  [ "$got" = "$1" ] || fail "$3: status $got, expected $1: $(head -c 600 <<< "$2")"
}

json_field() {  # json_field FIELD <<< JSON
  /usr/bin/python3 -c 'import json,sys; print(json.loads(sys.stdin.read().rstrip("\n").rsplit("\n", 1)[0])[sys.argv[1]])' "$1"
}

# new_challenge URL KEY: sets $challenge_id and $challenge.
new_challenge() {
  local out
  out=$(api POST "$1/v1/challenges" -H "Authorization: Bearer $2")
  expect_status 201 "$out" "POST /v1/challenges"
  if [ -d "$work/answers" ]; then head -n -1 <<< "$out" > "$work/answers/challenge.json"; fi
  challenge_id=$(json_field id <<< "$out")
  challenge=$(json_field challenge <<< "$out")
  [[ "$challenge" =~ ^[0-9a-f]{16}$ ]] || fail "the challenge is not 16 hex digits: $challenge"
}

# make_upload CARD CHALLENGE_ID CHALLENGE FILE [INCLUDE_FACE]: reads the virtual card with the challenge
# into an evidence document, and writes the request body {challenge_id, evidence, include_face?}.
make_upload() {
  local card=$1 id=$2 hex=$3 file=$4 face=${5:-}
  rm -f "$file.evidence"
  "$verify" read --sim "$card" --id 001099012345 --challenge "$hex" --evidence "$file.evidence" > /dev/null \
    || fail "reading the virtual card with the challenge failed"
  {
    printf '{"challenge_id": "%s", ' "$id"
    [ -n "$face" ] && printf '"include_face": %s, ' "$face"
    printf '"evidence": '
    cat "$file.evidence"
    printf '}'
  } > "$file"
}
