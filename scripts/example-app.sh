#!/usr/bin/env bash
# Installs and builds the example app (examples/tanstack-start) the way a user would: its own
# dependencies from its lockfile, start-guard from the packed tarball, install scripts off (npm
# 11's direction; pnpm 10 and Bun skip them), then `vite build` (production mode, default Vite
# settings). Usage: example-app.sh <app-dir> [node-binary]. <app-dir> is the example itself (npm
# run demo) or a copy of its sources (npm test); node_modules are kept while the lockfile is.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
source=$root/examples/tanstack-start
app=$(realpath -m "$1")
nodebin=$(command -v "${2:-node}")
export PATH="$(dirname "$nodebin"):$PATH"
work=$root/.cache/example
mkdir -p "$work"

rm -f "$work"/start-guard-*.tgz
tarball=$work/$(npm pack --silent --pack-destination "$work" | tail -1)

if [ "$app" != "$source" ]; then
  mkdir -p "$app"
  find "$app" -mindepth 1 -maxdepth 1 ! -name node_modules -exec rm -rf {} +
  tar -C "$source" --exclude=./node_modules --exclude=./dist --exclude=./.data --exclude=./.data-demo --exclude=./.tanstack \
    --exclude=./src/routeTree.gen.ts -cf - . | tar -C "$app" -xf -
  # EXAMPLE_OVERLAY: a folder of extra files (bench/example-overlay), and its overlay.mjs run once.
  if [ -n "${EXAMPLE_OVERLAY:-}" ]; then
    cp -r "$EXAMPLE_OVERLAY"/. "$app"/
    if [ -f "$app/overlay.mjs" ]; then (cd "$app" && node overlay.mjs && rm overlay.mjs); fi
  fi
fi
lock_hash=$(sha256sum "$app/package-lock.json" | cut -d' ' -f1)
if [ "$(cat "$app/node_modules/.start-guard-lock" 2>/dev/null)" != "$lock_hash" ]; then
  echo "example-app: npm ci (lockfile changed or first run)"
  (cd "$app" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
  echo "$lock_hash" >"$app/node_modules/.start-guard-lock"
fi
(cd "$app" && npm install --no-save --ignore-scripts --no-audit --no-fund --loglevel=error "$tarball")

(cd "$app" && node node_modules/vite/bin/vite.js build >"$work/build.log" 2>&1) || {
  cat "$work/build.log"
  exit 1
}
echo "example-app: built in $app (node $(node --version); build log in $work/build.log)"
