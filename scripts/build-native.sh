#!/usr/bin/env bash
# Builds the addon with cmake-js (Node-API 9 headers from node-api-headers, no download) and lays
# out prebuilds/linux-x64: the .node, the shared libraries it needs (found via RUNPATH $ORIGIN),
# and a manifest with the glibc floor the loader checks.
set -euo pipefail
cd "$(dirname "$0")/.."
out=prebuilds/linux-x64
extra=()
dir=build/addon
# ASan + UBSan build of the addon (its own build tree): run node with LD_PRELOAD of libasan
# and libubsan, as scripts/test-asan.sh does.
if [ "${START_GUARD_SANITIZE:-0}" = 1 ]; then
  extra+=(--CDSTART_GUARD_SANITIZE=ON)
  dir=build/addon-asan
fi
npx --no-install cmake-js compile --out "$dir" "${extra[@]}" >build/cmake-js.log 2>&1 || {
  cat build/cmake-js.log
  exit 1
}
grep -E "warning:" build/cmake-js.log && { echo "build: warnings in the addon build (see above)"; exit 1; }
rm -rf "$out" && mkdir -p "$out"
cp "$dir/Release/start_guard.node" "$out/"
libdir=$(dirname "$(ldconfig -p | awk '/libsodium.so.23 .*x86-64/ {print $NF; exit}')")
cp -L "$libdir/libsodium.so.23" "$out/"
# The glibc floor: the highest GLIBC_x.y symbol version any shipped file needs.
glibc=$(objdump -T "$out"/* | grep -o 'GLIBC_[0-9.]*' | sed 's/GLIBC_//' | sort -V | tail -1)
printf '{ "glibc": "%s", "napi": 9 }\n' "$glibc" >"$out/manifest.json"
# The Argon2 reference library is compiled into the .node: its notice (CC0 / Apache-2.0) ships
# beside it.
cp node_modules/argon2/argon2/LICENSE "$out/LICENSE.argon2"
echo "build: native addon -> $out (glibc >= $glibc)"
