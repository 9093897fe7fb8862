#!/usr/bin/env bash
# `make bench`: the benchmark suite on PostgreSQL (and Redis, for the worker's memory).
#
# With DATABASE_URL set, that server is used. Without, the throwaway PostgreSQL and Redis
# of .ci/services.sh are started, and stopped again afterwards if this script started
# them. Arguments go to bench/run.py (e.g. --factors 1 --load-seconds 10).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
UV="${UV:-uv}"

started=0
if [[ -z "${DATABASE_URL:-}" ]]; then
    bash .ci/services.sh status | grep -q "^PostgreSQL: kører" || started=1
    bash .ci/services.sh start
    eval "$(bash .ci/services.sh env)"
fi
stop() { if [[ $started == 1 ]]; then bash .ci/services.sh stop; fi; }
trap stop EXIT

$UV run python bench/run.py "$@"
