"""The Python binding's side of bindings_bench.sh: the same loop as capi_verify_loop.c through cccd.

    python_verify_loop.py DUMP_DIR CSCA_FILE CHALLENGE_HEX ITERATIONS
"""

import sys
import time

import cccd

dump, csca_path, challenge_hex, iterations = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
challenge = bytes.fromhex(challenge_hex)
with open(csca_path, "rb") as f, cccd.Trust().add_data(f.read()) as trust:
    verified = True
    warm_up = iterations // 10 + 1
    for i in range(warm_up + iterations):
        if i == warm_up:
            started = time.thread_time()
        with cccd.verify_dump(dump, trust, challenge=challenge) as result:
            verified &= result.verified
    seconds = time.thread_time() - started  # CPU time of this thread, as in C
print(f"python {seconds / iterations * 1e6:.1f} us/verification ({iterations}, "
      f"{'verified' if verified else 'NOT verified'})")
sys.exit(0 if verified else 1)
