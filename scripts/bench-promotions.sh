#!/usr/bin/env bash
# Promotions at scale (issue 16): every channel published from a 1M-variant database with and
# without 200 promotions (a quarter of the SKUs targeted), alternating, on a copy of the database;
# wall time and peak RSS of each run, and the ratio.
#
#   scripts/bench-promotions.sh [DB] [N]   default: $BENCH_DIR/cmp-new.sqlite (1M variants, 3 stores)
#   UNIFEED=.build/release/unifeed   ROUNDS=2
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${BENCH_DIR:-/tmp/unifeed-bench}
source_db=${1:-$dir/cmp-new.sqlite}
n=${2:-1000000}
bin=${UNIFEED:-.build/release/unifeed}
rounds=${ROUNDS:-2}
command -v /usr/bin/time >/dev/null || { echo "bench-promotions: needs /usr/bin/time (apt-get install time)" >&2; exit 1; }
# Two copies of the database and one publish of every channel (7.9 GB of feeds at 1M variants).
need=$(( $(stat -c %s "$source_db") * 2 / 1048576 + 9 * 1024 ))
free=$(df -Pm "$dir" | awk 'NR==2 {print $4}')
[ "$free" -gt "$need" ] || { echo "bench-promotions: needs about $need MB free in $dir, has $free" >&2; exit 1; }
work=$(mktemp -d -p "$dir")
trap 'rm -rf "$work"' EXIT
cp "$source_db" "$work/plain.sqlite"
cp "$source_db" "$work/promoted.sqlite"
python3 scripts/gen_promotions.py "$n" 200 "$work/promotions.csv"  # prints how many SKUs they target
"$bin" --db "$work/promoted.sqlite" --config samples/unifeed.toml import promotions "$work/promotions.csv"

run() {  # LABEL DB -> one line
  local label=$1 db=$2 log="$work/time.log"
  rm -rf "$work/feeds"
  /usr/bin/time -v "$bin" --db "$db" --config samples/unifeed.toml publish --out "$work/feeds" --force --now 2026-11-25T12:00:00 >"$work/out.log" 2>"$log" \
    || { tail -5 "$log" >&2; exit 1; }
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$log" | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.1f", $2/1024}' "$log")
  printf '%-34s %9s s %9s MB   %s\n' "$label" "$wall" "$rss" "$(grep -E '^(google|google-promotions|google-local):' "$work/out.log" | tr '\n' ' ' | cut -c1-160)"
  echo "$wall" >> "$work/$label.walls"
}
for round in $(seq 1 "$rounds"); do
  run "publish all, no promotions" "$work/plain.sqlite"
  run "publish all, 200 promotions" "$work/promoted.sqlite"
done
plain=$(awk '{s+=$1} END {print s/NR}' "$work/publish all, no promotions.walls")
promoted=$(awk '{s+=$1} END {print s/NR}' "$work/publish all, 200 promotions.walls")
printf 'mean: %.2f s without, %.2f s with promotions: %.3f x\n' "$plain" "$promoted" "$(echo "$promoted / $plain" | bc -l)"
