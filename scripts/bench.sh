#!/usr/bin/env bash
# Benchmarks (DESIGN.md §8): import of a synthetic native catalog of N variants, with sqlite3's own
# `.import` of the same CSV as the floor, measured in the same run with /usr/bin/time -v; then stock,
# 100,000 marketplace order lines (Amazon flat file), and publishing each channel (the Google feed
# written is then imported as a catalog, XML and TSV, into a fresh database), the three marketplaces
# together and all channels, and audit.
#
#   scripts/bench.sh [N ...]        default: 100000 1000000
#   BENCH_DIR=/tmp/unifeed-bench    where the generated files and databases go
#   BENCH_IMPORT_ONLY=1              stop after the catalog import and its floor
#
# Prints one line per measurement: what, N, wall seconds, peak RSS (MB), and the ratio to the floor.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(100000 1000000)
dir=${BENCH_DIR:-/tmp/unifeed-bench}
mkdir -p "$dir"
command -v /usr/bin/time >/dev/null || { echo "bench: needs /usr/bin/time (apt-get install time)" >&2; exit 1; }
command -v sqlite3 >/dev/null || { echo "bench: needs sqlite3 (apt-get install sqlite3)" >&2; exit 1; }

swift build -c release --product unifeed >&2
bin=$(swift build -c release --show-bin-path)/unifeed

# The machine-readable summary: one JSON object per measurement, gathered into $dir/bench-summary.json
# and printed after the table.
summary="$dir/bench-summary.jsonl"
: >"$summary"

# measure LABEL N COMMAND... -> sets WALL, USER, SYS and RSS, records the step in the summary
# (with FLOOR, the sqlite3 floor of the same run, when set)
measure() {
  local label=$1 n=$2; shift 2
  local log="$dir/time-$label-$n.log"
  /usr/bin/time -v "$@" >"$dir/out-$label-$n.log" 2>"$log" || { echo "bench: $label failed, see $log" >&2; tail -5 "$log" >&2; exit 1; }
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$log" | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.1f", $2/1024}' "$log")
  USER=$(awk -F': ' '/User time \(seconds\)/ {print $2}' "$log")
  SYS=$(awk -F': ' '/System time \(seconds\)/ {print $2}' "$log")
  WALL=$wall; RSS=$rss
  local floor_json=null ratio_json=null
  if [ -n "${FLOOR:-}" ]; then
    floor_json=$FLOOR
    ratio_json=$(awk -v a="$wall" -v b="$FLOOR" 'BEGIN{ if (b > 0) printf "%.2f", a/b; else print "null" }')
  fi
  printf '{"step": "%s", "n": %s, "wall_s": %s, "user_s": %s, "sys_s": %s, "peak_rss_mb": %s, "floor_s": %s, "x_floor": %s}\n' \
    "$label" "$n" "$wall" "$USER" "$SYS" "$rss" "$floor_json" "$ratio_json" >>"$summary"
}

# items_per_channel OUT_DIR -> {"google": 1000000, ...} from the publish report
items_per_channel() {
  python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(json.dumps({c["channel"]: c["items"] for c in r["channels"]}))' "$1/publish-report.json"
}

printf '%-28s %10s %9s %9s %8s\n' "measurement" "N" "wall s" "RSS MB" "x floor"
for n in "${sizes[@]}"; do
  csv="$dir/catalog-$n.csv"
  [ -s "$csv" ] || python3 scripts/gen_catalog.py "$n" "$csv"
  size_mb=$(awk -v b="$(stat -c %s "$csv")" 'BEGIN{printf "%.0f", b/1048576}')

  rm -f "$dir/floor-$n.db"
  FLOOR=
  measure sqlite3-import "$n" sqlite3 "$dir/floor-$n.db" ".import --csv $csv t"
  floor=$WALL
  FLOOR=$floor
  printf '%-28s %10s %9s %9s %8s   (%s MB CSV)\n' "sqlite3 .import (floor)" "$n" "$WALL" "$RSS" "1.00" "$size_mb"

  "$bin" bench-csv "$csv" | sed 's/^/  csv reader alone: /' 

  rm -f "$dir/unifeed-$n.sqlite"*
  measure import-catalog "$n" "$bin" --db "$dir/unifeed-$n.sqlite" --config samples/unifeed.toml import catalog "$csv"
  csv_import=$WALL
  printf '%-28s %10s %9s %9s %8s\n' "import catalog (new)" "$n" "$WALL" "$RSS" "$(awk -v a="$WALL" -v b="$floor" 'BEGIN{ if (b > 0) printf "%.2f", a/b; else print "-" }')"

  measure reimport-catalog "$n" "$bin" --db "$dir/unifeed-$n.sqlite" --config samples/unifeed.toml import catalog "$csv"
  printf '%-28s %10s %9s %9s %8s\n' "import catalog (unchanged)" "$n" "$WALL" "$RSS" "$(awk -v a="$WALL" -v b="$floor" 'BEGIN{ if (b > 0) printf "%.2f", a/b; else print "-" }')"

  [ -n "${BENCH_IMPORT_ONLY:-}" ] && continue  # the catalog import and its floor only

  # Feeds: 3 stores with stock for every SKU, then each channel alone and all together.
  [ -s "$dir/stores-3.csv" ] || python3 scripts/gen_stores.py 3 "$dir/stores-3.csv"
  [ -s "$dir/inventory-$n.csv" ] || python3 scripts/gen_inventory.py "$n" 3 "$dir/inventory-$n.csv"
  db=(--db "$dir/unifeed-$n.sqlite" --config samples/unifeed.toml)
  "$bin" "${db[@]}" import stores "$dir/stores-3.csv" >/dev/null
  # The inventory's own floor: sqlite3's .import of the same file (issue 20 compares the count with it).
  rm -f "$dir/floor-inventory-$n.db"
  FLOOR=
  measure sqlite3-import-inventory "$n" sqlite3 "$dir/floor-inventory-$n.db" ".import --csv $dir/inventory-$n.csv t"
  inventory_floor=$WALL
  printf '%-28s %10s %9s %9s %8s\n' "sqlite3 .import inventory" "$n" "$WALL" "$RSS" "1.00"
  FLOOR=$inventory_floor
  measure import-inventory "$n" "$bin" "${db[@]}" import inventory "$dir/inventory-$n.csv"
  printf '%-28s %10s %9s %9s %8s   (x the inventory floor)\n' "import inventory (3 stores)" "$n" "$WALL" "$RSS" "$(awk -v a="$WALL" -v b="$inventory_floor" 'BEGIN{ if (b > 0) printf "%.2f", a/b; else print "-" }')"
  measure reimport-inventory "$n" "$bin" "${db[@]}" import inventory "$dir/inventory-$n.csv"
  printf '%-28s %10s %9s %9s %8s   (x the inventory floor)\n' "import inventory (unchanged)" "$n" "$WALL" "$RSS" "$(awk -v a="$WALL" -v b="$inventory_floor" 'BEGIN{ if (b > 0) printf "%.2f", a/b; else print "-" }')"
  FLOOR=$floor
  orders="$dir/orders-100000-$n.tsv"
  [ -s "$orders" ] || python3 scripts/gen_orders.py 100000 "$orders" --variants "$n"
  measure orders-import "$n" "$bin" "${db[@]}" orders import "$orders"
  printf '%-28s %10s %9s %9s   (%s)\n' "orders import (100k lines)" "$n" "$WALL" "$RSS" "$(tail -1 "$dir/out-orders-import-$n.log" | sed 's/.*order lines: //')"
  measure orders-reimport "$n" "$bin" "${db[@]}" orders import "$orders"
  printf '%-28s %10s %9s %9s\n' "orders import (same again)" "$n" "$WALL" "$RSS"
  for channel in google google-local meta idealo amazon ebay walmart; do
    rm -rf "$dir/feeds-$n"
    measure "publish-$channel" "$n" "$bin" "${db[@]}" publish --out "$dir/feeds-$n" --channel "$channel" --force --now 2026-11-25T12:00:00
    printf '%-28s %10s %9s %9s %8s\n' "publish $channel" "$n" "$WALL" "$RSS" "$(awk -v a="$WALL" -v b="$floor" 'BEGIN{ if (b > 0) printf "%.2f", a/b; else print "-" }')"
    if [ "$channel" = google ]; then
      # The Google feed just written, imported as a catalog into a fresh database (issue: feeds in),
      # against the CSV import of the same catalog above (target: within 3x, memory flat).
      for feed in products.xml products.tsv; do
        rm -f "$dir/from-google-$n.sqlite"*
        measure "import-google-${feed##*.}" "$n" "$bin" --db "$dir/from-google-$n.sqlite" --config samples/unifeed.toml import catalog "$dir/feeds-$n/google/$feed"
        printf '%-28s %10s %9s %9s %8s   (%s MB; x CSV import: %s)\n' "import google ${feed##*.}" "$n" "$WALL" "$RSS" \
          "$(awk -v a="$WALL" -v b="$floor" 'BEGIN{ if (b > 0) printf "%.2f", a/b; else print "-" }')" \
          "$(awk -v b="$(stat -c %s "$dir/feeds-$n/google/$feed")" 'BEGIN{printf "%.0f", b/1048576}')" \
          "$(awk -v a="$WALL" -v b="$csv_import" 'BEGIN{ if (b > 0) printf "%.2f", a/b; else print "-" }')"
      done
      rm -f "$dir/from-google-$n.sqlite"*
    fi
  done
  rm -rf "$dir/feeds-$n"
  measure publish-feeds "$n" "$bin" "${db[@]}" publish --out "$dir/feeds-$n" --channel google --channel google-local --channel meta --channel idealo --force --now 2026-11-25T12:00:00
  printf '%-28s %10s %9s %9s\n' "publish google+local+meta+idealo" "$n" "$WALL" "$RSS"
  rm -rf "$dir/feeds-$n"
  measure publish-marketplaces "$n" "$bin" "${db[@]}" publish --out "$dir/feeds-$n" --channel amazon --channel ebay --channel walmart --force --now 2026-11-25T12:00:00
  printf '%-28s %10s %9s %9s\n' "publish amazon+ebay+walmart" "$n" "$WALL" "$RSS"
  rm -rf "$dir/feeds-$n"
  measure publish-all "$n" "$bin" "${db[@]}" publish --out "$dir/feeds-$n" --force --now 2026-11-25T12:00:00
  printf '%-28s %10s %9s %9s %8s   (%s)\n' "publish all channels" "$n" "$WALL" "$RSS" "$(awk -v a="$WALL" -v b="$floor" 'BEGIN{ if (b > 0) printf "%.2f", a/b; else print "-" }')" "$(du -sh "$dir/feeds-$n" | cut -f1)"
  printf '{"step": "items-per-channel", "n": %s, "items": %s}\n' "$n" "$(items_per_channel "$dir/feeds-$n")" >>"$summary"
  measure audit "$n" "$bin" "${db[@]}" audit --out "$dir/feeds-$n"
  printf '%-28s %10s %9s %9s %8s\n' "audit all channels" "$n" "$WALL" "$RSS" "$(awk -v a="$WALL" -v b="$floor" 'BEGIN{ if (b > 0) printf "%.2f", a/b; else print "-" }')"
  FLOOR=
done

# The summary as one JSON document: every step with wall, user and system seconds, peak RSS, the floor
# of its run and the ratio to it, and the items per channel of the full publish.
python3 -c 'import json,sys; print(json.dumps({"steps": [json.loads(l) for l in open(sys.argv[1]) if l.strip()]}, indent=1))' "$summary" \
  | tee "$dir/bench-summary.json"
echo "bench: summary written to $dir/bench-summary.json" >&2
