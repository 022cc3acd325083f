#!/usr/bin/env bash
# The server's figures (issue 15), with wrk on loopback against `unifeed serve` over a 1M-variant database
# and its published feeds: single-movement requests (16 connections), batches of 500 movements,
# GET /v1/availability, a full Google XML download (server RSS sampled during it), and 304 answers.
# Bounded runs (10 s each); nothing leaves 127.0.0.1. A copy of the database is used: movements are written.
#
#   scripts/bench-serve.sh [DB] [FEEDS_DIR]     default: $BENCH_DIR/cmp-new.sqlite and $BENCH_DIR/cmp-feeds-new
#   UNIFEED=.build/release/unifeed   DURABLE=1 (serve --durable)   SECONDS_PER_RUN=10
#   HOT_SKUS=2000: the movements and availability requests pick SKUs at random among this many random
#   SKUs of the catalog (a till's sales concentrate on few SKUs; 1000000 spreads them over all of them)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${BENCH_DIR:-/tmp/unifeed-bench}
db=${1:-$dir/cmp-new.sqlite}
feeds=${2:-$dir/cmp-feeds-new}
bin=${UNIFEED:-.build/release/unifeed}
run=${SECONDS_PER_RUN:-10}
command -v wrk >/dev/null || { echo "bench-serve: needs wrk (apt-get install wrk)" >&2; exit 1; }
work=$(mktemp -d)
server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
cp "$db" "$work/bench.sqlite"
token=$("$bin" --db "$work/bench.sqlite" tokens create "bench-$$" --scope admin 2>/dev/null)
"$bin" --db "$work/bench.sqlite" --config samples/unifeed.toml serve --listen 127.0.0.1:0 --out "$feeds" ${DURABLE:+--durable} 2>"$work/serve.log" &
server=$!
for _ in $(seq 1 100); do grep -q "listening on" "$work/serve.log" && break; sleep 0.1; done
address=$(grep -o "127.0.0.1:[0-9]*" "$work/serve.log" | head -1)
rss() { awk '/VmRSS/ {printf "%.1f", $2/1024}' "/proc/$server/status"; }
hot=${HOT_SKUS:-2000}
sqlite3 "$work/bench.sqlite" "SELECT sku FROM variants ORDER BY random() LIMIT $hot" > "$work/skus.txt"
echo "server $address, $(sqlite3 "$work/bench.sqlite" "SELECT count(*) FROM variants") variants, SKUs picked at random among $(wc -l < "$work/skus.txt"), idle RSS $(rss) MB${DURABLE:+, --durable}"

# First, while the server is idle: a full download of the Google XML, twice (the first reads the file
# from the disk, the second from the page cache), with the server's RSS sampled every 0.1 s meanwhile.
file=google/products.xml
peak=0
before=$(rss)
( while kill -0 "$server" 2>/dev/null; do rss; echo; sleep 0.1; done ) > "$work/rss.txt" &
sampler=$!
for attempt in 1 2; do
timing=$(curl -s -o /dev/null -H "Authorization: Bearer $token" -w "%{size_download} %{time_total}" "http://$address/feeds/$file")
peak=$(sort -n "$work/rss.txt" | tail -1)
bytes=${timing% *}; seconds=${timing#* }
printf '%-28s %10.0f MB/s   (%s bytes in %s s; server RSS %s MB before, peak %s MB during)\n' "GET /feeds/$file" "$(echo "$bytes / $seconds / 1000000" | bc -l)" "$bytes" "$seconds" "$before" "$peak"
done

cat > "$work/common.lua" <<LUA
skus = {}
for line in io.lines("$work/skus.txt") do skus[#skus + 1] = line end
counter, id = 0, 0
threads = {}
function setup(thread) id = id + 1; thread:set("id", id); table.insert(threads, thread) end
wrk.headers["Authorization"] = "Bearer $token"
wrk.headers["Content-Type"] = "application/json"
function movement(n)
  return string.format('{"id":"b%d-%d-%d","sku":"%s","location":"online","kind":"adjustment","quantity":1}', id, counter, n, skus[math.random(#skus)])
end
LUA
cat > "$work/single.lua" <<LUA
dofile("$work/common.lua")
function request() counter = counter + 1; return wrk.format("POST", "/v1/stock/movements", nil, '{"movements":[' .. movement(0) .. ']}') end
LUA
cat > "$work/batch.lua" <<LUA
dofile("$work/common.lua")
function request()
  counter = counter + 1
  local parts = {}
  for n = 1, 500 do parts[n] = movement(n) end
  return wrk.format("POST", "/v1/stock/movements", nil, '{"movements":[' .. table.concat(parts, ",") .. ']}')
end
LUA
cat > "$work/availability.lua" <<LUA
dofile("$work/common.lua")
function request() counter = counter + 1; return wrk.format("GET", "/v1/availability/" .. skus[counter % #skus + 1]) end
LUA
cat > "$work/errors.lua" <<LUA
errors = 0
function response(status, headers, body) if status >= 300 and status ~= 304 then errors = errors + 1 end end
LUA

# wrk's requests/s, p99 latency and non-2xx count, one line.
measure() {
  local label=$1 script=$2 connections=$3 path=${4:-/}; shift 4 || true
  local out
  out=$(wrk -t2 -c"$connections" -d"${run}s" --latency -s "$script" "$@" "http://$address$path")
  local rps p99 non2xx
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
  non2xx=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
  printf '%-28s %10s req/s   p99 %8s   non-2xx %s\n' "$label" "$rps" "$p99" "${non2xx:-0}"
  # A run with failed answers measures nothing: say so and stop (the server's log says why).
  if [ "${non2xx:-0}" != 0 ] && [ -z "${ALLOW_NON_2XX:-}" ]; then
    echo "bench-serve: $label: ${non2xx} answers were not 2xx; server log:" >&2
    grep -v "status=2" "$work/serve.log" | tail -5 >&2
    exit 1
  fi
  echo "$rps"
}
single=$(measure "movements, 1 a request" "$work/single.lua" 16 / | tee /dev/stderr | tail -1)
batch=$(measure "movements, 500 a request" "$work/batch.lua" 4 / | tee /dev/stderr | tail -1)
printf '%-28s %10.0f movements/s\n' "  = batched movements" "$(echo "$batch * 500" | bc)"
measure "GET /v1/availability" "$work/availability.lua" 16 / >/dev/null 2>&1 || true
measure "GET /v1/availability" "$work/availability.lua" 16 / | head -1

etag=$(curl -s -D - -o /dev/null -H "Authorization: Bearer $token" "http://$address/feeds/$file" | awk -F': ' 'tolower($1) == "etag" {print $2}' | tr -d '\r')
cat > "$work/notmodified.lua" <<LUA
wrk.headers["Authorization"] = "Bearer $token"
wrk.headers["If-None-Match"] = '$etag'
LUA
measure "304 If-None-Match" "$work/notmodified.lua" 16 "/feeds/$file" | head -1
echo "server RSS after: $(rss) MB"
