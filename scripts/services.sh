#!/usr/bin/env bash
# Make sure the servers the tests and the load test talk to answer, one address each (postgres://… or redis://…):
#
#   scripts/services.sh postgres://postgres@127.0.0.1:5432/tracker redis://127.0.0.1:6379/1
#
# A server that answers is left alone. One on this machine (127.0.0.1 or localhost) that does not is installed from
# Debian's packages when missing (postgresql, redis-server), started and waited for; Redis keeps nothing on disk.
# One elsewhere, or one that still does not answer, fails with what to do: never a silent skip.
set -euo pipefail

WAIT_SECONDS=${WAIT_SECONDS:-30}
SUDO=$([ "$(id -u)" = 0 ] || echo sudo)

fail() {
    echo "error: $*" >&2
    exit 1
}

apt_install() {
    echo "Installing Debian's $1"
    $SUDO apt-get update -qq
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >/dev/null
}

tcp_open() {
    timeout 3 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null
}

redis_answers() {
    # PING, in Redis' own protocol: bash alone, so it works before redis-tools is installed. A server that wants a
    # password (NOAUTH) is answering too.
    timeout 3 bash -c "exec 3<>/dev/tcp/$1/$2 && printf 'PING\r\n' >&3 && read -r -t 2 reply <&3 \
        && [[ \$reply == +PONG* || \$reply == -NOAUTH* ]]" 2>/dev/null
}

postgresql_answers() {
    if command -v pg_isready >/dev/null; then
        pg_isready -q -h "$1" -p "$2" -t 3
    else
        tcp_open "$1" "$2"
    fi
}

start_redis() {
    local port=$1
    command -v redis-server >/dev/null || apt_install redis-server
    redis_answers 127.0.0.1 "$port" && return # Debian's package starts its own on 6379 where it can
    echo "Starting redis-server on 127.0.0.1:$port (in memory only)"
    redis-server --daemonize yes --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir /tmp \
        --logfile "/tmp/redis-server-$port.log" --pidfile "/tmp/redis-server-$port.pid"
}

start_postgresql() {
    local port=$1 version cluster conf
    command -v pg_ctlcluster >/dev/null || apt_install postgresql
    # The cluster set up for this port: Debian makes "main" on 5432 when it installs postgresql.
    read -r version cluster < <(pg_lsclusters --no-header | awk -v port="$port" '$3 == port { print $1, $2; exit }') ||
        fail "no PostgreSQL cluster is set up for port $port (pg_lsclusters lists them; pg_createcluster makes one)"
    echo "Starting PostgreSQL $version/$cluster on port $port"
    $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" "$cluster" start || true # whether it starts shows below
    # The tests connect as postgres without a password, from 127.0.0.1 only.
    conf="/etc/postgresql/$version/$cluster/pg_hba.conf"
    if ! $SUDO grep -q "^host all all 127.0.0.1/32 trust" "$conf"; then
        $SUDO sed -i '1i host all all 127.0.0.1/32 trust' "$conf"
        $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" "$cluster" reload
    fi
}

bring_up() {
    local url=$1 scheme kind name default_port address host port
    scheme=${url%%://*}
    case $scheme in
        postgres | postgresql) kind=postgresql name=PostgreSQL default_port=5432 ;;
        redis) kind=redis name=Redis default_port=6379 ;;
        *) fail "cannot bring up a server for $scheme:// addresses (only postgres:// and redis://)" ;;
    esac
    address=${url#*://}
    address=${address%%/*}
    address=${address##*@} # never a user or password in a message
    host=${address%:*}
    port=${address##*:}
    [ "$host" != "$address" ] || port=$default_port
    "${kind}_answers" "$host" "$port" && return
    case $host in
        127.0.0.1 | localhost) ;;
        *) fail "$name does not answer on $host:$port, which is not this machine: start it there, or point the address at a server that answers" ;;
    esac
    echo "$name does not answer on $host:$port"
    "start_$kind" "$port"
    for _ in $(seq "$WAIT_SECONDS"); do
        "${kind}_answers" "$host" "$port" && return
        sleep 1
    done
    fail "$name still does not answer on $host:$port after $WAIT_SECONDS seconds"
}

[ $# -gt 0 ] || fail "usage: $0 postgres://…|redis://… [more addresses]"
for url in "$@"; do
    bring_up "$url"
done
