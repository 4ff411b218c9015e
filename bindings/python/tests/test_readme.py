"""The Python example of the README's "Use from Python / Java", run as it stands there."""

import pathlib
import re

from conftest import CAN, SERVER_CHALLENGE

README = pathlib.Path(__file__).resolve().parents[3] / "README.md"


def readme_example():
    text = README.read_text(encoding="utf-8")
    section = text.index("## Use from Python / Java")
    block = re.compile(r"```python\n(.*?)```", re.DOTALL).search(text, section)
    assert block, "no ```python block in the README's Use from Python / Java"
    namespace = {}
    exec(compile(block.group(1), f"{README}:python example", "exec"), namespace)
    return namespace


def test_check_upload_verifies_the_servers_challenge_and_refuses_a_replay(upload, csca):
    check_upload = readme_example()["check_upload"]
    checked = check_upload(upload, csca, SERVER_CHALLENGE)
    assert checked["verified"] is True
    assert checked["report"]["verdict"]["chip_authenticity"]["status"] == "passed"
    assert checked["photo"][:2] == b"\xff\xd8"
    replayed = check_upload(upload, csca, bytes(8))
    assert replayed["verified"] is False
    assert replayed["report"]["verdict"]["chip_authenticity"]["status"] == "failed"


def test_read_card_reads_through_a_python_callable(vpcd_card, csca):
    read_card = readme_example()["read_card"]
    vpcd_card.wait_for_card(10000)  # the example's transport has only transmit: the card must be there
    report = read_card(vpcd_card.transmit, CAN, csca)
    assert report["verdict"]["overall"] == "verified"
