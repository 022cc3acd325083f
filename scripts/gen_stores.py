#!/usr/bin/env python3
"""Write K synthetic stores for benchmarks (DESIGN.md §8), matching scripts/gen_inventory.py.

Usage:
    python3 scripts/gen_stores.py K OUT.csv
    python3 scripts/gen_stores.py 3 /tmp/stores.csv

Header: store_code,name,address,city,postal_code,country,pickup_method,pickup_sla
Store codes are S001..S{K:03d} (K <= 999). Cities, pickup methods (buy, reserve, ship_to_store,
not_supported) and SLAs (same_day .. multi-week) cycle, so any K gives a realistic mix.
Deterministic. OUT may be "-" for stdout.
"""
import argparse
import csv
import sys

HEADER = ["store_code", "name", "address", "city", "postal_code", "country", "pickup_method", "pickup_sla"]
CITIES = [("New York", "10012"), ("Brooklyn", "11211"), ("Jersey City", "07302"), ("Boston", "02116"),
          ("Philadelphia", "19103"), ("Chicago", "60611"), ("Austin", "78701"), ("Denver", "80202"),
          ("Seattle", "98101"), ("San Francisco", "94103"), ("Los Angeles", "90012"), ("Miami", "33131")]
STREETS = ["Main St", "Market St", "Broadway", "Elm St", "Washington Ave", "Park Ave", "2nd Ave", "Lake Shore Dr"]
METHODS = ["buy", "reserve", "ship_to_store", "buy", "reserve", "not_supported"]
SLAS = ["same_day", "next_day", "2-day", "3-day", "4-day", "5-day", "6-day", "multi-week"]


def store_code(k):
    """Code of store number k (1-based): S001, S002, ..."""
    return "S%03d" % k


def rows(k):
    for i in range(1, k + 1):
        city, postal = CITIES[(i - 1) % len(CITIES)]
        street = STREETS[(i * 7) % len(STREETS)]
        number = 100 + (i * 37) % 900
        # every third store is in a mall unit: an address with a comma, quoted in the CSV
        address = ("Unit %d, %d %s" % (i, number, street)) if i % 3 == 0 else "%d %s" % (number, street)
        yield [store_code(i), "Example Outfitters %s #%d" % (city, i), address, city, postal, "US",
               METHODS[(i - 1) % len(METHODS)], SLAS[(i - 1) % len(SLAS)]]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("k", type=int, help="number of stores (1..999)")
    ap.add_argument("out", help='output CSV path, or "-" for stdout')
    args = ap.parse_args(argv)
    if not 0 <= args.k <= 999:
        ap.error("K must be between 0 and 999")
    f = sys.stdout if args.out == "-" else open(args.out, "w", encoding="utf-8", newline="")
    try:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(HEADER)
        w.writerows(rows(args.k))
    finally:
        if f is not sys.stdout:
            f.close()


if __name__ == "__main__":
    main()
