#!/usr/bin/env python3
"""server_bench, briefly: a small run against cccd-server gives every figure docs/PERFORMANCE.md quotes,
consistent with each other, every request answered 200; and the options it refuses are refused.

The figures themselves are not judged here (a test is no benchmark): only that the bench measured what it
says it measured, so that it still works when someone runs it by hand."""
import json
import os
import subprocess
import sys
import tempfile

ROUNDS = 2
MAX_REQUESTS = 60
STEP_REQUESTS = 30


def fail(message):
    sys.exit(f"server_bench_test: {message}")


def run(bench, server, *extra):
    return subprocess.run([bench, "--server", server, "--signers", "3", "--inprocess", "30", "--rounds",
                           str(ROUNDS), "--max-requests", str(MAX_REQUESTS), "--step-requests",
                           str(STEP_REQUESTS), *extra], capture_output=True, text=True, timeout=120)


def close(a, b):
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def check_report(report):
    runs = report["runs"]
    if [r["requests"] for r in runs] != [MAX_REQUESTS, STEP_REQUESTS, STEP_REQUESTS]:
        fail(f"runs of {[r['requests'] for r in runs]} requests")
    for r in runs:
        if r["errors"] != 0 or r["ok"] != r["requests"]:
            fail(f"{r['run']}: {r['ok']} of {r['requests']} answered 200")
        if not 0 < r["p50_ms"] <= r["p90_ms"] <= r["p99_ms"]:
            fail(f"{r['run']}: percentiles out of order: {r}")
        # The server's CPU is counted per thread; its background threads' part is a part of it.
        if not 0 < r["server_cpu_s"] or not 0 <= r["server_background_cpu_s"] <= r["server_cpu_s"]:
            fail(f"{r['run']}: CPU {r['server_cpu_s']} s, of which background {r['server_background_cpu_s']} s")
        if not close(r["per_server_core_per_s"], r["requests"] / r["server_cpu_s"]):
            fail(f"{r['run']}: per core is not requests / the server's CPU seconds")
    if len(report["rounds"]) != ROUNDS:
        fail(f"{len(report['rounds'])} rounds instead of {ROUNDS}")
    for rnd in report["rounds"]:
        if not close(rnd["ratio"], rnd["server_per_core_per_s"] / rnd["in_process_per_core_per_s"]):
            fail(f"a round's ratio is not server / in process: {rnd}")
    if not close(report["server_per_core_per_s"], runs[0]["per_server_core_per_s"]):
        fail("the server's rate per core is not the closed loop's")
    if not close(report["ratio"], report["server_per_core_per_s"] / report["in_process_per_core_per_s"]):
        fail("the ratio is not server / in process")
    if not close(report["p99_over_p50_at_50"], runs[1]["p99_ms"] / runs[1]["p50_ms"]):
        fail("p99/p50 at 50 % is not the 50 % step's")
    stand_in = report["stand_in_at_50"]
    if stand_in["requests"] <= 0 or not 0 < stand_in["p50_ms"] <= stand_in["p99_ms"] <= stand_in["max_ms"]:
        fail(f"the stand-in measured nothing: {stand_in}")
    if not close(stand_in["service_ms"], 1000 * runs[0]["server_cpu_s"] / MAX_REQUESTS):
        fail("the stand-in does not spend the server's CPU time a request")
    # SQLite: the WAL's restarts are counted in both open-loop steps.
    if report["database"] != "sqlite" or report["wal_restarts_at_50"] < 0:
        fail(f"no WAL restart count: {report['database']}, {report['wal_restarts_at_50']}")
    if any("wal_restarts" not in r for r in runs[1:]):
        fail("an open-loop step without its WAL restart count")
    if report["requests_served"] != MAX_REQUESTS + 2 * STEP_REQUESTS:
        fail(f"{report['requests_served']} requests served")


def main():
    bench, server = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as work:
        latencies = os.path.join(work, "latencies.txt")
        done = run(bench, server, "--json", "--latencies", latencies)
        if done.returncode != 0:
            fail(f"exit {done.returncode}: {done.stderr.strip()}")
        check_report(json.loads(done.stdout))
        with open(latencies) as f:
            lines = f.read().splitlines()
        if not lines or not lines[0].startswith("# start_monotonic_ms "):
            fail("the latency file has no start line")
        rows = [tuple(map(float, line.split())) for line in lines[1:]]
        if len(rows) != STEP_REQUESTS or any(latency <= 0 for _, latency in rows):
            fail(f"{len(rows)} latencies for {STEP_REQUESTS} requests")
        if [due for due, _ in rows] != sorted(due for due, _ in rows):
            fail("the requests' due times are not in order")

    # Refused: options that act on the 50 % step together with a memory run, which makes none.
    refused = run(bench, server, "--memory-requests", "10", "--latencies", "/dev/null")
    if refused.returncode != 2 or "--memory-requests" not in refused.stderr:
        fail(f"--memory-requests with --latencies: exit {refused.returncode}, {refused.stderr.strip()}")
    unknown = run(bench, server, "--no-such-option")
    if unknown.returncode == 0:
        fail("an unknown option was accepted")
    print("server_bench: every figure present and consistent")


if __name__ == "__main__":
    main()
