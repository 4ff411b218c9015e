#!/usr/bin/env bash
# Each layer under src/ may include only itself and the layers before it in this list
# (docs/ARCHITECTURE.md). Programs (src/cli, src/capi) may include any layer.
set -euo pipefail
cd "$(dirname "$0")/.."
layers=(util asn1 crypto apdu transport sm access lds verify reader sim report api)
status=0
for i in "${!layers[@]}"; do
  layer=${layers[$i]}
  allowed=("${layers[@]:0:$((i + 1))}")
  [ -d "src/$layer" ] || continue
  while IFS=: read -r file _ included; do
    target=$(sed -E 's/.*#include "([a-z_]+)\/.*/\1/' <<<"$included")
    ok=0
    for a in "${allowed[@]}"; do [ "$a" = "$target" ] && ok=1; done
    if [ $ok -eq 0 ]; then
      echo "layering: $file includes $target, which is above $layer" >&2
      status=1
    fi
  done < <(grep -rn '#include "[a-z_]*/' "src/$layer" || true)
done
[ $status -eq 0 ] && echo "layers: every include goes downwards"
exit $status
