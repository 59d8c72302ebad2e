# Sourced by test.sh and demo.sh: runs a named stage and records how long it took.
stage_report=()
stage() {
  local name=$1
  shift
  local t0=$SECONDS
  echo
  echo "=== $name"
  "$@"
  stage_report+=("$(printf '%-36s %4ds' "$name" $((SECONDS - t0)))")
}
print_stages() {
  echo
  echo "=== stage times"
  printf '  %s\n' "${stage_report[@]}"
}
