"""Every synced row of one store against the demo store's own data (`app.demo_store.snapshot`), field by field.

`differences(store, shop, integration_id)` returns one line per field that differs ("variant <gid> price:
stored '1.00', shop '2.00'"), and one per row missing from either side; [] when the database is an exact
copy. Compared: products (with collection membership), variants (sku, barcode, price, compare-at, options,
image, the sellable quantity), media (order, alt, url, type), product images, collections (with their products
in order), locations, stock per variant per location, orders, line items, fulfillments (tracking) and refunds.

What the database deliberately does not hold is named in `NOT_STORED`, so a new snapshot field fails here until
it is either compared or listed. Normalisations are Shopify's own equivalences only: an empty SKU, barcode or
alt text is the same as none.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from app.extensions import db
from app.models import (
    Collection,
    CollectionProduct,
    Location,
    Order,
    OrderFulfillment,
    OrderItem,
    OrderRefund,
    Product,
    ProductMedia,
    ProductVariant,
    VariantLocationStock,
)
from app.sync.mapping import parse_time

# snapshot fields with no column: derived from others (legacy ids, counts, quantities left) or not kept.
NOT_STORED = {
    "products": {"legacyResourceId", "createdAt", "options"},
    "variants": {"inventoryQuantity"},  # compared as the sum over the locations sold from
    "media": {"productId", "width", "height"},
    "orders": {"legacyResourceId", "number", "lineItemCount"},
    "lineItems": {"orderId", "variantTitle", "currentQuantity", "unfulfilledQuantity"},
    "fulfillments": {"orderId", "displayStatus", "locationId", "lineItems"},
    "refunds": {"orderId"},
    "locations": {"legacyResourceId", "isPrimary"},
    "inventoryLevels": {"id", "inventoryItemId"},
    "collections": {"sortOrder", "ruleSet"},
}


def _money(value) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


def _blank(value):
    return value if value not in ("", None) else None


class Diff:
    def __init__(self):
        self.lines: list[str] = []

    def check(self, what: str, stored, source) -> None:
        if stored != source:
            self.lines.append(f"{what}: stored {stored!r}, shop {source!r}")

    def rows(self, kind: str, stored: dict, source: dict) -> list[tuple]:
        """Pair rows by key; report those on one side only."""
        for key in sorted(set(source) - set(stored)):
            self.lines.append(f"{kind} {key}: missing from the database")
        for key in sorted(set(stored) - set(source)):
            self.lines.append(f"{kind} {key}: in the database, not in the shop")
        return [(key, stored[key], source[key]) for key in source if key in stored]


def _fields_known(snap: dict, compared: dict[str, set[str]], d: Diff) -> None:
    for kind, rows in snap.items():
        seen = set().union(*(r.keys() for r in rows)) if rows else set()
        for name in sorted(compared.get(kind, set()) & NOT_STORED.get(kind, set())):
            d.lines.append(f"{kind}.{name}: both compared and listed as not stored")
        for name in sorted(seen - compared.get(kind, set()) - NOT_STORED.get(kind, set())):
            d.lines.append(
                f"{kind}.{name}: a shop field the comparison neither checks nor lists as not stored"
            )


COMPARED = {
    "products": {"id", "title", "handle", "vendor", "productType", "tags", "status", "descriptionHtml",
                 "updatedAt", "collectionIds"},
    "variants": {"id", "productId", "position", "title", "sku", "barcode", "price", "compareAtPrice",
                 "inventoryItemId", "imageId", "selectedOptions"},
    "media": {"id", "position", "alt", "url", "mediaContentType"},
    "orders": {"id", "name", "email", "createdAt", "updatedAt", "displayFinancialStatus",
               "displayFulfillmentStatus", "subtotal", "totalRefunded"},
    "lineItems": {"id", "position", "productId", "variantId", "title", "sku", "quantity", "price"},
    "fulfillments": {"id", "name", "status", "createdAt", "updatedAt", "trackingCompany", "trackingNumber",
                     "trackingUrl", "trackingInfo"},
    "refunds": {"id", "createdAt", "note", "totalRefunded", "lineItems"},
    "locations": {"id", "name", "isActive", "fulfillsOnlineOrders"},
    "inventoryLevels": {"variantId", "locationId", "available", "on_hand", "committed", "updatedAt"},
    "collections": {"id", "title", "handle", "kind", "updatedAt", "productIds"},
}  # fmt: skip


def differences(store, shop: str, integration_id: int) -> list[str]:
    from app.demo_store.snapshot import snapshot

    snap = snapshot(store, shop)
    db.session.expire_all()
    d = Diff()
    _fields_known(snap, COMPARED, d)
    products = _catalog(snap, integration_id, d)
    _stock(snap, integration_id, products, d)
    _collections(snap, integration_id, products, d)
    _orders(snap, integration_id, products, d)
    return d.lines


def _catalog(snap: dict, integration_id: int, d: Diff) -> dict[str, Product]:
    rows = db.session.scalars(
        select(Product).where(Product.integration_id == integration_id, Product.deleted_at.is_(None))
    ).all()
    products = {p.shopify_product_id: p for p in rows}
    by_id = {p.id: p.shopify_product_id for p in rows}
    members: dict[int, set[str]] = {}
    for collection_gid, product_id in db.session.execute(
        select(Collection.shopify_collection_id, CollectionProduct.product_id)
        .join(CollectionProduct, CollectionProduct.collection_id == Collection.id)
        .where(Collection.integration_id == integration_id)
    ):
        members.setdefault(product_id, set()).add(collection_gid)
    media_by_product: dict[str, list[dict]] = {}
    for m in snap["media"]:
        media_by_product.setdefault(m["productId"], []).append(m)
    for key, row, src in d.rows("product", products, {p["id"]: p for p in snap["products"]}):
        w = f"product {key}"
        d.check(f"{w} title", row.title, src["title"])
        d.check(f"{w} handle", row.handle, src["handle"])
        d.check(f"{w} vendor", row.vendor, _blank(src["vendor"]))
        d.check(f"{w} productType", row.product_type, _blank(src["productType"]))
        d.check(f"{w} tags", row.tags, ", ".join(src["tags"]) or None)
        d.check(f"{w} status", row.status, src["status"].lower())
        d.check(f"{w} descriptionHtml", row.description_html, src["descriptionHtml"])
        d.check(f"{w} updatedAt", row.source_updated_at, parse_time(src["updatedAt"]))
        d.check(f"{w} collectionIds", sorted(members.get(row.id, ())), sorted(src["collectionIds"]))
        media = media_by_product.get(key, [])
        d.check(f"{w} images", row.images, [{"url": m["url"], "alt": _blank(m["alt"])} for m in media])
    stored_media = {
        m.shopify_media_id: (by_id.get(m.product_id), m)
        for m in db.session.scalars(select(ProductMedia).where(ProductMedia.product_id.in_(list(by_id))))
    }
    for key, (product_gid, row), src in d.rows("media", stored_media, {m["id"]: m for m in snap["media"]}):
        w = f"media {key}"
        d.check(f"{w} productId", product_gid, src["productId"])
        d.check(f"{w} position", row.position, src["position"])
        d.check(f"{w} alt", _blank(row.alt), _blank(src["alt"]))
        d.check(f"{w} url", row.url, src["url"])
        d.check(f"{w} mediaContentType", row.media_type, src["mediaContentType"])
    urls = {m["id"]: m["url"] for m in snap["media"]}
    variants = {
        v.shopify_variant_id: v
        for v in db.session.scalars(select(ProductVariant).where(ProductVariant.product_id.in_(list(by_id))))
    }
    for key, row, src in d.rows("variant", variants, {v["id"]: v for v in snap["variants"]}):
        w = f"variant {key}"
        d.check(f"{w} productId", by_id.get(row.product_id), src["productId"])
        d.check(f"{w} position", row.position, src["position"])
        d.check(f"{w} title", row.title, src["title"])
        d.check(f"{w} sku", _blank(row.sku), _blank(src["sku"]))
        d.check(f"{w} barcode", _blank(row.barcode), _blank(src["barcode"]))
        d.check(f"{w} price", row.price, _money(src["price"]))
        d.check(f"{w} compareAtPrice", row.compare_at_price, _money(src["compareAtPrice"]))
        d.check(f"{w} inventoryItemId", row.inventory_item_id, src["inventoryItemId"])
        d.check(f"{w} imageId", row.image_media_id, src["imageId"])
        d.check(f"{w} image url", row.image_url, urls.get(src["imageId"]))
        d.check(f"{w} selectedOptions", row.option_values, src["selectedOptions"])
    _variants_by_gid.clear()
    _variants_by_gid.update(variants)
    return products


_variants_by_gid: dict[str, ProductVariant] = {}


def _stock(snap: dict, integration_id: int, products: dict, d: Diff) -> None:
    locations = {
        r.shopify_location_id: r
        for r in db.session.scalars(select(Location).where(Location.integration_id == integration_id))
    }
    for key, row, src in d.rows("location", locations, {loc["id"]: loc for loc in snap["locations"]}):
        d.check(f"location {key} name", row.name, src["name"])
        d.check(f"location {key} isActive", row.active, src["isActive"])
        d.check(
            f"location {key} fulfillsOnlineOrders", row.fulfills_online_orders, src["fulfillsOnlineOrders"]
        )
    location_gid = {r.id: g for g, r in locations.items()}
    sold_from = {
        g
        for g, r in locations.items()
        if r.active and (r.sell_from if r.sell_from is not None else r.fulfills_online_orders)
    }
    variants = _variants_by_gid
    variant_gid = {v.id: g for g, v in variants.items()}
    stored = {
        (variant_gid.get(s.variant_id), location_gid.get(s.location_id)): s
        for s in db.session.scalars(
            select(VariantLocationStock).where(VariantLocationStock.location_id.in_(list(location_gid)))
        )
    }
    source = {(lv["variantId"], lv["locationId"]): lv for lv in snap["inventoryLevels"]}
    for key, row, src in d.rows("stock", stored, source):
        w = f"stock {key[0]} at {key[1]}"
        d.check(f"{w} available", row.available, src["available"])
        d.check(f"{w} on_hand", row.on_hand, src["on_hand"])
        d.check(f"{w} committed", row.committed, src["committed"])
        d.check(f"{w} updatedAt", row.source_updated_at, parse_time(src["updatedAt"]))
    sellable: dict[str, int] = {}
    for (variant, location), lv in source.items():
        if location in sold_from:
            sellable[variant] = sellable.get(variant, 0) + lv["available"]
    for v in snap["variants"]:
        row = variants.get(v["id"])
        if row is not None:
            d.check(f"variant {v['id']} sellable quantity", row.inventory_quantity, sellable.get(v["id"], 0))


def _collections(snap: dict, integration_id: int, products: dict, d: Diff) -> None:
    rows = {
        c.shopify_collection_id: c
        for c in db.session.scalars(select(Collection).where(Collection.integration_id == integration_id))
    }
    gid_of = {p.id: g for g, p in products.items()}
    for key, row, src in d.rows("collection", rows, {c["id"]: c for c in snap["collections"]}):
        w = f"collection {key}"
        d.check(f"{w} title", row.title, src["title"])
        d.check(f"{w} handle", row.handle, src["handle"])
        d.check(f"{w} kind", row.kind, src["kind"].lower())
        d.check(f"{w} updatedAt", row.source_updated_at, parse_time(src["updatedAt"]))
        held = db.session.scalars(
            select(CollectionProduct.product_id)
            .where(CollectionProduct.collection_id == row.id)
            .order_by(CollectionProduct.position)
        ).all()
        d.check(f"{w} productIds", [gid_of.get(p) for p in held], src["productIds"])


def _orders(snap: dict, integration_id: int, products: dict, d: Diff) -> None:
    orders = {
        o.external_id: o
        for o in db.session.scalars(select(Order).where(Order.integration_id == integration_id))
    }
    gid_of_product = {p.id: g for g, p in products.items()}
    gid_of_variant = {v.id: g for g, v in _variants_by_gid.items()}
    lines_of: dict[str, list[dict]] = {}
    for line in snap["lineItems"]:
        lines_of.setdefault(line["orderId"], []).append(line)
    for key, row, src in d.rows("order", orders, {o["id"]: o for o in snap["orders"]}):
        w = f"order {key}"
        d.check(f"{w} name", row.number, src["name"])
        d.check(f"{w} email", row.customer_email, src["email"])
        d.check(f"{w} createdAt", row.created_at, parse_time(src["createdAt"]))
        d.check(f"{w} updatedAt", row.source_updated_at, parse_time(src["updatedAt"]))
        d.check(f"{w} displayFinancialStatus", row.financial_status, src["displayFinancialStatus"].lower())
        d.check(
            f"{w} displayFulfillmentStatus", row.fulfillment_status, src["displayFulfillmentStatus"].lower()
        )
        d.check(f"{w} subtotal", row.subtotal_price, _money(src["subtotal"]))
        refunds = db.session.scalars(select(OrderRefund.amount).where(OrderRefund.order_id == row.id)).all()
        d.check(f"{w} totalRefunded", sum(refunds, Decimal("0.00")), _money(src["totalRefunded"]))
        items = db.session.scalars(
            select(OrderItem).where(OrderItem.order_id == row.id).order_by(OrderItem.id)
        )
        stored = {i.external_id: (n, i) for n, i in enumerate(items, start=1)}
        for lk, (position, item), line in d.rows(
            "line item", stored, {x["id"]: x for x in lines_of.get(key, [])}
        ):
            lw = f"line item {lk}"
            d.check(f"{lw} position", position, line["position"])
            d.check(f"{lw} productId", gid_of_product.get(item.product_id), line["productId"])
            d.check(f"{lw} variantId", gid_of_variant.get(item.variant_id), line["variantId"])
            d.check(f"{lw} title", item.title, line["title"])
            d.check(f"{lw} sku", _blank(item.sku), _blank(line["sku"]))
            d.check(f"{lw} quantity", item.quantity, line["quantity"])
            d.check(f"{lw} price", item.unit_price, _money(line["price"]))
            d.check(f"{lw} total", item.total_price, _money(line["price"]) * line["quantity"])
    order_ids = [o.id for o in orders.values()]
    fulfillments = {
        f.shopify_fulfillment_id: f
        for f in db.session.scalars(select(OrderFulfillment).where(OrderFulfillment.order_id.in_(order_ids)))
    }
    for key, row, src in d.rows("fulfillment", fulfillments, {f["id"]: f for f in snap["fulfillments"]}):
        w = f"fulfillment {key}"
        d.check(f"{w} name", row.name, src["name"])
        d.check(f"{w} status", row.status, src["status"].lower())
        d.check(f"{w} createdAt", row.created_at, parse_time(src["createdAt"]))
        d.check(f"{w} updatedAt", row.updated_at, parse_time(src["updatedAt"]))
        d.check(f"{w} trackingCompany", row.tracking_company, src["trackingCompany"])
        d.check(f"{w} trackingNumber", row.tracking_number, src["trackingNumber"])
        d.check(f"{w} trackingUrl", row.tracking_url, src["trackingUrl"])
        d.check(f"{w} trackingInfo", row.tracking, src["trackingInfo"])
    refunds = {
        r.shopify_refund_id: r
        for r in db.session.scalars(select(OrderRefund).where(OrderRefund.order_id.in_(order_ids)))
    }
    for key, row, src in d.rows("refund", refunds, {r["id"]: r for r in snap["refunds"]}):
        w = f"refund {key}"
        d.check(f"{w} createdAt", row.created_at, parse_time(src["createdAt"]))
        d.check(f"{w} note", row.note, src["note"])
        d.check(f"{w} totalRefunded", row.amount, _money(src["totalRefunded"]))
        d.check(
            f"{w} lineItems",
            [(x["line_item_id"], x["quantity"]) for x in row.line_items],
            [(x["lineItemId"], x["quantity"]) for x in src["lineItems"]],
        )
