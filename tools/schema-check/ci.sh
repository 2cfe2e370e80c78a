#!/usr/bin/env bash
# The release check of the published schema, in CI:
#
#   bash tools/schema-check/ci.sh [BASE_URL]
#
# Installs the pinned GraphQL Inspector (npm ci), tests the check on its fixtures
# (check.test.mjs), then compares schema/published/schema.graphql with the last release
# of schema/releases/ under CHANGELOG.md (check.mjs; docs/partners.md#the-schema-as-a-contract).
# With BASE_URL, a running server's /graphql/schema.graphql must be that same file and
# answer 304 to its own ETag.
set -euo pipefail
cd "$(dirname "$0")"
root=$(cd ../.. && pwd)
command -v node >/dev/null || { echo "ci.sh: Node.js 20 or later is needed" >&2; exit 1; }
npm ci --no-audit --no-fund --loglevel=error
node --test check.test.mjs
node check.mjs

url=${1:-${BASE_URL:-}}
[ -n "$url" ] || exit 0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
curl -fsS -D "$tmp/headers" -o "$tmp/schema.graphql" "$url/graphql/schema.graphql"
if ! cmp -s "$tmp/schema.graphql" "$root/schema/published/schema.graphql"; then
  echo "$url/graphql/schema.graphql is not schema/published/schema.graphql" >&2
  diff "$root/schema/published/schema.graphql" "$tmp/schema.graphql" | head -20 >&2
  exit 1
fi
etag=$(grep -i '^etag:' "$tmp/headers" | cut -d' ' -f2- | tr -d '\r')
status=$(curl -sS -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" "$url/graphql/schema.graphql")
[ "$status" = 304 ] || { echo "If-None-Match $etag: $status, want 304" >&2; exit 1; }
echo "schema check: $url/graphql/schema.graphql is the published schema (ETag $etag, 304 on revalidation)"
