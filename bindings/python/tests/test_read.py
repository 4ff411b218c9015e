"""Reading the virtual card through a transport written in Python (the vpcd protocol over TCP)."""

import threading
import time

import pytest

import cccd
from conftest import CAN, ID_NUMBER
from vpcd_card import VpcdCard


def read_card(vpcd_card, credentials, trust=None, **options):
    options.setdefault("wait_for_card_ms", 10000)
    with vpcd_card.transport() as transport, cccd.ReadOptions(**options) as read_options:
        return cccd.read(transport, credentials, trust, read_options)


def test_read_through_a_python_transport_is_verified(vpcd_card, csca):
    with cccd.Credentials.from_can(CAN) as credentials, cccd.Trust().add_data(csca) as trust:
        with read_card(vpcd_card, credentials, trust) as result:
            report = result.report
            photo = result.photo
    assert result.closed
    assert report["verdict"]["overall"] == "verified"
    assert report["source"] == "custom"
    assert report["verdict"]["access"]["detail"].startswith("PACE")
    assert report["document"]["personal_data"]["id_number"] == ID_NUMBER
    assert report["verdict"]["chip_authenticity"]["status"] == "passed"
    # The photo: the chip's JPEG bytes, as many as the report says.
    assert isinstance(photo, bytes) and photo[:2] == b"\xff\xd8"
    assert len(photo) == report["document"]["photo"]["size"]
    assert vpcd_card.apdus == report["stats"]["apdus"]


def test_read_with_id_and_dates_on_short_apdus(vpcd_card, csca):
    with cccd.Credentials.from_id(ID_NUMBER, "1990-05-17", "2030-05-17") as credentials, \
            cccd.Trust().add_data(csca) as trust, \
            cccd.Transport(vpcd_card.transmit, wait_for_card=vpcd_card.wait_for_card) as transport, \
            cccd.ReadOptions(wait_for_card_ms=10000) as options, \
            cccd.read(transport, credentials, trust, options) as result:
        assert result.verified


def test_without_trust_signer_trust_is_unknown(vpcd_card):
    with cccd.Credentials.from_can(CAN) as credentials, read_card(vpcd_card, credentials) as result:
        assert not result.verified
        assert result.report["verdict"]["signer_trust"]["status"] == "unknown"


def test_progress_is_reported(vpcd_card, csca):
    files = []
    with cccd.Credentials.from_can(CAN) as credentials:
        with read_card(vpcd_card, credentials, progress=lambda file, *counts: files.append(file)) as result:
            assert result.report["verdict"]["data_integrity"]["status"] == "passed"
    assert "DG1" in files and "DG2" in files


def test_wrong_can_raises_access_denied(vpcd_card):
    with cccd.Credentials.from_can("012399") as credentials:
        with pytest.raises(cccd.AccessDeniedError) as raised:
            read_card(vpcd_card, credentials)
    assert raised.value.status == cccd.Status.ACCESS_DENIED
    assert raised.value.code == "access_denied"
    assert raised.value.message
    assert '"access_denied"' in cccd.last_error_json()


def test_card_pulled_away_raises_card_removed(sim, card):
    served = VpcdCard(sim, card, ["--remove-at", "20"])
    try:
        with cccd.Credentials.from_can(CAN) as credentials:
            with pytest.raises(cccd.CardRemovedError) as raised:
                read_card(served, credentials)
        # The library's failure says which Python exception of the transport caused it.
        assert isinstance(raised.value.__cause__, cccd.CardRemovedError)
    finally:
        served.close()


def test_a_transport_that_raises_fails_the_read_with_its_cause():
    def broken(command):
        raise RuntimeError("the NFC stack went away")

    with cccd.Transport(broken) as transport, cccd.Credentials.from_can(CAN) as credentials:
        with pytest.raises(cccd.TransportError) as raised:
            cccd.read(transport, credentials)
    assert isinstance(raised.value.__cause__, RuntimeError)


@pytest.mark.parametrize("answer", ["9000", None, b"\x90", b"\x00" * 70000])
def test_a_transport_that_answers_nonsense_fails_the_read(answer):
    with cccd.Transport(lambda command: answer) as transport, cccd.Credentials.from_can(CAN) as credentials:
        with pytest.raises(cccd.TransportError) as raised:
            cccd.read(transport, credentials)
    assert isinstance(raised.value.__cause__, (TypeError, ValueError))


def test_cancel_from_another_thread_ends_a_wait_for_the_card():
    # The read runs in C without the GIL; a Python thread cancels it, and the library calls the
    # transport's cancel callback on that thread, which wakes the wait.
    woken = threading.Event()

    def wait_for_card(timeout_ms):
        if woken.wait(timeout_ms / 1000):
            raise cccd.CancelledError("cancelled")
        raise cccd.CardTimeoutError("no card")

    token = cccd.CancelToken()
    timer = threading.Timer(0.3, token.cancel)
    with cccd.Transport(lambda c: b"\x90\x00", wait_for_card=wait_for_card, cancel=woken.set) as transport, \
            cccd.Credentials.from_can(CAN) as credentials, \
            cccd.ReadOptions(wait_for_card_ms=60000, cancel=token) as options:
        started = time.monotonic()
        timer.start()
        with pytest.raises(cccd.CancelledError):
            cccd.read(transport, credentials, None, options)
        assert time.monotonic() - started < 30
    timer.join()
    assert token.cancelled
    token.close()


def test_bad_credentials_raise_invalid_argument():
    with pytest.raises(cccd.InvalidArgumentError) as raised:
        cccd.Credentials.from_can("12ab")
    assert raised.value.status == cccd.Status.INVALID_ARGUMENT
    assert isinstance(raised.value, ValueError)
    with pytest.raises(cccd.InvalidArgumentError):
        cccd.Credentials.from_id(ID_NUMBER, "1990-13-45", "2030-05-17")
    with pytest.raises(TypeError):
        cccd.Credentials.from_can(12345)


def test_arguments_of_the_wrong_kind_raise_type_error(csca):
    with cccd.Credentials.from_can(CAN) as credentials, cccd.Transport(lambda c: b"\x90\x00") as transport:
        with pytest.raises(TypeError, match="Transport"):
            cccd.read(lambda c: c, credentials)
        with pytest.raises(TypeError, match="Credentials"):
            cccd.read(transport, CAN)
        with pytest.raises(TypeError, match="Trust"):
            cccd.read(transport, credentials, csca)
    with pytest.raises(TypeError, match="Trust"):
        cccd.verify_dump("/nonexistent", "csca.pem")


def test_a_closed_handle_is_refused():
    transport = cccd.Transport(lambda command: b"\x90\x00")
    transport.close()
    transport.close()  # twice: nothing happens
    with cccd.Credentials.from_can(CAN) as credentials, pytest.raises(ValueError, match="closed"):
        cccd.read(transport, credentials)
