#!/usr/bin/env bash
# Serves Sidebar on http://127.0.0.1:8000 (PORT to change). With REDIS_URL set, also runs a Celery worker and beat;
# without, the outbox sweep loop (manage.py run_sweep). Both are stopped again when the server stops.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${VENV:-.venv}
port=${PORT:-8000}
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM
if [[ -n "${REDIS_URL:-}" ]]; then
  echo "REDIS_URL is set: starting a Celery worker and beat" >&2
  "$venv/bin/celery" -A config worker --loglevel=info --concurrency=2 &
  pids+=($!)
  "$venv/bin/celery" -A config beat --loglevel=info --schedule="${TMPDIR:-/tmp}/sidebar-celerybeat-schedule" &
  pids+=($!)
else
  echo "No REDIS_URL: tasks run in-process (embedded default); the outbox sweep runs every minute" >&2
  "$venv/bin/python" manage.py run_sweep --every "${SWEEP_EVERY:-60}" &
  pids+=($!)
fi
echo "Sidebar on http://127.0.0.1:$port  (logins: mentee@, mentor@, hr@example.com / demo-pass-123)" >&2
"$venv/bin/python" manage.py runserver "127.0.0.1:$port" --noreload
