#!/usr/bin/env bash
# Usage: tests/lib/vpcd_reader_conf.sh FOLDER
# Writes FOLDER/reader.conf, the one reader our test pcscd loads (pcscd --config) instead of Debian's, and
# prints where the vpcd driver listens ("127.0.0.1:PORT": cccd-sim serve --vpcd connects there). Used by
# tests/lib/pcscd_stack.sh and tests/unit/pcsc_channel_test.cpp, so that both choose the port one way.
#
# Why not Debian's /etc/reader.conf.d/vpcd: it names port 35963, which lies in Linux's ephemeral range
# (32768-60999). A client connection anywhere on the machine (the server tests make thousands) may hold
# that local port, in TIME_WAIT for 60 s after it closes; the driver then cannot bind and pcscd has no
# reader. The port here is just below the ephemeral range, which the kernel never hands out to a client.
set -euo pipefail
[ $# -eq 1 ] && [ -d "$1" ] || { echo "usage: $0 FOLDER" >&2; exit 2; }
ephemeral_low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range)
port=$((ephemeral_low - 5))
if [ "$port" -le 1024 ]; then
  echo "the ephemeral port range starts at $ephemeral_low: no port for vpcd below it" >&2
  exit 1
fi
printf 'FRIENDLYNAME "Virtual PCD"\nDEVICENAME /dev/null:0x%X\nLIBPATH /usr/lib/pcsc/drivers/serial/libifdvpcd.so\nCHANNELID 0x%X\n' \
  "$port" "$port" > "$1/reader.conf"
echo "127.0.0.1:$port"
