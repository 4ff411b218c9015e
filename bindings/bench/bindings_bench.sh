#!/usr/bin/env bash
# The per-verification cost through each binding against the C API, in the same run: one dump of the
# virtual card (with Active Authentication over the server's challenge) verified ITERATIONS times from
# one trust store loaded from memory, by C (the floor), Python (ctypes) and Java (JNA); three rounds,
# interleaved, the best round of each reported with its ratio to C's. Times are CPU time of the verifying
# thread (the machine may be shared: wall time would measure the scheduler).
# Usage: bindings_bench.sh [BUILD_DIR] [ITERATIONS]     (BUILD_DIR: build; ITERATIONS: 500)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-build}" && pwd)
iterations=${2:-500}
challenge=0123456789abcdef
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$build/cccd-sim" personalise "$work/card" --aa ecdsa > /dev/null
"$build/cccd-verify" read --sim "$work/card" --id 001099012345 --challenge "$challenge" --dump "$work/upload" \
  --json > /dev/null
arguments=("$work/upload" "$work/card/csca.pem" "$challenge" "$iterations")
classpath="$build/bindings/cccd.jar:/usr/share/java/jna.jar:$build/bindings/cccd-tests.jar"

run() { # language command...: prints the microseconds per verification
  local language=$1
  shift
  "$@" | sed -n "s/^$language \([0-9.]*\) us\/verification.*/\1/p"
}

declare -A best
for round in 1 2 3; do
  for language in c python java; do
    case $language in
      c) us=$(run c "$build/bindings/capi_verify_loop" "${arguments[@]}") ;;
      python) us=$(CCCD_LIBRARY="$build/libcccd.so" PYTHONPATH="$here/../python" PYTHONDONTWRITEBYTECODE=1 \
                     run python /usr/bin/python3 "$here/python_verify_loop.py" "${arguments[@]}") ;;
      java) us=$(run java java -Dcccd.library="$build/libcccd.so" -cp "$classpath" vn.cccd.VerifyLoop "${arguments[@]}") ;;
    esac
    [ -n "$us" ] || { echo "the $language loop failed" >&2; exit 1; }
    echo "round $round: $language $us us/verification"
    if [ -z "${best[$language]:-}" ] || awk -v a="$us" -v b="${best[$language]}" 'BEGIN { exit !(a < b) }'; then
      best[$language]=$us
    fi
  done
done
echo "best of 3 rounds, $iterations verifications each (dump with AA over the server's challenge):"
for language in c python java; do
  awk -v l="$language" -v us="${best[$language]}" -v c="${best[c]}" \
    'BEGIN { printf "  %-6s %8.1f us/verification  %.3f x C  (%+.1f us)\n", l, us, us / c, us - c }'
done
