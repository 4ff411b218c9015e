#!/usr/bin/env bash
# Installs every Debian 12 package libcccd needs to build and to run its tests.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  libssl-dev            # OpenSSL 3: all cryptography
  libpcsclite-dev pcscd # PC/SC readers
  vsmartcard-vpcd       # the virtual reader driver the PC/SC end-to-end test serves the virtual card through
  procps                # pgrep, in that test
  libjpeg-dev           # the virtual card's face image
  libopenjp2-7-dev      # JPEG 2000 faces: the virtual card's, and converting the chip's to PNG
  libpng-dev            # writing the face as PNG for display
  libnfc-dev            # PN53x readers driven directly (libnfc's pn532_uart driver in the tests)
  libcli11-dev          # command-line parsing
  nlohmann-json3-dev    # JSON output and dump metadata
  libboost-dev          # cccd-server: Boost.Beast/Asio (header-only), its HTTP/1.1 and timers
  libtomlplusplus-dev   # cccd-server: its TOML configuration
  libsqlite3-dev        # cccd-server: the one-node database (challenges, audit)
  libpq-dev             # cccd-server: PostgreSQL, the database several nodes share
  postgresql            # the server's cluster tests start a real PostgreSQL (initdb, pg_ctl) of their own
  curl                  # the server's tests talk HTTP with it
  openssl               # the server's TLS test makes its certificate with the openssl command
  libgtest-dev libgmock-dev  # tests
  libbenchmark-dev      # Google Benchmark: offline verification cost
  python3-jsonschema    # validates the JSON output against docs/schema (run with /usr/bin/python3)
  tmux                  # the terminal test of cccd-verify's progress bar
  valgrind              # the end-to-end read under memcheck (tests/valgrind_end_to_end.sh)
  strace                # verifying from memory opens no file (tests/no_file_verify_test.sh)
  clang-format          # the format check
  clang libclang-rt-14-dev  # the libFuzzer targets of fuzz/ (scripts/fuzz.sh): clang 14 with its fuzzer and sanitizer runtimes
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

as_root=()
if [ "$(id -u)" -ne 0 ]; then as_root=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
