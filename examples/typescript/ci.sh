#!/usr/bin/env bash
# CI of the typed TypeScript client against a running server:
#
#   bash examples/typescript/ci.sh http://127.0.0.1:8080     (or BASE_URL=... bash ...)
#
# Installs the pinned graphql-codegen, TypeScript and tsx (npm ci), regenerates src/gql/
# from operations.graphql and schema/published/schema.graphql and fails when the
# committed types differ (run `npm run codegen` here and commit them), type-checks
# (tsc --noEmit), then fetches two territories' pages with src/main.ts, which sends
# documentIds (the server lists these documents: TRUSTED_DOCUMENTS_MODE=only will do). The
# server must hold the embedded hierarchy and SGPE objectives (any server after its first start).
set -euo pipefail
cd "$(dirname "$0")"
url=${1:-${BASE_URL:-}}
[ -n "$url" ] || { echo "usage: ci.sh BASE_URL" >&2; exit 2; }
command -v node >/dev/null || { echo "ci.sh: Node.js 20 or later is needed" >&2; exit 1; }
npm ci --no-audit --no-fund --loglevel=error

npx graphql-codegen --config codegen.ts --silent
if ! git diff --quiet -- src/gql || [ -n "$(git ls-files --others --exclude-standard -- src/gql)" ]; then
  git status --short -- src/gql
  echo "examples/typescript/src/gql is stale: run npm run codegen in examples/typescript and commit it" >&2
  exit 1
fi
npx tsc --noEmit

out=$(npx tsx src/main.ts "$url" REGION 44 augm_voitelec)
echo "$out"
case "$out" in
  *'France › Grand Est'*'Grand Est (REGION 44)'*'2 objectives'*'Véhicules électriques [PHYSICAL] 7.821 (2019) → 459.685'*) ;;
  *) echo "unexpected page of REGION 44" >&2; exit 1 ;;
esac
out=$(npx tsx src/main.ts "$url" EPCI 243500139)
echo "$out" | head -2
case "$out" in
  *'France › Bretagne › Ille-et-Vilaine'*'Rennes Métropole (EPCI 243500139)'*) ;;
  *) echo "unexpected page of EPCI 243500139" >&2; exit 1 ;;
esac
