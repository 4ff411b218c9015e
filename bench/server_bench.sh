#!/usr/bin/env bash
# cccd-server's throughput and latency next to the in-process verification rate of the same uploads, in one
# run (docs/PERFORMANCE.md, "Server"). The server runs with one worker on CPU 0, the load generator on CPU
# 1; the server's CPU time comes from /proc, so "per core" does not count the load generator. The
# in-process rate is measured on CPU 0 too, in slices alternated with the server's (--rounds, default 5),
# so that a machine whose speed drifts moves both sides alike; each round's ratio is printed.
#
# Usage: bench/server_bench.sh [BUILD_DIR] [server_bench options...]
#   e.g. bench/server_bench.sh build --signers 1000 --max-requests 20000
#        bench/server_bench.sh build --postgresql "host=127.0.0.1 port=5432 dbname=cccd user=cccd"
#        bench/server_bench.sh build --realtime   (root: the 50 % step and its stand-in at SCHED_FIFO, so that
#                                                 no other process or kernel thread takes their CPUs)
# The server's RSS over many requests (one database, so server_bench itself):
#        build/server_bench --server build/cccd-server --sqlite-synchronous normal --memory-requests 200000
# Prints, for SQLite with synchronous=normal and =full (or the PostgreSQL given): the in-process rate, the
# server's maximum (closed loop), 50 % and 90 % of it (open loop) with p50/p90/p99, their ratio, the RSS,
# and the machine's floor at 50 %: a stand-in server of the same CPU cost a request on the same CPUs.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
[ $# -gt 0 ] && shift
if [ ! -x "$build/server_bench" ] || [ ! -x "$build/cccd-server" ]; then
  cmake --build "$build" --target server_bench cccd-server
fi
if [ "$(nproc)" -lt 2 ]; then
  echo "note: one CPU: the server and the load generator share it; per-core figures still count the server only" >&2
  pin=(--server-cpu 0 --client-cpu 0)
else
  pin=(--server-cpu 0 --client-cpu 1)
fi
defaults=(--signers 100 --inprocess 2000 --max-requests 6000 --step-requests 3000)
if printf '%s\n' "$@" | grep -q -- '--postgresql'; then
  echo "== PostgreSQL"
  "$build/server_bench" --server "$build/cccd-server" "${pin[@]}" "${defaults[@]}" "$@"
  exit 0
fi
for sync in normal full; do
  echo "== SQLite, synchronous=$sync"
  "$build/server_bench" --server "$build/cccd-server" "${pin[@]}" "${defaults[@]}" --sqlite-synchronous "$sync" "$@"
done
