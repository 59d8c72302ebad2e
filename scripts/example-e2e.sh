#!/usr/bin/env bash
# The example app's stage of npm test: a copy of examples/tanstack-start installed from the packed
# tarball and built in production mode (scripts/example-app.sh), then test/example/*.test.mjs
# against its production server: HTTP cases and, in Debian's Chromium through playwright-core, the
# browser journeys (screenshots in build/example-e2e/); a variant without protect: 'all' for the
# double-guard test. Usage: example-e2e.sh [node-binary].
set -euo pipefail
cd "$(dirname "$0")/.."
nodebin=$(command -v "${1:-node}")
export PATH="$(dirname "$nodebin"):$PATH"
app=$PWD/.cache/example/app
bash scripts/example-app.sh "$app" "$nodebin"
cp test/example/client.mjs "$app/e2e-client.mjs"
# The example type-checks as a user's app would, src/start.ts included.
(cd "$app" && node node_modules/typescript/bin/tsc --noEmit -p .)
echo "example-e2e: tsc --noEmit passed"
# The same app without protect: 'all', for the double-guard test.
variant=$PWD/.cache/example/variant
EXAMPLE_OVERLAY=$PWD/test/example/variant bash scripts/example-app.sh "$variant" "$nodebin"
echo "example-e2e: node $(node --version)"
# One file at a time: each starts its own server (and Chromium) on a 2-core machine.
EXAMPLE_APP_DIR=$app EXAMPLE_VARIANT_DIR=$variant node --test --test-concurrency=1 --test-reporter=spec test/example/*.test.mjs
