#!/usr/bin/env bash
# Runs every benchmark in bench/ (bench_*.py), one after the other, printing their figures.
# `make bench` starts the test PostgreSQL and Redis first and exports their URLs.
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-.venv/bin/python}
for bench in bench/bench_*.py; do
  echo "== $bench"
  "$python" "$bench" "$@"
done
