#!/usr/bin/env bash
# Verification from memory, end to end (issue 18):
#  1. the default card (and the same card with an Active Authentication key) read with a server's challenge
#     into a dump folder, packed into one evidence document (cccd-verify pack), verifies from memory through
#     the C API (document, and buffers one file at a time) and the C++ API (examples/verify_evidence) to the
#     same JSON as `cccd-verify verify DIR` and `cccd-verify verify DOCUMENT`, byte for byte apart from the
#     timing field (stats.seconds), with the same exit code (evidence built from buffers carries no read
#     statistics, so it is compared without the stats object);
#  2. the AA card's document verified with another challenge (a replay) fails chip authenticity, everywhere;
#  3. under `strace -f -e trace=%file`, in an empty working directory nobody may write to, the in-memory
#     verification opens no file but the library's own (shared libraries, locale, OpenSSL's configuration)
#     and creates, removes or renames nothing.
#  4. README's "Use from C / C++" example is the code examples/verify_evidence.cpp runs.
# Usage: no_file_verify_test.sh CCCD_VERIFY CCCD_SIM VERIFY_EVIDENCE_C VERIFY_EVIDENCE_CPP SOURCE_DIR [sanitized]
# `sanitized` (the ASan build): part 3 is left to the plain build, since LeakSanitizer cannot run under
# strace's ptrace and ASan itself opens /proc/self/maps.
set -euo pipefail
verify=$(realpath "$1")
sim=$(realpath "$2")
c_program=$(realpath "$3")
cpp_program=$(realpath "$4")
source_dir=$(realpath "$5")
sanitized=${6:-}

/usr/bin/python3 - "$source_dir" <<'PY' || { echo "FAIL: README's example is not examples/verify_evidence.cpp's"; exit 1; }
import pathlib, re, sys, textwrap
root = pathlib.Path(sys.argv[1])
readme = (root / "README.md").read_text()
shown = re.search(r"<!-- example: examples/verify_evidence.cpp -->\n```cpp\n(.*?)```", readme, re.S).group(1)
source = (root / "examples/verify_evidence.cpp").read_text()
ran = re.search(r"// --8<-- \[README example\]\n(.*?)\s*// --8<-- \[README example\]", source, re.S).group(1)
sys.exit(0 if textwrap.dedent(ran).strip() == shown.strip() else 1)
PY
echo "ok: README's example is examples/verify_evidence.cpp's code"
work=$(mktemp -d)
trap 'chmod -R u+w "$work"; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
challenge=0123456789abcdef
replay=fedcba9876543210
# The timing field is the one that may differ between two runs; everything else must be equal bytes.
normalise() { sed -E 's/"seconds": [0-9.eE+-]+/"seconds": T/' "$1"; }
# Evidence built from buffers has no read statistics (APDU and byte counts, time): the phone's record of
# how the read went, which no buffer carries. Compared without them, it must equal the rest byte for byte.
without_stats() { /usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d.pop("stats",None); print(json.dumps(d,indent=2,ensure_ascii=False))' "$1"; }

for card in default aa; do
  mkdir -p "$work/$card"
  if [ "$card" = aa ]; then "$sim" personalise "$work/$card/card" --aa ecdsa > /dev/null
  else "$sim" personalise "$work/$card/card" > /dev/null; fi
  echo 001099012345 | "$verify" read --sim "$work/$card/card" --id-stdin --birth 1990-05-17 --expiry 2030-05-17 \
    --challenge "$challenge" --dump "$work/$card/dump" --json > /dev/null || fail "the read of the $card card failed"
  "$verify" pack "$work/$card/dump" "$work/$card/evidence.json" || fail "pack failed"
  [ "$(stat -c %a "$work/$card/evidence.json")" = 600 ] || fail "the evidence document is not 0600"
  /usr/bin/python3 - "$source_dir/docs/schema/cccd-evidence.schema.json" "$work/$card/evidence.json" <<'PY' || fail "the packed document does not match docs/schema/cccd-evidence.schema.json"
import json, sys, jsonschema
jsonschema.validate(json.load(open(sys.argv[2])), json.load(open(sys.argv[1])))
PY
  # The buffers of the dump, one record per file and per recorded fact (verify_evidence_c's stdin format).
  /usr/bin/python3 - "$work/$card/dump" "$work/$card/buffers" <<'PY'
import json, os, struct, sys
folder, out = sys.argv[1], sys.argv[2]
records = []
for name in sorted(os.listdir(folder)):
    if name != "read.json":
        records.append((name, open(os.path.join(folder, name), "rb").read()))
read = json.load(open(os.path.join(folder, "read.json")))
records.append(("access.protocol", read.get("access_protocol", "").encode()))
if read.get("access_note"):
    records.append(("access.note", read["access_note"].encode()))
for name in read.get("denied", []):
    records.append(("denied", name.encode()))
for name in read.get("absent", []):
    records.append(("absent", name.encode()))
ca = read.get("chip_authentication")
if ca:
    records.append(("ca.protocol", ca.get("protocol", "").encode()))
    records.append(("ca.result", ca.get("result", "").encode()))
    records.append(("ca.note", ca.get("note", "").encode()))
aa = read.get("active_authentication")
if aa:
    records.append(("aa.challenge", bytes.fromhex(aa["challenge"])))
    records.append(("aa.signature", bytes.fromhex(aa["signature"])))
with open(out, "wb") as f:
    for name, value in records:
        f.write(name.encode() + b"\0" + struct.pack(">I", len(value)) + value)
PY
  csca="$work/$card/card/csca.pem"
  for c in "$challenge" "$replay"; do
    out="$work/$card/$c"
    set +e
    "$verify" verify "$work/$card/dump" --trust "$csca" --challenge "$c" --json > "$out.folder"
    folder_code=$?
    "$verify" verify "$work/$card/evidence.json" --trust "$csca" --challenge "$c" --json > "$out.document"
    document_code=$?
    "$c_program" document "$c" < "$work/$card/evidence.json" 3< "$csca" > "$out.c"
    c_code=$?
    "$c_program" buffers "$c" < "$work/$card/buffers" 3< "$csca" > "$out.buffers"
    buffers_code=$?
    "$cpp_program" "$c" < "$work/$card/evidence.json" 3< "$csca" > "$out.cpp"
    cpp_code=$?
    set -e
    for pair in "document:$document_code" "c:$c_code" "buffers:$buffers_code" "cpp:$cpp_code"; do
      [ "${pair#*:}" = "$folder_code" ] || fail "$card: ${pair%%:*} with challenge $c exited ${pair#*:}, verify DIR $folder_code"
    done
    for kind in document c cpp; do
      cmp -s <(normalise "$out.folder") <(normalise "$out.$kind") ||
        { diff <(normalise "$out.folder") <(normalise "$out.$kind") | head -20; fail "$card: $kind JSON differs from verify DIR ($c)"; }
    done
    cmp -s <(without_stats "$out.folder") <(without_stats "$out.buffers") ||
      { diff <(without_stats "$out.folder") <(without_stats "$out.buffers") | head -20; fail "$card: buffers JSON differs from verify DIR ($c)"; }
    if [ "$card" = aa ] && [ "$c" = "$replay" ]; then
      [ "$folder_code" = 1 ] || fail "a replayed document was verified"
      /usr/bin/python3 -c 'import json,sys; f=json.load(open(sys.argv[1]))["verdict"]["chip_authenticity"]; sys.exit(0 if f["status"]=="failed" else 1)' \
        "$out.c" || fail "a replayed document did not fail chip authenticity"
    elif [ "$card" = aa ]; then
      [ "$folder_code" = 0 ] || fail "the AA card's document with its own challenge was not verified"
    fi
  done
  echo "ok: $card card: folder, document, C (document and buffers) and C++ give the same JSON and exit code"
done
echo "ok: a replayed document fails chip authenticity"

if [ "$sanitized" = sanitized ]; then
  echo "ok: (the strace part runs in the plain build, not under the sanitizers)"
  exit 0
fi
# No file touched: an empty working directory nobody may write to, and strace watching every file call.
mkdir "$work/empty"
chmod 555 "$work/empty"
# Where libcccd.so is (the loader probes that folder's subfolders as the program's run path).
library_dir=$(dirname "$(ldd "$c_program" | awk '/libcccd/ {print $3}')")
as_nobody=()
if [ "$(id -u)" -eq 0 ]; then
  as_nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups --)
  # A checkout under a folder only root may enter (mktemp -d makes one) is out of nobody's reach: then
  # the programs run as root, still in the read-only empty folder and still watched by strace.
  if ! "${as_nobody[@]}" test -x "$c_program" -a -x "$cpp_program" -a -r "$library_dir/libcccd.so"; then
    echo "note: nobody cannot reach the build folder; running the traced programs as root"
    as_nobody=()
  fi
fi
chmod 755 "$work"
csca="$work/aa/card/csca.pem"
chmod 755 "$work/aa" "$work/aa/card"
chmod 644 "$work/aa/evidence.json" "$work/aa/buffers" "$csca"
for run in "c document" "c buffers" "cpp"; do
  set -- $run
  if [ "$1" = c ]; then program=("$c_program" "${2}"); input=$([ "$2" = buffers ] && echo "$work/aa/buffers" || echo "$work/aa/evidence.json");
  else program=("$cpp_program"); input="$work/aa/evidence.json"; fi
  set +e
  (cd "$work/empty" && strace -f -qq -e trace=%file -o "$work/trace" "${as_nobody[@]}" "${program[@]}" "$challenge" \
     < "$input" 3< "$csca" > "$work/traced.out")
  code=$?
  set -e
  [ "$code" = 0 ] || { cat "$work/trace" | tail -20; fail "$run under strace exited $code"; }
  # What setpriv does before it starts the program (user and group look-ups) is not the program's: keep
  # the calls from the program's own successful execve on.
  awk -v program="${program[0]}" 'started || (index($0, "execve(\"" program "\"") && / = 0$/) { started = 1; print }' \
    "$work/trace" > "$work/trace.program"
  [ -s "$work/trace.program" ] || fail "$run: no execve of the program in the trace"
  mv "$work/trace.program" "$work/trace"
  # Every path a file call named, minus the program's own start (execve) and what the library and its
  # dependencies open of their own: shared libraries and the loader's cache, locale data, OpenSSL's
  # configuration. Anything else, and any call that creates, removes or renames, fails.
  if grep -E '^[0-9]+ +(mkdir|unlink|rename|creat|rmdir|link|symlink|truncate|chmod|fchmod|chown|utime)[a-z0-9]*\(' "$work/trace"; then
    fail "$run created, removed or changed a file"
  fi
  grep -E 'O_WRONLY|O_RDWR|O_CREAT' "$work/trace" && fail "$run opened a file for writing"
  others=$(grep -vE "newfstatat\([0-9]+, \"\"|\"$library_dir/" "$work/trace" | grep -vE 'execve\(|"[^"]*\.so[."]|/etc/ld\.so\.(cache|preload)|/usr/lib/locale|/usr/share/locale|/etc/localtime|openssl\.cnf|/usr/lib/ssl/|/etc/ssl/openssl|ossl-modules|/sys/devices/system/cpu|/proc/sys/crypto|glibc-hwcaps|tls/|/(usr/)?lib(64|32|x32)?/(x86_64|aarch64|i386)[^"]*"|\+\+\+ exited|--- SIG' || true)
  if [ -n "$others" ]; then
    echo "$others"
    fail "$run opened a file that is not the library's own"
  fi
  [ "$run" = "c document" ] && cp "$work/trace" "${NO_FILE_TRACE:-/dev/null}"
  echo "ok: $run opened no file of its own ($(wc -l < "$work/trace") file calls, all the library's)"
done
echo "all passed"
