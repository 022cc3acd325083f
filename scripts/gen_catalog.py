#!/usr/bin/env python3
"""Write a synthetic native Unifeed catalog of N variant rows, for benchmarks (DESIGN.md §8).

Usage:
    python3 scripts/gen_catalog.py N OUT.csv [--repeat-product-fields]
    python3 scripts/gen_catalog.py 1000000 /tmp/catalog-1m.csv

OUT may be "-" for stdout.

SKU scheme (scripts/gen_inventory.py relies on it):
    row i (0-based)  ->  product p = i // 4 + 1,  variant v = i % 4 + 1
    product_id       =   P{p:07d}              e.g. P0000001
    sku              =   P{p:07d}-{v}          e.g. P0000001-1 .. P0000001-4
So the first N SKUs of any catalog are the same whatever its size (row order is stable), and the
last product may have fewer than 4 variants when N is not a multiple of 4.

GTIN: a GTIN-13 per row, 4 + the 11-digit zero-padded row number + check digit (valid, unique).

Output: UTF-8, comma-separated, LF, RFC 4180 quoting. Columns are the native catalog's
(samples/catalog.csv) without the channel-override columns, plus `custom.season`:
    product_id,sku,status,title,description,brand,gtin,mpn,condition,price,currency,sale_price,
    sale_start,sale_end,link,image_link,additional_image_links,color,size,size_system,size_type,
    gender,age_group,material,pattern,google_product_category,product_type,weight,quantity,
    availability_date,custom.season
Product-level fields (title, description, brand, condition, gender, age_group, material, pattern,
google_product_category, product_type, link) are filled on a product's first row only, as in
samples/catalog.csv; --repeat-product-fields fills them on every row instead.

Deterministic (random.Random(42)), streaming (constant memory), about 10-15 s per million rows.
Roughly 10% of rows are on sale, each with a window: a third active around
2026-11-20..2026-12-05, a third in the future (2027-01-10..2027-01-20), a third ended
(2026-10-01..2026-10-15). Quantity is 0..100.
"""
import argparse
import csv
import random
import sys

HEADER = ["product_id", "sku", "status", "title", "description", "brand", "gtin", "mpn", "condition",
          "price", "currency", "sale_price", "sale_start", "sale_end", "link", "image_link",
          "additional_image_links", "color", "size", "size_system", "size_type", "gender", "age_group",
          "material", "pattern", "google_product_category", "product_type", "weight", "quantity",
          "availability_date", "custom.season"]

VARIANTS_PER_PRODUCT = 4


def product_of(i):
    """Product number (1-based) of row i (0-based)."""
    return i // VARIANTS_PER_PRODUCT + 1


def sku_for(i):
    """SKU of row i (0-based). The one place the SKU scheme is defined."""
    return "P%07d-%d" % (i // VARIANTS_PER_PRODUCT + 1, i % VARIANTS_PER_PRODUCT + 1)


# weighted digit sums of every 4-digit chunk, weights 3,1,3,1 from the right (GS1 mod 10)
_CHUNK = [0] * 10000
for _c in range(10000):
    _CHUNK[_c] = 3 * (_c % 10) + (_c // 10 % 10) + 3 * (_c // 100 % 10) + (_c // 1000)


def gtin13_for(i):
    body = 400000000000 + i  # "4" + 11-digit row number: 12 digits
    s = _CHUNK[body % 10000] + _CHUNK[body // 10000 % 10000] + _CHUNK[body // 100000000]
    return "%d%d" % (body, (10 - s % 10) % 10)


# ------------------------------------------------------------------ vocabulary
# Each category: product_type, google_product_category, nouns, variant axis, materials, weights, prices (cents)
CATEGORIES = [
    dict(ptype="Apparel > Tops > T-Shirts", gpc="212", nouns=["Crew Tee", "V-Neck Tee", "Pocket Tee", "Henley", "Long-Sleeve Tee"],
         axis="size", values=["S", "M", "L", "XL"], materials=["Cotton", "Organic cotton", "Cotton/Modal", "Linen"],
         weight="0.2 kg", price=(1800, 4500), apparel=True),
    dict(ptype="Apparel > Tops > Hoodies", gpc="Apparel & Accessories > Clothing > Activewear > Sweatshirts",
         nouns=["Zip Hoodie", "Pullover Hoodie", "Crewneck Sweatshirt", "Half-Zip Fleece"],
         axis="size", values=["S", "M", "L", "XL"], materials=["Cotton/Polyester", "Recycled fleece", "Brushed cotton"],
         weight="0.65 kg", price=(4500, 9800), apparel=True),
    dict(ptype="Apparel > Bottoms > Jeans", gpc="Apparel & Accessories > Clothing > Pants",
         nouns=["Slim Jeans", "Straight Jeans", "Relaxed Jeans", "Chino Pants"],
         axis="size", values=["30x32", "32x32", "34x32", "36x32"], materials=["Cotton/Elastane", "Cotton"],
         weight="1.4 lb", price=(5900, 12900), apparel=True),
    dict(ptype="Apparel > Dresses", gpc="2271", nouns=["Wrap Dress", "Shirt Dress", "Slip Dress", "Maxi Dress"],
         axis="size", values=["XS", "S", "M", "L"], materials=["Viscose", "Linen", "Cotton poplin"],
         weight="0.3 kg", price=(6900, 14900), apparel=True),
    dict(ptype="Apparel > Shoes > Sneakers", gpc="187", nouns=["Runner", "Court Sneaker", "Canvas Low-Top", "Trail Shoe"],
         axis="size", values=["8", "9", "10", "11"], materials=["Mesh/EVA", "Leather", "Canvas", "Suede"],
         weight="0.9 kg", price=(5500, 16000), apparel=True),
    dict(ptype="Electronics > Audio > Headphones",
         gpc="Electronics > Audio > Audio Components > Headphones & Headsets > Headphones",
         nouns=["Wireless Headphones", "Noise-Cancelling Headphones", "Earbuds", "Sport Earbuds"],
         axis="color", values=["Black", "White", "Silver", "Navy"], materials=["Plastic/Aluminum"],
         weight="0.28 kg", price=(2900, 34900), apparel=False),
    dict(ptype="Electronics > Audio > Speakers", gpc="Electronics > Audio > Audio Components > Speakers",
         nouns=["Portable Speaker", "Smart Speaker", "Bookshelf Speaker", "Soundbar"],
         axis="color", values=["Black", "Teal", "Coral", "Stone"], materials=["Fabric/ABS"],
         weight="0.6 kg", price=(3900, 29900), apparel=False),
    dict(ptype="Electronics > Power > Chargers",
         gpc="Electronics > Electronics Accessories > Power > Power Adapters & Chargers",
         nouns=["USB-C Charger", "Wireless Charging Pad", "Power Bank", "Car Charger"],
         axis="color", values=["Black", "White", "Graphite", "Blue"], materials=["Polycarbonate"],
         weight="120 g", price=(1500, 7900), apparel=False),
    dict(ptype="Electronics > Computers > Keyboards",
         gpc="Electronics > Electronics Accessories > Computer Components > Input Devices > Keyboards",
         nouns=["Mechanical Keyboard", "Slim Keyboard", "Ergonomic Keyboard"],
         axis="color", values=["Black", "White", "Space Grey", "Sage"], materials=["Aluminum/PBT"],
         weight="1.9 lb", price=(4900, 18900), apparel=False),
    dict(ptype="Home > Kitchen > Mugs", gpc="Home & Garden > Kitchen & Dining > Tableware > Drinkware > Mugs",
         nouns=["Stoneware Mug", "Travel Mug", "Espresso Cup Set", "Latte Mug"],
         axis="color", values=["Blue", "Sand", "Sage", "Charcoal"], materials=["Stoneware", "Porcelain", "Stainless steel"],
         weight="0.4 kg", price=(1200, 3900), apparel=False),
    dict(ptype="Home > Lighting > Lamps", gpc="Home & Garden > Lighting > Lamps",
         nouns=["Desk Lamp", "Floor Lamp", "Table Lamp", "Clip Lamp"],
         axis="color", values=["Black", "White", "Brass", "Walnut"], materials=["Aluminum", "Steel", "Ceramic"],
         weight="1.3 kg", price=(3900, 24900), apparel=False),
    dict(ptype="Home > Living > Throws", gpc="Home & Garden > Linens & Bedding > Bedding > Blankets",
         nouns=["Knit Throw", "Fleece Throw", "Wool Blanket", "Waffle Throw"],
         axis="color", values=["Oatmeal", "Slate", "Blush", "Forest"], materials=["Chenille", "Wool", "Cotton"],
         weight="1.2 kg", price=(3900, 14900), apparel=False),
    dict(ptype="Home > Kitchen > Cookware",
         gpc="Home & Garden > Kitchen & Dining > Cookware & Bakeware > Cookware",
         nouns=["Cast-Iron Skillet", "Dutch Oven", "Saucepan", "Nonstick Fry Pan"],
         axis="size", values=["8 in", "10 in", "12 in", "14 in"], materials=["Cast iron", "Enameled cast iron", "Stainless steel"],
         weight="2.3 kg", price=(2900, 19900), apparel=False),
]
BRANDS = ["Northwind Basics", "Marigold & Vine", "Stride Co.", "Auralis", "Voltarc", "Hearth & Kiln",
          "Lumen House", "Forge & Pan", "Atelier Rue", "Summit Supply"]
ADJECTIVES = ["Classic", "Essential", "Heavyweight", "Lightweight", "Everyday", "Premium", "Relaxed", "Slim",
              "Vintage", "Modern", "Organic", "Recycled", "Signature", "Weekend", "Studio", "Heritage"]
COLORS = ["Black", "White", "Heather Grey", "Navy", "Olive", "Rust", "Sand", "Forest Green", "Burgundy", "Sky Blue"]
PATTERNS = ["Solid", "Solid", "Solid", "Striped", "Heathered", "Plaid", "Floral"]
GENDERS = ["unisex", "male", "female"]
SEASONS = ["", "", "summer", "winter", "all-season", "spring", "fall"]
SENTENCES = [
    "Designed in-house and built to last through years of everyday use.",
    "Every piece is inspected by hand before it leaves our warehouse.",
    "Made from responsibly sourced materials, with packaging that is fully recyclable.",
    "A customer favorite for its comfort, clean lines and thoughtful details.",
    "Backed by our 2-year warranty and free returns within 30 days, no questions asked.",
    "Pairs easily with the rest of the collection, so it fits right in wherever you put it.",
    "Independent lab tests show it holds its shape and color after 50 washes or cycles.",
    "Our design team spent eighteen months refining the proportions and the finish.",
    "Ships in 1-2 business days from our New Jersey warehouse; in-store pickup available.",
    "Care is simple: follow the label, skip the harsh detergents, and it will reward you.",
    "Small-batch production keeps quality high and waste low.",
    "The \"just right\" weight: substantial enough to feel premium, light enough for every day.",
]
DESC_TEMPLATES = [
    "<p>{a}</p>\n<ul>\n<li>{b}</li>\n<li>{c}</li>\n<li>{d}</li>\n</ul>\n<p>{e} {f}</p>",
    "{a} {b} {c} {d} {e} {f}",
    "<p>{a} {b}</p>\n<p>{c} {d}</p>\n<p>{e} {f}</p>",
]

NCAT = len(CATEGORIES)
SALE_WINDOWS = [
    ("2026-11-20T00:00:00-05:00", "2026-12-05T23:59:59-05:00"),   # active around Black Friday
    ("2027-01-10T00:00:00-05:00", "2027-01-20T23:59:59-05:00"),   # future
    ("2026-10-01T00:00:00-04:00", "2026-10-15T23:59:59-04:00"),   # ended
]


def generate(n, out, repeat_product_fields=False):
    rnd = random.Random(42)
    r = rnd.random
    w = csv.writer(out, lineterminator="\n")
    w.writerow(HEADER)
    batch = []
    prod = None  # product-level values of the current product
    for i in range(n):
        p = i // VARIANTS_PER_PRODUCT + 1
        v = i % VARIANTS_PER_PRODUCT
        pid = "P%07d" % p
        sku = "%s-%d" % (pid, v + 1)
        if v == 0:
            cat = CATEGORIES[int(r() * NCAT)]
            brand = BRANDS[int(r() * len(BRANDS))]
            noun = cat["nouns"][int(r() * len(cat["nouns"]))]
            material = cat["materials"][int(r() * len(cat["materials"]))]
            adj = ADJECTIVES[int(r() * len(ADJECTIVES))]
            title = "%s %s %s %s, Style %s" % (brand, adj, material.split("/")[0], noun, pid[1:])
            k = [int(r() * len(SENTENCES)) for _ in range(6)]
            desc = DESC_TEMPLATES[p % 3].format(a=SENTENCES[k[0]], b=SENTENCES[k[1]], c=SENTENCES[k[2]],
                                                d=SENTENCES[k[3]], e=SENTENCES[k[4]], f=SENTENCES[k[5]])
            lo, hi = cat["price"]
            base_cents = (lo + int(r() * (hi - lo))) // 100 * 100 - 1  # x.99 prices
            color = COLORS[int(r() * len(COLORS))]
            apparel = cat["apparel"]
            gender = GENDERS[int(r() * 3)] if apparel else ""
            age = ("kids" if r() < 0.15 else "adult") if apparel else ""
            pattern = PATTERNS[int(r() * len(PATTERNS))] if apparel else ""
            season = SEASONS[int(r() * len(SEASONS))]
            link = "https://shop.example/products/%s?variant=%s" % (pid, sku)
            prod = [title, desc, brand, "new", link, gender, age, material, pattern, cat["gpc"], cat["ptype"]]
            first = prod
        else:
            first = prod if repeat_product_fields else None
        axis_value = cat["values"][v]
        if cat["axis"] == "size":
            vcolor, size = color, axis_value
        else:
            vcolor, size = axis_value, ""
        cents = base_cents + (v * 200 if cat["axis"] == "size" and v >= 3 else 0)  # XL and up cost a little more
        price = "%d.%02d" % divmod(cents, 100)
        sale_price = sale_start = sale_end = ""
        x = r()
        if x < 0.1:
            sale_cents = cents * (70 + int(x * 200)) // 100  # 70%..89% of price
            sale_price = "%d.%02d" % divmod(sale_cents, 100)
            sale_start, sale_end = SALE_WINDOWS[int(x * 30) % 3]
        q = int(r() * 101)
        img = "https://cdn.shop.example/img/%s.jpg" % sku
        extra = "https://cdn.shop.example/img/%s-2.jpg|https://cdn.shop.example/img/%s-3.jpg" % (sku, sku)
        if first is not None:
            t, d, b, cond, lk, g, a, m, pt, gpc, ptype = first
        else:
            t = d = b = cond = lk = g = a = m = pt = gpc = ptype = ""
        batch.append((pid, sku, "active", t, d, b, gtin13_for(i), "MPN-%s" % sku, cond, price, "USD",
                      sale_price, sale_start, sale_end, lk, img, extra, vcolor, size,
                      "US" if cat["apparel"] else "", "regular" if cat["apparel"] else "", g, a, m, pt, gpc,
                      ptype, cat["weight"], q, "", season))
        if len(batch) >= 5000:
            w.writerows(batch)
            batch.clear()
    w.writerows(batch)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("n", type=int, help="number of variant rows")
    ap.add_argument("out", help='output CSV path, or "-" for stdout')
    ap.add_argument("--repeat-product-fields", action="store_true",
                    help="fill product-level fields on every row, not only a product's first row")
    args = ap.parse_args(argv)
    if args.n < 0:
        ap.error("N must be >= 0")
    if args.out == "-":
        generate(args.n, sys.stdout, args.repeat_product_fields)
    else:
        with open(args.out, "w", encoding="utf-8", newline="", buffering=1 << 20) as f:
            generate(args.n, f, args.repeat_product_fields)


if __name__ == "__main__":
    try:
        main()
    except BrokenPipeError:  # e.g. piped into `head`
        sys.stderr.close()
        sys.exit(141)
