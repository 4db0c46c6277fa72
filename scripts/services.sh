#!/usr/bin/env bash
# Start Redis and PostgreSQL on 127.0.0.1 for the team-mode tests (tests/scaleout) and the load benchmark, if they
# are not running already, and create the test role and database. Safe to run again: it only starts what is down.
#
#   eval "$(bash scripts/services.sh)"     # sets HFS_TEST_REDIS_URL and HFS_TEST_DATABASE_URL
#
# stdout carries only the `export ...` line; progress goes to stderr. Exit status 1 when a service could not be
# made available (nothing is printed for it then).
#
# As root, missing Debian packages (redis-server, postgresql) are installed with apt-get, and PostgreSQL runs as
# Debian's cluster (pg_ctlcluster) — or, without Debian's cluster tools, as a private cluster owned by `postgres`.
# As another user, a private cluster is created under $HFS_SERVICES_DIR. Nothing listens beyond 127.0.0.1.
#
# Settings (environment): HFS_SERVICES_REDIS_PORT (6379), HFS_SERVICES_PG_PORT (5432 as root / 55432 otherwise),
# HFS_SERVICES_DIR (state folder, default /tmp/hfs-services-$UID), HFS_SERVICES_NO_INSTALL=1 (never run apt-get).
set -uo pipefail

REDIS_PORT="${HFS_SERVICES_REDIS_PORT:-6379}"
STATE_DIR="${HFS_SERVICES_DIR:-/tmp/hfs-services-$(id -u)}"
DB_NAME=hfs_test
DB_USER=hfs_test
DB_PASSWORD=hfs_test
IS_ROOT=0
[ "$(id -u)" = "0" ] && IS_ROOT=1
if [ "$IS_ROOT" = 1 ]; then PG_PORT="${HFS_SERVICES_PG_PORT:-5432}"; else PG_PORT="${HFS_SERVICES_PG_PORT:-55432}"; fi

say() { echo "services: $*" >&2; }
mkdir -p "$STATE_DIR"
chmod 755 "$STATE_DIR" 2>/dev/null || true

apt_install() {
  if [ "$IS_ROOT" != 1 ] || [ -n "${HFS_SERVICES_NO_INSTALL:-}" ] || ! command -v apt-get >/dev/null 2>&1; then
    return 1
  fi
  say "installing $* (apt-get)"
  if [ ! -f "$STATE_DIR/.apt-updated" ]; then
    apt-get update -qq >&2 && touch "$STATE_DIR/.apt-updated"
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2
}

# ------------------------------------------------------------------------------------------------ Redis
redis_up() {
  if command -v redis-cli >/dev/null 2>&1; then
    [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = "PONG" ]
  else
    # No client: speak the protocol through bash's /dev/tcp.
    (exec 3<>"/dev/tcp/127.0.0.1/$REDIS_PORT" && printf 'PING\r\n' >&3 && timeout 2 head -c 5 <&3 | grep -q PONG) 2>/dev/null
  fi
}

start_redis() {
  if redis_up; then
    say "Redis already answers on 127.0.0.1:$REDIS_PORT"
    return 0
  fi
  command -v redis-server >/dev/null 2>&1 || apt_install redis-server || true
  if ! command -v redis-server >/dev/null 2>&1; then
    say "redis-server is not installed (as root this script installs it: apt-get install redis-server)"
    return 1
  fi
  say "starting redis-server on 127.0.0.1:$REDIS_PORT"
  mkdir -p "$STATE_DIR/redis"
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --protected-mode yes --daemonize yes \
    --dir "$STATE_DIR/redis" --save "" --appendonly no \
    --pidfile "$STATE_DIR/redis/redis.pid" --logfile "$STATE_DIR/redis/redis.log" >&2
  for _ in $(seq 1 50); do
    redis_up && return 0
    sleep 0.1
  done
  say "redis-server did not answer; see $STATE_DIR/redis/redis.log"
  return 1
}

# ------------------------------------------------------------------------------------------------ PostgreSQL
pg_bindir() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -n "$dir" ]; then echo "$dir"; return; fi
  dir=$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/initdb)")
  [ -x "$dir/initdb" ] && echo "$dir"
}

pg_up() {
  local bin
  bin=$(pg_bindir)
  if [ -n "$bin" ] && [ -x "$bin/pg_isready" ]; then
    "$bin/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"
  else
    (exec 3<>"/dev/tcp/127.0.0.1/$PG_PORT") 2>/dev/null
  fi
}

PG_MODE=""           # debian | private | external
PG_SOCKET_DIR=""

as_postgres() {      # run a PostgreSQL tool as the cluster owner
  if [ "$IS_ROOT" = 1 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start_private_cluster() {
  local bin data
  bin=$(pg_bindir)
  data="$STATE_DIR/pg/data"
  PG_SOCKET_DIR="$STATE_DIR/pg"
  mkdir -p "$data"
  [ "$IS_ROOT" = 1 ] && chown -R postgres: "$STATE_DIR/pg"
  chmod 700 "$data"
  if [ ! -f "$data/PG_VERSION" ]; then
    say "creating a private PostgreSQL cluster in $data"
    as_postgres "$bin/initdb" -D "$data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
      -E UTF8 --locale=C.UTF-8 >&2 || as_postgres "$bin/initdb" -D "$data" -U postgres --auth-local=trust \
      --auth-host=scram-sha-256 -E UTF8 --locale=C >&2 || return 1
  fi
  say "starting the private PostgreSQL cluster on 127.0.0.1:$PG_PORT"
  as_postgres "$bin/pg_ctl" -D "$data" -l "$STATE_DIR/pg/postgres.log" -w -t 60 \
    -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k $PG_SOCKET_DIR" start >&2
}

start_postgres() {
  PG_SOCKET_DIR=/var/run/postgresql
  if [ -f "$STATE_DIR/pg/data/PG_VERSION" ]; then PG_SOCKET_DIR="$STATE_DIR/pg"; PG_MODE=private; fi
  if pg_up; then
    say "PostgreSQL already answers on 127.0.0.1:$PG_PORT"
    if [ -z "$PG_MODE" ]; then
      if [ "$IS_ROOT" = 1 ] && [ -S "/var/run/postgresql/.s.PGSQL.$PG_PORT" ]; then PG_MODE=debian; else PG_MODE=external; fi
    fi
    return 0
  fi
  [ -n "$(pg_bindir)" ] || apt_install postgresql || true
  if [ -z "$(pg_bindir)" ]; then
    say "PostgreSQL is not installed (as root this script installs it: apt-get install postgresql)"
    return 1
  fi
  if [ "$IS_ROOT" = 1 ] && command -v pg_lsclusters >/dev/null 2>&1 && [ "$PG_MODE" != private ]; then
    local cluster
    cluster=$(pg_lsclusters --no-header 2>/dev/null | awk -v port="$PG_PORT" '$3 == port {print $1 " " $2; exit}')
    if [ -z "$cluster" ]; then
      local version
      version=$(basename "$(dirname "$(pg_bindir)")")
      say "creating Debian cluster $version/hfs on port $PG_PORT"
      pg_createcluster "$version" hfs --port "$PG_PORT" >&2 || return 1
      cluster="$version hfs"
    fi
    say "starting PostgreSQL cluster $cluster (pg_ctlcluster)"
    # shellcheck disable=SC2086
    pg_ctlcluster $cluster start >&2 || true
    PG_MODE=debian
  else
    start_private_cluster || return 1
    PG_MODE=private
  fi
  for _ in $(seq 1 100); do
    pg_up && return 0
    sleep 0.2
  done
  say "PostgreSQL did not answer on 127.0.0.1:$PG_PORT"
  return 1
}

ensure_pg_role() {
  local bin psql_cmd
  bin=$(pg_bindir)
  if [ "$PG_MODE" = external ] || [ -z "$bin" ]; then
    return 0  # somebody else's server: the test credentials must already work
  fi
  psql_cmd=(as_postgres "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCKET_DIR" -p "$PG_PORT" -U postgres -d postgres)
  if [ "$("${psql_cmd[@]}" -tAc "SELECT 1 FROM pg_roles WHERE rolname = '$DB_USER'")" != "1" ]; then
    say "creating role $DB_USER"
    "${psql_cmd[@]}" -c "CREATE ROLE $DB_USER LOGIN PASSWORD '$DB_PASSWORD'" >&2 || return 1
  fi
  if [ "$("${psql_cmd[@]}" -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'")" != "1" ]; then
    say "creating database $DB_NAME"
    "${psql_cmd[@]}" -c "CREATE DATABASE $DB_NAME OWNER $DB_USER" >&2 || return 1
  fi
}

status=0
exports=()
if start_redis; then
  exports+=("HFS_TEST_REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0")
else
  status=1
fi
if start_postgres && ensure_pg_role; then
  exports+=("HFS_TEST_DATABASE_URL=postgresql+psycopg://$DB_USER:$DB_PASSWORD@127.0.0.1:$PG_PORT/$DB_NAME")
else
  status=1
fi
if [ "${#exports[@]}" -gt 0 ]; then
  echo "export ${exports[*]}"
fi
exit "$status"
