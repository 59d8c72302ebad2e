#!/usr/bin/env bash
# Builds the libFuzzer targets in test/fuzz (clang, with ASan + UBSan) and runs each for
# FUZZ_SECONDS (default 20). Any crash, abort or sanitizer report fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-20}
out=build/fuzz
mkdir -p "$out"
core=(native/core/base64url.cpp native/core/paseto_v4_local.cpp native/core/random.cpp native/core/sodium_runtime.cpp)
core+=(native/core/phc.cpp native/core/bcrypt.cpp)
for src in test/fuzz/*.cpp; do
  name=$(basename "$src" .cpp)
  clang++ -std=c++17 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
    -Inative/core "$src" "${core[@]}" -lsodium -o "$out/$name"
  mkdir -p "$out/$name.corpus"
  # Seed inputs kept in the repository (test/fuzz/<target>.seeds), read but never written.
  seeds=()
  [ -d "test/fuzz/$name.seeds" ] && seeds=("test/fuzz/$name.seeds")
  echo "fuzz: $name for ${seconds}s"
  "$out/$name" -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$out/$name-" "$out/$name.corpus" "${seeds[@]}" 2>"$out/$name.log" || {
    tail -40 "$out/$name.log"
    exit 1
  }
  grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$out/$name.log" | tr '\n' ' '
  echo
done
