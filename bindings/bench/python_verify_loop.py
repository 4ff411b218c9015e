"""The Python binding's side of bindings_bench.sh: the same loop as capi_verify_loop.c through cccd.

    python_verify_loop.py dump|evidence DUMP_DIR|DOCUMENT_FILE CSCA_FILE CHALLENGE_HEX ITERATIONS
"""

import sys
import time

import cccd

mode, source, csca_path, challenge_hex, iterations = sys.argv[1:6]
iterations = int(iterations)
challenge = bytes.fromhex(challenge_hex)
if mode == "evidence":
    with open(source, "rb") as f:
        document = f.read()
with open(csca_path, "rb") as f, cccd.Trust().add_data(f.read()) as trust, \
        cccd.VerifyOptions(challenge=challenge) as options:
    verified = True
    warm_up = iterations // 10 + 1
    for i in range(warm_up + iterations):
        if i == warm_up:
            started = time.thread_time()
        if mode == "evidence":
            result = cccd.verify_evidence(document, trust, options=options)
        else:
            result = cccd.verify_dump(source, trust, challenge=challenge)
        with result:
            verified &= result.verified
    seconds = time.thread_time() - started  # CPU time of this thread, as in C
print(f"python {seconds / iterations * 1e6:.1f} us/verification ({mode}, {iterations}, "
      f"{'verified' if verified else 'NOT verified'})")
sys.exit(0 if verified else 1)
