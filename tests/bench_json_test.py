#!/usr/bin/env python3
"""cccd-bench --json: every setting carries the documented fields, and no read is faster than its
physical lower bound (a ratio below 1 would mean the link model or the bound is wrong)."""
import json
import subprocess
import sys

FIELDS = ("bitrate_kbps", "extended_length", "apdus", "modelled_ms", "bound_ms", "ratio")


def main():
    bench = sys.argv[1]
    out = subprocess.run([bench, "--json"], check=True, capture_output=True, text=True, timeout=120).stdout
    settings = json.loads(out)["settings"]
    seen = set()
    for setting in settings:
        for field in FIELDS:
            if field not in setting:
                sys.exit(f"setting without {field}: {setting}")
        seen.add((setting["bitrate_kbps"], setting["extended_length"]))
        if setting["apdus"] <= 0 or setting["bound_ms"] <= 0:
            sys.exit(f"empty read or bound: {setting}")
        if setting["ratio"] < 1.0 or setting["ratio_to_card_max"] < 1.0:
            sys.exit(f"a read below its lower bound: {setting}")
        if abs(setting["ratio"] - setting["modelled_ms"] / setting["bound_ms"]) > 1e-9:
            sys.exit(f"ratio is not modelled_ms / bound_ms: {setting}")
    expected = {(rate, ext) for rate in (106, 212, 424, 848) for ext in (True, False)}
    if seen != expected:
        sys.exit(f"settings {sorted(seen)} instead of every bit rate with and without extended length")
    # A faster link is never slower in the model.
    by_rate = {(s["bitrate_kbps"], s["extended_length"]): s["modelled_ms"] for s in settings}
    for ext in (True, False):
        times = [by_rate[(rate, ext)] for rate in (106, 212, 424, 848)]
        if times != sorted(times, reverse=True):
            sys.exit(f"modelled time does not fall with the bit rate: {times}")
    print(f"{len(settings)} settings checked")


if __name__ == "__main__":
    main()
