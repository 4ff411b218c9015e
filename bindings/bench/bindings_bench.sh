#!/usr/bin/env bash
# The per-verification cost through each binding against the C API, in the same run: the default card's
# upload (Active Authentication over the server's challenge) verified ITERATIONS times from one trust
# store loaded from memory, by C (the floor), Python (ctypes) and Java (JNA), from the dump folder and
# from the evidence document held in memory (parsed each time); three rounds, interleaved, the best round
# of each reported with its ratio to C's in the same mode, and C's evidence against C's folder. Times are
# CPU time of the verifying thread (the machine may be shared: wall time would measure the scheduler).
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
"$build/cccd-verify" pack "$work/upload" "$work/evidence.json"
classpath="$build/bindings/cccd.jar:/usr/share/java/jna.jar:$build/bindings/cccd-tests.jar"

run() { # language mode: prints the microseconds per verification
  local language=$1 mode=$2 input
  input=$([ "$mode" = evidence ] && echo "$work/evidence.json" || echo "$work/upload")
  local arguments=("$mode" "$input" "$work/card/csca.pem" "$challenge" "$iterations")
  case $language in
    c) "$build/bindings/capi_verify_loop" "${arguments[@]}" ;;
    python) CCCD_LIBRARY="$build/libcccd.so" PYTHONPATH="$here/../python" PYTHONDONTWRITEBYTECODE=1 \
              /usr/bin/python3 "$here/python_verify_loop.py" "${arguments[@]}" ;;
    java) java -Dcccd.library="$build/libcccd.so" -cp "$classpath" vn.cccd.VerifyLoop "${arguments[@]}" ;;
  esac | sed -n "s/^$language \([0-9.]*\) us\/verification.*, verified)$/\1/p"
}

declare -A best
for round in 1 2 3; do
  for mode in dump evidence; do
    for language in c python java; do
      us=$(run "$language" "$mode")
      [ -n "$us" ] || { echo "the $language loop ($mode) failed or did not verify" >&2; exit 1; }
      echo "round $round: $language $mode $us us/verification"
      key=$language.$mode
      if [ -z "${best[$key]:-}" ] || awk -v a="$us" -v b="${best[$key]}" 'BEGIN { exit !(a < b) }'; then
        best[$key]=$us
      fi
    done
  done
done
echo "best of 3 rounds, $iterations verifications each (CPU time of the verifying thread):"
for mode in dump evidence; do
  for language in c python java; do
    awk -v l="$language" -v m="$mode" -v us="${best[$language.$mode]}" -v c="${best[c.$mode]}" \
      'BEGIN { printf "  %-6s %-8s %8.1f us/verification  %.3f x C  (%+.1f us)\n", l, m, us, us / c, us - c }'
  done
done
awk -v e="${best[c.evidence]}" -v d="${best[c.dump]}" \
  'BEGIN { printf "  C from the evidence document in memory: %.3f x from the folder\n", e / d }'
