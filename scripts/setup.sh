#!/usr/bin/env bash
# Set-up shared by `npm test` and `npm run demo`: system packages (Debian), Node version check,
# npm ci. Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: toolchain and libraries for the addon, Catch2 for the C++ tests, clang and
# its runtime for the libFuzzer targets.
packages=(g++ make cmake pkg-config binutils libsodium-dev libcrypt-dev catch2)
packages+=(clang libclang-rt-dev)
# python3 for node-gyp: the argon2 peer (a devDependency) rebuilds itself from its bundled sources
# in its install script, because its prebuilt linux-x64 binary crashes on load here.
packages+=(python3)
# redis-server for the tests of start-guard/redis (each test starts its own on a free loopback
# port; the Debian service itself is not needed).
packages+=(redis-server)
# Debian's Chromium for the example app's browser tests (driven by playwright-core, which must not
# download a browser of its own).
packages+=(chromium)
packages+=(${START_GUARD_EXTRA_PACKAGES:-})

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  cmd="apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends ${missing[*]}"
  if [ "$(id -u)" != 0 ]; then
    echo "setup: missing Debian packages: ${missing[*]}. Run as root:"
    echo "  apt-get -o DPkg::Lock::Timeout=600 update && $cmd"
    exit 1
  fi
  echo "setup: installing ${missing[*]}"
  # A fresh VM's own unattended upgrades may hold the dpkg lock: wait for it (10 minutes).
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 -o Acquire::Retries=3 update -qq
  $cmd >/tmp/start-guard-apt.log 2>&1 || { tail -30 /tmp/start-guard-apt.log; exit 1; }
fi

# Vite 8 (the example app) needs Node >= 20.19; Debian's own nodejs (18) is too old.
node -e '
  const [a, b] = process.versions.node.split(".").map(Number);
  if (a < 20 || (a === 20 && b < 19)) {
    console.error(`setup: Node ${process.versions.node} is too old; start-guard needs Node >= 20.19`);
    process.exit(1);
  }'

if [ "${START_GUARD_SKIP_NPM_CI:-0}" != 1 ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
