#!/usr/bin/env bash
# Serves the example app's production build (scripts/example-app.sh builds it) on
# http://localhost:$PORT until Ctrl-C, and prints how to sign in once it answers.
# PORT (default 3000), DATA_DIR (default examples/tanstack-start/.data-demo: the demo's own), APP_URL (the origin of the
# links in mails; default http://localhost:$PORT), SESSION_SECRET (default: one generated and kept
# in DATA_DIR), TRUST_PROXY (CIDRs of proxies in front), STEP_UP_SECONDS (default 300). EXAMPLE_DEMO=1
# (the demo accounts and the development mailer) is set here.
set -euo pipefail
cd "$(dirname "$0")/../examples/tanstack-start"
export PORT=${PORT:-3000}
export DATA_DIR=${DATA_DIR:-$PWD/.data-demo}
export APP_URL=${APP_URL:-http://localhost:$PORT}
export NODE_ENV=production
# The demo: its accounts (passwords in DATA_DIR/demo-accounts.txt) and the development mailer.
export EXAMPLE_DEMO=1
if [ ! -f dist/server/server.js ]; then
  echo "example-serve: no build in $PWD/dist: run npm run demo (or bash scripts/example-app.sh examples/tanstack-start)" >&2
  exit 1
fi

# Bound to loopback only: the demo is for this machine. server.mjs: srvx without its access log,
# which would print the tokens of reset and sign-up links.
HOST=localhost node server.mjs &
server=$!
stop() {
  trap - INT TERM EXIT
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
}
trap stop INT TERM EXIT

# Ready when the home page answers (its first request also makes the demo accounts).
for _ in $(seq 1 100); do
  if node -e "fetch('http://localhost:$PORT/').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"; then
    break
  fi
  kill -0 "$server" 2>/dev/null || { wait "$server"; exit 1; }
  sleep 0.3
done

cat <<BANNER

  start-guard example: http://localhost:$PORT   (Ctrl-C to stop)

  Sign in with a demo account (e-mail, password):
$(grep -v '^#' "$DATA_DIR/demo-accounts.txt" | sed 's/^/    /')
  or register your own: the mail with the sign-up link is printed below and kept in
  $DATA_DIR/mail.mbox (so is the link of "Forgot your password?").

BANNER
wait "$server"
