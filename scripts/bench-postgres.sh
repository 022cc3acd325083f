#!/usr/bin/env bash
# PostgreSQL beside SQLite (issue 18's figures), on the data of scripts/bench.sh:
#   scripts/bench-postgres.sh [N]        (default 1000000; run scripts/bench.sh N first)
#
# Needs UNIFEED_BENCH_POSTGRES: a postgres:// URL whose role may create databases (for instance the
# cluster of scripts/pg-test-cluster.sh). Measures, in one run:
#   - the floor: psql \copy of the catalog CSV into a plain table of text columns;
#   - import catalog into a new PostgreSQL database, then again (every row unchanged);
#   - db copy of the SQLite bench database (catalog, 3 stores, counts, 100k order lines) into PostgreSQL;
#   - publish google and publish every channel from SQLite and from PostgreSQL, alternating, twice;
#     every file compared by SHA-256;
#   - the PostgreSQL server's processes' summed RSS, sampled every 0.2 s, at its highest per step.
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-1000000}"
data="${BENCH_DIR:-/tmp/unifeed-bench}"
url="${UNIFEED_BENCH_POSTGRES:?set UNIFEED_BENCH_POSTGRES to a postgres:// URL whose role may create databases}"
catalog="$data/catalog-$N.csv"
sqlite_db="$data/unifeed-$N.sqlite"
[ -f "$catalog" ] && [ -f "$sqlite_db" ] || { echo "run scripts/bench.sh $N first ($catalog, $sqlite_db)" >&2; exit 1; }
swift build -c release --product unifeed >/dev/null
bin="$(swift build -c release --show-bin-path)/unifeed"
out="$data/pg"
mkdir -p "$out"
now=2026-11-25T12:00:00Z

database() { # a new, empty database; prints its URL
  psql "$url" -qc "DROP DATABASE IF EXISTS $1 WITH (FORCE)" >/dev/null
  psql "$url" -qc "CREATE DATABASE $1" >/dev/null
  echo "${url%/*}/$1"
}
server_rss() { ps -u postgres -o rss= | awk '{s += $1} END {print s}'; }
# step LABEL COMMAND…: wall, user, sys and peak RSS of the command; the server's peak summed RSS beside it.
step() {
  local label=$1; shift
  local peak=0 sampler
  ( while true; do server_rss; sleep 0.2; done ) >"$out/rss-$label.log" 2>/dev/null &
  sampler=$!
  /usr/bin/time -f "%e %U %S %M" -o "$out/time-$label.log" "$@" >"$out/out-$label.log" 2>&1 || true
  kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null || true
  peak=$(sort -n "$out/rss-$label.log" | tail -1)
  read -r wall user sys rss <"$out/time-$label.log"
  printf "%-34s %8.2f s  user %6.2f s  sys %5.2f s  unifeed %6.1f MB  postgres %7.1f MB\n" \
    "$label" "$wall" "$user" "$sys" "$(echo "$rss/1024" | bc -l)" "$(echo "${peak:-0}/1024" | bc -l)"
}

floor=$(database unifeed_bench_floor)
columns=$(head -1 "$catalog" | tr ',' '\n' | sed 's/.*/"&" text/' | paste -sd,)
psql "$floor" -qc "CREATE TABLE floor ($columns)"
step "floor: psql \\copy" psql "$floor" -qc "\\copy floor FROM '$catalog' CSV HEADER"

fresh=$(database unifeed_bench_import)
step "import catalog (new)" "$bin" --db "$fresh" --config samples/unifeed.toml import catalog "$catalog"
step "import catalog (unchanged)" "$bin" --db "$fresh" --config samples/unifeed.toml import catalog "$catalog"

copy=$(database unifeed_bench_copy)
step "db copy SQLite -> PostgreSQL" "$bin" db copy --from "$sqlite_db" --to "$copy"

for round in 1 2; do
  for store in sqlite postgres; do
    db=$([ "$store" = sqlite ] && echo "$sqlite_db" || echo "$copy")
    rm -rf "$out/feeds-google-$store"
    step "publish google ($store) #$round" "$bin" --db "$db" --config samples/unifeed.toml publish --channel google --force --out "$out/feeds-google-$store" --now "$now"
  done
done
for round in 1 2; do
  for store in sqlite postgres; do
    db=$([ "$store" = sqlite ] && echo "$sqlite_db" || echo "$copy")
    rm -rf "$out/feeds-all-$store"
    step "publish all ($store) #$round" "$bin" --db "$db" --config samples/unifeed.toml publish --force --out "$out/feeds-all-$store" --now "$now"
  done
done
for store in sqlite postgres; do
  (cd "$out/feeds-all-$store" && find . -type f ! -name publish-report.json ! -name '*.lock' | sort | xargs sha256sum) >"$out/sha-$store.txt"
done
if cmp -s "$out/sha-sqlite.txt" "$out/sha-postgres.txt"; then
  echo "every published file byte-identical: $(wc -l <"$out/sha-sqlite.txt") files"
else
  echo "the published files differ:"; diff "$out/sha-sqlite.txt" "$out/sha-postgres.txt" | head
fi
