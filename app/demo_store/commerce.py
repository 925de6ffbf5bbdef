"""Shop, order and line-item objects for GraphQL, built from the store's records (see `nodes.py`)."""

from __future__ import annotations

from app.demo_store import awkward_orders, catalog, order_parts, shapes
from app.demo_store.nodes import empty_connection, list_connection, money_bag, product_node, variant_node


def shop_node(ctx) -> dict:
    shop = ctx.shop
    name = shop.removesuffix(".myshopify.com").replace("-", " ").title()
    address = {"id": catalog.gid("ShopAddress", 1), "address1": "1 Demo Street", "city": "Lisbon",
               "country": "Portugal", "countryCodeV2": "PT", "zip": "1100-001", "coordinatesValidated": False,
               "formatted": ["1 Demo Street", "Lisbon 1100-001", "Portugal"]}  # fmt: skip
    return {
        "__typename": "Shop",
        "id": catalog.gid("Shop", 60_000_000 + sum(map(ord, shop))),
        "name": name,
        "myshopifyDomain": shop,
        "email": f"owner@{shop}",
        "contactEmail": f"owner@{shop}",
        "shopOwnerName": "Demo Owner",
        "currencyCode": "USD",
        "enabledPresentmentCurrencies": ["USD"],
        "ianaTimezone": "Etc/UTC",
        "timezoneAbbreviation": "UTC",
        "timezoneOffset": "+0000",
        "timezoneOffsetMinutes": 0,
        "weightUnit": "KILOGRAMS",
        "unitSystem": "METRIC_SYSTEM",
        "taxesIncluded": False,
        "taxShipping": False,
        "setupRequired": False,
        "checkoutApiSupported": True,
        "transactionalSmsDisabled": False,
        "marketingSmsConsentEnabledAtCheckout": False,
        "orderNumberFormatPrefix": "#",
        "orderNumberFormatSuffix": "",
        "url": f"https://{shop}",
        "description": "A generated catalog served by the WAgents demo store.",
        "primaryDomain": {
            "id": catalog.gid("Domain", 1),
            "host": shop,
            "url": f"https://{shop}",
            "sslEnabled": True,
        },  # fmt: skip
        "plan": {
            "displayName": "Basic",
            "publicDisplayName": "Basic",
            "partnerDevelopment": True,
            "shopifyPlus": False,
        },  # fmt: skip
        "billingAddress": address,
        "shopAddress": address,
        "shipsToCountries": ["PT", "US"],
        "createdAt": catalog.iso(catalog.CATALOG_EPOCH),
        "updatedAt": catalog.iso(catalog.CATALOG_EPOCH),
        "metafield": None,
        "metafields": empty_connection,
    }


def order_node(ctx, order: dict) -> dict:
    view = ctx.view
    lines = []
    for line in order["lines"]:
        product = view.product(line["product_index"]) or shapes.base_product(
            view.kind, view.seed, line["product_index"]
        )
        lines.append((line, product, product["variants"][line["variant"]]))
    by_id = {line["id"]: (line, product, variant) for line, product, variant in lines}
    fulfilled, refunded = awkward_orders.fulfilled_quantity(order), awkward_orders.refunded_quantity(order)
    subtotal = sum(float(v["price"]) * line["quantity"] for line, _p, v in lines)
    quantity = sum(line["quantity"] for line, _p, _v in lines)
    refunds = order.get("refunds") or []
    refunded_total = sum(order_parts.refund_total(r, by_id) for r in refunds)

    def line_node(line_id: int) -> dict:
        line, product, variant = by_id[line_id]
        return line_item_node(
            ctx, line, product, variant, fulfilled.get(line_id, 0), refunded.get(line_id, 0)
        )

    def this_order() -> dict:
        return order_node(ctx, order)

    return {
        "__typename": "Order",
        "id": catalog.gid("Order", order["id"]),
        "legacyResourceId": str(order["id"]),
        "name": order["name"],
        "number": order["number"] - 1000,
        "email": order["email"],
        "phone": order.get("phone"),
        "checkoutToken": order.get("checkout_token"),
        "note": None,
        "tags": [],
        "test": False,
        "closed": False,
        "confirmed": True,
        "fullyPaid": True,
        "unpaid": False,
        "closedAt": None,
        "cancelledAt": None,
        "cancelReason": None,
        "customer": None,
        "createdAt": order["created_at"],
        "updatedAt": order["updated_at"],
        "processedAt": order["created_at"],
        "currencyCode": "USD",
        "presentmentCurrencyCode": "USD",
        "displayFinancialStatus": order["financial_status"],
        "displayFulfillmentStatus": order["fulfillment_status"],
        "subtotalLineItemsQuantity": quantity,
        "currentSubtotalLineItemsQuantity": quantity - sum(refunded.values()),
        **{key: money_bag(subtotal) for key in ("subtotalPriceSet", "currentSubtotalPriceSet", "totalPriceSet",
                                                 "currentTotalPriceSet", "originalTotalPriceSet")},
        **{key: money_bag(0) for key in ("totalTaxSet", "currentTotalTaxSet", "totalDiscountsSet",
                                          "currentTotalDiscountsSet", "totalShippingPriceSet")},
        "totalRefundedSet": money_bag(refunded_total),
        "lineItems": list_connection(lines, lambda t: line_node(t[0]["id"]), id_of=lambda t: t[0]["id"]),
        "fulfillments": lambda info, first=None, query=None: [
            order_parts.fulfillment_node(ctx, this_order, f, by_id, line_node)
            for f in (order.get("fulfillments") or [])[:first]
        ],
        "refunds": lambda info, first=None: [
            order_parts.refund_node(ctx, this_order, r, by_id, line_node) for r in refunds[:first]
        ],
        "metafields": empty_connection,
    }  # fmt: skip


def line_item_node(
    ctx, line: dict, product: dict, variant: dict, fulfilled: int = 0, refunded: int = 0
) -> dict:
    qty = line["quantity"]
    current = qty - refunded
    total = float(variant["price"]) * qty
    return {
        "__typename": "LineItem",
        "id": catalog.gid("LineItem", line["id"]),
        "name": f"{product['title']} - {variant['title']}",
        "title": product["title"],
        "variantTitle": variant["title"],
        "sku": variant["sku"],
        "vendor": product["vendor"],
        "quantity": qty,
        "currentQuantity": current,
        "unfulfilledQuantity": max(current - fulfilled, 0),
        "refundableQuantity": current,
        "fulfillableQuantity": max(current - fulfilled, 0),
        "nonFulfillableQuantity": 0,
        "requiresShipping": True,
        "taxable": True,
        "isGiftCard": False,
        "merchantEditable": True,
        "restockable": True,
        "customAttributes": [],
        "discountAllocations": [],
        "taxLines": lambda info, first=None: [],
        "duties": [],
        "image": None,
        **{key: money_bag(variant["price"]) for key in ("originalUnitPriceSet", "discountedUnitPriceSet",
                                                         "discountedUnitPriceAfterAllDiscountsSet")},
        **{key: money_bag(total) for key in ("originalTotalSet", "discountedTotalSet", "unfulfilledOriginalTotalSet",
                                              "unfulfilledDiscountedTotalSet", "priceAfterAllDiscountsBeforeTaxesSet")},
        "totalDiscountSet": money_bag(0),
        "variant": lambda info: variant_node(ctx, product, variant),
        "product": lambda info: product_node(ctx, product),
    }  # fmt: skip
