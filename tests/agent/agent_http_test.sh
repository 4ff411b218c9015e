#!/usr/bin/env bash
# cccd-agent's HTTP API without a card (docs/counter.md, "Security"): the page is served, every refusal
# has its status, and nothing leaks into an answer it should not:
#   403 for a request from an origin not on the allow-list (even with the token) and for a Host that is
#       not the agent (DNS rebinding); CORS headers only for an allowed origin (preflight included)
#   401 without the token (no Origin), 200 with it
#   413 for a body past the limit, 415 for a body that is not JSON, 400 for an unusable ID (the line is
#       not quoted back), 404 for an unknown read and for any path outside the page (no listing)
#   the token file is 0600; connections past --max-connections are closed
# Usage: agent_http_test.sh CCCD_AGENT
set -euo pipefail
agent=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")  # absolute: the unit check needs it
work=$(mktemp -d)
agent_pid=""
cleanup() {
  [ -n "$agent_pid" ] && kill "$agent_pid" 2> /dev/null && wait "$agent_pid" 2> /dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*"
  [ -f "$work/agent.log" ] && { echo "--- agent.log"; cat "$work/agent.log"; }
  exit 1
}

# The allow-list from the command line and from a file (comments, a trailing slash, case).
printf '# the counter web apps\nHTTPS://Second.Example.gov.vn:8443/   # the back office\n\n' > "$work/origins"
"$agent" --port 0 --token-file "$work/token" --allow-origin https://quay.example.gov.vn \
  --allow-origins-file "$work/origins" --max-connections 4 --max-body 1024 > "$work/agent.log" 2>&1 &
agent_pid=$!
for _ in $(seq 50); do grep -q "listening on" "$work/agent.log" 2> /dev/null && break; sleep 0.1; done
port=$(sed -nE 's|.*listening on http://127\.0\.0\.1:([0-9]+)/.*|\1|p' "$work/agent.log")
[ -n "$port" ] || fail "the agent did not say its port"
base="http://127.0.0.1:$port"
token=$(cat "$work/token")
[ "$(stat -c %a "$work/token")" = 600 ] || fail "the token file is not 0600"
[ ${#token} -ge 32 ] || fail "the token is too short"

# status METHOD PATH [curl options...]: the HTTP status, the headers in $work/headers, the body in $work/body
status() {
  local method=$1 path=$2
  shift 2
  curl -s -o "$work/body" -D "$work/headers" -w '%{http_code}' -X "$method" "$@" "$base$path"
}
expect() { # expect CODE WHAT METHOD PATH [curl options...]
  local want=$1 what=$2 got
  shift 2
  got=$(status "$@")
  [ "$got" = "$want" ] || fail "$what: HTTP $got, expected $want ($(cat "$work/body"))"
  echo "ok $want: $what"
}
auth=(-H "Authorization: Bearer $token")

expect 200 "the page at /" GET /
grep -q "Công dân tiếp theo" "$work/body" || fail "the page has no 'next citizen' button"
grep -qi "^Content-Security-Policy: default-src 'none'" "$work/headers" || fail "the page has no CSP"
expect 200 "the page's script" GET /app.js
expect 401 "nothing but the page without the token" GET /page/
expect 404 "no directory listing" GET /page/ "${auth[@]}"
expect 404 "no path outside the page" GET /../../etc/passwd --path-as-is "${auth[@]}"
expect 404 "no source file" GET /src/agent/page/app.js "${auth[@]}"

expect 401 "no token, no Origin" GET /v1/readers
grep -qi '^WWW-Authenticate: Bearer' "$work/headers" || fail "401 without WWW-Authenticate"
expect 401 "a wrong token" GET /v1/readers -H "Authorization: Bearer ${token%?}x"
expect 200 "the token" GET /v1/readers "${auth[@]}"
grep -q '"readers"' "$work/body" || fail "no readers list"

expect 403 "a foreign origin, even with the token" GET /v1/readers "${auth[@]}" -H "Origin: https://evil.example"
if grep -qi '^Access-Control-Allow-Origin' "$work/headers"; then fail "CORS headers for a foreign origin"; fi
expect 403 "a foreign origin's preflight" OPTIONS /v1/reads -H "Origin: https://evil.example" \
  -H "Access-Control-Request-Method: POST"
expect 403 "Origin: null (a sandboxed frame or a file)" GET /v1/readers -H "Origin: null"
expect 403 "a foreign origin posting a read" POST /v1/reads -H "Origin: http://127.0.0.1.evil.example" \
  -H 'Content-Type: application/json' -d '{"id_or_qr":"001099012345"}'
expect 403 "a foreign Host (DNS rebinding)" GET /v1/readers "${auth[@]}" -H "Host: evil.example:$port"
expect 204 "an allowed origin's preflight" OPTIONS /v1/reads -H "Origin: https://quay.example.gov.vn" \
  -H "Access-Control-Request-Method: POST" -H "Access-Control-Request-Private-Network: true"
grep -qi '^Access-Control-Allow-Origin: https://quay.example.gov.vn' "$work/headers" || fail "no CORS for the allowed origin"
grep -qi '^Access-Control-Allow-Private-Network: true' "$work/headers" || fail "no Private Network Access answer"
expect 200 "an origin from the allow-list file" GET /v1/readers -H "Origin: https://second.example.gov.vn:8443"
expect 403 "that origin on another port" GET /v1/readers -H "Origin: https://second.example.gov.vn"
expect 200 "an allowed origin" GET /v1/readers -H "Origin: https://quay.example.gov.vn"
grep -qi '^Access-Control-Allow-Origin: https://quay.example.gov.vn' "$work/headers" || fail "no CORS header"

head -c 2000 /dev/zero | tr '\0' 1 > "$work/big"
expect 413 "a body past --max-body" POST /v1/reads "${auth[@]}" -H 'Content-Type: application/json' \
  --data-binary @"$work/big"
expect 403 "a foreign origin's body past the limit: refused as foreign first" POST /v1/reads \
  -H "Origin: https://evil.example" -H 'Content-Type: application/json' --data-binary @"$work/big"
if grep -qi '^Access-Control-Allow-Origin' "$work/headers"; then fail "CORS headers for a foreign origin"; fi
expect 415 "a body that is not JSON" POST /v1/reads "${auth[@]}" -H 'Content-Type: text/plain' -d 'x'
expect 400 "JSON that is not" POST /v1/reads "${auth[@]}" -H 'Content-Type: application/json' -d '{'
expect 400 "an ID that is not 12 digits" POST /v1/reads "${auth[@]}" -H 'Content-Type: application/json' \
  -d '{"id_or_qr":"0010990123"}'
expect 400 "a QR line from an AZERTY scanner" POST /v1/reads "${auth[@]}" -H 'Content-Type: application/json' \
  -d '{"id_or_qr":"àà&àççà&é\"(|034190001234|Nguyễn Thị Thu Hà|17051990|Nữ|Hà Nội|10042021"}'
if grep -q "Nguyễn" "$work/body"; then fail "the refusal quotes the QR line"; fi
grep -q '"message_vi"' "$work/body" || fail "no Vietnamese message"
expect 404 "an unknown read" GET /v1/reads/00112233445566778899aabbccddeeff "${auth[@]}"
expect 404 "an unknown read's events" GET /v1/reads/00112233445566778899aabbccddeeff/events "${auth[@]}"
expect 404 "an unknown read's face" GET /v1/reads/00112233445566778899aabbccddeeff/face "${auth[@]}"
expect 404 "an unknown read cancelled" DELETE /v1/reads/00112233445566778899aabbccddeeff "${auth[@]}"
expect 405 "a method the route does not take" PUT /v1/readers "${auth[@]}"

# A read on a reader that is not there waits (for the reader to be plugged in); a second one is refused
# while it runs; DELETE cancels it, the stream open on it ends with "failed" / "cancelled", and the agent
# holds nothing of it.
expect 201 "a read started" POST /v1/reads "${auth[@]}" -H 'Content-Type: application/json' \
  -d '{"id_or_qr":"001099012345","reader":"no such reader (agent_http)"}'
id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$work/body")
[[ "$id" =~ ^[0-9a-f]{32}$ ]] || fail "the read id is not 128 random bits in hex: $id"
expect 409 "a second read while one runs" POST /v1/reads "${auth[@]}" -H 'Content-Type: application/json' \
  -d '{"id_or_qr":"001099012345"}'
expect 200 "the running read's state" GET "/v1/reads/$id" "${auth[@]}"
grep -q '"state":"waiting"' "$work/body" || fail "the read is not waiting: $(cat "$work/body")"
expect 409 "its face before the end" GET "/v1/reads/$id/face" "${auth[@]}"
curl -sN --max-time 10 "${auth[@]}" "$base/v1/reads/$id/events" > "$work/events" &
events_pid=$!
sleep 0.3
expect 200 "the read cancelled" DELETE "/v1/reads/$id" "${auth[@]}"
wait "$events_pid" || true
grep -q '^event: failed' "$work/events" || fail "the stream did not end with failed: $(cat "$work/events")"
grep -q '"code": *"cancelled"' "$work/events" || fail "the read was not cancelled: $(cat "$work/events")"
grep -q '"state":"no_reader"' "$work/events" || fail "no 'no_reader' state for a reader that is not there"
expect 404 "the cancelled read is forgotten" GET "/v1/reads/$id" "${auth[@]}"

# --max-connections 4: a fifth connection is closed at once, without an answer; once they are gone the
# agent serves again.
python3 - "$port" << 'PY' || fail "the connection limit"
import socket, sys
port = int(sys.argv[1])
held = [socket.create_connection(("127.0.0.1", port)) for _ in range(4)]
extra = socket.create_connection(("127.0.0.1", port))
extra.settimeout(5)
try:
    extra.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n" % port)
    answer = extra.recv(100)
except ConnectionResetError:  # closed before or while the request went out
    answer = b""
if answer != b"":
    sys.exit("a connection past the limit was served")
for s in held:
    s.close()
print("ok: a connection past --max-connections closed unanswered")
PY
sleep 0.2
expect 200 "served again once connections closed" GET /

# A token given by the service manager (CCCD_AGENT_TOKEN) instead of a generated one; a short one, or an
# allow-list entry that is not an origin, stops the agent at start (exit 2).
given=0123456789abcdef0123456789abcdef-given
CCCD_AGENT_TOKEN=$given "$agent" --port 0 --token-file "$work/token2" > "$work/agent2.log" 2>&1 &
agent2_pid=$!
for _ in $(seq 50); do grep -q "listening on" "$work/agent2.log" 2> /dev/null && break; sleep 0.1; done
port2=$(sed -nE 's|.*listening on http://127\.0\.0\.1:([0-9]+)/.*|\1|p' "$work/agent2.log")
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $given" "http://127.0.0.1:$port2/v1/readers")
code_old=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "http://127.0.0.1:$port2/v1/readers")
kill "$agent2_pid" && wait "$agent2_pid" 2> /dev/null || true
[ "$code" = 200 ] && [ "$code_old" = 401 ] || fail "CCCD_AGENT_TOKEN: $code with it, $code_old with another"
[ ! -e "$work/token2" ] || fail "a token file was written although the token was given"
echo "ok: CCCD_AGENT_TOKEN is the token, no file written"
set +e
CCCD_AGENT_TOKEN=short "$agent" --port 0 > "$work/out" 2>&1
short=$?
"$agent" --port 0 --token-file "$work/token3" --allow-origin https://quay.example.gov.vn/app > "$work/out" 2>&1
path_origin=$?
set -e
[ "$short" = 2 ] && [ "$path_origin" = 2 ] || fail "a short token ($short) or an origin with a path ($path_origin) not refused with exit 2"
echo "ok: a short token and an origin with a path refused at start"

# The shipped systemd unit parses (systemd-analyze, where there is one), run against this build's agent.
unit=$(cd "$(dirname "$0")/../../src/agent" && pwd)/cccd-agent.service
if command -v systemd-analyze > /dev/null; then
  mkdir "$work/unit"
  sed "s|/usr/bin/cccd-agent|$agent|" "$unit" > "$work/unit/cccd-agent.service"
  systemd-analyze verify "$work/unit/cccd-agent.service" > "$work/unit.log" 2>&1 ||
    { cat "$work/unit.log"; fail "systemd-analyze verify refuses src/agent/cccd-agent.service"; }
  [ -s "$work/unit.log" ] && { cat "$work/unit.log"; fail "systemd-analyze verify warns about the unit"; }
  echo "ok: the systemd unit verifies"
fi

# The agent's own messages and the token never appear in what it prints.
if grep -qF "$token" "$work/agent.log"; then fail "the token is printed"; fi
# SIGTERM (systemctl stop) with a read waiting and its stream open: the read is cancelled and the agent
# ends at once with exit 0 (under the sanitizers: no error, no leak).
expect 201 "a read left running" POST /v1/reads "${auth[@]}" -H 'Content-Type: application/json' \
  -d '{"id_or_qr":"001099012345","reader":"no such reader (agent_http)"}'
id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$work/body")
curl -sN --max-time 10 "${auth[@]}" "$base/v1/reads/$id/events" > /dev/null &
stream_pid=$!
sleep 0.3
started=$(date +%s%N)
kill -TERM "$agent_pid"
set +e
wait "$agent_pid"
status=$?
set -e
agent_pid=""
wait "$stream_pid" || true
elapsed_ms=$((($(date +%s%N) - started) / 1000000))
[ "$status" = 0 ] || fail "SIGTERM with a read running: exit $status"
[ "$elapsed_ms" -lt 5000 ] || fail "SIGTERM took $elapsed_ms ms"
if grep -qE "ERROR|runtime error" "$work/agent.log"; then fail "the agent reported an error"; fi
echo "ok: SIGTERM with a read running: exit 0 in $elapsed_ms ms"
echo "cccd-agent HTTP API: refusals and limits as documented"
