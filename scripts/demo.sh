#!/usr/bin/env bash
# npm run demo: set-up, build start-guard, pack it, install the example app from the tarball,
# build the app in production mode, and serve it on http://localhost:$PORT (default 3000) until
# Ctrl-C. Its data (users, revocations, tokens, the mail file) stays in examples/tanstack-start/.data-demo
# (DATA_DIR to change it). The earlier tour of the core API: node examples/tour.mjs.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/stage.sh
stage "setup" bash scripts/setup.sh
stage "build" bash scripts/build.sh
stage "example app (tarball, vite build)" bash scripts/example-app.sh examples/tanstack-start
print_stages
exec bash scripts/example-serve.sh
