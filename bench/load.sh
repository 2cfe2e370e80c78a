#!/usr/bin/env bash
# Load test: the dashboard mix (bench/dashboard.lua) at 16 connections against the server
# on PostgreSQL with the SGPE objectives and the national demo data (200,000 actions,
# 100,000 commitments), load generator, server and database on this machine.
#
#   bash bench/load.sh [DURATION] [CONNECTIONS]
#
# Needs wrk (apt-get install wrk), PostgreSQL on 127.0.0.1:5432 and ../shared/data.
# Prints throughput, p50/p90/p99 latency and the server's peak memory (VmHWM). The server runs
# without its result cache (CACHE_ENTRIES=0) unless CACHE_ENTRIES says otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-30s}
conns=${2:-16}
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
db="load_$(date +%s)"
psql -h 127.0.0.1 -U postgres -q -d postgres -c "CREATE DATABASE $db"
work=$(mktemp -d)
cleanup() {
  [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null || true
  psql -h 127.0.0.1 -U postgres -q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" || true
  rm -rf "$work"
}
trap cleanup EXIT
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$db?sslmode=disable"
go build -o "$work/server" ./server
"$work/server" import sgpe ../shared/data/sgpe/simulateur-territorial-data.json >/dev/null 2>&1
"$work/server" seed demo >/dev/null 2>&1
port=$((30000 + RANDOM % 10000))
RATE_LIMIT=0 CACHE_ENTRIES=${CACHE_ENTRIES:-0} LOG_LEVEL=warn "$work/server" -addr "127.0.0.1:$port" &
pid=$!
for _ in $(seq 1 60); do curl -fs -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.5; done
wrk -t 2 -c 5 -d 5s -s bench/dashboard.lua "http://127.0.0.1:$port" >/dev/null # warm up
echo "dashboard mix, $conns connections, $duration, $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)):"
wrk -t 2 -c "$conns" -d "$duration" --latency -s bench/dashboard.lua "http://127.0.0.1:$port" | grep -E "^(requests|throughput)"
echo "server peak memory: $(grep VmHWM /proc/$pid/status | awk '{print $2/1024 " MB"}')"
