"""The awkward catalog: the shapes real shops have and the uniform catalog never shows. Plain data only.

Products (by index; any index past the specials is a filler of varying shape):

0. one variant ("Default Title"), one image;
1. 100 variants (10 colours x 10 sizes), 5 images, the first five variants with their own image; its first
   variant has 4 available at the warehouse and 6 at the store;
2. 2,048 variants (32 x 64, Shopify's maximum), 10 images, every 64th variant with its own image;
3. 250 images (Shopify's maximum) in order, with alt text (every 50th one empty), 3 variants with images;
4. no SKU and no barcode: empty strings and nulls, no images;
5. unicode everywhere: emoji, right-to-left text, combining marks, in title, tags, options and alt text;
6. a draft; 7. an archived product.

Stock is per variant per location (`locations.py`): always at the warehouse, at the store for about two
variants in three, at the showroom for one in three, never at the closed depot; ``committed`` is non-zero
for some, so ``on_hand`` = available + committed. Ids follow `catalog` (10**12 above the uniform ones).
The same (seed, index) always gives the same record. Orders are in `awkward_orders.py`.
"""

from __future__ import annotations

from functools import lru_cache

from app.demo_store import catalog
from app.demo_store.locations import SHOWROOM, STORE, WAREHOUSE

SPECIALS = 8
DEFAULT_PRODUCTS = 12
COLOURS = ("Red", "Blue", "Green", "Black", "White", "Ochre", "Teal", "Plum", "Sand", "Slate")
UNICODE_TITLE = "Café ☕ «Ünïcödé» 🧵 שלום مرحبا Ñ̃ – 𝔉𝔞𝔫𝔠𝔶"
UNICODE_HTML = (
    "<p>Tecido macio 🌿 — <bdi>عربى</bdi> and <bdi>עברית</bdi>; e\u0301te\u0301 a\u0300 la plage.</p>"
)


def variant_id(i: int, v: int) -> int:
    return catalog.VARIANT_BASE + catalog.AWKWARD_OFFSET + i * catalog.AWKWARD_STRIDE + v + 1


def inventory_item_id(i: int, v: int) -> int:
    return catalog.INVENTORY_ITEM_BASE + catalog.AWKWARD_OFFSET + i * catalog.AWKWARD_STRIDE + v + 1


def media_id(i: int, m: int) -> int:
    return catalog.MEDIA_BASE + catalog.AWKWARD_OFFSET + i * catalog.AWKWARD_STRIDE + m + 1


def _shape(i: int) -> dict:
    """Options, image count, which variants have an image, and the odd bits of product ``i``."""
    if i == 0:
        return {"options": [("Title", ["Default Title"])], "images": 1}
    if i == 1:
        return {"options": [("Colour", list(COLOURS)), ("Size", [f"EU {34 + n}" for n in range(10)])],
                "images": 5, "variant_image": lambda v: v if v < 5 else None}  # fmt: skip
    if i == 2:
        return {"options": [("Colour", [f"Shade {n + 1:02d}" for n in range(32)]),
                            ("Length", [f"{10 + n} cm" for n in range(64)])],
                "images": 10, "variant_image": lambda v: (v // 64) % 10 if v % 64 == 0 else None}  # fmt: skip
    if i == 3:
        return {"options": [("Size", ["S", "M", "L"])], "images": 250, "variant_image": lambda v: v * 100}
    if i == 4:
        return {"options": [("Size", ["S", "M", "L"])], "images": 0, "no_sku": True}
    if i == 5:
        return {"options": [("Cor 🎨", ["Azul 💙", "ورد", "Ñ̃oir"])], "images": 2, "unicode": True}
    if i in (6, 7):
        return {"options": [("Size", ["S", "M"])], "images": 1, "status": "DRAFT" if i == 6 else "ARCHIVED"}
    count = (1, 2, 3, 5, 8)[i % 5]
    return {"options": [("Size", [f"N{n + 1}" for n in range(count)])], "images": i % 4}


def _combinations(options: list[tuple[str, list[str]]]) -> list[tuple[str, ...]]:
    combos: list[tuple[str, ...]] = [()]
    for _name, values in options:
        combos = [(*c, value) for c in combos for value in values]
    return combos


def _stock(i: int, v: int, rng) -> list[list[int]]:
    """[[location id, available, committed], ...] for the locations that stock variant (i, v)."""
    if (i, v) == (1, 0):
        return [[WAREHOUSE, 4, 0], [STORE, 6, 0]]
    levels = [[WAREHOUSE, rng.randrange(0, 40), rng.choice((0, 0, 1, 2))]]
    if rng.random() < 0.66:
        levels.append([STORE, rng.randrange(0, 25), rng.choice((0, 1))])
    if rng.random() < 0.33:
        levels.append([SHOWROOM, rng.randrange(1, 5), 0])
    return levels


def _title(i: int, shape: dict, rng) -> str:
    if shape.get("unicode"):
        return UNICODE_TITLE
    names = {0: "Single Variant Tote", 1: "Hundred Variant Sneaker", 2: "Extended Variant Ribbon",
             3: "Gallery Print (250 photos)", 4: "Unlabelled Sample", 6: "Draft Candle", 7: "Archived Mug"}  # fmt: skip
    return names.get(i) or f"{rng.choice(catalog.ADJECTIVES)} {rng.choice(catalog.MATERIALS)} Filler {i + 1}"


@lru_cache(maxsize=256)
def base_product(seed: int, i: int) -> dict:
    """Product ``i``; cached (a 2,048-variant record takes ~25 ms to build, and a 500-line order asks for
    it 500 times), so callers must treat it as read-only — `DemoStore.update_product` copies before it edits."""
    rng = catalog._rng(seed, 11, i)  # noqa: SLF001 - the catalogs share one generator
    shape = _shape(i)
    title = _title(i, shape, rng)
    pid = catalog.product_id(i)
    images = []
    for m in range(shape["images"]):
        alt = "" if m % 50 == 49 else f"{title} — view {m + 1} of {shape['images']}"
        images.append({"id": media_id(i, m), "alt": alt, "file": f"{(i + m) % 24}.png",
                       "width": 800 + m % 3, "height": 800})  # fmt: skip
    base_price = rng.randrange(300, 30000) / 100
    image_of = shape.get("variant_image") or (lambda v: None)
    variants = []
    for v, values in enumerate(_combinations(shape["options"])):
        price = round(base_price + (v % 7), 2)
        image = image_of(v)
        variant = {
            "position": v + 1,
            "id": variant_id(i, v),
            "title": " / ".join(values),
            "sku": f"AWK-{i + 1:03d}-{v + 1:04d}",
            "barcode": f"{5_600_000_000_000 + i * 10_000 + v:013d}",
            "price": f"{price:.2f}",
            "compare_at_price": f"{price * 1.2:.2f}" if v % 4 == 1 else None,
            "inventory_item_id": inventory_item_id(i, v),
            "image_id": images[image]["id"] if image is not None and image < len(images) else None,
            "stock": _stock(i, v, rng),
        }
        for n, value in enumerate(values):
            variant[f"option{n + 1}"] = value
        variant["available"] = sum(level[1] for level in variant["stock"])
        variants.append(variant)
    if shape.get("no_sku"):
        for variant, (sku, barcode) in zip(variants, (("", ""), (None, None), ("", None)), strict=True):
            variant["sku"], variant["barcode"] = sku, barcode
    tags = ["sale", "awkward"] if i % 3 == 1 else ["awkward"]
    if shape.get("unicode"):
        tags = ["ünïcödé", "🎁 gift", "عربى"]
    return {
        "index": i,
        "id": pid,
        "title": title,
        "handle": f"awkward-{i + 1}" if not shape.get("unicode") else "cafe-unicode",
        "vendor": "Kestrel" if i % 2 else "Lumen & Co",
        "product_type": "Accessories" if i % 3 else "Footwear",
        "tags": sorted(tags),
        "status": shape.get("status", "ACTIVE"),
        "description_html": UNICODE_HTML if shape.get("unicode") else f"<p>{title}.</p>",
        "created_at": catalog.iso(catalog.created_at(i)),
        "updated_at": catalog.iso(catalog.updated_at(i)),
        "options": [
            {
                "id": catalog.OPTION_BASE + catalog.AWKWARD_OFFSET + i * 4 + n + 1,
                "name": name,
                "values": values,
            }
            for n, (name, values) in enumerate(shape["options"])
        ],  # fmt: skip
        "images": images,
        "variants": variants,
    }
