#!/usr/bin/env bash
# Serves Sidebar on http://127.0.0.1:8000 (PORT to change; links follow it unless SITE_URL is set) with gunicorn
# and config/gunicorn.conf.py, as production does; whitenoise serves the static files (with DEBUG on, straight
# from static/ and the apps, no collectstatic). With REDIS_URL set, also runs a Celery worker and beat; without,
# the outbox sweep loop (manage.py run_sweep). Each is started again if it exits (a worker that died in an
# outage), and all are stopped cleanly (SIGTERM, then waited for) when the server stops, on Ctrl-C (exit status
# 130) or on TERM (143). Code changes need a restart: `manage.py runserver` reloads them, for development.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${VENV:-.venv}
port=${PORT:-8000}
pids=()
# Console mail (DEBUG) and logs show as they happen, also when the output is a file or a pipe.
export PYTHONUNBUFFERED=1
cleanup() {
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# supervise NAME COMMAND...: runs COMMAND in the background, again 2 s after each exit, until TERM.
supervise() {
  local name=$1
  shift
  (
    child=0
    trap 'kill -TERM "$child" 2>/dev/null || true; wait "$child" 2>/dev/null || true; exit 0' TERM INT
    while true; do
      "$@" &
      child=$!
      status=0
      wait "$child" || status=$?
      echo "run.sh: $name exited ($status); starting it again in 2 s" >&2
      sleep 2 &
      child=$!
      wait "$child" || true
    done
  ) &
  pids+=($!)
}
if [[ -n "${REDIS_URL:-}" ]]; then
  echo "REDIS_URL is set: starting a Celery worker and beat" >&2
  supervise worker "$venv/bin/celery" -A config worker --loglevel=info --concurrency=2
  supervise beat "$venv/bin/celery" -A config beat --loglevel=info \
    --schedule="${TMPDIR:-/tmp}/sidebar-celerybeat-schedule"
else
  echo "No REDIS_URL: tasks run in-process (embedded default); the outbox sweep runs every minute" >&2
  supervise sweep "$venv/bin/python" manage.py run_sweep --every "${SWEEP_EVERY:-60}"
fi
echo "Sidebar on http://127.0.0.1:$port  (logins: mentee@, mentor@, hr@example.com / demo-pass-123)" >&2
# In the background, waited for: bash runs the TERM trap only once a foreground command has ended.
"$venv/bin/gunicorn" -c config/gunicorn.conf.py --bind "127.0.0.1:$port" &
pids+=($!)
wait $!
