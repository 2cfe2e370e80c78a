#!/usr/bin/env bash
# tools/fuzz.sh runs every fuzz target of the repository for a while each, and fails on
# any crasher. Plain `go test` runs only the targets' seed corpora; this explores beyond
# them. Targets are found with grep, so a new `func FuzzX(f *testing.F)` in any
# *_test.go is run without editing this script.
#
#   tools/fuzz.sh           5 s per target: 1 min 28 s for the eleven of today once the
#                           instrumented packages are built (the first run builds them,
#                           several minutes)
#   FUZZTIME=30s tools/fuzz.sh
#
# A crasher is written by go test to PKG/testdata/fuzz/FuzzX/; once fixed, commit it:
# it is then part of the seed corpus every plain `go test` runs. Tests that need
# PostgreSQL use it when TEST_DATABASE_URL is set, as in the rest of the suite.
set -uo pipefail
cd "$(dirname "$0")/.."

T="${FUZZTIME:-5s}"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
failed=()
while IFS=: read -r file name; do
	pkg="./$(dirname "$file")"
	echo "== $pkg $name ($T)"
	# One worker unless FUZZPARALLEL says more: the fuzzer runs beside other work, and the
	# times stay comparable from one run to the next. No minimizing (FUZZMINIMIZE=0): on
	# the targets that serve a request per input, shrinking each new interesting input
	# took most of the time (FuzzGraphQL: 1 new input in 30 s, against 305 in 45 s
	# without), and killed the worker midway (golang/go#52569) with a "crasher" that
	# passes when run again. A crasher is written as found, unshrunk.
	if ! go test -run '^$' -fuzz "^$name\$" -fuzztime "$T" -fuzzminimizetime "${FUZZMINIMIZE:-0}" \
		-parallel "${FUZZPARALLEL:-1}" "$pkg" 2>&1 | tee "$log"; then
		# The fuzzer's own clock running out while a worker is busy is reported as a
		# failure with this one line and no input (seen once in eleven 30 s runs).
		if grep -aq 'Failing input\|--- FAIL: .*/' "$log" || [ "$(grep -ac '^    context deadline exceeded$' "$log")" != 1 ]; then
			failed+=("$pkg $name")
		else
			echo "(the fuzzer's deadline interrupted a run: no crasher)"
		fi
	fi
done < <(grep -rhoP --include='*_test.go' --exclude-dir=.git '^func \KFuzz\w+(?=\(f \*testing\.F\))' . -H |
	sed -E 's#^\./##' | sort -u)

if ((${#failed[@]})); then
	printf 'crasher in %s\n' "${failed[@]}" >&2
	exit 1
fi
echo "no crasher"
