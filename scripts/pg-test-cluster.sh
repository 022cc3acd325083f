#!/usr/bin/env bash
# A private PostgreSQL cluster for the tests (DESIGN.md §12): its own data folder, a loopback port and a
# socket folder of its own, started and stopped by `.ci/run` (and by hand). Debian's postgresql 15.
#
#   scripts/pg-test-cluster.sh start [DIR] [PORT]   prints the URL for UNIFEED_TEST_POSTGRES
#   scripts/pg-test-cluster.sh stop  [DIR]
#
# initdb refuses root, so the cluster runs as the `postgres` user. The role `unifeed` (password
# `unifeed-test`) owns the database `unifeed_test` and may create databases (each test suite makes its
# own); nothing else is granted. Password authentication (scram-sha-256) on TCP, peer on the socket.
set -euo pipefail
command="${1:-start}"
dir="${2:-${TMPDIR:-/tmp}/unifeed-pg}"
port="${3:-54329}"
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$bin" ]; then
    echo "pg-test-cluster: no PostgreSQL here (apt-get install postgresql)" >&2
    exit 1
fi
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

case "$command" in
start)
    if [ -f "$dir/data/postmaster.pid" ] && as_postgres "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
        echo "postgres://unifeed:unifeed-test@127.0.0.1:$port/unifeed_test"
        exit 0
    fi
    rm -rf "$dir"
    mkdir -p "$dir/data" "$dir/socket"
    [ "$(id -u)" = 0 ] && chown -R postgres:postgres "$dir"
    chmod 755 "$dir"
    as_postgres "$bin/initdb" -D "$dir/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
        --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1
    as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir/socket -c fsync=on -c max_connections=200" \
        start >/dev/null
    as_postgres "$bin/psql" -h "$dir/socket" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -q <<SQL
CREATE ROLE unifeed LOGIN PASSWORD 'unifeed-test' CREATEDB;
CREATE DATABASE unifeed_test OWNER unifeed;
SQL
    echo "postgres://unifeed:unifeed-test@127.0.0.1:$port/unifeed_test"
    ;;
stop)
    if [ -d "$dir/data" ]; then
        as_postgres "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
        rm -rf "$dir"
    fi
    ;;
*)
    echo "usage: $0 start|stop [DIR] [PORT]" >&2
    exit 2
    ;;
esac
