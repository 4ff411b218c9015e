#!/usr/bin/python3
"""The result JSON of the CLI and of the C API against docs/schema/cccd-result.schema.json.

   json_schema_test.py SCHEMA CCCD_VERIFY CCCD_SIM READ_CARD_C

Runs cccd-verify (read --json, verify --json) and the C example read_card_c for a verified card, a card
whose DG13 was altered after signing (not verified) and a wrong ID number (error), validates every JSON
document against the schema (draft 2020-12), and checks that the validator rejects mangled documents,
so that a schema accepting anything would fail this test.
"""
import copy
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import jsonschema

ID = "001099012345"
CREDENTIALS = ["--id", ID, "--birth", "1990-05-17", "--expiry", "2030-05-17"]
failures = []


def fail(message):
    failures.append(message)
    print("FAIL:", message)


def run(command, expected_exit):
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    if done.returncode != expected_exit:
        fail(f"{Path(command[0]).name} {' '.join(command[1:3])}: exit {done.returncode}, expected {expected_exit}"
             f"\n{done.stderr}")
    return done.stdout


def json_in(output):
    """The first JSON object in a program's output (read_card_c prints lines around it)."""
    start = output.find("{")
    if start < 0:
        return None
    document, _ = json.JSONDecoder().raw_decode(output[start:])
    return document


def check(validator, name, document, overall, error_code=None):
    if document is None:
        fail(f"{name}: no JSON in the output")
        return
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    for error in errors:
        fail(f"{name}: {'/'.join(map(str, error.absolute_path)) or '(top)'}: {error.message[:300]}")
    if document.get("verdict", {}).get("overall") != overall:
        fail(f"{name}: overall is {document.get('verdict', {}).get('overall')}, expected {overall}")
    if error_code is not None and document.get("error", {}).get("code") != error_code:
        fail(f"{name}: error code {document.get('error')}, expected {error_code}")
    if not errors:
        print(f"ok: {name} ({overall}{', ' + error_code if error_code else ''}) matches the schema")


def tamper_dg13(card):
    """Changes one letter of the ethnicity in DG13 (same length, still UTF-8): EF.SOD's hash no longer matches."""
    path = Path(card) / "DG13"
    data = path.read_bytes()
    at = data.find(b"Kinh")
    if at < 0:
        raise SystemExit("the generated DG13 has no 'Kinh' to alter")
    path.write_bytes(data[:at] + b"Kinx" + data[at + 4:])


def rejected(validator, name, document):
    if validator.is_valid(document):
        fail(f"mangled document accepted: {name}")
    else:
        print(f"ok: mangled document rejected: {name}")


def main():
    schema_path, cccd_verify, cccd_sim, read_card_c = sys.argv[1:5]
    schema = json.loads(Path(schema_path).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)

    with tempfile.TemporaryDirectory() as temp:
        card = str(Path(temp) / "card")
        run([cccd_sim, "personalise", card], 0)
        tamper_dg13(card)
        dump = str(Path(temp) / "dump")

        verified = json_in(run([cccd_verify, "read", "--sim", *CREDENTIALS, "--json", "--dump", dump], 0))
        check(validator, "cli read --sim", verified, "verified")
        check(validator, "cli read --sim DIR (DG13 altered)",
              json_in(run([cccd_verify, "read", "--sim", card, "--id", ID, "--json"], 1)), "not_verified")
        check(validator, "cli verify DUMP (no CSCA)", json_in(run([cccd_verify, "verify", dump, "--json"], 1)),
              "not_verified")
        check(validator, "cli read, wrong ID number",
              json_in(run([cccd_verify, "read", "--sim", "--id", "001099012399", "--json"], 3)), "not_verified",
              "access_denied")
        # Opened with the card's QR line: the qr_consistency finding, passed and (a forged front) failed.
        qr_line = run([cccd_sim, "qr"], 0).strip()
        with_qr = json_in(run([cccd_verify, "read", "--sim", "--id", qr_line, "--json"], 0))
        check(validator, "cli read --sim with the QR line", with_qr, "verified")
        if with_qr is not None and with_qr["verdict"].get("qr_consistency", {}).get("status") != "passed":
            fail("a read with the card's QR line has no passed qr_consistency")
        forged = qr_line.replace("|Nữ|", "|Nam|")
        forged_result = json_in(run([cccd_verify, "read", "--sim", "--id", forged, "--json"], 1))
        check(validator, "cli read --sim with a forged QR line", forged_result, "not_verified")
        if forged_result is not None and forged_result["verdict"].get("qr_consistency", {}).get("status") != "failed":
            fail("a forged QR line does not fail qr_consistency")
        check(validator, "cli read, malformed ID number",
              json_in(run([cccd_verify, "read", "--sim", "--id", "12345", "--json"], 2)), "not_verified",
              "invalid_argument")

        capi = json_in(run([read_card_c, ID, "1990-05-17", "2030-05-17"], 0))
        check(validator, "C API cccd_result_json", capi, "verified")
        check(validator, "C API cccd_result_json (DG13 altered)",
              json_in(run([read_card_c, ID, "1990-05-17", "2030-05-17", card], 1)), "not_verified")
        # A failed read through the C API: the status, and the same error as JSON (cccd_last_error_json).
        check(validator, "C API cccd_last_error_json (wrong ID)",
              json_in(run([read_card_c, "001099012399", "1990-05-17", "2030-05-17"], 2)), "not_verified",
              "access_denied")

        if verified is None or capi is None:
            fail("no verified document to mangle")
        else:
            # The C API read the card through cccd_transport_new: its source is "custom", the CLI's "virtual".
            if capi.get("source") != "custom":
                fail("the C API's read through cccd_transport_new does not say source custom")
            if verified != capi | {"stats": verified["stats"], "source": verified["source"]}:
                fail("the CLI's and the C API's documents differ beyond stats and source")
            mangles = {
                "unknown top-level field": lambda d: d.__setitem__("surprise", 1),
                "overall 'maybe'": lambda d: d["verdict"].__setitem__("overall", "maybe"),
                "stats missing": lambda d: d.pop("stats"),
                "photo width as text": lambda d: d["document"]["photo"].__setitem__("width", "240"),
                "unknown field in a finding": lambda d: d["verdict"]["access"].__setitem__("protocol", "x"),
                "status 'ok'": lambda d: d["verdict"]["consistency"].__setitem__("status", "ok"),
                "file DG17": lambda d: d["files"]["read"].append("DG17"),
                "other $schema": lambda d: d.__setitem__("$schema", "https://example.invalid/other.json"),
                "result with an error": lambda d: d.__setitem__("error", {"code": "io", "message": "x"}),
            }
            for name, mangle in mangles.items():
                document = copy.deepcopy(verified)
                mangle(document)
                rejected(validator, name, document)
            error = {"$schema": verified["$schema"], "verdict": {"overall": "not_verified"},
                     "error": {"code": "access_denied", "message": "wrong password"}}
            if not validator.is_valid(error):
                fail("a well-formed error document is rejected")
            rejected(validator, "error that is verified",
                     error | {"verdict": {"overall": "verified"}})
            rejected(validator, "error code 'oops'", error | {"error": {"code": "oops", "message": "x"}})

    if failures:
        print(f"{len(failures)} failure(s)")
        return 1
    print("json schema: every document matches, every mangled one is rejected")
    return 0


if __name__ == "__main__":
    sys.exit(main())
