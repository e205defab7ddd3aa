#!/usr/bin/env bash
# Stop the throwaway PostgreSQL + Redis started by scripts/test-services.sh.
# Idempotent: does nothing if they are not running.
#
#   scripts/stop-test-services.sh           # stop, keep data for a fast restart
#   scripts/stop-test-services.sh --purge   # stop and delete all their data
#
# Honours the same SIDEBAR_SERVICES_DIR / SIDEBAR_PG_PORT / SIDEBAR_REDIS_PORT
# variables as scripts/test-services.sh.
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/test-services.sh" --stop "$@"
