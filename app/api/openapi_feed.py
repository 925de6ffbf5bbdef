"""OpenAPI components of the product feed route: its query parameters and one line of the feed. Data only."""

from __future__ import annotations

_STR = {"type": "string"}
_BOOL = {"type": "boolean"}


def _q(name: str, schema: dict, description: str) -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


FEED_SCHEMAS = {
    "FeedRow": {
        "description": "One line of the feed. shape=variants: OpenAI's product feed row for one purchasable "
        "variant (below). shape=products: one ACP Product (schema.feed.json, ACP 2026-04-17) with its variants.",
        "type": "object",
        "required": [
            "is_eligible_search",
            "is_eligible_checkout",
            "item_id",
            "title",
            "description",
            "url",
            "brand",
            "price",
            "availability",
            "image_url",
            "seller_name",
            "target_countries",
            "store_country",
        ],  # fmt: skip
        "properties": {
            "is_eligible_search": {**_BOOL, "description": "False for a product that left the feed (delta)."},
            "is_eligible_checkout": {**_BOOL, "enum": [False], "description": "Checkout is not hosted here."},
            "item_id": {**_STR, "description": "The variant's id (what the agent tools call variant_id)."},
            "title": _STR,
            "description": {**_STR, "description": "Plain text."},
            "url": {**_STR, "format": "uri"},
            "brand": _STR,
            "price": {**_STR, "example": "79.99 USD"},
            "sale_price": {**_STR, "example": "59.99 USD"},
            "availability": {**_STR, "enum": ["in_stock", "out_of_stock"]},
            "inventory_quantity": {
                "type": "integer",
                "minimum": 0,
                "description": "Available, net of holds.",
            },
            "image_url": {**_STR, "format": "uri"},
            "additional_image_urls": {**_STR, "description": "Comma-separated."},
            "group_id": {**_STR, "description": "The product's id."},
            "listing_has_variations": _BOOL,
            "item_group_title": _STR,
            "color": _STR,
            "size": _STR,
            "product_category": _STR,
            "condition": {**_STR, "enum": ["new"]},
            "seller_name": _STR,
            "seller_url": {**_STR, "format": "uri"},
            "target_countries": {"type": "array", "items": {**_STR, "pattern": "^[A-Z]{2}$"}},
            "store_country": {**_STR, "pattern": "^[A-Z]{2}$"},
        },
    },
}

FEED_QUERIES = {
    "FeedQuery": [
        _q(
            "format",
            {**_STR, "enum": ["jsonl", "csv"], "default": "jsonl"},
            "JSON Lines or CSV (variant rows).",
        ),
        _q(
            "shape",
            {**_STR, "enum": ["variants", "products"], "default": "variants"},
            "One row per variant (OpenAI's product feed) or one ACP Product per line.",
        ),  # fmt: skip
        _q(
            "since",
            {**_STR, "format": "date-time"},
            "Only what changed after this time (the X-Feed-Generated-At of the previous read).",
        ),  # fmt: skip
    ],
}
