#!/usr/bin/env bash
# The Debian packages the test suite needs beyond the ones `make install` and scripts/test-services.sh look
# after: chromium (the browser tests drive it through Playwright, whose own browser download does not work
# offline), xmlsec1 (the SAML identity provider of the single sign-on tests signs with it) and openssl (the
# calendar tests' TLS server makes its certificate with it). Installs what is missing when we are root; otherwise
# says what to run.
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v xmlsec1 >/dev/null 2>&1 || missing+=(xmlsec1)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
((${#missing[@]})) || exit 0
if [[ $(id -u) -ne 0 ]]; then
  echo "missing for the tests: run 'sudo apt-get install ${missing[*]}'" >&2
  exit 1
fi
echo "installing ${missing[*]} for the tests" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq "${missing[@]}" >&2
