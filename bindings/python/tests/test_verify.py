"""A server's offline check of an upload: its own challenge, trust from memory, replays refused."""

import json
import re
import subprocess

import pytest

import cccd
from conftest import SERVER_CHALLENGE

OTHER_CHALLENGE = bytes.fromhex("0123456789abcdee")


def without_timing(text):
    """The result JSON text with the fields that measure time zeroed (they differ from run to run)."""
    return re.sub(r'"seconds": [0-9.eE+-]+', '"seconds": 0', text.strip())


def test_the_servers_challenge_verifies(upload, csca):
    with cccd.Trust().add_data(csca) as trust, \
            cccd.verify_dump(upload, trust, challenge=SERVER_CHALLENGE) as result:
        assert result.verified
        verdict = result.report["verdict"]
        assert verdict["chip_authenticity"]["status"] == "passed"
        assert "Active Authentication" in verdict["chip_authenticity"]["detail"]
        assert result.report["source"] == "dump"
        assert result.photo[:2] == b"\xff\xd8"


def test_a_replayed_upload_fails_chip_authenticity(upload, csca):
    with cccd.Trust().add_data(csca) as trust, \
            cccd.verify_dump(upload, trust, challenge=OTHER_CHALLENGE) as result:
        assert not result.verified
        verdict = result.report["verdict"]
        assert verdict["chip_authenticity"]["status"] == "failed"
        assert verdict["data_integrity"]["status"] == "passed"  # the data itself is intact


def test_the_findings_are_the_verdicts_own_in_its_order(upload, csca):
    with cccd.Trust().add_data(csca) as trust, \
            cccd.verify_dump(upload, trust, challenge=OTHER_CHALLENGE) as result:
        verdict = result.report["verdict"]
        expected = {name: value["status"] for name, value in verdict.items()
                    if isinstance(value, dict) and "status" in value}
        assert list(result.findings.items()) == list(expected.items())
        assert result.findings["chip_authenticity"] == "failed"
        assert "qr_consistency" not in result.findings


def test_without_the_servers_challenge_chip_authenticity_is_not_proven(upload, csca):
    with cccd.Trust().add_data(csca) as trust, cccd.verify_dump(upload, trust) as result:
        assert result.report["verdict"]["chip_authenticity"]["status"] != "passed"
        assert not result.verified


def test_the_same_json_as_cccd_verify(upload, card, csca, verifier):
    printed = subprocess.run(
        [verifier, "verify", str(upload), "--trust", str(card / "csca.pem"), "--challenge",
         SERVER_CHALLENGE.hex(), "--json"],
        check=True, capture_output=True, text=True,
    ).stdout
    with cccd.Trust().add_data(csca) as trust, \
            cccd.verify_dump(upload, trust, challenge=SERVER_CHALLENGE) as result:
        # Byte for byte, but for the time the verification took.
        assert without_timing(result.json) == without_timing(printed)
        assert result.report["verdict"] == json.loads(printed)["verdict"]


@pytest.mark.parametrize("challenge", [b"", b"\x01\x02\x03\x04", bytes(9)])
def test_a_challenge_of_the_wrong_length_raises_invalid_argument(upload, challenge):
    with pytest.raises(cccd.InvalidArgumentError) as raised:
        cccd.verify_dump(upload, None, challenge=challenge)
    assert raised.value.status == cccd.Status.INVALID_ARGUMENT
    assert "challenge" in raised.value.message


def test_a_challenge_that_is_not_bytes_raises_type_error(upload):
    with pytest.raises(TypeError):
        cccd.verify_dump(upload, None, challenge=SERVER_CHALLENGE.hex())


def test_a_missing_dump_raises_io(tmp_path):
    with pytest.raises(cccd.IoError) as raised:
        cccd.verify_dump(tmp_path / "nothing", None)
    assert raised.value.status == cccd.Status.IO
    assert "does not exist" in raised.value.message


def test_garbage_as_a_certificate_raises_malformed_data():
    with cccd.Trust() as trust:
        with pytest.raises(cccd.MalformedDataError) as raised:
            trust.add_data(b"-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n")
        assert raised.value.code == "malformed_data"
        with pytest.raises(cccd.MalformedDataError, match="empty"):
            trust.add_data(b"")


def test_a_damaged_upload_is_not_verified(upload, csca, tmp_path):
    damaged = tmp_path / "damaged"
    damaged.mkdir(mode=0o700)
    for file in upload.iterdir():
        (damaged / file.name).write_bytes(file.read_bytes())
    dg1 = bytearray((damaged / "DG1").read_bytes())
    dg1[-3] ^= 0x01
    (damaged / "DG1").write_bytes(bytes(dg1))
    with cccd.Trust().add_data(csca) as trust, \
            cccd.verify_dump(damaged, trust, challenge=SERVER_CHALLENGE) as result:
        assert not result.verified
        assert result.report["verdict"]["data_integrity"]["status"] == "failed"
