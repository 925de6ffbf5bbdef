"""GraphQL objects built from the store's plain records: dicts whose keys are schema field names.

graphql-core's default resolver reads a dict key and, when the value is callable, calls it with
``(info, **args)``; so cheap fields are values and anything costly (connections, lookups) is a callable,
evaluated only when selected. Abstract types carry ``__typename``. The schema, not this module, decides
what a response may contain: a field left out here answers ``null`` (an error if it is non-null).
"""

from __future__ import annotations

import re

from app.demo_store import catalog, collections
from app.demo_store.listing import simple_page

TAGS_RE = re.compile(r"<[^>]+>")


def money(amount: str | float, currency: str = "USD") -> dict:
    value = amount if isinstance(amount, str) else f"{amount:.2f}"
    return {"amount": value, "currencyCode": currency}


def money_bag(amount: str | float) -> dict:
    return {"shopMoney": money(amount), "presentmentMoney": money(amount)}


def count(n: int) -> dict:
    return {"count": n, "precision": "EXACT"}


def connection(info, page: dict, build) -> dict:
    """A connection object for a `listing` page; remembers how many nodes it held (actual cost)."""
    counts = info.context.connection_counts
    node = info.field_nodes[0]
    counts[id(node)] = max(counts.get(id(node), 0), len(page["records"]))
    nodes = [build(r) for r in page["records"]]
    return {
        "edges": lambda info, **_args: [
            {"cursor": c, "node": n} for c, n in zip(page["cursors"](), nodes, strict=True)
        ],
        "nodes": nodes,
        "pageInfo": page["pageInfo"],
    }


def list_connection(items, build, id_of=lambda item: item["id"]):
    """Resolver for a connection over a short list (or a function giving it, called only when selected).

    Inside a bulk operation Shopify pages nested connections itself: every node is returned, whatever
    ``first`` says (a 2,048-variant product gives 2,048 variant lines)."""

    def resolve(info, **args):
        listed = items() if callable(items) else items
        if info.context.bulk:
            page = simple_page(listed, {"first": len(listed)}, id_of, cap=len(listed))
        else:
            page = simple_page(listed, args, id_of)
        return connection(info, page, build)

    return resolve


def empty_connection(info, **_args) -> dict:
    info.context.connection_counts.setdefault(id(info.field_nodes[0]), 0)
    page_info = {"hasNextPage": False, "hasPreviousPage": False, "startCursor": None, "endCursor": None}
    return {"edges": [], "nodes": [], "pageInfo": page_info}


def image_node(ctx, image: dict) -> dict:
    url = ctx.store.image_url(ctx.shop, image, ctx.base_url)
    return {
        "id": catalog.gid("ProductImage", image["id"]),
        "altText": image["alt"],
        "width": image["width"],
        "height": image["height"],
        "url": lambda info, **args: url,
        "src": url,
        "originalSrc": url,
        "transformedSrc": lambda info, **args: url,
        "thumbhash": None,
        "metafields": empty_connection,
    }


def media_node(ctx, product: dict, image: dict) -> dict:
    picture = image_node(ctx, image)
    return {
        "__typename": "MediaImage",
        "id": catalog.gid("MediaImage", image["id"]),
        "alt": image["alt"],
        "mediaContentType": "IMAGE",
        "status": "READY",
        "fileStatus": "READY",
        "mimeType": "image/png",
        "image": picture,
        "preview": {"image": picture, "status": "READY"},
        "mediaErrors": [],
        "mediaWarnings": [],
        "fileErrors": [],
        "createdAt": product["created_at"],
        "updatedAt": product["updated_at"],
    }


def product_node(ctx, record: dict) -> dict:
    variants = record["variants"]
    prices = [float(v["price"]) for v in variants]
    plain = TAGS_RE.sub(" ", record["description_html"]).split()

    def quantity(v: dict) -> int:
        return ctx.available(v)

    return {
        "__typename": "Product",
        "id": catalog.gid("Product", record["id"]),
        "legacyResourceId": str(record["id"]),
        "title": record["title"],
        "handle": record["handle"],
        "vendor": record["vendor"],
        "productType": record["product_type"],
        "tags": record["tags"],
        "status": record["status"],
        "descriptionHtml": record["description_html"],
        "description": lambda info, truncateAt=None: " ".join(plain)[: truncateAt or None],
        "createdAt": record["created_at"],
        "updatedAt": record["updated_at"],
        "publishedAt": record["created_at"] if record["status"] == "ACTIVE" else None,
        "onlineStoreUrl": f"https://{ctx.shop}/products/{record['handle']}",
        "templateSuffix": None,
        "category": None,
        "isGiftCard": False,
        "requiresSellingPlan": False,
        "tracksInventory": True,
        "hasOnlyDefaultVariant": len(variants) == 1 and variants[0]["title"] == "Default Title",
        "hasOutOfStockVariants": lambda info: any(quantity(v) <= 0 for v in variants),
        "totalInventory": lambda info: sum(quantity(v) for v in variants),
        "totalVariants": len(variants),
        "variantsCount": count(len(variants)),
        "mediaCount": count(len(record["images"])),
        "defaultCursor": "",
        "seo": {"title": None, "description": None},
        "priceRangeV2": {"minVariantPrice": money(min(prices)), "maxVariantPrice": money(max(prices))},
        "options": lambda info, first=None: [
            {
                "__typename": "ProductOption",
                "id": catalog.gid("ProductOption", o["id"]),
                "name": o["name"],
                "position": n + 1,
                "values": o["values"],
                "optionValues": [option_value(o["id"], k, value) for k, value in enumerate(o["values"])],
            }
            for n, o in enumerate(record["options"][:first])
        ],  # fmt: skip
        "variants": list_connection(variants, lambda v: variant_node(ctx, record, v)),
        "media": list_connection(record["images"], lambda img: media_node(ctx, record, img)),
        "images": list_connection(record["images"], lambda img: image_node(ctx, img)),
        "featuredMedia": lambda info: (
            media_node(ctx, record, record["images"][0]) if record["images"] else None
        ),
        "featuredImage": lambda info: image_node(ctx, record["images"][0]) if record["images"] else None,
        "metafield": None,
        "metafields": empty_connection,
        "collections": _collections(ctx, record),
        "inCollection": lambda info, id: any(
            catalog.gid("Collection", c["id"]) == id for c in collections.of_product(ctx.view.kind, record)
        ),
    }


def _collections(ctx, record: dict):
    if ctx.view.kind != "awkward":
        return empty_connection
    from app.demo_store.collection_nodes import collection_node  # it builds products: a cycle at import

    return list_connection(
        lambda: collections.of_product(ctx.view.kind, record), lambda c: collection_node(ctx, c)
    )


def option_value(option_id: int, k: int, value: str) -> dict:
    return {"id": catalog.gid("ProductOptionValue", catalog.OPTION_VALUE_BASE + option_id * 10 + k),
            "name": value, "hasVariants": True, "swatch": None}  # fmt: skip


def variant_node(ctx, product: dict, variant: dict) -> dict:
    item_id = variant["inventory_item_id"]
    image = next((img for img in product["images"] if img["id"] == variant.get("image_id")), None)
    selected = []
    for n, option in enumerate(product["options"]):
        value = variant.get(f"option{n + 1}")
        k = option["values"].index(value) if value in option["values"] else 0
        selected.append(
            {"name": option["name"], "value": value, "optionValue": option_value(option["id"], k, value)}
        )

    def available(info=None) -> int:
        return ctx.available(variant)

    def inventory_item(info):
        from app.demo_store.stock_nodes import inventory_item_node  # it builds variants: a cycle at import

        return inventory_item_node(ctx, item_id, product, variant)

    return {
        "__typename": "ProductVariant",
        "id": catalog.gid("ProductVariant", variant["id"]),
        "legacyResourceId": str(variant["id"]),
        "title": variant["title"],
        "displayName": f"{product['title']} - {variant['title']}",
        "sku": variant["sku"],
        "barcode": variant.get("barcode"),
        "price": variant["price"],
        "compareAtPrice": variant["compare_at_price"],
        "position": variant["position"],
        "taxable": True,
        "inventoryPolicy": "DENY",
        "inventoryQuantity": available,
        "sellableOnlineQuantity": available,
        "availableForSale": lambda info: available() > 0 and product["status"] == "ACTIVE",
        "createdAt": product["created_at"],
        "updatedAt": product["updated_at"],
        "selectedOptions": selected,
        "image": (lambda info, **_: image_node(ctx, image)) if image else None,
        "media": list_connection([image], lambda img: media_node(ctx, product, img))
        if image
        else empty_connection,
        "metafields": empty_connection,
        "product": lambda info: product_node(ctx, product),
        "inventoryItem": inventory_item,
    }
