#!/usr/bin/env bash
# The main job: read and verify a card. With no PC/SC reader attached, the built-in virtual CCCD
# (ID 001099012345, born 1990-05-17, expiry 2030-05-17) is read and verified against its test CSCA.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
exec build/cccd-verify read --id 001099012345 --birth 1990-05-17 --expiry 2030-05-17 "$@"
