#!/usr/bin/env python3
"""Write synthetic store inventory for the catalog written by scripts/gen_catalog.py (DESIGN.md §8).

Usage:
    python3 scripts/gen_inventory.py N STORES OUT.csv
    python3 scripts/gen_inventory.py 1000000 3 /tmp/inventory-1m.csv

Writes `sku,location,quantity` for the first N SKUs of gen_catalog.py's SKU scheme
(P{product:07d}-{variant}, see gen_catalog.py) times STORES store codes S001..S{STORES:03d}
(the codes scripts/gen_stores.py writes): N x STORES rows, SKU-major order. Quantities are
0..12, with many 0s, 1s and 2s as real store stock has. No "online" rows: the catalog's
`quantity` column carries online stock. OUT may be "-" for stdout.
Deterministic (random.Random(42)), streaming (constant memory).
"""
import argparse
import csv
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_catalog import sku_for  # noqa: E402  (the one definition of the SKU scheme)
from gen_stores import store_code  # noqa: E402

# quantity distribution: 0 (25%), 1 (15%), 2 (15%), 3..12 (45%)
_TABLE = [0] * 25 + [1] * 15 + [2] * 15 + [3 + (k % 10) for k in range(45)]


def generate(n, stores, out):
    rnd = random.Random(42)
    r = rnd.random
    codes = [store_code(k) for k in range(1, stores + 1)]
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["sku", "location", "quantity"])
    batch = []
    for i in range(n):
        sku = sku_for(i)
        for code in codes:
            batch.append((sku, code, _TABLE[int(r() * 100)]))
        if len(batch) >= 10000:
            w.writerows(batch)
            batch.clear()
    w.writerows(batch)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("n", type=int, help="number of SKUs (the first N of gen_catalog.py)")
    ap.add_argument("stores", type=int, help="number of stores, S001..")
    ap.add_argument("out", help='output CSV path, or "-" for stdout')
    args = ap.parse_args(argv)
    if args.n < 0 or not 0 <= args.stores <= 999:
        ap.error("N must be >= 0 and STORES between 0 and 999")
    if args.out == "-":
        generate(args.n, args.stores, sys.stdout)
    else:
        with open(args.out, "w", encoding="utf-8", newline="", buffering=1 << 20) as f:
            generate(args.n, args.stores, f)


if __name__ == "__main__":
    try:
        main()
    except BrokenPipeError:  # e.g. piped into `head`
        sys.stderr.close()
        sys.exit(141)
