#!/usr/bin/env bash
# The main job: read and verify a card: the built-in virtual CCCD (ID 001099012345, born 1990-05-17,
# expiry 2030-05-17), named explicitly with --sim (cccd-verify never reads it by itself), verified against
# its test CSCA. On a real reader: build/cccd-verify read (it asks for the ID number or the QR line).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
exec build/cccd-verify read --sim --id 001099012345 --birth 1990-05-17 --expiry 2030-05-17 "$@"
