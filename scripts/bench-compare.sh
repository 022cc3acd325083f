#!/usr/bin/env bash
# Compares two builds of unifeed on the same data, alternating them so that this machine's drift
# (±30% within an hour) falls on both alike: catalog import into a fresh database, stores and
# inventory, 100k order lines, Google alone and every channel. Then checks that both published
# byte-identical files (every file's SHA-256 in publish-report.json).
#
#   scripts/bench-compare.sh OLD_BINARY NEW_BINARY [N] [ROUNDS]     default N 1000000, 2 rounds
#   BENCH_DIR=/tmp/unifeed-bench    the generated files (made by scripts/bench.sh's generators)
set -euo pipefail
cd "$(dirname "$0")/.."
old=$1 new=$2 n=${3:-1000000} rounds=${4:-2}
dir=${BENCH_DIR:-/tmp/unifeed-bench}
mkdir -p "$dir"
csv="$dir/catalog-$n.csv"
[ -s "$csv" ] || python3 scripts/gen_catalog.py "$n" "$csv"
[ -s "$dir/stores-3.csv" ] || python3 scripts/gen_stores.py 3 "$dir/stores-3.csv"
[ -s "$dir/inventory-$n.csv" ] || python3 scripts/gen_inventory.py "$n" 3 "$dir/inventory-$n.csv"
orders="$dir/orders-100000-$n.tsv"
[ -s "$orders" ] || python3 scripts/gen_orders.py 100000 "$orders" --variants "$n"

# run LABEL WHICH COMMAND... : one line with wall seconds and peak RSS
run() {
  local label=$1 which=$2; shift 2
  local log="$dir/cmp-$label-$which.log"
  /usr/bin/time -v "$@" >/dev/null 2>"$log" || { echo "compare: $label ($which) failed, see $log" >&2; tail -5 "$log" >&2; exit 1; }
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$log" | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.1f", $2/1024}' "$log")
  printf '%-24s %-4s %8s s %8s MB\n' "$label" "$which" "$wall" "$rss"
}

for round in $(seq "$rounds"); do
  for which in old new; do
    bin=$old; [ "$which" = new ] && bin=$new
    db="$dir/cmp-$which.sqlite"
    rm -f "$db"*
    args=(--db "$db" --config samples/unifeed.toml)
    run import-catalog "$which" "$bin" "${args[@]}" import catalog "$csv"
    "$bin" "${args[@]}" import stores "$dir/stores-3.csv" >/dev/null
    run import-inventory "$which" "$bin" "${args[@]}" import inventory "$dir/inventory-$n.csv"
    run orders-import "$which" "$bin" "${args[@]}" orders import "$orders"
    rm -rf "$dir/cmp-feeds-$which"
    run publish-google "$which" "$bin" "${args[@]}" publish --out "$dir/cmp-feeds-$which" --channel google --force --now 2026-11-25T12:00:00
    rm -rf "$dir/cmp-feeds-$which"
    run publish-all "$which" "$bin" "${args[@]}" publish --out "$dir/cmp-feeds-$which" --force --now 2026-11-25T12:00:00
  done
done
# The same files, byte for byte: every path and SHA-256 the two reports list.
hashes() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); [print(f["path"], f["sha256"]) for c in r["channels"] for f in c["files"]]' "$1" | sort; }
if diff <(hashes "$dir/cmp-feeds-old/publish-report.json") <(hashes "$dir/cmp-feeds-new/publish-report.json") >/dev/null; then
  echo "files: $(hashes "$dir/cmp-feeds-new/publish-report.json" | wc -l) published files, every SHA-256 identical"
else
  echo "files: DIFFER"; diff <(hashes "$dir/cmp-feeds-old/publish-report.json") <(hashes "$dir/cmp-feeds-new/publish-report.json") | head
  exit 1
fi
