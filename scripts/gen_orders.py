#!/usr/bin/env python3
"""Write a synthetic marketplace order report of N order lines, for benchmarks (DESIGN.md §8).

Usage:
    python3 scripts/gen_orders.py N OUT [--variants M | --skus-from FILE | --sku-pattern PATTERN]
                                        [--format amazon|walmart] [--unknown PCT]
    python3 scripts/gen_orders.py 1000000 /tmp/orders-1m.tsv --variants 1000000
    python3 scripts/gen_orders.py 1000000 /tmp/orders-1m.json --variants 1000000 --format walmart

OUT may be "-" for stdout.

SKUs (each line picks one uniformly, so a SKU may appear on several lines, even twice in one order):
    --variants M          the first M SKUs of scripts/gen_catalog.py's scheme (P0000001-1, P0000001-2, ...),
                          so the orders match a catalog generated with `gen_catalog.py M` or more (default 1000)
    --sku-pattern P       SKUs P.format(i=i) for i in 0..M-1, e.g. --sku-pattern 'SKU-{i:06d}' --variants 5000
    --skus-from FILE      the `sku` column of a CSV/TSV (e.g. a catalog; the delimiter is detected from the
                          header); with --variants M, only its first M SKUs. The SKU list is held in memory.
    --unknown PCT         that percentage of lines gets a SKU no catalog has (UNKNOWN-nnnnnn); default 0

Formats:
    amazon   GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL: tab-separated, LF, the 32-column header
             of ../shared/specs/marketplaces.md §2.3, one row per order line, money as line totals
             (qty x unit), empty money while Pending, quantity 0 on Cancelled lines (as Amazon writes it).
    walmart  the equivalent GET /v3/orders document (§4.4): one page holding every order
             (meta.limit = max(totalCount, 100), nextCursor null), epoch-millisecond dates, quantities as strings,
             one order per line inside a pretty envelope. Same orders, SKUs and quantities as the amazon
             output for the same arguments (Pending -> Created, Unshipped -> Acknowledged, FBA -> WFS
             shipNode, Cancelled lines keep their ordered quantity as statusQuantity).

Mix: about 1.5 lines per order (1-5 lines); per order about 3% Cancelled, 5% fulfilled by the
marketplace (fulfillment-channel Amazon / WFS shipNode), the rest mostly Shipped with some Pending
and Unshipped. Quantities 1-3. Purchase dates run through November 2026 in order (America/New_York
days, written in UTC as +00:00). Each SKU has a fixed unit price. Stock is not consulted: a bench
run may oversell (negative stock is a warning).

Deterministic (random.Random(42)), streaming (constant memory apart from a --skus-from list; about
20 MB RSS). A million lines take about 5 s as amazon (230 MB) and 17 s as walmart (1.1 GB).
"""
import argparse
import csv
import datetime
import json
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_catalog import sku_for  # noqa: E402  (the one definition of the SKU scheme)

AMAZON_HEADER = [
    "amazon-order-id", "merchant-order-id", "purchase-date", "last-updated-date", "order-status",
    "fulfillment-channel", "sales-channel", "order-channel", "url", "ship-service-level", "product-name",
    "sku", "asin", "item-status", "quantity", "currency", "item-price", "item-tax", "shipping-price",
    "shipping-tax", "gift-wrap-price", "gift-wrap-tax", "item-promotion-discount",
    "ship-promotion-discount", "ship-city", "ship-state", "ship-postal-code", "ship-country",
    "promotion-ids", "is-business-order", "purchase-order-number", "price-designation",
]
assert len(AMAZON_HEADER) == 32

# lines per order: 1 (65%), 2 (22%), 3 (9%), 4 (3%), 5 (1%) -> 1.53 on average
_SIZES = [1] * 65 + [2] * 22 + [3] * 9 + [4] * 3 + [5]
# quantity per line: 1 (80%), 2 (15%), 3 (5%)
_QTY = [1] * 80 + [2] * 15 + [3] * 5
# ship-to places: city, state, postal code, sales tax rate in basis points
_PLACES = [("NEW YORK", "NY", "10012", 888), ("BROOKLYN", "NY", "11211", 888), ("JERSEY CITY", "NJ", "07302", 663),
           ("AUSTIN", "TX", "78704", 825), ("CHICAGO", "IL", "60614", 1025), ("PORTLAND", "OR", "97214", 0),
           ("SEATTLE", "WA", "98109", 1025), ("DENVER", "CO", "80205", 881), ("MIAMI", "FL", "33131", 700),
           ("COLUMBUS", "OH", "43215", 750), ("BOSTON", "MA", "02108", 625), ("ATLANTA", "GA", "30309", 890)]
_START = 1793505600  # 2026-11-01T00:00:00-04:00 (04:00Z; DST ends later that night) in epoch seconds
_SPAN = 30 * 86400 - 3600  # purchase dates up to 2026-11-30T22:00-05:00


class SkuSource:
    """Maps a uniform pick to (index, sku); the index gives each SKU a stable price and ASIN."""

    def __init__(self, args):
        self.skus = None
        self.pattern = args.sku_pattern
        if args.skus_from:
            self.skus = read_skus(args.skus_from, args.variants)
            if not self.skus:
                sys.exit("gen_orders: no SKUs in %s" % args.skus_from)
            self.m = len(self.skus)
        else:
            self.m = args.variants if args.variants is not None else 1000
            if self.m < 1:
                sys.exit("gen_orders: --variants must be >= 1")
            if self.pattern:
                try:
                    self.pattern.format(i=0)
                except (KeyError, IndexError, ValueError) as e:
                    sys.exit("gen_orders: bad --sku-pattern %r (use {i}, e.g. 'SKU-{i:06d}'): %s" % (self.pattern, e))

    def sku(self, i):
        if self.skus is not None:
            return self.skus[i]
        if self.pattern:
            return self.pattern.format(i=i)
        return sku_for(i)


def read_skus(path, limit):
    with open(path, encoding="utf-8-sig", newline="") as f:
        first = f.readline()
        delim = "\t" if first.count("\t") > first.count(",") else ("," if first.count(",") >= first.count(";") else ";")
        f.seek(0)
        reader = csv.reader(f, delimiter=delim)
        header = [h.strip().lower() for h in next(reader, [])]
        if "sku" not in header:
            sys.exit("gen_orders: %s has no sku column" % path)
        col = header.index("sku")
        skus, seen = [], set()
        for row in reader:
            if col < len(row) and row[col] and row[col] not in seen:
                seen.add(row[col])
                skus.append(row[col])
                if limit is not None and len(skus) >= limit:
                    break
    return skus


def unit_cents(i):
    """A fixed x.99 price per SKU index, 4.99 .. 199.99."""
    return 499 + (i * 2654435761 % 196) * 100


def asin_for(i):
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    s = []
    for _ in range(8):
        i, d = divmod(i, 36)
        s.append(digits[d])
    return "B0" + "".join(reversed(s))


def money(cents):
    return "%s%d.%02d" % ("-" if cents < 0 else "", abs(cents) // 100, abs(cents) % 100)


def iso(ts):
    h, rem = divmod(ts % 86400, 3600)
    return "%sT%02d:%02d:%02d+00:00" % (_date(ts), h, rem // 60, rem % 60)


_DAYS = {}


def _date(ts):
    day = ts // 86400
    d = _DAYS.get(day)
    if d is None:
        d = datetime.datetime.fromtimestamp(day * 86400, datetime.timezone.utc).strftime("%Y-%m-%d")
        _DAYS[day] = d
    return d


def orders(n, count, skus, unknown_pct):
    """Yield `count` orders (dicts) covering exactly n lines, deterministically."""
    master = random.Random(42)
    sizes = random.Random(master.getrandbits(64))  # the same stream count_orders() read
    r = master.random
    left = n
    step = _SPAN / max(count, 1)
    for k in range(count):
        size = min(_SIZES[int(sizes.random() * 100)], left)
        left -= size
        ts = _START + int(k * step + r() * step)
        x = r()
        status = "Cancelled" if x < 0.03 else ("Shipped" if x < 0.85 else ("Pending" if x < 0.95 else "Unshipped"))
        by_marketplace = r() < 0.05
        place = _PLACES[int(r() * len(_PLACES))]
        expedited = r() < 0.15
        lines = []
        for j in range(size):
            if unknown_pct and r() * 100 < unknown_pct:
                idx, sku = -1, "UNKNOWN-%06d" % (int(r() * 1000000))
                unit = 1999
            else:
                idx = int(r() * skus.m)
                sku = skus.sku(idx)
                unit = unit_cents(idx)
            qty = _QTY[int(r() * 100)]
            lines.append((idx, sku, qty, unit))
        yield {"k": k, "ts": ts, "updated": ts + (3600 + int(r() * 86400) if status != "Pending" else 0),
               "status": status, "fba": by_marketplace, "place": place, "expedited": expedited,
               "ship_cents": 0 if r() < 0.6 else 499, "suffix": int(r() * 10000000), "lines": lines}


def write_amazon(orders_iter, out):
    out.write("\t".join(AMAZON_HEADER) + "\n")
    batch = []
    for o in orders_iter:
        oid = "%03d-%07d-%07d" % (111 + o["k"] % 4, o["k"] % 10000000, o["suffix"])
        status = o["status"]
        item_status = {"Shipped": "Shipped", "Pending": "Unshipped", "Unshipped": "Unshipped",
                       "Cancelled": "Cancelled"}[status]
        city, state, zip_, bp = o["place"]
        if status == "Pending":
            city = state = zip_ = country = ""
        else:
            country = "US"
        common = (oid, "", iso(o["ts"]), iso(o["updated"]), status, "Amazon" if o["fba"] else "Merchant",
                  "Amazon.com", "", "", "Expedited" if o["expedited"] else "Standard")
        for j, (idx, sku, qty, unit) in enumerate(o["lines"]):
            asin = asin_for(idx) if idx >= 0 else "B0ZZZZZZZZ"
            name = "Synthetic item %s" % sku
            if status in ("Pending", "Cancelled"):
                m = ("",) * 8
            else:
                line = unit * qty
                ship = o["ship_cents"] if j == 0 else 0
                m = (money(line), money(line * bp // 10000), money(ship), money(ship * bp // 10000), "", "",
                     "0.00", "0.00")
            batch.append("\t".join(common + (name, sku, asin, item_status, "0" if status == "Cancelled" else str(qty),
                                              "USD") + m + (city, state, zip_, country, "", "false", "", "")))
        if len(batch) >= 5000:
            out.write("\n".join(batch) + "\n")
            batch.clear()
    if batch:
        out.write("\n".join(batch) + "\n")


def _amount(cents):
    return {"currency": "USD", "amount": round(cents / 100, 2)}


def write_walmart(orders_iter, count, out):
    out.write('{\n  "list": {\n    "meta": {\n      "totalCount": %d,\n      "limit": %d,\n'
              '      "nextCursor": null\n    },\n    "elements": {\n      "order": [' % (count, max(count, 100)))
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    first = True
    buf = []
    for o in orders_iter:
        ms = o["ts"] * 1000
        city, state, zip_, bp = o["place"]
        status = {"Shipped": "Shipped", "Pending": "Created", "Unshipped": "Acknowledged",
                  "Cancelled": "Cancelled"}[o["status"]]
        po = "%015d" % (108800000000000 + o["k"])
        lines = []
        for j, (idx, sku, qty, unit) in enumerate(o["lines"]):
            line = unit * qty
            charges = [{"chargeType": "PRODUCT", "chargeName": "ItemPrice", "chargeAmount": _amount(line),
                        "tax": {"taxName": "Tax1", "taxAmount": _amount(line * bp // 10000)} if bp else None}]
            ship = o["ship_cents"] if j == 0 else 0
            if ship:
                charges.append({"chargeType": "SHIPPING", "chargeName": "Shipping", "chargeAmount": _amount(ship),
                                "tax": {"taxName": "Tax1", "taxAmount": _amount(ship * bp // 10000)} if bp else None})
            tracking = None
            if status == "Shipped":
                tracking = {"shipDateTime": o["updated"] * 1000, "carrierName": {"otherCarrier": None, "carrier": "UPS"},
                            "methodCode": "Standard", "trackingNumber": "1Z%016d" % (o["k"] * 10 + j),
                            "trackingURL": None}
            lines.append({
                "lineNumber": str(j + 1), "item": {"productName": "Synthetic item %s" % sku, "sku": sku},
                "charges": {"charge": charges},
                "orderLineQuantity": {"unitOfMeasurement": "EACH", "amount": str(qty)},
                "statusDate": o["updated"] * 1000,
                "orderLineStatuses": {"orderLineStatus": [{
                    "status": status, "statusQuantity": {"unitOfMeasurement": "EACH", "amount": str(qty)},
                    "cancellationReason": "CUSTOMER_REQUESTED_SELLER_TO_CANCEL" if status == "Cancelled" else None,
                    "trackingInfo": tracking}]},
                "refund": None,
                "fulfillment": {"fulfillmentOption": "S2H", "shipMethod": "STANDARD", "storeId": None},
            })
        order = {
            "purchaseOrderId": po, "customerOrderId": "%015d" % (200010000000000 + o["k"]),
            "customerEmailId": "%032X@relay.walmart.com" % (o["k"] * 2654435761 + o["suffix"]),
            "orderDate": ms,
            "shippingInfo": {"phone": "555%07d" % o["suffix"], "estimatedDeliveryDate": ms + 5 * 86400000,
                             "estimatedShipDate": ms + 2 * 86400000,
                             "methodCode": "Express" if o["expedited"] else "Standard",
                             "postalAddress": {"name": "Buyer %d" % o["k"], "address1": "%d Main St" % (1 + o["k"] % 999),
                                               "address2": None, "city": city.title(), "state": state,
                                               "postalCode": zip_, "country": "USA", "addressType": "RESIDENTIAL"}},
            "orderLines": {"orderLine": lines},
        }
        if o["fba"]:
            order["shipNode"] = {"type": "WFSFulfilled", "name": "WFS"}
        buf.append(("\n        " if first else ",\n        ") + dumps(order))
        first = False
        if len(buf) >= 2000:
            out.write("".join(buf))
            buf.clear()
    out.write("".join(buf))
    out.write("\n      ]\n    }\n  }\n}\n")


def count_orders(n):
    """How many orders orders() makes for n lines (a pass over the order sizes alone)."""
    master = random.Random(42)
    sizes = random.Random(master.getrandbits(64))
    count, left = 0, n
    while left > 0:
        left -= _SIZES[int(sizes.random() * 100)]
        count += 1
    return count


def generate(n, out, fmt, skus, unknown_pct):
    count = count_orders(n)
    it = orders(n, count, skus, unknown_pct)
    if fmt == "walmart":
        write_walmart(it, count, out)
    else:
        write_amazon(it, out)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("n", type=int, help="number of order lines")
    ap.add_argument("out", help='output path, or "-" for stdout')
    src = ap.add_mutually_exclusive_group()
    src.add_argument("--skus-from", metavar="FILE", help="take SKUs from the sku column of this CSV/TSV")
    src.add_argument("--sku-pattern", metavar="PATTERN", help="SKU i is PATTERN.format(i=i), i in 0..M-1")
    ap.add_argument("--variants", type=int, metavar="M",
                    help="pick from the first M SKUs (gen_catalog.py scheme unless --sku-pattern/--skus-from); default 1000")
    ap.add_argument("--format", choices=["amazon", "walmart"], default="amazon")
    ap.add_argument("--unknown", type=float, default=0.0, metavar="PCT",
                    help="percentage of lines with a SKU no catalog has (default 0)")
    args = ap.parse_args(argv)
    if args.n < 0:
        ap.error("N must be >= 0")
    if args.variants is not None and args.variants < 1:
        ap.error("--variants must be >= 1")
    if not 0 <= args.unknown <= 100:
        ap.error("--unknown must be between 0 and 100")
    skus = SkuSource(args)
    if args.out == "-":
        generate(args.n, sys.stdout, args.format, skus, args.unknown)
    else:
        with open(args.out, "w", encoding="utf-8", newline="", buffering=1 << 20) as f:
            generate(args.n, f, args.format, skus, args.unknown)


if __name__ == "__main__":
    try:
        main()
    except BrokenPipeError:  # e.g. piped into `head`
        sys.stderr.close()
        sys.exit(141)
