#!/usr/bin/env bash
# npm run build: the addon (cmake-js) and the TypeScript.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p build
bash scripts/build-native.sh
node scripts/build-ts.mjs
echo "build: TypeScript -> dist/ (cjs, esm wrapper, browser)"
