#!/usr/bin/env bash
# Fuzzes every parser of outside bytes with libFuzzer (+ AddressSanitizer), one target after another.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET ...]     default: 60 s, every target
#   FUZZ_DIR=/tmp/unifeed-fuzz                             corpora, crashes and logs
#
# Seeds come from the repository's fixtures and samples (copied into FUZZ_DIR/corpus-TARGET, which
# grows as libFuzzer finds new paths). A crash, leak or timeout is saved as FUZZ_DIR/crash-TARGET-*;
# copy it into Tests/ReliabilityTests/Corpus/TARGET/ once fixed, so `swift test` replays it forever.
# Prints one line per target: executions, seconds, new coverage, and whether it found anything.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(csv native shopify woocommerce akeneo config amazon-orders ebay-orders walmart-orders json values xml-feed delimited-feed amazon-feed walmart-items-feed google-xml-catalog google-tsv-catalog)
dir=${FUZZ_DIR:-/tmp/unifeed-fuzz}
mkdir -p "$dir"

# UNIFEED_FUZZ=1: Package.swift instruments Unifeed's targets (libFuzzer coverage + AddressSanitizer).
export UNIFEED_FUZZ=1
swiftc=$(readlink -f "$(command -v swiftc)")
UNIFEED_FUZZ_RUNTIME=$(ls "$(dirname "$swiftc")"/../lib/clang/*/lib/linux/libclang_rt.fuzzer_no_main-x86_64.a | head -1)
export UNIFEED_FUZZ_RUNTIME
swift build -c release --product unifeed-fuzz --scratch-path .build-fuzz >&2
bin=$(swift build -c release --product unifeed-fuzz --scratch-path .build-fuzz --show-bin-path)/unifeed-fuzz

seeds() {  # TARGET -> seed files
  case $1 in
    csv|native) ls samples/catalog.csv samples/broken-catalog.csv samples/stores.csv Tests/ImportTests/Fixtures/*.csv ;;
    shopify) ls Tests/ImportTests/Fixtures/shopify*.csv ;;
    woocommerce) ls Tests/ImportTests/Fixtures/woocommerce*.csv ;;
    akeneo) ls Tests/ImportTests/Fixtures/akeneo*.csv ;;
    config) ls samples/unifeed.toml templates/*.toml ;;
    amazon-orders) ls samples/orders/*.tsv Tests/OrdersTests/Fixtures/*.tsv ;;
    ebay-orders) ls samples/orders/*.csv Tests/OrdersTests/Fixtures/*.csv ;;
    walmart-orders|json) ls samples/orders/*.json Tests/OrdersTests/Fixtures/*.json ;;
    values) ls Tests/ReliabilityTests/Corpus/values/* 2>/dev/null || true ;;
    xml-feed) ls Tests/FeedsTests/Golden/*.xml ;;
    delimited-feed) ls Tests/FeedsTests/Golden/*.tsv ;;
    amazon-feed) ls Tests/FeedsTests/Golden/amazon*.json ;;
    walmart-items-feed) ls Tests/FeedsTests/Golden/walmart*.jsonl ;;
    google-xml-catalog) ls Tests/ImportTests/Fixtures/google/*.xml Tests/FeedsTests/Golden/*.xml ;;
    google-tsv-catalog) ls Tests/ImportTests/Fixtures/google/*.tsv Tests/FeedsTests/Golden/*.tsv ;;
  esac
}

printf '%-20s %12s %8s %8s  %s\n' target executions seconds coverage findings
status=0
for t in "${targets[@]}"; do
  corpus="$dir/corpus-$t"
  mkdir -p "$corpus"
  for f in $(seeds "$t"); do
    # Large seeds are cut to 64 KiB: libFuzzer mutates small inputs faster.
    head -c 65536 "$f" > "$corpus/seed-$(basename "$f")"
  done
  [ -d "Tests/ReliabilityTests/Corpus/$t" ] && cp Tests/ReliabilityTests/Corpus/"$t"/* "$corpus/" 2>/dev/null || true
  log="$dir/fuzz-$t.log"
  set +e
  # TOMLKit never frees a parsed table (about 32 KB a parse, see docs/RELIABILITY.md): a command parses
  # its config and templates once, but millions of fuzz runs add up, so the config target gets more room.
  rss=1024; [ "$t" = config ] && rss=8192
  UNIFEED_FUZZ_TARGET=$t ASAN_OPTIONS=detect_leaks=0 "$bin" "$corpus" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=$rss \
    -max_len=65536 -artifact_prefix="$dir/crash-$t-" -print_final_stats=1 >"$log" 2>&1
  rc=$?
  set -e
  runs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+).*/\1/p' "$log" | tail -1)
  cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | awk '{print $2}')
  if [ $rc -eq 0 ]; then found="none"; else found="FOUND (exit $rc): $(ls -t "$dir"/crash-"$t"-* 2>/dev/null | head -1)"; status=1; fi
  printf '%-20s %12s %8s %8s  %s\n' "$t" "${runs:-?}" "$seconds" "${cov:-?}" "$found"
done
exit $status
