#!/usr/bin/env bash
# Installs the build tree into a temporary prefix and uses it as an integrator would: builds
# examples/custom_transport.c (C) and examples/read_card.cpp (C++, cccd.hpp) against the installed
# libcccd once with pkg-config and once with CMake's find_package(cccd), and runs them: the C one reads a
# card the installed cccd-sim serves in another process, the C++ one verifies a dump.
#
#   install_package_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1
source=$2
work=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
prefix=$work/prefix

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

cmake --install "$build" --prefix "$prefix" >"$work/install.log" || {
  cat "$work/install.log" >&2
  fail "cmake --install"
}

# What must be installed, wherever GNUInstallDirs put the library (lib or lib/<multiarch>).
library=$(find "$prefix" -name 'libcccd.so.*.*.*' -type f | head -1)
[ -n "$library" ] || fail "no libcccd.so.X.Y.Z"
libdir=$(dirname "$library")
soname=$(readelf -d "$library" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
# While the major version is 0 every minor version may break the ABI: the SONAME carries both.
[[ $soname =~ ^libcccd\.so\.(0\.[0-9]+|[1-9][0-9]*)$ ]] || fail "SONAME is '$soname', expected libcccd.so.0.MINOR or .MAJOR"
[ -L "$libdir/$soname" ] || fail "no $soname link"
[ -L "$libdir/libcccd.so" ] || fail "no libcccd.so development link"
for file in include/cccd/cccd.h include/cccd/cccd.hpp include/cccd/version.h bin/cccd-verify bin/cccd-sim share/man/man1/cccd-verify.1 \
  bin/cccd-agent lib/systemd/user/cccd-agent.service \
  lib/udev/rules.d/60-cccd-readers.rules lib/modprobe.d/cccd-blacklist-nfc.conf; do
  [ -f "$prefix/$file" ] || fail "$file not installed"
done
for file in pkgconfig/cccd.pc cmake/cccd/cccdConfig.cmake cmake/cccd/cccdConfigVersion.cmake \
  cmake/cccd/cccdTargets.cmake; do
  [ -f "$libdir/$file" ] || fail "$file not installed in $libdir"
done
# The C API, its C++ clothes and the version: no internal header.
[ "$(find "$prefix/include" -type f | wc -l)" -eq 3 ] || fail "headers other than cccd.h, cccd.hpp, version.h installed"
# Only the C API is exported from libcccd's own code (the C++ standard library's templates keep their
# default visibility, even when instantiated over cccd types, which is harmless): no function, vtable or
# type info of the cccd namespace.
# (Output captured first: grep -q ending a pipeline early would fail it under pipefail.)
exported=$(nm -D --defined-only "$library" | awk '{print $3}' | sed 's/@.*//')
grep -q '^cccd_read$' <<<"$exported" || fail "C API not exported"
# The version script exports cccd_* and nothing else: no C++ symbol (not even the standard library's
# weak template instances), no simulator. The version node's own name is the only other entry.
others=$(nm -D --defined-only "$library" | awk '$3 !~ /^cccd_/ && $2 != "A" {print $3}')
[ -z "$others" ] || fail "libcccd.so exports more than the C API: $(head -5 <<<"$others" | tr '\n' ' ')"
if nm -C "$library" 2>/dev/null | grep -q 'cccd::sim::'; then fail "libcccd.so carries the simulator"; fi
if command -v groff >/dev/null; then
  groff -man -Tutf8 -ww -z "$prefix/share/man/man1/cccd-verify.1" 2>"$work/man.log" || true
  [ ! -s "$work/man.log" ] || {
    cat "$work/man.log" >&2
    fail "the man page has warnings"
  }
fi

# A sanitizer build's library needs its runtime in the program too.
sanitize=()
if grep -q 'libasan' <<<"$(readelf -d "$library")"; then
  sanitize=(-fsanitize=address,undefined)
fi

# Each example built against the installed package must load the installed library, not the build tree's.
check_loads_installed() {
  local binary=$1 how=$2 loaded
  loaded=$(LD_LIBRARY_PATH="$libdir" ldd "$binary")
  grep -qF "$libdir/$soname" <<<"$loaded" || fail "$how: does not load $libdir/$soname"
}
# The C example reads a card served by the installed cccd-sim in another process over its own transport
# (verified, wrong CAN, pulled away and resumed, short APDUs, cancelled: tests/custom_transport_test.sh);
# the C++ one verifies a dump with the installed cccd.hpp (tests/read_card_cpp_test.sh).
run_c_example() {
  check_loads_installed "$1" "$2"
  LD_LIBRARY_PATH="$libdir" bash "$source/tests/custom_transport_test.sh" "$1" "$prefix/bin/cccd-sim" >"$work/c.log" 2>&1 || {
    cat "$work/c.log" >&2
    fail "$2: custom_transport built against the installed package"
  }
  echo "ok: $2: custom_transport built against the installed package reads a card served by cccd-sim: verified"
}
run_cpp_example() {
  check_loads_installed "$1" "$2"
  LD_LIBRARY_PATH="$libdir" bash "$source/tests/read_card_cpp_test.sh" "$1" "$prefix/bin/cccd-verify" "$prefix/bin/cccd-sim" >"$work/cpp.log" 2>&1 || {
    cat "$work/cpp.log" >&2
    fail "$2: read_card.cpp built against the installed package"
  }
  echo "ok: $2: read_card.cpp (cccd.hpp) built against the installed package verifies a dump"
}

# 1. pkg-config (the .pc file finds its prefix from its own place).
export PKG_CONFIG_PATH=$libdir/pkgconfig
[ "$(pkg-config --modversion cccd)" = "$(sed -n 's/^Version: //p' "$libdir/pkgconfig/cccd.pc")" ] || fail "pkg-config"
# shellcheck disable=SC2046
cc -std=c11 -Wall -Wextra -Werror "${sanitize[@]}" $(pkg-config --cflags cccd) "$source/examples/custom_transport.c" \
  -o "$work/custom_transport_pkgconfig" $(pkg-config --libs cccd) -lpthread || fail "pkg-config build (C)"
run_c_example "$work/custom_transport_pkgconfig" "pkg-config"
# shellcheck disable=SC2046
c++ -std=c++20 -Wall -Wextra -Werror "${sanitize[@]}" $(pkg-config --cflags cccd) "$source/examples/read_card.cpp" \
  -o "$work/read_card_cpp_pkgconfig" $(pkg-config --libs cccd) || fail "pkg-config build (C++)"
run_cpp_example "$work/read_card_cpp_pkgconfig" "pkg-config"

# 2. CMake's find_package(cccd) and the imported target cccd::cccd.
mkdir -p "$work/consumer"
cp "$source/examples/custom_transport.c" "$source/examples/read_card.cpp" "$work/consumer/"
cat >"$work/consumer/CMakeLists.txt" <<EOF
cmake_minimum_required(VERSION 3.16)
project(cccd_consumer LANGUAGES C CXX)
set(CMAKE_CXX_STANDARD 20)
find_package(Threads REQUIRED)
find_package(cccd $(pkg-config --modversion cccd | cut -d. -f1,2) REQUIRED)
add_executable(custom_transport custom_transport.c)
target_link_libraries(custom_transport PRIVATE cccd::cccd Threads::Threads)
add_executable(read_card_cpp read_card.cpp)
target_link_libraries(read_card_cpp PRIVATE cccd::cccd)
EOF
cmake -S "$work/consumer" -B "$work/consumer/build" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_C_FLAGS="${sanitize[*]}" -DCMAKE_CXX_FLAGS="${sanitize[*]}" >"$work/consumer.log" 2>&1 &&
  cmake --build "$work/consumer/build" >>"$work/consumer.log" 2>&1 || {
  cat "$work/consumer.log" >&2
  fail "find_package build"
}
run_c_example "$work/consumer/build/custom_transport" "find_package"
run_cpp_example "$work/consumer/build/read_card_cpp" "find_package"

# A version the package does not provide is refused: another major, and (0.x) another minor.
for wrong in 99 0.1; do
  sed -E -i "s/find_package\(cccd [0-9.]+ REQUIRED\)/find_package(cccd $wrong REQUIRED)/" "$work/consumer/CMakeLists.txt"
  if cmake -S "$work/consumer" -B "$work/consumer/build-$wrong" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null 2>&1; then
    fail "find_package(cccd $wrong) succeeded"
  fi
done
echo "install: library, headers, pkg-config, CMake package, programs, man page and udev rules all usable"
