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
  libboost-dev          # cccd-server and cccd-agent: Boost.Beast/Asio (header-only), HTTP/1.1 and timers
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
  chromium              # the browser test of cccd-agent's page (headless, driven by playwright-core)
  valgrind              # the end-to-end read under memcheck (tests/valgrind_end_to_end.sh)
  strace                # verifying from memory opens no file (tests/no_file_verify_test.sh)
  clang-format          # the format check
  clang libclang-rt-14-dev  # the libFuzzer targets of fuzz/ (scripts/fuzz.sh): clang 14 with its fuzzer and sanitizer runtimes
  python3-pytest python3-pip python3-setuptools python3-wheel  # the Python binding's tests and its pip install
  openjdk-17-jdk-headless libjna-java junit5  # the Java binding (javac, jar, JNA) and its JUnit 5 tests
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js and npm run the browser test's driver (playwright-core). A machine that has them already (a
# NodeSource nodejs bundles npm, and conflicts with Debian's npm package) keeps its own.
if ! command -v npm > /dev/null; then
  for p in nodejs npm; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
fi

as_root=()
if [ "$(id -u)" -ne 0 ]; then as_root=(sudo); fi
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  "${as_root[@]}" apt-get update -qq
  "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# playwright-core for the browser test (tests/agent/package-lock.json pins it): from the npm registry,
# exactly as locked; the browser is Debian's chromium above, never one playwright downloads.
cd "$(dirname "$0")/.."
locked=$(node -p "require('./tests/agent/package-lock.json').packages['node_modules/playwright-core'].version")
installed=$(node -p "require('./tests/agent/node_modules/playwright-core/package.json').version" 2> /dev/null || true)
if [ "$locked" != "$installed" ]; then
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix tests/agent --no-audit --no-fund --ignore-scripts
fi
