"""Orders of the awkward catalog: long, split-fulfilled and refunded. Plain data only.

0. 500 line items (variants of the 2,048-variant product) and two fulfillments: lines 1-300 delivered by
   UPS, lines 301-450 in transit with DHL, the last 50 unfulfilled (``PARTIALLY_FULFILLED``);
1. three lines, fulfilled, then partially refunded (one unit returned and restocked, one not restocked);
2+. one to four lines across the catalog, unfulfilled.

A record is ``uniform``'s order record plus ``fulfillments`` and ``refunds``; their line references are
``[line item id, quantity(, restock type)]``. Amounts are computed from the variants' prices where the
GraphQL objects and webhook bodies are built, so a price change shows everywhere at once.
"""

from __future__ import annotations

from datetime import timedelta

from app.demo_store import awkward, catalog
from app.demo_store.locations import STORE, WAREHOUSE

DEFAULT_ORDERS = 6
MIN_ORDERS = 2
LONG_ORDER_LINES = 500
FULFILLMENT_BASE = 4_100_000_000_000
FULFILLMENT_LINE_BASE = 4_200_000_000_000
REFUND_BASE = 900_000_000_000
REFUND_LINE_BASE = 910_000_000_000
UPS = ("UPS", "1Z999AA10123456784", "https://www.ups.com/track?tracknum=1Z999AA10123456784")
DHL = ("DHL Express", "JD014600006281230704",
       "https://www.dhl.com/en/express/tracking.html?AWB=JD014600006281230704")  # fmt: skip


def line_id(j: int, k: int) -> int:
    return catalog.LINE_ITEM_BASE + catalog.AWKWARD_OFFSET + j * catalog.AWKWARD_STRIDE + k + 1


def fulfillment_id(j: int, n: int) -> int:
    return FULFILLMENT_BASE + j * 16 + n + 1


def refund_id(j: int, n: int) -> int:
    return REFUND_BASE + j * 16 + n + 1


def variant_count(i: int) -> int:
    return len(awkward._combinations(awkward._shape(i)["options"]))  # noqa: SLF001 - same catalog


def _fulfillment(j: int, n: int, lines: list[dict], status: str, carrier: tuple, at, location: int) -> dict:
    company, number, url = carrier
    return {
        "id": fulfillment_id(j, n),
        "name": f"#{1001 + j}-F{n + 1}",
        "status": "SUCCESS",
        "display_status": status,
        "created_at": catalog.iso(at),
        "updated_at": catalog.iso(at + timedelta(hours=6)),
        "location_id": location,
        "tracking": [{"company": company, "number": number, "url": url}],
        "lines": [[line["id"], line["quantity"]] for line in lines],
    }


def base_order(seed: int, j: int, product_count: int) -> dict:
    rng = catalog._rng(seed, 12, j)  # noqa: SLF001 - the catalogs share one generator
    created = catalog.order_created_at(j)
    if j == 0:
        lines = [{"id": line_id(j, k), "product_index": 2, "variant": k, "quantity": 1 + k % 3}
                 for k in range(LONG_ORDER_LINES)]  # fmt: skip
    elif j == 1:
        picks = ((1, 0, 2), (5, 1, 1), (0, 0, 3))
        lines = [{"id": line_id(j, k), "product_index": i, "variant": v, "quantity": q}
                 for k, (i, v, q) in enumerate(picks)]  # fmt: skip
    else:
        lines = []
        for k in range(rng.randrange(1, 5)):
            i = rng.randrange(max(product_count, 1))
            lines.append({"id": line_id(j, k), "product_index": i, "variant": rng.randrange(variant_count(i)),
                          "quantity": rng.randrange(1, 4)})  # fmt: skip
    fulfillments, refunds = [], []
    financial, fulfilled = "PAID", "UNFULFILLED"
    if j == 0:
        fulfillments = [
            _fulfillment(j, 0, lines[:300], "DELIVERED", UPS, created + timedelta(days=1), WAREHOUSE),
            _fulfillment(j, 1, lines[300:450], "IN_TRANSIT", DHL, created + timedelta(days=2), STORE),
        ]
        fulfilled = "PARTIALLY_FULFILLED"
    elif j == 1:
        fulfillments = [_fulfillment(j, 0, lines, "DELIVERED", UPS, created + timedelta(days=1), WAREHOUSE)]
        moment = catalog.iso(created + timedelta(days=3))
        refunds = [{"id": refund_id(j, 0), "created_at": moment, "updated_at": moment,
                    "note": "Arrived damaged ✉ — partial refund",
                    "lines": [[lines[0]["id"], 1, "RETURN"], [lines[2]["id"], 1, "NO_RESTOCK"]]}]  # fmt: skip
        financial, fulfilled = "PARTIALLY_REFUNDED", "FULFILLED"
    first, last = rng.choice(catalog.FIRST_NAMES), rng.choice(catalog.LAST_NAMES)
    stamps = (
        [catalog.iso(created)] + [f["updated_at"] for f in fulfillments] + [r["updated_at"] for r in refunds]
    )
    return {
        "index": j,
        "id": catalog.order_id(j),
        "number": 1001 + j,
        "name": f"#{1001 + j}",
        "email": f"{first.lower()}.{last.lower()}@example.com",
        "customer_name": f"{first} {last}",
        "created_at": catalog.iso(created),
        "updated_at": max(stamps),
        "financial_status": financial,
        "fulfillment_status": fulfilled,
        "lines": lines,
        "fulfillments": fulfillments,
        "refunds": refunds,
    }


def fulfilled_quantity(order: dict) -> dict[int, int]:
    out: dict[int, int] = {}
    for fulfillment in order.get("fulfillments") or ():
        for line, quantity in fulfillment["lines"]:
            out[line] = out.get(line, 0) + quantity
    return out


def refunded_quantity(order: dict) -> dict[int, int]:
    out: dict[int, int] = {}
    for refund in order.get("refunds") or ():
        for line, quantity, _restock in refund["lines"]:
            out[line] = out.get(line, 0) + quantity
    return out


__all__ = ["base_order", "fulfilled_quantity", "refunded_quantity"]
