#!/usr/bin/env python3
"""Promotions for the bench (DESIGN.md §10, issue 16): COUNT promotions over the synthetic catalog of
N variants (scripts/gen_catalog.py: products P0000001.., 4 variants each), half automatic markdowns
(price_effect sale) and half code promotions (price_effect none), each targeting product ids so that
about a quarter of the SKUs are targeted by at least one; windows around Black Friday 2026.

    scripts/gen_promotions.py N COUNT OUT.csv
"""
import csv
import random
import sys

VARIANTS_PER_PRODUCT = 4
HEADER = ["promotion_id", "title", "discount_type", "value", "coupon_code", "applies_to", "targets", "start", "end",
          "redemption", "price_effect", "minimum_purchase"]


def main():
    n, count, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    products = max(1, n // VARIANTS_PER_PRODUCT)
    rnd = random.Random(7)
    # A quarter of the products, split among the promotions (a few overlap).
    chosen = rnd.sample(range(1, products + 1), max(1, products // 4))
    per = max(1, len(chosen) // count)
    targeted = set()
    with open(out, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(HEADER)
        for i in range(count):
            targets = chosen[i * per:(i + 1) * per] + rnd.sample(chosen, min(len(chosen), per // 10))
            targeted.update(targets)
            ids = "|".join("P%07d" % p for p in sorted(set(targets)))
            markdown = i % 2 == 0
            percent = 5 + (i * 7) % 45
            start = "2026-11-%02d" % (18 + i % 8)
            end = "2026-12-%02d" % (1 + i % 9)
            redemption = ["online", "both", "in_store"][i % 3] if markdown else "online"
            code = "" if markdown else "CODE%03d" % i
            w.writerow(["BENCH%03d" % i, "%d%% off selected styles" % percent, "percent_off", str(percent), code,
                        "product_id", ids, start, end, redemption, "sale" if markdown else "none", ""])
    print("%d promotions targeting %d of %d products (%d SKUs, %.0f%%)" % (
        count, len(targeted), products, len(targeted) * VARIANTS_PER_PRODUCT, 100.0 * len(targeted) / products))


if __name__ == "__main__":
    main()
