"""JSON Schemas (OpenAPI 3.0 components) for the API's bodies, and query parameters of the list routes.

Data only: `app.api.openapi` assembles them. Keep each schema next to what the route really accepts.
"""

from __future__ import annotations

from app.api.openapi_feed import FEED_QUERIES, FEED_SCHEMAS

STR = {"type": "string"}
NSTR = {"type": "string", "nullable": True}
INT = {"type": "integer"}
MONEY = {"type": "string", "pattern": r"^\d+\.\d{2}$", "example": "19.90"}
NMONEY = {**MONEY, "nullable": True}
MONEY_IN = {"oneOf": [{"type": "string", "example": "19.90"}, {"type": "number", "minimum": 0}]}
TIME = {"type": "string", "format": "date-time", "nullable": True}
STATUS = {"type": "string", "enum": ["active", "draft", "archived"]}
STOCK = {
    "type": "object",
    "properties": {"on_hand": INT, "reserved": INT, "available": INT},
}


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


VARIANT_IN = {
    "type": "object",
    "required": ["price"],
    "properties": {
        "title": STR,
        "sku": STR,
        "price": MONEY_IN,
        "compare_at_price": MONEY_IN,
        "inventory_quantity": {"type": "integer", "minimum": 0},
    },  # fmt: skip
}

SCHEMAS = {
    "Location": {
        "type": "object",
        "properties": {
            "id": INT,
            "integration_id": INT,
            "shopify_location_id": STR,
            "name": STR,
            "active": {"type": "boolean"},
            "fulfills_online_orders": {"type": "boolean"},
            "sell_from": {
                "type": "boolean",
                "nullable": True,
                "description": "The merchant's choice; null = the default rule.",
            },
            "sells": {"type": "boolean", "description": "The channels sell this location's stock now."},
            "default": {
                "type": "boolean",
                "description": "What the default rule says: active and fulfils online orders.",
            },
            "stock": {
                "type": "object",
                "properties": {"variants": INT, "on_hand": INT, "available": INT, "committed": INT},
            },
        },
    },  # fmt: skip
    "LocationList": {
        "type": "object",
        "properties": {"locations": {"type": "array", "items": ref("Location")}},
    },
    "LocationPatch": {
        "type": "object",
        "required": ["sell_from"],
        "additionalProperties": False,
        "properties": {
            "sell_from": {
                "type": "boolean",
                "nullable": True,
                "description": "Sell this location's stock (true), not (false), or the default rule (null).",
            }
        },
    },  # fmt: skip
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {"error": STR, "fields": {"type": "object", "additionalProperties": STR}},
    },
    "Variant": {
        "type": "object",
        "properties": {
            "id": INT,
            "title": STR,
            "sku": NSTR,
            "position": INT,
            "price": MONEY,
            "compare_at_price": NMONEY,
            "inventory_quantity": INT,
            "option_values": {"type": "array", "items": {"type": "object"}},
        },  # fmt: skip
    },
    "Product": {
        "type": "object",
        "properties": {
            "id": INT,
            "title": STR,
            "handle": NSTR,
            "vendor": NSTR,
            "product_type": NSTR,
            "status": STATUS,
            "tags": {"type": "array", "items": STR},
            "description_html": NSTR,
            "category": {"type": "object", "nullable": True, "properties": {"id": INT, "name": STR}},
            "price_min": NMONEY,
            "price_max": NMONEY,
            "currency": NSTR,
            "images": {"type": "array", "items": {}},
            "shopify_product_id": NSTR,
            "platform_sync": {
                "type": "object",
                "description": "{shopify: {synced, last_sync_at}, facebook: {status}}",
            },
            "stock": STOCK,
            "variants": {"type": "array", "items": ref("Variant")},
            "created_at": TIME,
            "updated_at": TIME,
        },  # fmt: skip
    },
    "ProductInput": {
        "type": "object",
        "required": ["title"],
        "description": "One variant from price/sku/inventory_quantity, or several in `variants`.",
        "properties": {
            "title": {"type": "string", "minLength": 1, "maxLength": 500},
            "vendor": STR,
            "product_type": STR,
            "status": STATUS,
            "tags": {"oneOf": [STR, {"type": "array", "items": STR}]},
            "category_id": {"type": "integer", "nullable": True},
            "description_html": STR,
            "handle": STR,
            "price": MONEY_IN,
            "compare_at_price": MONEY_IN,
            "sku": STR,
            "inventory_quantity": {"type": "integer", "minimum": 0},
            "variant_title": STR,
            "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
            "variants": {"type": "array", "minItems": 1, "maxItems": 100, "items": VARIANT_IN},
        },  # fmt: skip
        "additionalProperties": False,
    },
    "ProductPatch": {
        "type": "object",
        "properties": {
            "title": {"type": "string", "minLength": 1, "maxLength": 500},
            "vendor": NSTR,
            "product_type": NSTR,
            "status": STATUS,
            "tags": {"oneOf": [NSTR, {"type": "array", "items": STR}]},
            "category_id": {"type": "integer", "nullable": True},
            "description_html": NSTR,
            "handle": NSTR,
            "price": {**MONEY_IN, "description": "Single-variant products only."},
        },  # fmt: skip
        "additionalProperties": False,
    },
    "ProductList": {
        "type": "object",
        "properties": {"products": {"type": "array", "items": ref("Product")}, "next_cursor": NSTR},
    },
    "BulkInput": {
        "type": "object",
        "required": ["action", "ids"],
        "properties": {
            "action": {"type": "string", "enum": ["delete", "status", "push_facebook", "resync_shopify"]},
            "ids": {"type": "array", "items": INT, "minItems": 1, "maxItems": 10000},
            "status": {**STATUS, "description": "The new status, for action=status."},
        },
        "additionalProperties": False,
    },
    "BulkProgress": {
        "type": "object",
        "properties": {
            "id": STR,
            "action": STR,
            "status": {"type": "string", "enum": ["queued", "running", "done", "failed"]},
            "total": INT,
            "done": INT,
            "percent": INT,
            "message": STR,
            "status_url": STR,
        },  # fmt: skip
    },
    "OrderItem": {
        "type": "object",
        "properties": {
            "id": INT,
            "variant_id": {"type": "integer", "nullable": True},
            "product_id": {"type": "integer", "nullable": True},
            "sku": NSTR,
            "title": STR,
            "quantity": INT,
            "unit_price": NMONEY,
            "total_price": NMONEY,
        },  # fmt: skip
    },
    "Order": {
        "type": "object",
        "properties": {
            "id": INT,
            "number": NSTR,
            "source_platform": STR,
            "external_id": NSTR,
            "status": {"type": "string", "enum": ["draft", "open", "committed", "cancelled"]},
            "customer": {"type": "object", "properties": {"name": NSTR, "phone": NSTR, "email": NSTR}},
            "currency": NSTR,
            "subtotal_price": NMONEY,
            "total_price": NMONEY,
            "financial_status": NSTR,
            "fulfillment_status": NSTR,
            "conversation_id": {"type": "integer", "nullable": True},
            "items": {"type": "array", "items": ref("OrderItem")},
            "cancelled_at": TIME,
            "created_at": TIME,
            "updated_at": TIME,
        },  # fmt: skip
    },
    "OrderInput": {
        "type": "object",
        "required": ["items"],
        "properties": {
            "source_platform": {"type": "string", "enum": ["whatsapp", "facebook", "agent"]},
            "status": {"type": "string", "enum": ["draft", "open"]},
            "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
            "external_id": STR,
            "number": STR,
            "customer_name": STR,
            "customer_phone": STR,
            "customer_email": {"type": "string", "format": "email"},
            "items": {
                "type": "array",
                "minItems": 1,
                "maxItems": 250,
                "items": {
                    "type": "object",
                    "required": ["variant_id"],
                    "properties": {
                        "variant_id": INT,
                        "quantity": {"type": "integer", "minimum": 1},
                        "unit_price": MONEY_IN,
                    },
                },
            },
        },  # fmt: skip
        "additionalProperties": False,
    },
    "OrderPatch": {
        "type": "object",
        "properties": {
            "status": {"type": "string", "enum": ["draft", "open", "committed", "cancelled"]},
            "customer_name": NSTR,
            "customer_phone": NSTR,
            "customer_email": NSTR,
            "financial_status": NSTR,
            "fulfillment_status": NSTR,
        },  # fmt: skip
        "additionalProperties": False,
    },
    "OrderList": {
        "type": "object",
        "properties": {"orders": {"type": "array", "items": ref("Order")}, "next_cursor": NSTR},
    },
}


def _q(name: str, schema: dict, description: str) -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


QUERIES = {
    "ProductListQuery": [
        _q("q", STR, "Search title, vendor, type and tags (word prefixes) and SKUs (prefix)."),
        _q("status", STATUS, "Only products with this status."),
        _q("category", INT, "Only products in this category id."),
        _q("collection", INT, "Only products in this collection id."),
        _q("location", INT, "Only products with units available at this location id (sold from or not)."),
        _q(
            "platform",
            {
                "type": "string",
                "enum": [
                    "shopify_synced",
                    "shopify_not_synced",
                    "facebook_pushed",
                    "facebook_pending",
                    "facebook_error",
                    "facebook_none",
                ],
            },
            "Platform sync state.",
        ),  # fmt: skip
        _q("stock", {"type": "string", "enum": ["in", "out"]}, "In stock: some variant has units available."),
        _q(
            "sort",
            {
                "type": "string",
                "enum": ["title", "-title", "price", "-price", "updated", "-updated", "stock", "-stock"],
            },
            "Sort key; '-' for descending. Default -updated.",
        ),  # fmt: skip
        _q("cursor", STR, "`next_cursor` of the previous page."),
        _q("limit", {"type": "integer", "minimum": 1, "maximum": 200}, "Page size (default 50)."),
    ],
    "LocationListQuery": [_q("integration", INT, "Only the locations of this store (integration id).")],
    "OrderListQuery": [
        _q("platform", {"type": "string", "enum": ["shopify", "whatsapp", "facebook", "agent"]}, "Source."),
        _q("status", {"type": "string", "enum": ["draft", "open", "committed", "cancelled"]}, "Status."),
        _q("date_from", {"type": "string", "format": "date"}, "Created on or after this day (UTC)."),
        _q("date_to", {"type": "string", "format": "date"}, "Created on or before this day (UTC)."),
        _q("cursor", STR, "`next_cursor` of the previous page."),
        _q("limit", {"type": "integer", "minimum": 1, "maximum": 100}, "Page size (default 50)."),
    ],
}
SCHEMAS.update(FEED_SCHEMAS)
QUERIES.update(FEED_QUERIES)
