#!/usr/bin/env bash
# `pip install bindings/python` as an integrator does it, against libcccd installed by `cmake --install`:
# into a temporary prefix and a pip --target folder (Debian's pip, no index, no download, setuptools from
# Debian), then the installed package, imported from there and finding the installed library through the
# loader's path, verifies a dump of the virtual card.
# Usage: install_test.sh BUILD_DIR PYTHON_SOURCE CCCD_SIM CCCD_VERIFY
set -euo pipefail
build=$1 source=$2 sim=$3 verify=$4
python=/usr/bin/python3
if ! "$python" -m pip --version > /dev/null 2>&1; then
  echo "SKIP: no pip for $python (python3-pip): run scripts/install-deps.sh"
  exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$work/prefix" > "$work/install.log" || { cat "$work/install.log"; fail "cmake --install"; }
library=$(find "$work/prefix" -name 'libcccd.so.*.*.*' -type f | head -1)
[ -n "$library" ] || fail "no libcccd installed"

# pip builds in the folder it is given: build from a copy, so that the source tree stays clean.
cp -r "$source" "$work/src"
rm -rf "$work/src/tests"
"$python" -m pip install --quiet --no-build-isolation --no-index --no-deps --target "$work/site" "$work/src" \
  > "$work/pip.log" 2>&1 || { cat "$work/pip.log"; fail "pip install"; }
[ -f "$work/site/cccd/__init__.py" ] || fail "pip installed no cccd package"

"$sim" personalise "$work/card" --aa ecdsa > /dev/null
"$verify" read --sim "$work/card" --id 001099012345 --challenge 0011223344556677 --dump "$work/upload" \
  --json > /dev/null

cd "$work"
env -u CCCD_LIBRARY -u PYTHONPATH PYTHONPATH="$work/site" LD_LIBRARY_PATH="$(dirname "$library")" \
  PYTHONDONTWRITEBYTECODE=1 "$python" - "$work" << 'PYTHON' || fail "the installed package"
import os, sys
import cccd
work = sys.argv[1]
assert cccd.__file__.startswith(os.path.join(work, "site")), cccd.__file__
mapped = [line.split()[-1] for line in open("/proc/self/maps") if "libcccd.so" in line]
loaded = os.path.realpath(mapped[0])
assert loaded.startswith(os.path.join(work, "prefix")), loaded
with open(os.path.join(work, "card", "csca.pem"), "rb") as f, cccd.Trust().add_data(f.read()) as trust, \
        cccd.verify_dump(os.path.join(work, "upload"), trust, challenge=bytes.fromhex("0011223344556677")) as r:
    assert r.verified, r.json
print(f"installed cccd {cccd.__version__} over libcccd {cccd.library_version()} from {loaded}: verified")
PYTHON
