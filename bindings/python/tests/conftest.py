"""Fixtures: the programs of the build (from the environment ctest sets), a virtual card with Active
Authentication, and a dump of it read through the Python transport with a server's challenge.

CCCD_LIBRARY: the libcccd.so under test; CCCD_SIM, CCCD_VERIFY: cccd-sim and cccd-verify of the same
build.
"""

import os
import pathlib
import subprocess
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

import cccd  # noqa: E402
from vpcd_card import VpcdCard  # noqa: E402

ID_NUMBER = "001099012345"
CAN = ID_NUMBER[-6:]
SERVER_CHALLENGE = bytes.fromhex("0123456789abcdef")


def _program(variable):
    path = os.environ.get(variable)
    if not path or not os.access(path, os.X_OK):
        pytest.fail(f"{variable} must name the program of the build under test (ctest sets it)")
    return path


@pytest.fixture(scope="session")
def sim():
    return _program("CCCD_SIM")


@pytest.fixture(scope="session")
def verifier():
    return _program("CCCD_VERIFY")


@pytest.fixture(scope="session")
def card(sim, tmp_path_factory):
    """A virtual card (the default holder) with ECDSA Active Authentication; its folder."""
    folder = tmp_path_factory.mktemp("card") / "card"
    subprocess.run([sim, "personalise", str(folder), "--aa", "ecdsa", "--seed", "5"], check=True,
                   stdout=subprocess.DEVNULL)
    return folder


@pytest.fixture(scope="session")
def csca(card):
    """The card's test CSCA, as bytes (trust from memory)."""
    return (card / "csca.pem").read_bytes()


@pytest.fixture()
def vpcd_card(sim, card):
    """The card served by cccd-sim over vpcd, driven from Python; stopped after the test."""
    served = VpcdCard(sim, card)
    yield served
    served.close()


@pytest.fixture(scope="session")
def upload(sim, card, csca, tmp_path_factory):
    """A dump a phone would upload: read through the Python transport with the server's challenge."""
    folder = tmp_path_factory.mktemp("upload") / "dump"
    served = VpcdCard(sim, card)
    try:
        with served.transport() as transport, cccd.Credentials.from_can(CAN) as credentials, \
                cccd.Trust().add_data(csca) as trust, \
                cccd.ReadOptions(challenge=SERVER_CHALLENGE, wait_for_card_ms=10000) as options, \
                cccd.read(transport, credentials, trust, options) as result:
            assert result.verified, result.json
            result.write_dump(folder)
    finally:
        served.close()
    return folder
