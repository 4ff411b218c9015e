#!/usr/bin/env bash
# cccd-server on SQLite, end to end on loopback: a challenge, the virtual card read with it into an evidence
# document, the upload judged (verified, the library's result JSON byte for byte), a replay refused (409),
# the HTTP and API errors (401, 404, 410, 400 naming the problem, 413, 408, 503 at the connection limit,
# idle timeout), 1000 concurrent submissions of one upload (exactly one judged, 999 x 409), the audit rows
# (one per judged upload, no personal data), the logs (no personal data), /metrics, SIGHUP and SIGTERM.
# Usage: server_test.sh CCCD_SERVER CCCD_VERIFY CCCD_SIM SERVER_RACE
set -euo pipefail
server=$1
verify=$2
sim=$3
race=$4
source_dir=$(cd "$(dirname "$0")/../.." && pwd)
source "$(dirname "$0")/server_lib.sh"

key=test-key-$RANDOM$RANDOM
other_key=other-key-$RANDOM
key_hash=$(sha256_hex "$key")
other_hash=$(sha256_hex "$other_key")
slow_key=slow-key-$RANDOM
slow_hash=$(sha256_hex "$slow_key")
"$sim" personalise "$work/card" > /dev/null

cat > "$work/server.toml" << CONFIG
[server]
port = 0
max_connections = 2100
max_body_bytes = 1048576
read_timeout_ms = 1000
idle_timeout_ms = 1500

[database]
sqlite = "state.db"          # relative: beside this file

[policy]
require_chip_authenticity = true

[trust]
csca = ["card/csca.pem"]

[[api_keys]]
id = "bank-app"
sha256 = "$key_hash"

[[api_keys]]
id = "other-app"
sha256 = "$other_hash"

[[api_keys]]
id = "slow-app"
sha256 = "$slow_hash"
rate_limit = 0.2
burst = 2
CONFIG

# A config with a typo is refused, naming the key.
sed 's/require_chip_authenticity/require_chip_authenticty/' "$work/server.toml" > "$work/typo.toml"
if "$server" --config "$work/typo.toml" --check-config 2> "$work/typo.out"; then fail "a misspelt key was accepted"; fi
grep -q 'policy.require_chip_authenticty is not a known setting' "$work/typo.out" || fail "typo: $(cat "$work/typo.out")"

# The example config of config/ is valid once its paths exist.
sed -e "s|/etc/cccd/csca|$work/card/csca.pem|" -e "s|/var/lib/cccd/server.db|$work/example.db|" \
  "$source_dir/config/cccd-server.toml" > "$work/example.toml"
"$server" --config "$work/example.toml" --check-config > /dev/null || fail "config/cccd-server.toml is refused"

# save NAME OUTPUT: keeps an answer's body (without the status line) for the schema checks at the end.
save() { head -n -1 <<< "$2" > "$work/answers/$1.json"; }
mkdir "$work/answers"

start_server node "$work/server.toml"
url=http://127.0.0.1:$node_port

out=$(api GET "$url/healthz")
expect_status 200 "$out" healthz
out=$(api GET "$url/readyz")
expect_status 200 "$out" readyz
grep -q '"database":"sqlite"' <<< "$out" || fail "readyz: $out"

# No key, a wrong key: 401.
out=$(api POST "$url/v1/challenges")
expect_status 401 "$out" "no API key"
save error-401 "$out"
out=$(api POST "$url/v1/challenges" -H "X-API-Key: not-$key")
expect_status 401 "$out" "a wrong API key"
out=$(api GET "$url/v1/challenges" -H "X-API-Key: $key")
expect_status 405 "$out" "GET /v1/challenges"

# A key's rate limit (0.2 a second, a burst of 2): the third request at once is 429 with Retry-After.
for i in 1 2; do
  out=$(api POST "$url/v1/challenges" -H "X-API-Key: $slow_key")
  expect_status 201 "$out" "request $i within the burst"
done
out=$(curl -sS -i -X POST -H "X-API-Key: $slow_key" "$url/v1/challenges")
grep -q '^HTTP/1.1 429' <<< "$out" || fail "over the rate: $(head -n 1 <<< "$out")"
grep -qi '^Retry-After: [1-5]' <<< "$out" || fail "429 without a Retry-After of 1-5 s"
out=$(api POST "$url/v1/challenges" -H "X-API-Key: $key")
expect_status 201 "$out" "another key beside a limited one"

# The flow: challenge, read with it, upload: verified. Then the same upload again: 409.
new_challenge "$url" "$key"
make_upload "$work/card" "$challenge_id" "$challenge" "$work/upload.json"
out=$(api POST "$url/v1/verifications" -H "X-API-Key: $key" -H 'Content-Type: application/json' \
  --data-binary @"$work/upload.json")
expect_status 200 "$out" "the first upload"
save result-verified "$out"
grep -q '"overall":"verified"' <<< "$out" || fail "not verified: $(head -c 3000 <<< "$out")"
grep -q '"require_chip_authenticity":true' <<< "$out" || fail "the policy is not the config's"
grep -q '"face"' <<< "$out" && fail "the face came back unasked"
# The body is the library's result JSON on one line: the document cccd-verify verify --json prints for the
# same evidence, challenge and policy (the judgement date is today for both), without its indentation.
"$verify" verify "$work/upload.json.evidence" --trust "$work/card/csca.pem" --challenge "$challenge" \
  --require-chip-authenticity --json > "$work/cli.json" || fail "cccd-verify verify: exit $?"
head -n -1 <<< "$out" > "$work/server.json"
[ "$(wc -l < "$work/server.json")" = 1 ] || fail "the server's result is not one line"
/usr/bin/python3 -c 'import json, sys; sys.exit(json.load(open(sys.argv[1])) != json.load(open(sys.argv[2])))' \
  "$work/server.json" "$work/cli.json" || fail "the server's result differs from cccd-verify's"
out=$(api POST "$url/v1/verifications" -H "X-API-Key: $key" --data-binary @"$work/upload.json")
expect_status 409 "$out" "a replay"
save error-409 "$out"
grep -q '"code":"challenge_used"' <<< "$out" || fail "409 without challenge_used: $out"

# The face, only when asked.
new_challenge "$url" "$key"
make_upload "$work/card" "$challenge_id" "$challenge" "$work/face.json" true
out=$(api POST "$url/v1/verifications" -H "Authorization: Bearer $key" --data-binary @"$work/face.json")
expect_status 200 "$out" "an upload asking for the face"
grep -q '"face":{"base64":"' <<< "$out" || fail "no face: $(tail -c 300 <<< "$out")"
head -n -1 <<< "$out" | /usr/bin/python3 -c 'import base64, json, sys
result = json.load(sys.stdin)
image = base64.b64decode(result["face"]["base64"])
assert result["face"]["format"] == result["document"]["photo"]["format"] == "jpeg", result["face"]["format"]
assert len(image) == result["document"]["photo"]["size"] and image[:2] == b"\xff\xd8", len(image)' \
  || fail "the answer with the face is not the result JSON with the photo's bytes"

# The evidence document as a JSON string rather than an object: the same judgement. A field given twice: 400.
new_challenge "$url" "$key"
make_upload "$work/card" "$challenge_id" "$challenge" "$work/string.json"
/usr/bin/python3 -c 'import json, sys
body = json.load(open(sys.argv[1]))
body["evidence"] = json.dumps(body["evidence"])
print(json.dumps(body))' "$work/string.json" > "$work/string-body.json"
out=$(api POST "$url/v1/verifications" -H "X-API-Key: $key" \
  --data-binary "{\"challenge_id\": \"$challenge_id\", \"challenge_id\": \"$challenge_id\", \"evidence\": {}}")
expect_status 400 "$out" "a field given twice"
grep -q 'challenge_id is given twice' <<< "$out" || fail "a field given twice: $out"
out=$(api POST "$url/v1/verifications" -H "X-API-Key: $key" --data-binary @"$work/string-body.json")
expect_status 200 "$out" "the evidence as a string"
grep -q '"overall":"verified"' <<< "$out" || fail "the evidence as a string: not verified"

# A challenge is its key's: another key gets 404 and the challenge stays usable.
new_challenge "$url" "$key"
make_upload "$work/card" "$challenge_id" "$challenge" "$work/keyed.json"
out=$(api POST "$url/v1/verifications" -H "X-API-Key: $other_key" --data-binary @"$work/keyed.json")
expect_status 404 "$out" "another key's challenge"
out=$(api POST "$url/v1/verifications" -H "X-API-Key: $key" --data-binary @"$work/keyed.json")
expect_status 200 "$out" "the challenge after another key tried it"

# Unknown challenge: 404. Malformed JSON, a broken evidence document, a missing field: 400 naming it.
sed 's/"challenge_id": "[0-9a-f]*"/"challenge_id": "0123456789abcdef0123456789abcdef"/' "$work/upload.json" \
  > "$work/unknown.json"
out=$(api POST "$url/v1/verifications" -H "X-API-Key: $key" --data-binary @"$work/unknown.json")
expect_status 404 "$out" "an unknown challenge"
save error-404 "$out"
grep -q '"code":"challenge_unknown"' <<< "$out" || fail "404: $out"
out=$(api POST "$url/v1/verifications" -H "X-API-Key: $key" --data-binary '{"challenge_id": "ab", "evidence": ')
expect_status 400 "$out" "malformed JSON"
save error-400 "$out"
grep -q '"code":"malformed_json".*syntax error at byte' <<< "$out" || fail "malformed JSON: $out"
out=$(api POST "$url/v1/verifications" -H "X-API-Key: $key" --data-binary '{"evidence": {}}')
expect_status 400 "$out" "no challenge_id"
grep -q 'challenge_id is missing' <<< "$out" || fail "missing challenge_id: $out"
new_challenge "$url" "$key"
out=$(api POST "$url/v1/verifications" -H "X-API-Key: $key" --data-binary \
  "{\"challenge_id\": \"$challenge_id\", \"evidence\": {\"format\": \"cccd-evidence\", \"version\": 1, \"files\": {\"DG2\": \"not base64!\"}}}")
expect_status 400 "$out" "a broken evidence document"
grep -q 'files.DG2 is not base64' <<< "$out" || fail "broken evidence: $out"
out=$(api POST "$url/v1/verifications" -H "X-API-Key: $key" --data-binary \
  "{\"challenge_id\": \"$challenge_id\", \"evidence\": {}, \"include_photo\": true}")
expect_status 400 "$out" "an unknown field"
grep -q 'unknown field \\"include_photo\\"' <<< "$out" || fail "unknown field: $out"

# Bodies over the limit: 413, with and without Expect: 100-continue.
head -c 1200000 /dev/zero | tr '\0' ' ' > "$work/big.json"
out=$(api POST "$url/v1/verifications" -H "X-API-Key: $key" --data-binary @"$work/big.json")
expect_status 413 "$out" "an oversized body"
save error-413 "$out"
out=$(api POST "$url/v1/verifications" -H "X-API-Key: $key" -H 'Expect:' --data-binary @"$work/big.json")
expect_status 413 "$out" "an oversized body without Expect"

# A client that stops in the middle of its request gets 408 after read_timeout (1 s); an idle keep-alive
# connection is closed after idle_timeout (1.5 s). Neither holds the server: it answers meanwhile.
exec 3<> "/dev/tcp/127.0.0.1/$node_port"
printf 'POST /v1/challenges HTTP/1.1\r\nHost: x\r\n' >&3
exec 4<> "/dev/tcp/127.0.0.1/$node_port"
out=$(api GET "$url/healthz")
expect_status 200 "$out" "healthz beside a slow and an idle client"
# Answered while the slow request is still being read: a batch waits a few turns of the event loop for
# requests being read (http.cpp, "Batches"), never for a client that trickles its request.
early=$(timeout 0.2 cat <&3 || true)
[ -z "$early" ] || fail "healthz was answered only after the slow client was refused: $early"
slow=$(timeout 5 cat <&3 || true)
grep -q '^HTTP/1.1 408' <<< "$slow" || fail "the slow client got: $slow"
timeout 5 cat <&4 > /dev/null || fail "the idle connection was not closed within 5 s"
exec 3<&- 4<&-

# 1000 concurrent submissions of one upload with one challenge: exactly one judged, 999 x 409. On a node
# of their own with the default timeouts, on the same database: the racers open all their connections
# before any sends, which on a slow build on a busy machine (ASan in CI) outlasted the 1.5 s idle timeout
# set above for the timeout tests, and the first connections were closed as idle (141 of 1000 once).
grep -v -e '^read_timeout_ms' -e '^idle_timeout_ms' "$work/server.toml" > "$work/race.toml"
start_server race "$work/race.toml"
new_challenge "http://127.0.0.1:$race_port" "$key"
make_upload "$work/card" "$challenge_id" "$challenge" "$work/race.json"
counts=$("$race" "$work/race.json" "$key" 1000 "127.0.0.1:$race_port")
echo "race: $counts"
[ "$counts" = '{"200": 1, "409": 999}' ] || fail "1000 concurrent submissions: $counts"
# The 999 refused uses, each found used either when it was looked up before judging or when its use came
# after the winner's.
refused_uses() {
  grep -E '^cccd_challenge_store_operations_total\{operation="(look_up|use)",outcome="used"\}' <<< "$1" \
    | awk '{ total += $2 } END { print total + 0 }'
}
metrics=$(curl -sS "http://127.0.0.1:$race_port/metrics")
grep -q 'cccd_verifications_total{overall="verified"} 1$' <<< "$metrics" \
  || fail "race metrics: $(grep verifications <<< "$metrics")"
[ "$(refused_uses "$metrics")" = 999 ] || fail "race metrics: $(grep store_operations <<< "$metrics")"
stop_server "$race_pid"
# One log line per request, though a batch's lines are written together (checked whole below).
logged=$(grep -c '"route":"/v1/verifications"' "$work/race.log" || true)
[ "$logged" = 1000 ] || fail "$logged log lines for the 1000 submissions"

# A second node on the same SQLite file, with a 5 s challenge TTL and room for 2 connections: its
# challenges are the first node's too; an expired one is 410; a third connection gets 503.
sed -e 's/^max_connections = .*/max_connections = 2/' -e 's/^\[server\]/[server]\nchallenge_ttl_seconds = 5/' \
  "$work/server.toml" > "$work/short.toml"
start_server short "$work/short.toml"
short_url=http://127.0.0.1:$short_port
new_challenge "$short_url" "$key"
make_upload "$work/card" "$challenge_id" "$challenge" "$work/expiring.json"
exec 3<> "/dev/tcp/127.0.0.1/$short_port"
exec 4<> "/dev/tcp/127.0.0.1/$short_port"
sleep 0.2
out=$(api GET "$short_url/healthz")
expect_status 503 "$out" "a connection over the limit"
save error-503 "$out"
grep -q too_many_connections <<< "$out" || fail "503: $out"
exec 3<&- 4<&-
sleep 5.5
out=$(api POST "$url/v1/verifications" -H "X-API-Key: $key" --data-binary @"$work/expiring.json")
expect_status 410 "$out" "an expired challenge (issued by the other node)"
save error-410 "$out"
grep -q '"code":"challenge_expired"' <<< "$out" || fail "410: $out"

# TLS: a third node with a certificate; HTTPS works end to end, plain HTTP to its port gets nothing.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=127.0.0.1 \
  -addext subjectAltName=IP:127.0.0.1 -keyout "$work/tls.key" -out "$work/tls.crt" 2> /dev/null \
  || fail "openssl could not make a test certificate"
{
  cat "$work/server.toml"
  printf '\n[tls]\ncertificate = "tls.crt"\nprivate_key = "tls.key"\n'
} > "$work/tls.toml"
start_server tls "$work/tls.toml"
tls_url=https://127.0.0.1:$tls_port
out=$(api GET "$tls_url/healthz" --cacert "$work/tls.crt")
expect_status 200 "$out" "healthz over TLS"
out=$(api POST "$tls_url/v1/challenges" --cacert "$work/tls.crt" -H "X-API-Key: $key")
expect_status 201 "$out" "a challenge over TLS"
challenge_id=$(json_field id <<< "$out")
challenge=$(json_field challenge <<< "$out")
make_upload "$work/card" "$challenge_id" "$challenge" "$work/tls-upload.json"
out=$(api POST "$tls_url/v1/verifications" --cacert "$work/tls.crt" -H "X-API-Key: $key" \
  --data-binary @"$work/tls-upload.json")
expect_status 200 "$out" "an upload over TLS"
grep -q '"overall":"verified"' <<< "$out" || fail "not verified over TLS"
if curl -s -o /dev/null --max-time 5 "http://127.0.0.1:$tls_port/healthz"; then fail "plain HTTP answered on the TLS port"; fi
stop_server "$tls_pid"

# SIGHUP: a trust file that is no longer there keeps the old store and says why; the node keeps working.
mv "$work/card/csca.pem" "$work/card/csca.moved"
kill -HUP "$node_pid"
wait_for_log '"event":"trust_reload_failed"' "$work/node.log"
mv "$work/card/csca.moved" "$work/card/csca.pem"
kill -HUP "$node_pid"
wait_for_log '"event":"trust_reloaded"' "$work/node.log"
new_challenge "$url" "$key"
make_upload "$work/card" "$challenge_id" "$challenge" "$work/after.json"
out=$(api POST "$url/v1/verifications" -H "X-API-Key: $key" --data-binary @"$work/after.json")
expect_status 200 "$out" "an upload after the reloads"
grep -q '"overall":"verified"' <<< "$out" || fail "not verified after the reloads"

# /metrics: the verdicts, findings, store operations.
metrics=$(curl -sS "$url/metrics")
grep -q 'cccd_verifications_total{overall="verified"} 5$' <<< "$metrics" \
  || fail "metrics: $(grep verifications <<< "$metrics")"
grep -q 'cccd_verification_findings_total{finding="chip_authenticity",status="passed"}' <<< "$metrics" \
  || fail "no chip_authenticity finding in the metrics"
# The replay's refused use (the racers' are the race node's).
[ "$(refused_uses "$metrics")" = 1 ] || fail "metrics: $(grep store_operations <<< "$metrics")"

stop_server "$short_pid"
stop_server "$node_pid"
grep -q '"event":"stopped"' "$work/node.log" || fail "no stopped line after SIGTERM"

# The audit: one row per judged upload (7: one by the TLS node, one by the race node), each with the
# verdict per finding and EF.SOD's hash; nothing personal in the database or the logs.
/usr/bin/python3 - "$work/state.db" << 'PY' || fail "the audit table"
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = db.execute("SELECT key_id, challenge_id, overall, findings, sod_sha256, node FROM audit").fetchall()
assert len(rows) == 7, f"{len(rows)} audit rows, expected 7 (one by the TLS node, one by the race node)"
for key_id, challenge_id, overall, findings, sod, node in rows:
    assert key_id == "bank-app" and len(challenge_id) == 32 and overall == "verified", (key_id, overall)
    assert json.loads(findings)["chip_authenticity"] == "passed", findings
    assert len(sod) == 64, sod
dump = "\n".join(db.iterdump())
for personal in ("001099012345", "NGUYEN", "Nguyễn"):
    assert personal not in dump, f"{personal} is in the database"
PY
# The answers against docs/schema: the challenges, the errors, the result (the library's schema), the
# requests.
validate() { /usr/bin/python3 "$source_dir/tests/server/validate_json.py" "$source_dir/docs/schema" "$@"; }
if /usr/bin/python3 -c 'import jsonschema' 2> /dev/null; then
  validate cccd-server-error.schema.json "$work"/answers/error-*.json || fail "an error answer is off its schema"
  validate cccd-result.schema.json "$work/answers/result-verified.json" || fail "the result is off its schema"
  validate cccd-server-verification-request.schema.json "$work/upload.json" "$work/face.json" \
    || fail "a request is off its schema"
  validate cccd-server-challenge.schema.json "$work/answers/challenge.json" || fail "a challenge is off its schema"
else
  echo "note: python3-jsonschema missing, the answers were not checked against docs/schema"
fi

for log in "$work/node.log" "$work/race.log" "$work/short.log" "$work/tls.log"; do
  grep -q -e 001099012345 -e NGUYEN -e 'Nguyễn' "$log" && fail "personal data in $log"
  /usr/bin/python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$log" \
    || fail "$log: not one JSON object per line"
done
echo "server: verified once, replays refused, errors named, 1000 concurrent -> 1 + 999 x 409, audit without personal data"
