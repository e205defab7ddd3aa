"""Gunicorn's production settings, in one place: `gunicorn -c config/gunicorn.conf.py` (Dockerfile, compose).

Chosen from bench/bench_gunicorn.py (docs/benchmarks.md, "Gunicorn workers"): sync workers, 2 x cores + 1 of
them. A sync worker takes a connection only when it is free, so the kernel's queue hands each request to an
idle worker; a gthread worker accepts every connection it can (a keep-alive one stays with the worker that
accepted it) and queues requests behind its few threads while other workers idle. Sync workers want a
buffering proxy in front for slow clients (any reverse proxy: nginx, Traefik, a cloud load balancer).

Environment overrides (docs/api.md, "Configuration"): WEB_CONCURRENCY (workers), GUNICORN_THREADS (above 1:
gthread workers with that many threads each), GUNICORN_TIMEOUT, GUNICORN_GRACEFUL_TIMEOUT,
GUNICORN_MAX_REQUESTS (0: never recycle) and GUNICORN_BIND (by default all addresses, on PORT or 8000).
Command-line flags win over this file.
"""

import gc
import os
import sys
from pathlib import Path

# Gunicorn runs this file as a script: the project must be importable for config.env.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from config.env import read_count, read_port, read_seconds, read_str


def cores() -> int:
    """Cores this process may run on (a container's cpuset, not the host's count)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


wsgi_app = "config.wsgi:application"
bind = read_str("GUNICORN_BIND", f"0.0.0.0:{read_port('PORT', 8000)}")  # PORT: as SITE_URL's default reads it
workers = read_count("WEB_CONCURRENCY", 2 * cores() + 1, high=256)
threads = read_count("GUNICORN_THREADS", 1, high=256)
worker_class = "sync" if threads == 1 else "gthread"
# A request running longer than this is cut off (its worker restarted): the slowest page measured is the
# year-long HR dashboard at about 1 s.
timeout = read_seconds("GUNICORN_TIMEOUT", 30, low=1)
# On SIGTERM, requests in flight get this long; under Docker's default 10 s before it sends SIGKILL.
graceful_timeout = read_seconds("GUNICORN_GRACEFUL_TIMEOUT", 8, low=1)
keepalive = 5  # gthread only (sync workers close each connection); below the usual proxy idle timeouts
# Each worker is replaced after about this many requests (jitter: not all at once), bounding any slow growth
# of memory; with the app preloaded a new worker is a fork, not a fresh import of Django.
max_requests = read_count("GUNICORN_MAX_REQUESTS", 1000, low=0)
max_requests_jitter = max_requests // 10
# Django is imported once in the master and forked: workers start in milliseconds and share its pages.
# Code changes need a restart (not SIGHUP), as a new container image does anyway.
preload_app = True
# The heartbeat file: on a container's overlay filesystem a write can stall the worker; /dev/shm is memory.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
accesslog = "-"
errorlog = "-"


def pre_fork(server, worker) -> None:
    # What the master loaded never becomes garbage: kept out of the collector's passes, so workers neither
    # scan it (shorter pauses in requests) nor touch its pages (they stay shared with the master).
    gc.freeze()
