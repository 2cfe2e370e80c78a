#!/usr/bin/env bash
# Browser test of the dashboard and GraphiQL against a running server:
#
#   bash web/e2e/ci.sh http://127.0.0.1:8080     (or BASE_URL=... bash web/e2e/ci.sh)
#
# Installs what it needs (Debian's Chromium when /usr/bin/chromium is missing, the pinned
# playwright-core with npm ci), then runs run.mjs. The server must hold the hierarchy, the
# SGPE file and some adopted commitments (server seed demo); see web/README.md.
# A server with TRUSTED_DOCUMENTS_MODE=only also needs an API key for GraphiQL's check, in
# E2E_API_KEY (server keys create --org e2e --territory COUNTRY:FR --role READER).
# With E2E_SCREENSHOTS=DIR (e.g. docs/screenshots), it also writes the pictures of the docs.
set -euo pipefail
# A relative DIR is the caller's, not this folder's.
[ -z "${E2E_SCREENSHOTS:-}" ] || export E2E_SCREENSHOTS="$(realpath -m "$E2E_SCREENSHOTS")"
cd "$(dirname "$0")"
url=${1:-${BASE_URL:-}}
[ -n "$url" ] || { echo "usage: ci.sh BASE_URL" >&2; exit 2; }

if [ ! -x /usr/bin/chromium ]; then
  apt-get update -qq && apt-get install -y -qq chromium >/dev/null
fi
command -v node >/dev/null || { echo "ci.sh: Node.js 20 or later is needed" >&2; exit 1; }
npm ci --no-audit --no-fund --loglevel=error
node run.mjs "$url"
