"""Evidence verified from memory: the document a phone uploads, checked with the server's challenge,
nothing written anywhere; a replay refused; a recorded chip proof never taken as proof; bad documents
raising the right exception."""

import json
import subprocess

import pytest

import cccd
from conftest import CAN, SERVER_CHALLENGE
from test_verify import OTHER_CHALLENGE, without_timing


@pytest.fixture(scope="session")
def document(upload):
    """The upload as one evidence document (UTF-8 JSON bytes)."""
    with cccd.Evidence.from_folder(upload) as evidence:
        return evidence.document()


@pytest.fixture(scope="session")
def packed(upload, verifier, tmp_path_factory):
    """The same upload packed by `cccd-verify pack DIR` into a document file."""
    target = tmp_path_factory.mktemp("packed") / "evidence.json"
    subprocess.run([verifier, "pack", str(upload), str(target)], check=True, stdout=subprocess.DEVNULL)
    return target.read_bytes()


def test_the_servers_challenge_verifies_from_memory(document, csca):
    assert json.loads(document)  # one JSON document
    with cccd.Trust().add_data(csca) as trust, \
            cccd.verify_evidence(document, trust, challenge=SERVER_CHALLENGE) as result:
        assert result.verified, result.json
        assert result.report["verdict"]["chip_authenticity"]["status"] == "passed"
        assert result.photo[:2] == b"\xff\xd8"


def test_the_packed_document_gives_the_json_of_cccd_verify_verify_dir(packed, upload, card, csca, verifier):
    printed = subprocess.run(
        [verifier, "verify", str(upload), "--trust", str(card / "csca.pem"), "--challenge",
         SERVER_CHALLENGE.hex(), "--json"],
        check=True, capture_output=True, text=True,
    ).stdout
    with cccd.Trust().add_data(csca) as trust, \
            cccd.verify_evidence(packed, trust, challenge=SERVER_CHALLENGE) as result:
        assert result.verified
        assert without_timing(result.json) == without_timing(printed)
        # The one-line form is the same document, a third smaller.
        assert "\n" not in result.json_compact
        assert json.loads(result.json_compact) == json.loads(result.json)
        assert len(result.json_compact) < len(result.json) * 3 // 4


def test_replayed_evidence_fails_chip_authenticity(document, csca):
    with cccd.Trust().add_data(csca) as trust, \
            cccd.verify_evidence(document, trust, challenge=OTHER_CHALLENGE) as result:
        assert not result.verified
        assert result.report["verdict"]["chip_authenticity"]["status"] == "failed"
        assert result.report["verdict"]["data_integrity"]["status"] == "passed"


@pytest.mark.parametrize("challenge", [None, OTHER_CHALLENGE])
def test_a_recorded_chip_authentication_is_never_proof(document, csca, challenge):
    with cccd.Evidence.from_document(document) as evidence:
        evidence.set_chip_authentication("CA-ECDH-AES-CBC-CMAC-128", "passed", "the app says so")
        with cccd.Trust().add_data(csca) as trust, \
                cccd.verify_evidence(evidence, trust, challenge=challenge) as result:
            assert result.report["verdict"]["chip_authenticity"]["status"] != "passed"
            assert not result.verified


def test_evidence_from_a_read_is_what_a_phone_uploads(vpcd_card, csca):
    # The phone's side (a read through its own transport, with the challenge the server sent), then
    # the server's side from the document alone.
    with vpcd_card.transport() as transport, cccd.Credentials.from_can(CAN) as credentials, \
            cccd.ReadOptions(challenge=SERVER_CHALLENGE, wait_for_card_ms=10000) as options, \
            cccd.read(transport, credentials, None, options) as read, \
            cccd.Evidence.from_result(read) as evidence:
        uploaded = evidence.document()
        assert evidence.file("EF.SOD") and evidence.file("DG1")
    with cccd.Trust().add_data(csca) as trust, \
            cccd.verify_evidence(uploaded, trust, challenge=SERVER_CHALLENGE) as result:
        assert result.verified, result.json


def test_files_in_and_out(upload):
    with cccd.Evidence.from_folder(upload) as evidence:
        assert evidence.file("DG1") == (upload / "DG1").read_bytes()
        assert evidence.file("DG16") is None
        evidence.set_file("DG1", b"")  # removes it
        assert evidence.file("DG1") is None
        with pytest.raises(cccd.InvalidArgumentError):
            evidence.set_file("DG99", b"\x01")
        with pytest.raises(TypeError):
            evidence.set_file("DG2", "not bytes")


@pytest.mark.parametrize("bad", [b"", b"not json", b"[]", b"{}", "{\"version\": \"x\"}"])
def test_a_bad_document_raises_malformed_data(bad):
    with pytest.raises(cccd.MalformedDataError) as raised:
        cccd.verify_evidence(bad, None, challenge=SERVER_CHALLENGE)
    assert raised.value.status == cccd.Status.MALFORMED_DATA
    assert raised.value.message


def test_a_newer_version_raises_not_supported(document):
    newer = json.loads(document)
    newer["version"] = 99
    with pytest.raises(cccd.NotSupportedError, match="version"):
        cccd.Evidence.from_document(json.dumps(newer))


def test_a_damaged_file_in_a_document_names_the_field(document):
    damaged = json.loads(document)
    files = damaged["files"]
    name = "DG1" if "DG1" in files else next(iter(files))
    files[name] = "***not base64***"
    with pytest.raises(cccd.MalformedDataError) as raised:
        cccd.Evidence.from_document(json.dumps(damaged))
    assert f"files.{name}" in raised.value.message


def test_a_document_that_is_not_bytes_raises_type_error():
    with pytest.raises(TypeError):
        cccd.verify_evidence(12345, None)


def test_a_challenge_of_the_wrong_length_raises_invalid_argument(document):
    with pytest.raises(cccd.InvalidArgumentError):
        cccd.verify_evidence(document, None, challenge=b"\x01\x02")


def test_crls_from_memory_refuse_garbage():
    with cccd.Trust() as trust, pytest.raises(cccd.MalformedDataError):
        trust.add_crl_data(b"not a CRL")
