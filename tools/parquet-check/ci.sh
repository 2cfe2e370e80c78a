#!/usr/bin/env bash
# Reads every Parquet export of a running server with DuckDB and compares its counts and
# sums with the CSV export and the GraphQL answer of the same data:
#
#   bash tools/parquet-check/ci.sh http://127.0.0.1:8080
#
# Installs the pinned @duckdb/node-api (with its prebuilt library, an npm package) with
# npm ci, then runs check.mjs. The server must hold some actions and commitments
# (server seed demo) for the sums to mean something; see docs/data-teams.md.
set -euo pipefail
cd "$(dirname "$0")"
url=${1:-${BASE_URL:-}}
[ -n "$url" ] || { echo "usage: ci.sh BASE_URL" >&2; exit 2; }
command -v node >/dev/null || { echo "ci.sh: Node.js 20 or later is needed" >&2; exit 1; }
npm ci --no-audit --no-fund --loglevel=error
node check.mjs "$url"
