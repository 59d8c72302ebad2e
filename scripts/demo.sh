#!/usr/bin/env bash
# npm run demo: set-up and build, then a short tour of what works so far.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/stage.sh
trap print_stages EXIT
stage "setup" bash scripts/setup.sh
stage "build" bash scripts/build.sh
stage "demo" node examples/tour.mjs
