"""ctest's entry to the Python binding's tests: runs pytest on this folder under the interpreter that
runs this script (Debian's /usr/bin/python3), or skips (exit 77) when pytest is not installed."""

import pathlib
import sys

try:
    import pytest
except ImportError:
    print("SKIP: no pytest for this python3 (python3-pytest): run scripts/install-deps.sh")
    sys.exit(77)

here = pathlib.Path(__file__).resolve().parent
sys.exit(pytest.main(["-q", "-p", "no:cacheprovider", "-rs", str(here)]))
