#!/usr/bin/env bash
# Checks the layering of src/ (docs/ARCHITECTURE.md, "Layers"): each layer is a folder under src/ and
# may include itself and the layers its row of the table below names, nothing else. The core must never
# include the simulator (sim): it is a library of its own on top of the core, which reaches the reader
# only through the public transport interface; only the programs (cli) may include it.
# Prints one line per violation and exits non-zero when there is any.
set -euo pipefail
cd "$(dirname "$0")/.."

# layer -> the layers it may include (besides itself). Keep in step with docs/ARCHITECTURE.md.
declare -A may_use=(
  [cccd]=""  # src/cccd: the core's internal C++ model (<cccd/...>), included by every layer
  [util]=""
  [asn1]="util"
  [crypto]="util asn1"
  [apdu]="util"
  [lds]="util asn1 crypto"
  [verify]="util asn1 crypto lds"
  [transport]="util apdu"
  [sm]="util asn1 crypto apdu transport"
  [access]="util asn1 crypto apdu transport sm lds"
  [reader]="util asn1 crypto apdu transport sm lds access"
  [report]="util lds verify"
  [api]="util asn1 crypto apdu transport sm lds verify access reader report"
  # cccd-agent, the counter's reader service: a program on the core's C++ model (src/cccd, as cccd-verify
  # reads through it), the face codec of lds, util's private files, and cli's Vietnamese phrase table
  # (cli/translate) only. Never sim: the agent cannot read a virtual card.
  [agent]="util lds cli"
  [sim]="util asn1 crypto apdu transport sm lds verify access reader report api"
  # cccd-server: a client of the public C++ API (include/cccd/cccd.hpp over libcccd.so), like a bank's
  # service; it may use no layer of the library's internals (and src/ is not on its include path).
  [server]=""
)
# Programs on top of the library: they may include any layer.
programs=(cli capi)

is_program() {
  local name
  for name in "${programs[@]}"; do [ "$name" = "$1" ] && return 0; done
  return 1
}

may_include() {  # may_include LAYER TARGET
  local allowed
  [ "$1" = "$2" ] && return 0
  for allowed in ${may_use[$1]}; do [ "$allowed" = "$2" ] && return 0; done
  return 1
}

status=0
violation() {
  echo "layering: $*" >&2
  status=1
}

for dir in src/*/; do
  layer=$(basename "$dir")
  is_program "$layer" && continue
  if [ -z "${may_use[$layer]+set}" ]; then
    violation "src/$layer is neither a layer of the table in scripts/check-layers.sh nor a program"
    continue
  fi
  # Lines such as: src/verify/verify.cpp:17:#include "lds/security_infos.hpp"
  while IFS=: read -r file line text; do
    target=$(sed -E 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"([a-z0-9_]+)\/.*/\1/' <<<"$text")
    [ -d "src/$target" ] || continue  # not a folder of src/ (the public headers of include/cccd ...)
    may_include "$layer" "$target" && continue
    if [ "$target" = sim ]; then
      violation "$file:$line includes sim/ (the virtual card): the core must never include the simulator"
    elif is_program "$target"; then
      violation "$file:$line includes $target/, a program: layers never include programs"
    else
      violation "$file:$line includes $target/, which $layer may not use (it may use: ${may_use[$layer]:-nothing})"
    fi
  done < <(grep -rnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"[a-z0-9_]+/' "$dir" || true)
done

[ $status -eq 0 ] && echo "layers: every include follows the table"
exit $status
