#!/usr/bin/env bash
# Installs the build tree into a temporary prefix and uses it as an integrator would: builds
# examples/read_card.c against the installed libcccd once with pkg-config and once with CMake's
# find_package(cccd), and runs both against the built-in virtual CCCD.
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
[[ $soname =~ ^libcccd\.so\.[0-9]+$ ]] || fail "SONAME is '$soname', expected libcccd.so.MAJOR"
[ -L "$libdir/$soname" ] || fail "no $soname link"
[ -L "$libdir/libcccd.so" ] || fail "no libcccd.so development link"
for file in include/cccd/cccd.h bin/cccd-verify bin/cccd-sim share/man/man1/cccd-verify.1 \
  lib/udev/rules.d/60-cccd-readers.rules lib/modprobe.d/cccd-blacklist-nfc.conf; do
  [ -f "$prefix/$file" ] || fail "$file not installed"
done
for file in pkgconfig/cccd.pc cmake/cccd/cccdConfig.cmake cmake/cccd/cccdConfigVersion.cmake \
  cmake/cccd/cccdTargets.cmake; do
  [ -f "$libdir/$file" ] || fail "$file not installed in $libdir"
done
# Only the C API's header: the C++ headers belong to the static core, which is not installed.
[ "$(find "$prefix/include" -type f | wc -l)" -eq 1 ] || fail "headers other than cccd/cccd.h installed"
# Only the C API is exported from libcccd's own code (the C++ standard library's templates keep their
# default visibility, even when instantiated over cccd types, which is harmless): no function, vtable or
# type info of the cccd namespace.
# (Output captured first: grep -q ending a pipeline early would fail it under pipefail.)
exported=$(nm -D --defined-only "$library" | awk '{print $3}')
grep -q '^cccd_read_virtual$' <<<"$exported" || fail "C API not exported"
if grep -qE '^_Z(NK?|T[VIS]N)4cccd' <<<"$exported"; then
  fail "libcccd.so exports C++ symbols of the cccd namespace"
fi
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

run_example() {
  local binary=$1 how=$2
  local output
  output=$(LD_LIBRARY_PATH="$libdir" "$binary" 001099012345 1990-05-17 2030-05-17) || fail "$how: the example failed"
  grep -q '^overall: verified$' <<<"$output" || fail "$how: not verified"
  # The program must have used the installed library, not the build tree's.
  local loaded
  loaded=$(LD_LIBRARY_PATH="$libdir" ldd "$binary")
  grep -qF "$libdir/$soname" <<<"$loaded" || fail "$how: does not load $libdir/$soname"
  echo "ok: $how: read_card built against the installed package reads the virtual card: verified"
}

# 1. pkg-config (the .pc file finds its prefix from its own place).
export PKG_CONFIG_PATH=$libdir/pkgconfig
[ "$(pkg-config --modversion cccd)" = "$(sed -n 's/^Version: //p' "$libdir/pkgconfig/cccd.pc")" ] || fail "pkg-config"
# shellcheck disable=SC2046
cc -std=c11 -Wall -Werror "${sanitize[@]}" $(pkg-config --cflags cccd) "$source/examples/read_card.c" -o "$work/read_card_pkgconfig" \
  $(pkg-config --libs cccd) || fail "pkg-config build"
run_example "$work/read_card_pkgconfig" "pkg-config"

# 2. CMake's find_package(cccd) and the imported target cccd::cccd.
mkdir -p "$work/consumer"
cp "$source/examples/read_card.c" "$work/consumer/"
cat >"$work/consumer/CMakeLists.txt" <<'EOF'
cmake_minimum_required(VERSION 3.16)
project(cccd_consumer LANGUAGES C)
find_package(cccd 0.1 REQUIRED)
add_executable(read_card read_card.c)
target_link_libraries(read_card PRIVATE cccd::cccd)
EOF
cmake -S "$work/consumer" -B "$work/consumer/build" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_C_FLAGS="${sanitize[*]}" >"$work/consumer.log" 2>&1 &&
  cmake --build "$work/consumer/build" >>"$work/consumer.log" 2>&1 || {
  cat "$work/consumer.log" >&2
  fail "find_package build"
}
run_example "$work/consumer/build/read_card" "find_package"

# A version the package does not provide is refused.
sed -i 's/find_package(cccd 0.1 REQUIRED)/find_package(cccd 99 REQUIRED)/' "$work/consumer/CMakeLists.txt"
if cmake -S "$work/consumer" -B "$work/consumer/build99" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null 2>&1; then
  fail "find_package(cccd 99) succeeded"
fi
echo "install: library, header, pkg-config, CMake package, programs, man page and udev rules all usable"
