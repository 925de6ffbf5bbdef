"""Agent tool calls as a merchant reads them: "Searched products for “tshirt” → 3 found: T-Shirt, ..." instead
of raw JSON (conversations and Settings → Agents). The raw arguments and results stay available to fold out.

Pure functions over a call's name, arguments and result (dicts, JSON text or the log's short summary); never
raises on an odd shape, never reads the database or the request.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

ACTIONS = {
    "product_search": "Searched products",
    "get_product": "Looked up a product",
    "check_availability": "Checked stock",
    "create_order": "Created an order",
    "add_to_order": "Added to an order",
    "cancel_order": "Cancelled an order",
    "get_order_status": "Checked an order",
    "shopify_get_product_live": "Read a product live from Shopify",
    "whatsapp_send_product": "Sent a product on WhatsApp",
    "whatsapp_send_product_list": "Sent a product list on WhatsApp",
    "facebook_catalog_status": "Checked the Facebook catalog",
    "handoff_to_human": "Handed over to a person",
}
# The arguments worth a mention, in this order; the rest stay in the raw view.
KEY_ARGUMENTS = ("query", "category", "collection", "price_min", "price_max", "in_stock_only", "product_id",
                 "handle", "variant_id", "sku", "quantity", "order_id", "reason", "status")  # fmt: skip
NAMED_IN_RESULT = 5  # titles named in a one-line outcome; the count always says how many there were


@dataclass(frozen=True)
class Summary:
    action: str
    details: str  # the key arguments, "query “tshirt” · in stock only"
    outcome: str  # "3 found: T-Shirt, ...", "failed: No variant 12"
    ok: bool


def _decoded(value):
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _short(value, limit: int = 60) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _details(arguments) -> str:
    if not isinstance(arguments, dict):
        return _short(arguments) if arguments else ""
    parts = []
    for key in KEY_ARGUMENTS:
        value = arguments.get(key)
        if value in (None, "", [], {}, False):
            continue
        label = key.replace("_", " ")
        parts.append(
            label
            if value is True
            else f"{label} “{_short(value)}”"
            if isinstance(value, str)
            else f"{label} {_short(value)}"
        )
    items = arguments.get("items")
    if isinstance(items, list):
        parts.append(f"{len(items)} item{'s' if len(items) != 1 else ''}")
    return " · ".join(parts)


def _named(rows: list, key: str = "title") -> str:
    titles = [str(r.get(key)) for r in rows if isinstance(r, dict) and r.get(key)]
    shown = ", ".join(titles[:NAMED_IN_RESULT])
    more = len(titles) - NAMED_IN_RESULT
    return shown + (f" and {more} more" if more > 0 else "")


def _outcome(result) -> tuple[str, bool]:
    if result is None:
        return "", True
    if not isinstance(result, dict):
        return _short(result), True
    error = result.get("error")
    if error:
        message = error.get("message") if isinstance(error, dict) else error
        return f"failed: {_short(message, 120)}", False
    if isinstance(result.get("products"), list):
        rows = result["products"]
        return (f"{len(rows)} found" + (f": {_named(rows)}" if rows else "")), True
    if "can_sell" in result:
        title = result.get("product_title") or "the variant"
        return (
            f"{title}: {result.get('available', 0)} available, {'can' if result['can_sell'] else 'cannot'} sell {result.get('requested', 1)}",
            True,
        )
    if "order_id" in result and "status" in result:
        items = result.get("items") if isinstance(result.get("items"), list) else []
        return f"order #{result['order_id']} {result['status']}" + (
            f", {len(items)} item{'s' if len(items) != 1 else ''}" if items else ""
        ), True
    if "sent" in result:
        return ("sent" if result["sent"] else "not sent (dry run)"), True
    if "handed_off" in result:
        return "waiting for a person", True
    if result.get("title"):
        return str(result["title"]), True
    return "done", True


def summarise(name: str, arguments, result=None, outcome: str | None = None) -> Summary:
    """`outcome`: the call log's own outcome word ("ok", "error", ...) when there is no result to read."""
    text, ok = _outcome(_decoded(result))
    if outcome is not None and result is None:
        ok = outcome == "ok"
        text = "" if ok else outcome.replace("_", " ")
    action = ACTIONS.get(name, name.replace("_", " ").capitalize())
    return Summary(action=action, details=_details(_decoded(arguments)), outcome=text, ok=ok)
