"""The stock rule, and the stock every reader sees: on hand, held and available, per variant or per product.

THE rule lives here and only here: **on hand = the sum of Shopify's available quantity over the locations
the merchant sells from** (`sells_from`: a location's `sell_from` choice, by default the active locations
that fulfil online orders; `sellable_on_hand`), **minus our commits Shopify has not applied yet**, and
**available = on hand - units held by active, unexpired reservations, never below zero** (`available`); a
reservation holds stock while `holds_stock` says so. On hand is stored in `product_variant.inventory_quantity`
by `app.inventory.levels.refresh_on_hand` whenever a location's level changes (a variant without any
location level keeps the figure it was given), so every reader below and the triggers behind
`product_stock.on_hand` follow it without a second copy of the sum. The inventory
service (reserve, commit), the Products page and API (stock figures, the stock filter and sort), the catalog
search ("in stock") and the agent tools all read stock through the functions below, so when stock per
location changes the rule it changes in one place. (`product_stock.on_hand`, kept by the triggers of
migration 0004, is the same figure for a product without active reservations: change both together.)

Reads only: locks and writes are `app.inventory.levels`' job. May import `app.models` and `app.extensions`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Integer, and_, func, literal, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from app.extensions import db
from app.models import Location, ProductVariant, Reservation, VariantLocationStock
from app.models.scoping import WorkspaceScope
from app.models.types import utcnow


class _NotBelowZero(FunctionElement):
    """`greatest(x, 0)`: the value is computed once (a CASE would run a held-units subquery twice)."""

    type = Integer()
    name = "not_below_zero"
    inherit_cache = True


@compiles(_NotBelowZero)
def _greatest(element, compiler, **kw):
    return f"greatest({compiler.process(element.clauses, **kw)}, 0)"


@compiles(_NotBelowZero, "sqlite")
def _max(element, compiler, **kw):
    return f"max({compiler.process(element.clauses, **kw)}, 0)"


def sells_from():
    """The criterion of a location whose stock the channels sell: active, and chosen by the merchant
    (`sell_from`), by default when it fulfils online orders."""
    return and_(
        Location.active.is_(True),
        func.coalesce(Location.sell_from, Location.fulfills_online_orders).is_(True),
    )


def sellable_on_hand(variant_id):
    """Shopify's available units of the variant `variant_id` (an SQL value) summed over the locations it
    sells from: a correlated subquery."""
    return (
        select(func.coalesce(func.sum(VariantLocationStock.available), literal(0)))
        .join(Location, Location.id == VariantLocationStock.location_id)
        .where(VariantLocationStock.variant_id == variant_id, sells_from())
        .scalar_subquery()
    )


def has_location_levels(variant_id):
    """The variant `variant_id` has a stock level at some location (its on hand then comes from them)."""
    return (
        select(VariantLocationStock.variant_id).where(VariantLocationStock.variant_id == variant_id).exists()
    )


def unreserved(on_hand, held):
    """What on hand leaves once the holds are served, as SQL: below zero when Shopify sold under the holds."""
    return on_hand - held


def available(on_hand, held):
    """The rule, as one SQL expression over two SQL values: what is left for sale, never below zero."""
    return _NotBelowZero(unreserved(on_hand, held))


def holds_stock(now: datetime | None = None) -> tuple:
    """The criteria of a reservation that holds stock at `now` (default: the current time)."""
    return (Reservation.status == "active", Reservation.expires_at > (now or utcnow()))


def held_by(variant, now: datetime | None = None):
    """Units of `variant` (a variant table, alias or `.c` collection) held at `now`: a correlated subquery."""
    return (
        select(func.coalesce(func.sum(Reservation.quantity), 0))
        .where(Reservation.variant_id == variant.id, *holds_stock(now))
        .scalar_subquery()
    )


def in_stock(variant, now: datetime | None = None):
    """`variant` has stock for sale: `available(...) > 0`, tested as `unreserved(...) > 0` (the same, without
    the clamp). The on-hand test comes first: it is cheap, and without stock on hand nothing is available, so
    the reservation subquery runs only for variants that have some."""
    return and_(
        variant.inventory_quantity > 0, unreserved(variant.inventory_quantity, held_by(variant, now)) > 0
    )


def product_available(variants, product_id, now: datetime | None = None):
    """A product's available stock (the sum over its variants, each never below zero): a correlated subquery
    over `variants` (an alias of the variant table, as a `.c` collection) for the product `product_id`."""
    per_variant = available(variants.inventory_quantity, held_by(variants, now))
    return (
        select(func.coalesce(func.sum(per_variant), 0))
        .where(variants.product_id == product_id)
        .scalar_subquery()
    )


@dataclass(frozen=True)
class StockLevel:
    variant_id: int
    on_hand: int  # inventory_quantity, Shopify's available quantity as we last saw it minus our commits
    reserved: int  # held by active, unexpired reservations
    available: int  # what can still be reserved; never below 0 even if Shopify dropped under the holds

    @property
    def in_stock(self) -> bool:
        return self.available > 0

    def as_dict(self) -> dict:
        return {
            "variant_id": self.variant_id,
            "on_hand": self.on_hand,
            "reserved": self.reserved,
            "available": self.available,
            "in_stock": self.in_stock,
        }


def workspace_id_of(scope_or_workspace_id: WorkspaceScope | int) -> int:
    if isinstance(scope_or_workspace_id, WorkspaceScope):
        return scope_or_workspace_id.workspace_id
    if not scope_or_workspace_id:
        raise ValueError("a stock operation needs a workspace")
    return int(scope_or_workspace_id)


def _holds_on_variant(now: datetime | None, exclude_ids: Iterable[int] = ()):
    criteria = [Reservation.variant_id == ProductVariant.id, *holds_stock(now)]
    excluded = list(exclude_ids)
    if excluded:
        criteria.append(Reservation.id.not_in(excluded))
    return and_(*criteria)


def _level_columns(now: datetime | None, exclude_ids: Iterable[int] = ()):
    reserved = func.coalesce(func.sum(Reservation.quantity), 0)
    return (
        select(
            ProductVariant.inventory_quantity,
            reserved,
            available(ProductVariant.inventory_quantity, reserved),
        )
        .outerjoin(Reservation, _holds_on_variant(now, exclude_ids))
        .group_by(ProductVariant.id, ProductVariant.inventory_quantity)
    )


def _level(variant_id: int, on_hand, held, left) -> StockLevel:
    return StockLevel(variant_id, int(on_hand or 0), int(held or 0), int(left or 0))


def stock_levels(
    scope_or_workspace_id: WorkspaceScope | int,
    variant_ids: Iterable[int],
    *,
    now: datetime | None = None,
    exclude_reservations: Iterable[int] = (),
) -> dict[int, StockLevel]:
    """On hand, reserved and available for many variants of one workspace, in one query. Reservations in
    `exclude_reservations` are not counted (an order committing its own holds)."""
    workspace_id = workspace_id_of(scope_or_workspace_id)
    ids = list({int(v) for v in variant_ids})
    if not ids:
        return {}
    stmt = (
        _level_columns(now, exclude_reservations)
        .add_columns(ProductVariant.id)
        .where(ProductVariant.workspace_id == workspace_id, ProductVariant.id.in_(ids))
    )
    return {row[3]: _level(row[3], *row[:3]) for row in db.session.execute(stmt)}


def product_variant_levels(
    scope_or_workspace_id: WorkspaceScope | int, product_ids: Iterable[int], *, now: datetime | None = None
) -> list[tuple[int, str | None, StockLevel]]:
    """(product id, SKU, level) of every variant of the workspace's products, in one query, each product's
    variants in their display order (position, then id). Lets a product list show stock and SKUs without
    loading the variants themselves."""
    workspace_id = workspace_id_of(scope_or_workspace_id)
    ids = list({int(p) for p in product_ids})
    if not ids:
        return []
    variant = ProductVariant
    stmt = (
        _level_columns(now)
        .add_columns(variant.product_id, variant.id, variant.sku)
        .where(variant.workspace_id == workspace_id, variant.product_id.in_(ids))
        .group_by(variant.product_id, variant.sku, variant.position)
        .order_by(variant.product_id, variant.position, variant.id)
    )
    return [
        (product_id, sku, _level(variant_id, on_hand, held, left))
        for on_hand, held, left, product_id, variant_id, sku in db.session.execute(stmt)
    ]


def _active_holds(workspace_id: int, now: datetime):
    return (Reservation.workspace_id == workspace_id, *holds_stock(now))


def held_products(workspace_id: int, now: datetime):
    """A SELECT of the ids of the workspace's products with an active reservation unexpired at `now`."""
    return (
        select(ProductVariant.product_id)
        .join(Reservation, Reservation.variant_id == ProductVariant.id)
        .where(*_active_holds(workspace_id, now))
    )


def held_product_availability(workspace_id: int, now: datetime) -> dict[int, int]:
    """{product_id: available} of the products in `held_products`, summed over all their variants (each
    variant never below zero), in one grouped query: active reservations are few, so this stays small."""
    holds = (
        select(Reservation.variant_id, func.sum(Reservation.quantity).label("quantity"))
        .where(*_active_holds(workspace_id, now))
        .group_by(Reservation.variant_id)
        .subquery()
    )
    per_variant = available(ProductVariant.inventory_quantity, func.coalesce(holds.c.quantity, 0))
    stmt = (
        select(ProductVariant.product_id, func.sum(per_variant))
        .outerjoin(holds, holds.c.variant_id == ProductVariant.id)
        .where(
            ProductVariant.workspace_id == workspace_id,
            ProductVariant.product_id.in_(held_products(workspace_id, now)),
        )
        .group_by(ProductVariant.product_id)
    )
    return {product_id: int(left or 0) for product_id, left in db.session.execute(stmt)}
