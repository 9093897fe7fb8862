#!/usr/bin/env bash
# Throwaway PostgreSQL and Redis on loopback, for tests that need the real services.
#
#   .ci/services.sh start          start both (does nothing if they already run)
#   .ci/services.sh stop           stop exactly what `start` started, by PID
#   .ci/services.sh env            print the export lines for the test run:
#                                    eval "$(.ci/services.sh env)"
#   .ci/services.sh status         say what is running
#   .ci/services.sh createdb NAME  (re)create an empty database NAME on the throwaway server
#
# No Celery worker is started here: the test suite starts its own (the
# `celery_worker_process` fixture in tests/conftest.py), pointed at pytest-django's
# test database, which does not exist before pytest runs.
#
# State (data directory path, PID files, logs) lives in .services/ at the top of the
# repository so that `stop` can stop what `start` started and nothing else.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE="${SERVICES_STATE_DIR:-$ROOT/.services}"
PG_PORT="${PG_PORT:-55432}"
REDIS_PORT="${REDIS_PORT:-56379}"
PG_DB="${PG_DB:-jobvaekst}"

log() { printf '[services] %s\n' "$*" >&2; }
die() { printf '[services] FEJL: %s\n' "$*" >&2; exit 1; }

# A PID counts as running only if it exists and is not a zombie: a daemonised process
# whose parent never reaps it lingers as a zombie, and `kill -0` would still succeed.
alive() {
    local pid="${1:-}" stat
    [[ -n "$pid" ]] || return 1
    stat="$(ps -o stat= -p "$pid" 2>/dev/null | tr -d ' ')" || return 1
    [[ -n "$stat" && "$stat" != Z* ]]
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Debian puts the server binaries in /usr/lib/postgresql/<major>/bin (not on PATH); some
# machines also link them into /usr/local/bin. PG_BINDIR overrides both.
find_pg_bindir() {
    local candidates=() dir
    [[ -n "${PG_BINDIR:-}" ]] && candidates+=("$PG_BINDIR")
    # Newest major version first.
    while IFS= read -r dir; do candidates+=("$dir"); done < <(
        ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -V -r
    )
    if command -v pg_ctl >/dev/null 2>&1; then
        candidates+=("$(dirname "$(readlink -f "$(command -v pg_ctl)")")")
    fi
    for dir in "${candidates[@]}"; do
        if [[ -x "$dir/initdb" && -x "$dir/pg_ctl" && -x "$dir/createdb" ]]; then
            echo "$dir"
            return 0
        fi
    done
    return 1
}

# initdb refuses to run as root, so as root we run the server as the `postgres` user;
# a developer running as themself needs no user switch.
as_pg() {
    if [[ $EUID -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

pg_pid() { head -n1 "$(cat "$STATE/pg_dir" 2>/dev/null)/data/postmaster.pid" 2>/dev/null || true; }
redis_pid() { cat "$STATE/redis.pid" 2>/dev/null || true; }

start_postgres() {
    if [[ -f "$STATE/pg_dir" ]] && alive "$(pg_pid)"; then
        log "PostgreSQL kører allerede (port $PG_PORT)."
        return 0
    fi
    stop_postgres # clears a stale state left by a crash, so its temp dir is not leaked
    local bindir
    bindir="$(find_pg_bindir)" || die "PostgreSQL-serveren findes ikke (initdb/pg_ctl). Installér den: apt-get install postgresql (eller sæt PG_BINDIR)."
    if [[ $EUID -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
        die "Brugeren 'postgres' findes ikke; installér pakken postgresql."
    fi
    port_open "$PG_PORT" && die "Port $PG_PORT er optaget af en anden proces; stop den eller sæt PG_PORT."

    local dir
    STARTED_PG=1
    dir="$(mktemp -d -t jobvaekst-pg.XXXXXX)"
    [[ $EUID -eq 0 ]] && chown postgres:postgres "$dir"
    echo "$dir" >"$STATE/pg_dir"
    echo "$bindir" >"$STATE/pg_bindir"

    log "initdb i $dir (PostgreSQL fra $bindir)"
    as_pg "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 \
        --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
        { cat "$dir/initdb.log" >&2; die "initdb fejlede."; }
    # Loopback only, and the socket in the throwaway dir so we never touch /var/run.
    as_pg "$bindir/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 30 \
        -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $dir -c fsync=off" start >/dev/null ||
        { cat "$dir/log" >&2; die "PostgreSQL kunne ikke starte (log: $dir/log)."; }
    "$bindir/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres "$PG_DB" ||
        die "createdb $PG_DB fejlede."
    log "PostgreSQL kører på 127.0.0.1:$PG_PORT, database $PG_DB."
}

start_redis() {
    if alive "$(redis_pid)"; then
        log "Redis kører allerede (port $REDIS_PORT)."
        return 0
    fi
    STARTED_REDIS=1
    command -v redis-server >/dev/null 2>&1 ||
        die "redis-server findes ikke. Installér den: apt-get install redis-server."
    port_open "$REDIS_PORT" && die "Port $REDIS_PORT er optaget af en anden proces; stop den eller sæt REDIS_PORT."
    rm -f "$STATE/redis.pid"
    # No persistence: the data is throwaway and must not be written into the repo.
    redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no \
        --daemonize yes --pidfile "$STATE/redis.pid" --logfile "$STATE/redis.log" \
        --dir "$STATE" || die "redis-server kunne ikke starte (log: $STATE/redis.log)."
    local i
    for i in $(seq 1 50); do
        [[ -s "$STATE/redis.pid" ]] && port_open "$REDIS_PORT" && break
        sleep 0.1
    done
    port_open "$REDIS_PORT" || { cat "$STATE/redis.log" >&2; die "Redis svarer ikke på port $REDIS_PORT."; }
    log "Redis kører på 127.0.0.1:$REDIS_PORT."
}

stop_pid() { # name pid
    local name="$1" pid="$2" i
    alive "$pid" || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 100); do
        alive "$pid" || { log "$name stoppet (PID $pid)."; return 0; }
        sleep 0.1
    done
    log "$name stopper ikke; sender SIGKILL til PID $pid."
    kill -KILL "$pid" 2>/dev/null || true
}

stop_postgres() {
    [[ -f "$STATE/pg_dir" ]] || return 0
    local dir bindir pid
    dir="$(cat "$STATE/pg_dir")"
    bindir="$(cat "$STATE/pg_bindir" 2>/dev/null || find_pg_bindir || true)"
    pid="$(pg_pid)"
    if alive "$pid"; then
        as_pg "$bindir/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >/dev/null 2>&1 ||
            stop_pid PostgreSQL "$pid"
        log "PostgreSQL stoppet."
    fi
    # Only remove what we created: a mktemp dir recorded by `start`.
    [[ "$dir" == */jobvaekst-pg.* ]] && rm -rf "$dir"
    rm -f "$STATE/pg_dir" "$STATE/pg_bindir"
}

stop_redis() {
    stop_pid Redis "$(redis_pid)"
    rm -f "$STATE/redis.pid"
}

print_env() {
    [[ -f "$STATE/pg_dir" ]] && alive "$(pg_pid)" && alive "$(redis_pid)" ||
        die "Tjenesterne kører ikke; kør først: .ci/services.sh start"
    # Result backend on another Redis db than the broker so the two never mix.
    cat <<EOF
export DATABASE_URL=postgres://postgres@127.0.0.1:$PG_PORT/$PG_DB
export CELERY_BROKER_URL=redis://127.0.0.1:$REDIS_PORT/0
export CELERY_RESULT_BACKEND=redis://127.0.0.1:$REDIS_PORT/1
EOF
}

create_db() { # name
    local name="${1:-}" bindir
    [[ "$name" =~ ^[a-z_][a-z0-9_]*$ ]] || die "Ugyldigt databasenavn: '$name'."
    alive "$(pg_pid)" || die "PostgreSQL kører ikke; kør først: .ci/services.sh start"
    bindir="$(cat "$STATE/pg_bindir")"
    # Quiet the server's "does not exist, skipping" notice for a database not there yet.
    PGOPTIONS="-c client_min_messages=warning" "$bindir/dropdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres --if-exists "$name"
    "$bindir/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres "$name"
    log "Database $name oprettet."
}

mkdir -p "$STATE"
case "${1:-}" in
start)
    # If a step fails, stop what this call started so nothing is left behind.
    STARTED_PG=0 STARTED_REDIS=0
    trap 'rc=$?; if [[ $rc -ne 0 ]]; then
              [[ $STARTED_REDIS == 1 ]] && stop_redis
              [[ $STARTED_PG == 1 ]] && stop_postgres
          fi' EXIT
    start_postgres
    start_redis
    log "Klar. Brug dem i denne shell med:  eval \"\$(.ci/services.sh env)\""
    ;;
stop)
    stop_redis
    stop_postgres
    ;;
env) print_env ;;
status)
    if alive "$(pg_pid)"; then echo "PostgreSQL: kører (PID $(pg_pid), port $PG_PORT)"; else echo "PostgreSQL: stoppet"; fi
    if alive "$(redis_pid)"; then echo "Redis: kører (PID $(redis_pid), port $REDIS_PORT)"; else echo "Redis: stoppet"; fi
    ;;
createdb) create_db "${2:-}" ;;
*)
    echo "Brug: $0 start|stop|env|status|createdb NAME" >&2
    exit 2
    ;;
esac
