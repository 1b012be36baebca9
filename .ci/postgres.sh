#!/usr/bin/env bash
# Start a throwaway PostgreSQL cluster for the register tests and export LABELAPP_TEST_PG_URL.
#
#   source .ci/postgres.sh      # exports LABELAPP_TEST_PG_URL, defines labelapp_pg_stop
#   bash .ci/postgres.sh        # starts it and prints the export line (server keeps running)
#
# Installs Debian's postgresql package when no server binaries are found (needs root or sudo).
# The cluster lives in a temporary folder, listens on 127.0.0.1 on a free port, trusts local
# connections (it holds test data only) and runs as a non-root user ("postgres" when we are root).
# apt waits for another package manager's lock. LABELAPP_TEST_PG_DIR is exported before the server
# starts, so labelapp_pg_stop stops it even when a later step here fails.

if ! declare -F labelapp_apt_install >/dev/null; then
    # shellcheck source=scripts/install-system-libraries.sh
    source "$(dirname "${BASH_SOURCE[0]}")/../scripts/install-system-libraries.sh"
fi

# The newest installed server's bin folder, or nothing (no failure: .ci/run runs with pipefail).
labelapp_pg_bindir() {
    local dirs=(/usr/lib/postgresql/*/bin)
    [ -d "${dirs[0]}" ] || return 0
    printf '%s\n' "${dirs[@]}" | sort -V | tail -n 1
}

_labelapp_pg_main() {
    if [ -n "${LABELAPP_TEST_PG_URL:-}" ]; then
        echo "postgres.sh: LABELAPP_TEST_PG_URL already set, not starting a server" >&2
        return 0
    fi
    local bindir
    bindir=$(labelapp_pg_bindir)
    if [ -z "$bindir" ]; then
        echo "postgres.sh: installing postgresql (apt-get)" >&2
        labelapp_apt_install postgresql || { echo "postgres.sh: cannot install postgresql" >&2; return 1; }
        bindir=$(labelapp_pg_bindir)
    fi
    local runas=()
    if [ "$(id -u)" -eq 0 ]; then
        id postgres >/dev/null 2>&1 || useradd --system --home /var/lib/postgresql --shell /bin/sh postgres
        runas=(runuser -u postgres --)
    fi
    local tmp port
    tmp=$(mktemp -d /tmp/labelapp-pg.XXXXXX)
    chmod 0755 "$tmp"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$tmp"
    export LABELAPP_TEST_PG_DIR="$tmp"
    export LABELAPP_TEST_PG_BINDIR="$bindir"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    "${runas[@]}" "$bindir/initdb" -D "$tmp/data" -U labelapp --auth=trust -E UTF8 --locale=C.UTF-8 >"$tmp/initdb.log" 2>&1 || {
        echo "postgres.sh: initdb failed, see $tmp/initdb.log" >&2; cat "$tmp/initdb.log" >&2; return 1; }
    "${runas[@]}" "$bindir/pg_ctl" -D "$tmp/data" -l "$tmp/server.log" -w -t 60 \
        -o "-p $port -k $tmp -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null || {
        echo "postgres.sh: server did not start, see $tmp/server.log" >&2; cat "$tmp/server.log" >&2; return 1; }
    "${runas[@]}" "$bindir/createdb" -h 127.0.0.1 -p "$port" -U labelapp labelapp_test || return 1
    export LABELAPP_TEST_PG_URL="postgresql+psycopg://labelapp@127.0.0.1:$port/labelapp_test"
    echo "postgres.sh: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on port $port ($tmp)" >&2
}

labelapp_pg_stop() {
    [ -n "${LABELAPP_TEST_PG_DIR:-}" ] || return 0
    local runas=()
    [ "$(id -u)" -eq 0 ] && runas=(runuser -u postgres --)
    if [ -e "$LABELAPP_TEST_PG_DIR/data/postmaster.pid" ]; then
        "${runas[@]}" "$LABELAPP_TEST_PG_BINDIR/pg_ctl" -D "$LABELAPP_TEST_PG_DIR/data" -m fast -w stop >/dev/null 2>&1
    fi
    rm -rf "$LABELAPP_TEST_PG_DIR"
    unset LABELAPP_TEST_PG_URL LABELAPP_TEST_PG_DIR LABELAPP_TEST_PG_BINDIR
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    set -euo pipefail
    _labelapp_pg_main
    echo "export LABELAPP_TEST_PG_URL=$LABELAPP_TEST_PG_URL"
else
    _labelapp_pg_main
fi
