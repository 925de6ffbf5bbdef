"""The demo store's base catalog: a pure, deterministic function of (shop seed, index).

Product ``i`` of a shop is computed on demand, never stored, so a 100,000-product shop costs nothing until a
page of it is asked for. Ids, timestamps and orderings are monotonic in the index, which lets listings seek
straight to a cursor or an ``updated_at`` bound instead of scanning. Changes live in the overlay
(`store.py`); this module knows nothing of it, of SQL or of HTTP.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

PRODUCT_BASE = 8_000_000_000_000
VARIANT_BASE = 44_000_000_000_000
INVENTORY_ITEM_BASE = 46_000_000_000_000
MEDIA_BASE = 30_000_000_000_000
OPTION_BASE = 9_000_000_000_000
OPTION_VALUE_BASE = 10_000_000_000_000
ORDER_BASE = 5_000_000_000_000
LINE_ITEM_BASE = 14_000_000_000_000
LOCATION_ID = 70_000_000_001
VARIANTS_PER_PRODUCT = 3
MAX_LINES_PER_ORDER = 4
# Ids of the awkward catalog (`awkward.py`) sit 10**12 above the uniform ones, with room for 4,096 variants
# (or media, or line items) per parent, so one id tells which catalog and which record it names.
AWKWARD_OFFSET = 10**12
AWKWARD_STRIDE = 4096

# Base timestamps are fixed (not "now") so that two processes, or two test runs, see the same catalog.
CATALOG_EPOCH = datetime(2025, 1, 1, tzinfo=UTC)
UPDATED_OFFSET = timedelta(days=30)
PRODUCT_STEP = timedelta(minutes=1)
ORDERS_EPOCH = datetime(2025, 6, 1, tzinfo=UTC)
ORDER_STEP = timedelta(minutes=10)

SIZES = ("S", "M", "L")
ADJECTIVES = (
    "Classic", "Everyday", "Organic", "Vintage", "Urban", "Coastal", "Alpine", "Handmade", "Minimal", "Bold",
    "Cozy", "Rustic", "Modern", "Heritage", "Breezy", "Sunny", "Midnight", "Golden", "Wild", "Soft",
)  # fmt: skip
MATERIALS = (
    "Cotton", "Linen", "Wool", "Leather", "Denim", "Bamboo", "Ceramic", "Oak", "Canvas", "Silk", "Clay",
    "Copper", "Hemp", "Cashmere", "Suede",
)  # fmt: skip
NOUNS = (
    ("T-Shirt", "Shirts"), ("Hoodie", "Sweaters"), ("Mug", "Kitchen"), ("Tote Bag", "Bags"),
    ("Sneakers", "Shoes"), ("Beanie", "Hats"), ("Scarf", "Accessories"), ("Candle", "Home"),
    ("Notebook", "Stationery"), ("Backpack", "Bags"), ("Jacket", "Outerwear"), ("Socks", "Socks"),
    ("Planter", "Home"), ("Cap", "Hats"), ("Blanket", "Home"), ("Wallet", "Accessories"),
)  # fmt: skip
VENDORS = ("Acme Goods", "Northwind Supply", "Lumen & Co", "Harbor Craft", "Pine Street Studio", "Kestrel")
TAGS = ("new", "sale", "bestseller", "eco", "gift", "limited", "summer", "winter", "unisex", "handmade")
FIRST_NAMES = ("Ana", "Bruno", "Chloe", "Diego", "Emma", "Farid", "Grace", "Hiro", "Ines", "Jonas")
LAST_NAMES = ("Silva", "Costa", "Nguyen", "Smith", "Okafor", "Rossi", "Kim", "Garcia", "Muller", "Haddad")


def iso(dt: datetime) -> str:
    """Shopify's GraphQL DateTime spelling: UTC with a ``Z``, no fractional seconds."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(value: str) -> datetime:
    value = value.strip().strip("'\"")
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    dt = datetime.fromisoformat(value)
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def _rng(seed: int, kind: int, index: int) -> random.Random:
    return random.Random((seed * 1_000_003 + kind) * 10_000_019 + index)


# --- ids -----------------------------------------------------------------------------------------------


def product_id(i: int) -> int:
    return PRODUCT_BASE + i + 1


def product_index(numeric_id: int) -> int:
    return numeric_id - PRODUCT_BASE - 1


def variant_id(i: int, v: int) -> int:
    return VARIANT_BASE + i * VARIANTS_PER_PRODUCT + v + 1


def inventory_item_id(i: int, v: int) -> int:
    return INVENTORY_ITEM_BASE + i * VARIANTS_PER_PRODUCT + v + 1


def split_variant(numeric_id: int, base: int = VARIANT_BASE) -> tuple[int, int]:
    """(product index, variant position) for a variant or inventory item id, of either catalog."""
    n = numeric_id - base - 1
    if n >= AWKWARD_OFFSET:
        n -= AWKWARD_OFFSET
        return n // AWKWARD_STRIDE, n % AWKWARD_STRIDE
    return n // VARIANTS_PER_PRODUCT, n % VARIANTS_PER_PRODUCT


def variant_at(record: dict | None, numeric_id: int, key: str = "id") -> dict | None:
    """The variant of ``record`` whose ``key`` is ``numeric_id`` (None when the id is not this product's)."""
    if record is None:
        return None
    _i, v = split_variant(numeric_id, VARIANT_BASE if key == "id" else INVENTORY_ITEM_BASE)
    variants = record["variants"]
    return variants[v] if v < len(variants) and variants[v][key] == numeric_id else None


def order_id(j: int) -> int:
    return ORDER_BASE + j + 1


def order_index(numeric_id: int) -> int:
    return numeric_id - ORDER_BASE - 1


def gid(kind: str, numeric_id: int | str) -> str:
    return f"gid://shopify/{kind}/{numeric_id}"


def parse_gid(value: str, kind: str) -> int | None:
    prefix = f"gid://shopify/{kind}/"
    if not isinstance(value, str) or not value.startswith(prefix):
        return None
    tail = value[len(prefix) :].split("?", 1)[0]
    return int(tail) if tail.isdigit() else None


# --- timestamps (monotonic in the index, so listings can seek) -----------------------------------------


def created_at(i: int) -> datetime:
    return CATALOG_EPOCH + PRODUCT_STEP * i


def updated_at(i: int) -> datetime:
    return CATALOG_EPOCH + UPDATED_OFFSET + PRODUCT_STEP * i


def first_index_after(moment: datetime, *, field: str = "updated_at", inclusive: bool = False) -> int:
    """Smallest base index whose timestamp is > moment (>= when inclusive); may be negative-clamped to 0."""
    start = CATALOG_EPOCH + (UPDATED_OFFSET if field == "updated_at" else timedelta(0))
    step = PRODUCT_STEP.total_seconds()
    offset = (moment - start).total_seconds() / step
    whole = int(offset // 1)
    exact = offset == whole
    return max(whole if exact and inclusive else whole + 1, 0)


def order_created_at(j: int) -> datetime:
    return ORDERS_EPOCH + ORDER_STEP * j


# --- records ---------------------------------------------------------------------------------------------


def base_product(seed: int, i: int) -> dict:
    """The catalog record for product ``i``: plain data in Shopify's vocabulary, GraphQL-agnostic."""
    rng = _rng(seed, 1, i)
    noun, product_type = NOUNS[rng.randrange(len(NOUNS))]
    title = f"{rng.choice(ADJECTIVES)} {rng.choice(MATERIALS)} {noun}"
    handle = f"{title.lower().replace(' ', '-').replace('&', 'and')}-{i + 1}"
    base_price = rng.randrange(500, 20000) / 100
    on_sale = rng.random() < 0.3
    variants = []
    for v, size in enumerate(SIZES):
        price = round(base_price + v * 2, 2)
        variants.append(
            {
                "position": v + 1,
                "id": variant_id(i, v),
                "title": size,
                "sku": f"DEMO-{i + 1:06d}-{size}",
                "price": f"{price:.2f}",
                "compare_at_price": f"{price * 1.25:.2f}" if on_sale else None,
                "option1": size,
                "inventory_item_id": inventory_item_id(i, v),
                "available": 0 if rng.random() < 0.08 else rng.randrange(1, 60),
            }
        )
    tags = sorted(rng.sample(TAGS, rng.randrange(1, 4)))
    return {
        "index": i,
        "id": product_id(i),
        "title": title,
        "handle": handle,
        "vendor": rng.choice(VENDORS),
        "product_type": product_type,
        "tags": tags,
        "status": "ACTIVE",
        "description_html": (
            f"<p>The {title.lower()} from our {product_type.lower()} range.</p>"
            f"<ul><li>Material: {title.split()[1].lower()}</li><li>Sizes: S, M, L</li></ul>"
        ),
        "created_at": iso(created_at(i)),
        "updated_at": iso(updated_at(i)),
        "options": [{"id": OPTION_BASE + i + 1, "name": "Size", "values": list(SIZES)}],
        "images": [
            {"id": MEDIA_BASE + i + 1, "alt": title, "file": f"{i % 24}.png", "width": 800, "height": 800}
        ],
        "variants": variants,
    }


def base_order(seed: int, j: int, product_count: int) -> dict:
    """Order ``j``: 1-4 lines pointing at existing catalog variants."""
    rng = _rng(seed, 2, j)
    lines = []
    for k in range(rng.randrange(1, MAX_LINES_PER_ORDER + 1)):
        i = rng.randrange(max(product_count, 1))
        v = rng.randrange(VARIANTS_PER_PRODUCT)
        lines.append({"id": LINE_ITEM_BASE + j * MAX_LINES_PER_ORDER + k + 1, "product_index": i, "variant": v,
                      "quantity": rng.randrange(1, 4)})  # fmt: skip
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    moment = iso(order_created_at(j))
    return {
        "index": j,
        "id": order_id(j),
        "number": 1001 + j,
        "name": f"#{1001 + j}",
        "email": f"{first.lower()}.{last.lower()}@example.com",
        "customer_name": f"{first} {last}",
        "created_at": moment,
        "updated_at": moment,
        "financial_status": "PAID",
        "fulfillment_status": "UNFULFILLED",
        "lines": lines,
    }
