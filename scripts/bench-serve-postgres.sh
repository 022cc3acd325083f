#!/usr/bin/env bash
# Stock movements through `unifeed serve` on PostgreSQL (issue 18): two servers on one PostgreSQL
# database, each driven by its own wrk, against one server on a copy of the SQLite database, the same
# catalog. wrk on loopback shares the two cores with the servers and PostgreSQL. Bounded runs.
#
#   scripts/bench-serve-postgres.sh POSTGRES_URL SQLITE_DB
#   (POSTGRES_URL holds the same catalog, e.g. the db copy of scripts/bench-postgres.sh; movements are
#   written into it.)  SECONDS_PER_RUN=10  HOT_SKUS=2000  UNIFEED=.build/release/unifeed
set -euo pipefail
cd "$(dirname "$0")/.."
pg=${1:?POSTGRES_URL}
sqlite_db=${2:?SQLITE_DB}
bin=${UNIFEED:-.build/release/unifeed}
run=${SECONDS_PER_RUN:-10}
hot=${HOT_SKUS:-2000}
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)" >&2; exit 1; }
work=$(mktemp -d)
servers=()
trap 'for s in "${servers[@]}"; do kill "$s" 2>/dev/null; done; rm -rf "$work"' EXIT
cp "$sqlite_db" "$work/bench.sqlite"
sqlite3 "$work/bench.sqlite" "SELECT sku FROM variants ORDER BY random() LIMIT $hot" >"$work/skus.txt"

start() { # start DB NAME: a server on DB; its address in $address (not in a subshell: the pid is kept)
  "$bin" --db "$1" --config samples/unifeed.toml serve --listen 127.0.0.1:0 --out "$work/feeds" 2>"$work/serve-$2.log" &
  servers+=($!)
  for _ in $(seq 1 100); do grep -q "listening on" "$work/serve-$2.log" && break; sleep 0.1; done
  address=$(grep -o "127.0.0.1:[0-9]*" "$work/serve-$2.log" | head -1)
}
lua() { # lua NAME TOKEN MOVEMENTS_PER_REQUEST
  cat >"$work/$1.lua" <<LUA
skus = {}
for line in io.lines("$work/skus.txt") do skus[#skus + 1] = line end
counter, id = 0, 0
function setup(thread) id = id + 1; thread:set("id", id) end
wrk.headers["Authorization"] = "Bearer $2"
wrk.headers["Content-Type"] = "application/json"
function request()
  counter = counter + 1
  local parts = {}
  for n = 1, $3 do
    parts[n] = string.format('{"id":"$1-$$-%d-%d-%d","sku":"%s","location":"online","kind":"adjustment","quantity":1}', id, counter, n, skus[math.random(#skus)])
  end
  return wrk.format("POST", "/v1/stock/movements", nil, '{"movements":[' .. table.concat(parts, ",") .. ']}')
end
LUA
}
rps() { awk '/Requests\/sec/ {print $2}' "$1"; }
p99() { awk '$1 == "99%" {print $2}' "$1"; }
non2xx() { awk '/Non-2xx/ {print $NF}' "$1"; }

token=$("$bin" --db "$work/bench.sqlite" tokens create "bench-$$" --scope admin 2>/dev/null)
start "$work/bench.sqlite" sqlite
for kind in single:1:16 batch:500:4; do
  IFS=: read -r name per connections <<<"$kind"
  lua "sqlite-$name" "$token" "$per"
  wrk -t2 -c"$connections" -d"${run}s" --latency -s "$work/sqlite-$name.lua" "http://$address/" >"$work/sqlite-$name.txt"
  printf '%-40s %9.0f movements/s   p99 %8s   non-2xx %s\n' "SQLite, one server, $per a request" \
    "$(echo "$(rps "$work/sqlite-$name.txt") * $per" | bc -l)" "$(p99 "$work/sqlite-$name.txt")" "$(non2xx "$work/sqlite-$name.txt")"
done
kill "${servers[0]}"; wait "${servers[0]}" 2>/dev/null || true
servers=()

token=$("$bin" --db "$pg" tokens create "bench-$$" --scope admin 2>/dev/null)
start "$pg" pg-a
a=$address
start "$pg" pg-b
b=$address
for kind in single:1:8 batch:500:2; do
  IFS=: read -r name per connections <<<"$kind"
  lua "pg-a-$name" "$token" "$per"
  lua "pg-b-$name" "$token" "$per"
  wrk -t1 -c"$connections" -d"${run}s" --latency -s "$work/pg-a-$name.lua" "http://$a/" >"$work/pg-a-$name.txt" &
  first=$!
  wrk -t1 -c"$connections" -d"${run}s" --latency -s "$work/pg-b-$name.lua" "http://$b/" >"$work/pg-b-$name.txt"
  wait "$first"
  total=$(echo "($(rps "$work/pg-a-$name.txt") + $(rps "$work/pg-b-$name.txt")) * $per" | bc -l)
  printf '%-40s %9.0f movements/s   p99 %8s / %8s   non-2xx %s / %s\n' "PostgreSQL, two servers, $per a request" "$total" \
    "$(p99 "$work/pg-a-$name.txt")" "$(p99 "$work/pg-b-$name.txt")" "$(non2xx "$work/pg-a-$name.txt")" "$(non2xx "$work/pg-b-$name.txt")"
done
for s in "${servers[@]}"; do kill -TERM "$s" 2>/dev/null; wait "$s" 2>/dev/null || true; done
servers=()
echo "on PostgreSQL (api movement records, ledger rows with an api: ref, refs twice in the ledger):" \
  "$(psql "$pg" -Atc "SELECT (SELECT count(*) FROM api_movements), (SELECT count(*) FROM stock_movements WHERE ref LIKE 'api:%'),
     (SELECT count(*) FROM (SELECT ref FROM stock_movements WHERE ref LIKE 'api:%' GROUP BY ref HAVING count(*) > 1) d)")"
