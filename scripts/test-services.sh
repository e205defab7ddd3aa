#!/usr/bin/env bash
# Start throwaway PostgreSQL + Redis instances for the test suite.
#
#   eval "$(scripts/test-services.sh)"      # start (or reuse) and export URLs
#   scripts/test-services.sh --stop         # stop both (= scripts/stop-test-services.sh)
#   scripts/test-services.sh --stop --purge # stop both and delete all their data
#
# stdout carries ONLY shell export lines, e.g.
#   export DATABASE_URL=postgres://sidebar@127.0.0.1:54329/sidebar
#   export REDIS_URL=redis://127.0.0.1:63799/0
# Everything else (progress, errors, log tails) goes to stderr.  On failure
# stdout carries the single word `false`, so `eval "$(...)"` fails as well
# instead of silently succeeding with nothing exported.
#
# If DATABASE_URL / REDIS_URL are already set (and exported), that service is
# left alone and the given value is echoed back.
#
# Environment knobs:
#   SIDEBAR_SERVICES_DIR        private state dir       (/tmp/sidebar-test-services)
#   SIDEBAR_PG_PORT             PostgreSQL TCP port     (54329)
#   SIDEBAR_REDIS_PORT          Redis TCP port          (63799)
#   SIDEBAR_PG_VERSION          PostgreSQL major        (15)
#   SIDEBAR_PG_MAX_CONNECTIONS  max_connections         (400)
#   SIDEBAR_SERVICES_TIMEOUT    seconds to wait for a service to answer (60)
#
# Missing Debian packages (postgresql-15, redis-server, ...) are installed with
# apt-get when running as root; otherwise the script fails with instructions.
# As root, PostgreSQL runs as the `postgres` OS user (initdb/postgres refuse
# to run as root); as non-root everything runs as the invoking user.
set -euo pipefail

# fd 3 = the real stdout (export lines only); everything else goes to stderr.
exec 3>&1 1>&2

PROG=test-services
log() { printf '%s: %s\n' "$PROG" "$*" >&2; }
die() {
    printf '%s: ERROR: %s\n' "$PROG" "$*" >&2
    exit 1
}
on_exit() {
    local rc=$?
    if ((rc != 0)) && [[ $MODE == start ]]; then
        printf 'false\n' >&3 # make `eval "$(scripts/test-services.sh)"` fail too
    fi
}
MODE=start
trap on_exit EXIT

PURGE=0
for arg in "$@"; do
    case $arg in
    --stop) MODE=stop ;;
    --purge) PURGE=1 ;;
    -h | --help)
        sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p;}' "${BASH_SOURCE[0]}"
        exit 0
        ;;
    *) die "unknown argument: $arg (try --help)" ;;
    esac
done

SERVICES_DIR=${SIDEBAR_SERVICES_DIR:-/tmp/sidebar-test-services}
[[ $SERVICES_DIR == /* ]] || SERVICES_DIR=$PWD/$SERVICES_DIR
SERVICES_DIR=${SERVICES_DIR%/}
PG_PORT=${SIDEBAR_PG_PORT:-54329}
REDIS_PORT=${SIDEBAR_REDIS_PORT:-63799}
PG_VERSION=${SIDEBAR_PG_VERSION:-15}
PG_MAX_CONNECTIONS=${SIDEBAR_PG_MAX_CONNECTIONS:-400}
TIMEOUT=${SIDEBAR_SERVICES_TIMEOUT:-60}
for v in PG_PORT REDIS_PORT PG_VERSION PG_MAX_CONNECTIONS TIMEOUT; do
    [[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a number, got '${!v}'"
done

PG_BIN=/usr/lib/postgresql/$PG_VERSION/bin
PG_ROOT=$SERVICES_DIR/pg # also the unix socket directory
PG_DATA=$PG_ROOT/data
PG_LOG=$PG_ROOT/postgres.log
PG_MARKER=$PG_ROOT/initdb.done
REDIS_ROOT=$SERVICES_DIR/redis
REDIS_PIDFILE=$REDIS_ROOT/redis.pid
REDIS_LOG=$REDIS_ROOT/redis.log

DB_NAME=sidebar
DB_USER=sidebar

IS_ROOT=0
((EUID == 0)) && IS_ROOT=1

# Never let a stray PG*/libpq setting from the caller redirect our admin calls.
unset PGHOST PGHOSTADDR PGPORT PGUSER PGDATABASE PGSERVICE PGOPTIONS PGSSLMODE \
    PGTARGETSESSIONATTRS PGPASSFILE PGSERVICEFILE PGDATA 2>/dev/null || true

# ---------------------------------------------------------------- helpers ---

# wait_until SECONDS CMD...: retry CMD every 0.5s until it succeeds.
wait_until() {
    local end=$((SECONDS + $1))
    shift
    while :; do
        "$@" && return 0
        ((SECONDS >= end)) && return 1
        sleep 0.5
    done
}

# is_daemon PID NAME DIR: PID is a live (non-zombie) process called NAME whose
# working directory is DIR.  postgres chdirs to its data directory and redis
# to its --dir, so this identifies OUR server even if a stale pidfile's pid was
# reused by an unrelated process (e.g. after a reboot).
is_daemon() {
    local pid=$1 comm cwd
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    read -r comm 2>/dev/null <"/proc/$pid/comm" || return 1
    [[ $comm == "$2" ]] || return 1
    cwd=$(readlink "/proc/$pid/cwd" 2>/dev/null) || return 1
    [[ $cwd == "$(readlink -f "$3")" ]]
}

not() { ! "$@"; }

read_pidfile() { # prints the first line of a pidfile if readable
    local pid=''
    [[ -r $1 ]] && read -r pid <"$1" 2>/dev/null
    printf '%s' "$pid"
}

show_log() { # show_log FILE: tail a service log to stderr
    if [[ -r $1 ]]; then
        printf '%s: ---- last lines of %s ----\n' "$PROG" "$1" >&2
        tail -n 20 "$1" >&2 || true
        printf '%s: ----\n' "$PROG" >&2
    fi
}

# Run a command as the PostgreSQL owner. Our stdout-pipe (fd 3) and lock (fd 9)
# are closed so a daemon started from here can't hold them open forever.
as_pg() {
    if ((IS_ROOT)); then
        (cd / && runuser -u postgres -- "$@") 3>&- 9>&-
    else
        "$@" 3>&- 9>&-
    fi
}

take_lock() {
    if [[ ! -d $SERVICES_DIR ]]; then
        mkdir -p "$SERVICES_DIR"
        chmod 755 "$SERVICES_DIR"
    fi
    exec 9>>"$SERVICES_DIR/.lock"
    flock -w "$TIMEOUT" 9 || die "another test-services.sh run holds $SERVICES_DIR/.lock"
}

# --------------------------------------------------------------- packages ---

ensure_packages() { # ensure_packages WANT_PG WANT_REDIS
    local pkgs=()
    if (($1)); then
        if [[ ! -x $PG_BIN/initdb || ! -x $PG_BIN/pg_ctl || ! -x $PG_BIN/postgres ]]; then
            pkgs+=("postgresql-$PG_VERSION")
        elif [[ ! -f /usr/share/postgresql/$PG_VERSION/extension/btree_gist.control ]]; then
            pkgs+=("postgresql-contrib-$PG_VERSION")
        fi
        [[ -x $PG_BIN/psql && -x $PG_BIN/pg_isready ]] || pkgs+=("postgresql-client-$PG_VERSION")
    fi
    if (($2)); then
        command -v redis-server >/dev/null || pkgs+=(redis-server)
        command -v redis-cli >/dev/null || pkgs+=(redis-tools)
    fi
    command -v flock >/dev/null || pkgs+=(util-linux)
    ((${#pkgs[@]})) || return 0

    if ((!IS_ROOT)); then
        die "missing Debian packages: ${pkgs[*]}
  install them with:  sudo apt-get install -y ${pkgs[*]}
  (or run this script as root, or set DATABASE_URL / REDIS_URL to existing services)"
    fi
    command -v apt-get >/dev/null || die "missing packages (${pkgs[*]}) and no apt-get to install them"
    log "installing missing packages: ${pkgs[*]}"
    export DEBIAN_FRONTEND=noninteractive
    local apt=(apt-get -q -o DPkg::Lock::Timeout=900 -o Dpkg::Use-Pty=0)
    "${apt[@]}" update -qq </dev/null 3>&- 9>&- ||
        die "apt-get update failed"
    "${apt[@]}" install -y -qq --no-install-recommends \
        -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
        "${pkgs[@]}" </dev/null 3>&- 9>&- ||
        die "apt-get install ${pkgs[*]} failed"
}

# ------------------------------------------------------------- postgresql ---

pg_pid() { # prints the pid of OUR live postmaster, fails if there is none
    local pid
    pid=$(read_pidfile "$PG_DATA/postmaster.pid")
    is_daemon "$pid" postgres "$PG_DATA" || return 1
    printf '%s' "$pid"
}

pg_ready() { # our socket (proves it is our cluster, on this port) and TCP
    "$PG_BIN/pg_isready" -q -t 2 -h "$PG_ROOT" -p "$PG_PORT" -U postgres -d postgres &&
        "$PG_BIN/pg_isready" -q -t 2 -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres
}

pg_psql() {
    "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres "$@"
}

pg_stop() {
    local pid
    pid=$(pg_pid) || return 0
    log "stopping PostgreSQL (pid $pid)"
    as_pg "$PG_BIN/pg_ctl" stop -D "$PG_DATA" -m fast -w -t 15 -s ||
        as_pg "$PG_BIN/pg_ctl" stop -D "$PG_DATA" -m immediate -w -t 5 -s || true
    if is_daemon "$pid" postgres "$PG_DATA"; then
        log "PostgreSQL (pid $pid) did not stop; sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
        wait_until 10 not is_daemon "$pid" postgres "$PG_DATA" || die "could not stop PostgreSQL pid $pid"
    fi
}

pg_conf() {
    local sock=${PG_ROOT//\'/\'\'}
    cat <<EOF
# Written by scripts/test-services.sh on every run - do not edit.
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$sock'
max_connections = $PG_MAX_CONNECTIONS
fsync = off
synchronous_commit = off
full_page_writes = off
cluster_name = 'sidebar-test'
logging_collector = off
log_line_prefix = '%m [%p] '
EOF
}

start_pg() {
    if ((IS_ROOT)); then
        id postgres >/dev/null 2>&1 || die "OS user 'postgres' does not exist (is postgresql-$PG_VERSION installed?)"
    fi
    local sock_path=$PG_ROOT/.s.PGSQL.$PG_PORT
    ((${#sock_path} < 100)) || die "socket path $sock_path is too long; use a shorter SIDEBAR_SERVICES_DIR"

    mkdir -p "$PG_ROOT"
    if ((IS_ROOT)); then chown postgres:postgres "$PG_ROOT"; fi
    chmod 700 "$PG_ROOT"
    local pg_user=postgres
    ((IS_ROOT)) || pg_user=$(id -un)
    as_pg test -w "$PG_ROOT" -a -x "$PG_ROOT" ||
        die "user $pg_user cannot write $PG_ROOT (owned by another user, or a parent directory is not traversable); choose another SIDEBAR_SERVICES_DIR or run --stop --purge as its owner"

    # 1. initdb (once; a half-finished cluster from an interrupted run is discarded)
    if [[ ! -f $PG_MARKER || ! -f $PG_DATA/PG_VERSION ]]; then
        pg_stop
        rm -rf "$PG_DATA" "$PG_MARKER"
        log "initdb $PG_DATA"
        if ! as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth=trust \
            --encoding=UTF8 --locale=C.UTF-8 --no-sync >"$PG_ROOT/initdb.log" 2>&1; then
            show_log "$PG_ROOT/initdb.log"
            die "initdb failed"
        fi
        printf "\ninclude = 'sidebar.conf'\n" | as_pg tee -a "$PG_DATA/postgresql.conf" >/dev/null
        touch "$PG_MARKER"
    fi
    [[ $(cat "$PG_DATA/PG_VERSION") == "$PG_VERSION" ]] ||
        die "$PG_DATA is a PostgreSQL $(cat "$PG_DATA/PG_VERSION") cluster; run scripts/stop-test-services.sh --purge"

    # 2. (re)write our settings; a change means a running server must restart
    local conf_changed=0
    if [[ ! -f $PG_DATA/sidebar.conf || "$(cat "$PG_DATA/sidebar.conf")" != "$(pg_conf)" ]]; then
        pg_conf | as_pg tee "$PG_DATA/sidebar.conf" >/dev/null
        conf_changed=1
    fi

    # 3. reuse a healthy running server, restart an unhealthy one
    local pid
    if pid=$(pg_pid); then
        if ((!conf_changed)) && wait_until 10 pg_ready; then
            log "PostgreSQL already running (pid $pid, port $PG_PORT)"
        else
            log "PostgreSQL (pid $pid) needs a restart (settings changed or not answering on port $PG_PORT)"
            pg_stop
        fi
    fi

    # 4. start
    if ! pg_pid >/dev/null; then
        # no live postmaster of ours: pid/lock files left over are stale
        rm -f "$PG_DATA/postmaster.pid" "$PG_ROOT"/.s.PGSQL.*.lock
        [[ -f $PG_LOG ]] && mv -f "$PG_LOG" "$PG_LOG.1"
        log "starting PostgreSQL $PG_VERSION on 127.0.0.1:$PG_PORT (data: $PG_DATA, log: $PG_LOG)"
        local end=$((SECONDS + TIMEOUT)) attempt=1
        # Retry: after a SIGKILLed postmaster, orphaned backends may hold the
        # old shared memory for a moment ("pre-existing shared memory block is still in use").
        until as_pg "$PG_BIN/pg_ctl" start -D "$PG_DATA" -l "$PG_LOG" -w -t "$TIMEOUT" -s </dev/null; do
            if ((SECONDS >= end)) || ! grep -qi 'shared memory' "$PG_LOG" 2>/dev/null; then
                show_log "$PG_LOG"
                die "PostgreSQL failed to start (attempt $attempt; port $PG_PORT already in use? then set SIDEBAR_PG_PORT)"
            fi
            attempt=$((attempt + 1))
            log "pg_ctl start failed (old shared memory still in use?); retrying ($attempt)"
            sleep 2
            pg_pid >/dev/null || rm -f "$PG_DATA/postmaster.pid"
            mv -f "$PG_LOG" "$PG_LOG.1" 2>/dev/null || true
        done
    fi
    if ! wait_until "$TIMEOUT" pg_ready; then
        show_log "$PG_LOG"
        die "PostgreSQL did not answer on 127.0.0.1:$PG_PORT within ${TIMEOUT}s"
    fi

    # 5. role + database (idempotent); make sure btree_gist is available
    pg_psql <<SQL || die "could not create role/database $DB_USER/$DB_NAME"
DO \$\$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$DB_USER') THEN
    CREATE ROLE $DB_USER LOGIN SUPERUSER;
  ELSE
    ALTER ROLE $DB_USER LOGIN SUPERUSER;
  END IF;
END
\$\$;
SELECT 'CREATE DATABASE $DB_NAME OWNER $DB_USER'
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$DB_NAME')\\gexec
SQL
    [[ $(pg_psql -tAc "SELECT count(*) FROM pg_available_extensions WHERE name = 'btree_gist'") == 1 ]] ||
        die "extension btree_gist is not available (install postgresql-contrib-$PG_VERSION)"
    log "PostgreSQL ready: postgres://$DB_USER@127.0.0.1:$PG_PORT/$DB_NAME"
}

# ------------------------------------------------------------------ redis ---

redis_cli() { timeout 3 redis-cli -h 127.0.0.1 -p "$REDIS_PORT" "$@" 2>/dev/null; }
redis_ping() { [[ $(redis_cli ping) == PONG ]]; }
redis_is_ours() { # the server answering on our port was started with our pidfile
    local out
    out=$(redis_cli config get pidfile) || return 1
    [[ $(sed -n 2p <<<"$out") == "$REDIS_PIDFILE" ]]
}
redis_started() { # answering, or its log says it gave up
    redis_ping || grep -qE 'aborting|Fatal error|FATAL' "$REDIS_LOG" 2>/dev/null
}
redis_up_ours() { redis_ping && redis_is_ours; }
redis_pid() { # pid from our pidfile if that process is our redis-server
    local pid
    pid=$(read_pidfile "$REDIS_PIDFILE")
    is_daemon "$pid" redis-server "$REDIS_ROOT" || return 1
    printf '%s' "$pid"
}

redis_stop() {
    local pid=''
    pid=$(redis_pid) || pid=''
    if redis_up_ours; then
        log "stopping Redis on port $REDIS_PORT"
        redis_cli shutdown nosave >/dev/null || true
    elif [[ -n $pid ]]; then
        log "stopping unresponsive Redis (pid $pid)"
        kill -TERM "$pid" 2>/dev/null || true
    fi
    if [[ -n $pid ]] && ! wait_until 10 not is_daemon "$pid" redis-server "$REDIS_ROOT"; then
        kill -KILL "$pid" 2>/dev/null || true
        sleep 0.5
    fi
    wait_until 10 not redis_up_ours || die "could not stop Redis on port $REDIS_PORT"
    rm -f "$REDIS_PIDFILE"
}

start_redis() {
    mkdir -p "$REDIS_ROOT"
    chmod 700 "$REDIS_ROOT"
    if redis_ping; then
        redis_is_ours || die "port $REDIS_PORT is used by another Redis server (not ours); set SIDEBAR_REDIS_PORT or REDIS_URL"
        log "Redis already running on port $REDIS_PORT"
        return 0
    fi
    local pid
    if pid=$(redis_pid); then # ours, alive, but not answering
        log "Redis (pid $pid) is not answering; restarting it"
        redis_stop
    fi
    rm -f "$REDIS_PIDFILE" # stale
    [[ -f $REDIS_LOG ]] && mv -f "$REDIS_LOG" "$REDIS_LOG.1"
    log "starting Redis on 127.0.0.1:$REDIS_PORT (dir: $REDIS_ROOT)"
    redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --daemonize yes \
        --pidfile "$REDIS_PIDFILE" --logfile "$REDIS_LOG" --dir "$REDIS_ROOT" \
        --save '' --appendonly no </dev/null 3>&- 9>&- ||
        {
            show_log "$REDIS_LOG"
            die "redis-server failed to start"
        }
    if ! wait_until "$TIMEOUT" redis_started || ! redis_ping; then
        show_log "$REDIS_LOG"
        die "Redis did not come up on 127.0.0.1:$REDIS_PORT (port already in use? then set SIDEBAR_REDIS_PORT)"
    fi
    redis_is_ours || die "the Redis answering on port $REDIS_PORT is not the one we started"
    log "Redis ready: redis://127.0.0.1:$REDIS_PORT/0"
}

# ------------------------------------------------------------------- main ---

if [[ $MODE == stop ]]; then
    [[ -d $SERVICES_DIR ]] || {
        log "nothing to stop ($SERVICES_DIR does not exist)"
        exit 0
    }
    take_lock
    if [[ -x $PG_BIN/pg_ctl ]]; then pg_stop; fi
    if command -v redis-cli >/dev/null; then redis_stop; fi
    if ((PURGE)); then
        log "removing $SERVICES_DIR"
        rm -rf "${SERVICES_DIR:?}/pg" "${SERVICES_DIR:?}/redis"
        rm -f "$SERVICES_DIR/.lock"
        rmdir "$SERVICES_DIR" 2>/dev/null || true
    fi
    log "stopped"
    exit 0
fi

want_pg=1 want_redis=1
[[ -n ${DATABASE_URL:-} ]] && want_pg=0
[[ -n ${REDIS_URL:-} ]] && want_redis=0

if ((want_pg || want_redis)); then
    ensure_packages "$want_pg" "$want_redis"
    take_lock
fi

if ((want_pg)); then
    start_pg
    DATABASE_URL=postgres://$DB_USER@127.0.0.1:$PG_PORT/$DB_NAME
else
    log "DATABASE_URL already set; not starting PostgreSQL"
fi
if ((want_redis)); then
    start_redis
    REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0
else
    log "REDIS_URL already set; not starting Redis"
fi

printf 'export DATABASE_URL=%q\nexport REDIS_URL=%q\n' "$DATABASE_URL" "$REDIS_URL" >&3
