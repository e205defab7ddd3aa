#!/usr/bin/env bash
# The browser tests drive Debian's chromium through Playwright (Playwright's own browser download does not work
# offline). Installs it when missing and we are root; otherwise says what to do.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then exit 0; fi
if [[ $(id -u) -ne 0 ]]; then
  echo "chromium is missing: run 'sudo apt-get install chromium' for the browser tests" >&2
  exit 1
fi
echo "installing Debian's chromium for the browser tests" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq chromium >&2
