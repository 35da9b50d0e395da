#!/usr/bin/env bash
# The README's test command: installs what the tests need on a fresh machine, then runs the whole
# suite. PostgreSQL tests run too when ZHIXING_TEST_PG names a server (.ci/run sets it).
set -euo pipefail
cd "$(dirname "$0")/.."

# Browser tests drive Debian's chromium through chromedriver (never a downloaded browser).
if ! command -v chromedriver >/dev/null 2>&1 || ! command -v chromium >/dev/null 2>&1 || ! command -v soffice >/dev/null 2>&1; then
  echo "installing chromium + chromium-driver (Debian packages) for the browser test" >&2
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver fonts-wqy-microhei libreoffice-writer-nogui >/dev/null
fi

cargo test --workspace --locked -j2 "$@"
