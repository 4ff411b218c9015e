#!/usr/bin/env bash
# cccd-server over TLS, its certificate renewed on SIGHUP: new connections get the new certificate, a
# connection opened before keeps the old one to its end, a key that does not match (or a file that is not
# there) keeps the previous pair and says why, and /metrics counts both. At start, a key that does not
# belong to the certificate stops the server with a clear error.
# Usage: server_tls_test.sh CCCD_SERVER CCCD_SIM
set -euo pipefail
server=$1
sim=$2
source "$(dirname "$0")/server_lib.sh"

# new_certificate NAME: a self-signed certificate for 127.0.0.1 and its key, $work/NAME.crt and NAME.key.
new_certificate() {
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 -keyout "$work/$1.key" -out "$work/$1.crt" 2> /dev/null \
    || fail "openssl could not make a test certificate"
}
# fingerprint FILE: the SHA-256 fingerprint of a PEM certificate, as openssl prints it.
fingerprint() { openssl x509 -in "$1" -noout -fingerprint -sha256 | cut -d= -f2; }

"$sim" personalise "$work/card" > /dev/null
new_certificate old
new_certificate new
new_certificate other
cp "$work/old.crt" "$work/tls.crt"
cp "$work/old.key" "$work/tls.key"
cat > "$work/server.toml" << CONFIG
[server]
port = 0

[database]
sqlite = "state.db"

[trust]
csca = ["card/csca.pem"]

[tls]
certificate = "tls.crt"
private_key = "tls.key"

[[api_keys]]
id = "bank-app"
sha256 = "$(sha256_hex "tls-key-$RANDOM")"
CONFIG

# At start: a key that is not the certificate's stops the server (exit 2) and says which files.
cp "$work/other.key" "$work/tls.key"
status=0
"$server" --config "$work/server.toml" 2> "$work/bad-start.log" || status=$?
[ "$status" -eq 2 ] || fail "a mismatched key at start: exit $status, expected 2: $(cat "$work/bad-start.log")"
grep -q '"event":"start_failed"' "$work/bad-start.log" || fail "no start_failed line: $(cat "$work/bad-start.log")"
grep -Eq 'the private key [^"]*tls.key \(for the certificate [^"]*tls.crt\): key values mismatch' "$work/bad-start.log" \
  || fail "the start failure does not say the key is not the certificate's: $(cat "$work/bad-start.log")"
cp "$work/old.key" "$work/tls.key"

start_server node "$work/server.toml"
url=https://127.0.0.1:$node_port
out=$(api GET "$url/healthz" --cacert "$work/old.crt")
expect_status 200 "$out" "healthz over TLS with the first certificate"

# A keep-alive connection opened before the renewal: one request now, one after the reload, on the same
# socket (the client checks it did not reconnect) and with the certificate it started with.
cat > "$work/keep_alive.py" << 'PY'
import hashlib, http.client, ssl, sys
port, ca = int(sys.argv[1]), sys.argv[2]
context = ssl.create_default_context(cafile=ca)
connection = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=20)
def get():
    connection.request("GET", "/healthz")
    response = connection.getresponse()
    response.read()
    return response.status
first = get()
socket_before = connection.sock.getsockname()
print("first", first, flush=True)
sys.stdin.readline()  # the test renews the certificate meanwhile
second = get()
same = connection.sock.getsockname() == socket_before
print("second", second, "same-socket" if same else "reconnected",
      hashlib.sha256(connection.sock.getpeercert(binary_form=True)).hexdigest(), flush=True)
PY
coproc KEEP { /usr/bin/python3 -u "$work/keep_alive.py" "$node_port" "$work/old.crt"; }
client_pids+=("$KEEP_PID")
read -r -t 20 line <&"${KEEP[0]}" || fail "the keep-alive client did not answer"
[ "$line" = "first 200" ] || fail "the keep-alive client's first request: $line"

# The renewal: the new pair renamed over the files, then SIGHUP.
cp "$work/new.crt" "$work/tls.crt.tmp" && mv "$work/tls.crt.tmp" "$work/tls.crt"
cp "$work/new.key" "$work/tls.key.tmp" && mv "$work/tls.key.tmp" "$work/tls.key"
kill -HUP "$node_pid"
wait_for_log '"event":"tls_reloaded"' "$work/node.log"

echo >&"${KEEP[1]}"
read -r -t 20 line <&"${KEEP[0]}" || fail "the keep-alive client's second request did not end"
old_fingerprint=$(fingerprint "$work/old.crt" | tr -d : | tr 'A-F' 'a-f')
[ "$line" = "second 200 same-socket $old_fingerprint" ] \
  || fail "the connection opened before the reload: $line (expected its old certificate $old_fingerprint)"

out=$(api GET "$url/healthz" --cacert "$work/new.crt")
expect_status 200 "$out" "a new connection after the reload, with the new certificate"
if curl -s -o /dev/null --max-time 5 --cacert "$work/old.crt" "$url/healthz"; then
  fail "a new connection after the reload still got the old certificate"
fi

# A key that does not match the certificate: the previous pair stays, and the log says why.
cp "$work/other.key" "$work/tls.key"
kill -HUP "$node_pid"
wait_for_log '"event":"tls_reload_failed"' "$work/node.log"
grep '"event":"tls_reload_failed"' "$work/node.log" | grep -q 'key values mismatch' \
  || fail "the failed reload does not say why: $(grep tls_reload_failed "$work/node.log")"
# A certificate file that is not there: the same.
rm "$work/tls.crt"
kill -HUP "$node_pid"
wait_for_log '"event":"tls_reload_failed"' "$work/node.log" 2
grep '"event":"tls_reload_failed"' "$work/node.log" | tail -n 1 | grep -q 'the certificate chain' \
  || fail "the reload without a certificate file does not name it: $(grep tls_reload_failed "$work/node.log")"
out=$(api GET "$url/healthz" --cacert "$work/new.crt")
expect_status 200 "$out" "after two failed reloads, the renewed certificate"

metrics=$(api GET "$url/metrics" --cacert "$work/new.crt")
grep -q '^cccd_tls_reloads_total{result="loaded"} 1$' <<< "$metrics" \
  || fail "metrics: $(grep tls_reloads <<< "$metrics")"
grep -q '^cccd_tls_reloads_total{result="kept_old"} 2$' <<< "$metrics" \
  || fail "metrics: $(grep tls_reloads <<< "$metrics")"
stop_server "$node_pid"
echo "PASS: TLS certificate renewed on SIGHUP; open connections keep theirs; bad files keep the old pair"
