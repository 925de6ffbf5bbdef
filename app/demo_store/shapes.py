"""Which catalog a shop has: ``uniform`` (`catalog.py`, the default) or ``awkward`` (`awkward.py`).

The one place that dispatches on the catalog kind for base records; everything else asks here.
"""

from __future__ import annotations

from app.demo_store import awkward, awkward_orders, catalog

KINDS = ("uniform", "awkward")


def check(kind: str) -> str:
    if kind not in KINDS:
        raise ValueError(f"unknown catalog {kind!r}; use one of {', '.join(KINDS)}")
    return kind


def base_product(kind: str, seed: int, i: int) -> dict:
    return awkward.base_product(seed, i) if kind == "awkward" else catalog.base_product(seed, i)


def base_order(kind: str, seed: int, j: int, product_count: int) -> dict:
    if kind == "awkward":
        return awkward_orders.base_order(seed, j, product_count)
    return catalog.base_order(seed, j, product_count)


def sizes(kind: str, products: int | None, orders: int | None, defaults: tuple[int, int]) -> tuple[int, int]:
    """(products, orders) of a new shop: the awkward catalog always holds its special records."""
    if kind != "awkward":
        return (defaults[0] if products is None else products, defaults[1] if orders is None else orders)
    products = awkward.DEFAULT_PRODUCTS if products is None else max(products, awkward.SPECIALS)
    orders = awkward_orders.DEFAULT_ORDERS if orders is None else max(orders, awkward_orders.MIN_ORDERS)
    return products, orders
