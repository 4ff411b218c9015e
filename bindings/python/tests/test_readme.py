"""The Python example of the README's "Use from Python / Java", run as it stands there: a read through
a Python callable with the server's challenge gives the evidence document, which the server's check
verifies with that challenge and refuses with another."""

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


def test_the_readme_example_reads_uploads_and_checks(vpcd_card, csca):
    example = readme_example()
    vpcd_card.wait_for_card(10000)  # the example's transport has only transmit: the card must be there
    document = example["read_card"](vpcd_card.transmit, CAN, SERVER_CHALLENGE)
    assert isinstance(document, bytes) and document.startswith(b"{")

    checked = example["check_upload"](document, csca, SERVER_CHALLENGE)
    assert checked["verified"] is True
    assert checked["report"]["verdict"]["chip_authenticity"]["status"] == "passed"
    assert checked["photo"][:2] == b"\xff\xd8"

    replayed = example["check_upload"](document, csca, bytes(8))
    assert replayed["verified"] is False
    assert replayed["report"]["verdict"]["chip_authenticity"]["status"] == "failed"
