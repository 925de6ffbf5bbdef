"""GraphQL objects built from the store's plain records: dicts whose keys are schema field names.

graphql-core's default resolver reads a dict key and, when the value is callable, calls it with
``(info, **args)``; so cheap fields are values and anything costly (connections, lookups) is a callable,
evaluated only when selected. Abstract types carry ``__typename``. The schema, not this module, decides
what a response may contain: a field left out here answers ``null`` (an error if it is non-null).
"""

from __future__ import annotations

import re

from app.demo_store import catalog
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


def list_connection(items: list, build, id_of=lambda item: item["id"]):
    """Resolver for a connection over a short list; in a bulk query ``first`` may be left out."""

    def resolve(info, **args):
        if info.context.bulk and args.get("first") is None and args.get("last") is None:
            args = {**args, "first": 250}
        return connection(info, simple_page(items, args, id_of), build)

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
        "hasOnlyDefaultVariant": False,
        "hasOutOfStockVariants": lambda info: any(quantity(v) <= 0 for v in variants),
        "totalInventory": lambda info: sum(quantity(v) for v in variants),
        "totalVariants": len(variants),
        "variantsCount": count(len(variants)),
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
        "collections": empty_connection,
    }


def option_value(option_id: int, k: int, value: str) -> dict:
    return {"id": catalog.gid("ProductOptionValue", catalog.OPTION_VALUE_BASE + option_id * 10 + k),
            "name": value, "hasVariants": True, "swatch": None}  # fmt: skip


def variant_node(ctx, product: dict, variant: dict) -> dict:
    item_id = variant["inventory_item_id"]
    option = product["options"][0]
    k = option["values"].index(variant["option1"]) if variant["option1"] in option["values"] else 0

    def available(info=None) -> int:
        return ctx.available(variant)

    return {
        "__typename": "ProductVariant",
        "id": catalog.gid("ProductVariant", variant["id"]),
        "legacyResourceId": str(variant["id"]),
        "title": variant["title"],
        "displayName": f"{product['title']} - {variant['title']}",
        "sku": variant["sku"],
        "barcode": None,
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
        "selectedOptions": [
            {
                "name": option["name"],
                "value": variant["option1"],
                "optionValue": option_value(option["id"], k, variant["option1"]),
            }
        ],  # fmt: skip
        "image": None,
        "media": empty_connection,
        "metafields": empty_connection,
        "product": lambda info: product_node(ctx, product),
        "inventoryItem": lambda info: inventory_item_node(ctx, item_id, product, variant),
    }


def inventory_item_node(ctx, item_id: int, product: dict, variant: dict) -> dict:
    return {
        "__typename": "InventoryItem",
        "id": catalog.gid("InventoryItem", item_id),
        "legacyResourceId": str(item_id),
        "sku": variant["sku"],
        "tracked": True,
        "requiresShipping": True,
        "duplicateSkuCount": 0,
        "unitCost": None,
        "countryCodeOfOrigin": None,
        "harmonizedSystemCode": None,
        "measurement": {"id": catalog.gid("InventoryItemMeasurement", item_id), "weight": None},
        "createdAt": product["created_at"],
        "updatedAt": lambda info: ctx.store.inventory_updated_at(ctx.shop, item_id) or product["updated_at"],
        "variant": lambda info: variant_node(ctx, product, variant),
        "variants": list_connection([variant], lambda v: variant_node(ctx, product, v)),
        "inventoryLevels": list_connection(
            [item_id], lambda i: inventory_level_node(ctx, i, product, variant), id_of=lambda i: i
        ),  # fmt: skip
        "inventoryLevel": lambda info, locationId, **_: (
            inventory_level_node(ctx, item_id, product, variant)
            if catalog.parse_gid(locationId, "Location") == catalog.LOCATION_ID
            else None
        ),
    }


def inventory_level_node(ctx, item_id: int, product: dict, variant: dict) -> dict:
    location = catalog.LOCATION_ID

    def updated(info=None) -> str:
        return ctx.store.inventory_updated_at(ctx.shop, item_id) or product["updated_at"]

    def quantities(info, names):
        current = ctx.store.quantities(ctx.shop, item_id, location)
        moment = updated()
        return [
            {"id": f"gid://shopify/InventoryQuantity/{location}?inventory_item_id={item_id}&name={name}",
             "name": name, "quantity": current.get(name, 0), "updatedAt": moment}
            for name in names
        ]  # fmt: skip

    return {
        "__typename": "InventoryLevel",
        "id": f"gid://shopify/InventoryLevel/{location}?inventory_item_id={item_id}",
        "isActive": True,
        "canDeactivate": False,
        "deactivationAlert": None,
        "createdAt": product["created_at"],
        "updatedAt": updated,
        "quantities": quantities,
        "item": lambda info: inventory_item_node(ctx, item_id, product, variant),
        "location": lambda info: location_node(ctx),
    }


def location_node(ctx) -> dict:
    lines = ["1 Demo Street", "Lisbon 1100-001", "Portugal"]
    return {
        "__typename": "Location",
        "id": catalog.gid("Location", catalog.LOCATION_ID),
        "legacyResourceId": str(catalog.LOCATION_ID),
        "name": "Demo warehouse",
        "isActive": True,
        "isPrimary": True,
        "activatable": False,
        "deactivatable": False,
        "deletable": False,
        "addressVerified": True,
        "fulfillsOnlineOrders": True,
        "hasActiveInventory": True,
        "hasUnfulfilledOrders": False,
        "isFulfillmentService": False,
        "shipsInventory": True,
        "suggestedAddresses": [],
        "createdAt": catalog.iso(catalog.CATALOG_EPOCH),
        "updatedAt": catalog.iso(catalog.CATALOG_EPOCH),
        "address": {
            "address1": lines[0],
            "city": "Lisbon",
            "zip": "1100-001",
            "country": "Portugal",
            "countryCode": "PT",
            "formatted": lines,
        },  # fmt: skip
        "metafields": empty_connection,
    }
