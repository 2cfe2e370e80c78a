#!/usr/bin/env bash
# Starts a throwaway PostgreSQL primary and a streaming replica of it on loopback ports,
# for the read-replica tests:  source .ci/replica.sh start  /  .ci/replica.sh stop DIR
# Exports TEST_DATABASE_URL_PRIMARY and TEST_DATABASE_READ_URL when sourced with start.
set -euo pipefail
bin=/usr/lib/postgresql/$(ls /etc/postgresql | head -n 1)/bin
run() { su postgres -s /bin/bash -c "$*"; }

replica_start() {
  dir=$(mktemp -d /tmp/cop-replica.XXXXXX)
  chown postgres "$dir"
  primary_port=$((41000 + RANDOM % 1000)); replica_port=$((primary_port + 1))
  run "$bin/initdb -D $dir/primary -U postgres --auth=trust -E UTF8 >/dev/null"
  cat >> "$dir/primary/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $primary_port
unix_socket_directories = '$dir'
wal_level = replica
max_wal_senders = 4
CONF
  echo "host replication all 127.0.0.1/32 trust" >> "$dir/primary/pg_hba.conf"
  run "$bin/pg_ctl -D $dir/primary -l $dir/primary.log -w start >/dev/null"
  run "$bin/pg_basebackup -h 127.0.0.1 -p $primary_port -U postgres -D $dir/replica -R -X stream >/dev/null"
  sed -i "s/^port = .*/port = $replica_port/" "$dir/replica/postgresql.conf"
  run "$bin/pg_ctl -D $dir/replica -l $dir/replica.log -w start >/dev/null"
  export COP_REPLICA_DIR=$dir
  export TEST_DATABASE_URL_PRIMARY="postgres://postgres@127.0.0.1:$primary_port/postgres?sslmode=disable"
  export TEST_DATABASE_READ_URL="postgres://postgres@127.0.0.1:$replica_port/postgres?sslmode=disable"
}

replica_stop() {
  local dir=$1
  [ -d "$dir" ] || return 0
  run "$bin/pg_ctl -D $dir/replica -m immediate stop >/dev/null 2>&1" || true
  run "$bin/pg_ctl -D $dir/primary -m immediate stop >/dev/null 2>&1" || true
  rm -rf "$dir"
}

case "${1:-}" in
  start) replica_start ;;
  stop) replica_stop "${2:-${COP_REPLICA_DIR:-}}" ;;
  *) echo "usage: source .ci/replica.sh start | .ci/replica.sh stop DIR" >&2; return 2 2>/dev/null || exit 2 ;;
esac
