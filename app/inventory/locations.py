"""Stock per location: a shop's locations as rows, a variant's level at one of them, and the on-hand figure
the stock rule derives from those levels.

`refresh_on_hand` is the only writer of `product_variant.inventory_quantity` for a variant with location
levels: on hand = `app.catalog.stock.sellable_on_hand` (the sum over the locations sold from) plus our
commits Shopify has not applied yet. Callers hold the variant locks (`app.inventory.levels.lock_variants`)
inside a `stock_transaction`. This module must not call Shopify.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, select, update

from app.catalog.stock import has_location_levels, sellable_on_hand, sells_from
from app.extensions import db
from app.id_chunks import chunks
from app.models import Integration, InventoryAdjustment, Location, ProductVariant, VariantLocationStock
from app.models.types import utcnow


def location_gid(location_id: str | int) -> str:
    """Webhooks send `655441491`, GraphQL sends `gid://shopify/Location/655441491`."""
    return f"gid://shopify/Location/{str(location_id).strip().rsplit('/', 1)[-1]}"


def shopify_integration_id(workspace_id: int) -> int | None:
    stmt = (
        select(Integration.id)
        .where(Integration.workspace_id == workspace_id, Integration.platform == "shopify")
        .order_by(Integration.id)
    )
    return db.session.scalars(stmt).first()


def upsert_location(
    workspace_id: int,
    integration_id: int,
    shopify_location_id: str | int,
    *,
    name: str | None = None,
    active: bool | None = None,
    fulfills_online_orders: bool | None = None,
) -> Location:
    """The store's location row, created if unknown (active and fulfilling online orders, as Shopify's
    defaults, until a sync reads it); given fields overwrite the stored ones. The merchant's `sell_from`
    choice is never touched here."""
    gid = location_gid(shopify_location_id)
    location = db.session.scalars(
        select(Location).where(Location.integration_id == integration_id, Location.shopify_location_id == gid)
    ).first()
    if location is None:
        location = Location(workspace_id=workspace_id, integration_id=integration_id, shopify_location_id=gid,
                            name=name or gid, active=True if active is None else active,
                            fulfills_online_orders=True if fulfills_online_orders is None else fulfills_online_orders)  # fmt: skip
        db.session.add(location)
    else:
        for field, value in (
            ("name", name),
            ("active", active),
            ("fulfills_online_orders", fulfills_online_orders),
        ):
            if value is not None and getattr(location, field) != value:
                setattr(location, field, value)
    db.session.flush()
    return location


def on_hand_of(available: int, committed: int, on_hand: int | None) -> int:
    """Shopify's on hand, or without it (a webhook carries `available` alone) available + committed: the
    units committed to orders are still on hand, as Shopify counts it."""
    return available + committed if on_hand is None else on_hand


def write_level(
    variant: ProductVariant,
    location: Location,
    *,
    available: int,
    on_hand: int | None = None,
    committed: int | None = None,
    updated_at: datetime | None = None,
) -> bool:
    """Store Shopify's level of `variant` at `location`; a level older than the stored one is ignored.
    Returns whether it was stored. The caller refreshes on hand (`refresh_on_hand`) afterwards."""
    level = db.session.get(VariantLocationStock, (variant.id, location.id), populate_existing=True)
    if level is None:
        level = VariantLocationStock(
            variant_id=variant.id, location_id=location.id, workspace_id=variant.workspace_id
        )
        db.session.add(level)
    elif (
        updated_at is not None
        and level.source_updated_at is not None
        and level.source_updated_at > updated_at
    ):
        return False
    level.available = available
    level.committed = (level.committed or 0) if committed is None else committed
    level.on_hand = on_hand_of(available, level.committed, on_hand)
    if updated_at is not None:
        level.source_updated_at = updated_at
    db.session.flush()
    return True


def refresh_on_hand(workspace_id: int, variant_ids: Iterable[int], *, of_products: bool = False) -> None:
    """Set each variant's on hand from its location levels by the stock rule (variants with no level at any
    location keep theirs). With `of_products`, the ids are products' and all their variants are set (a
    products sync wrote Shopify's all-locations total there). The 0004 triggers carry the change into
    `product_stock`."""
    ids = sorted({int(v) for v in variant_ids})
    if not ids:
        return
    column = ProductVariant.product_id if of_products else ProductVariant.id
    pending = (
        select(func.coalesce(func.sum(InventoryAdjustment.delta), 0))
        .where(InventoryAdjustment.variant_id == ProductVariant.id, InventoryAdjustment.status == "pending")
        .scalar_subquery()
    )
    now = utcnow()
    for batch in chunks(ids):
        db.session.execute(
            update(ProductVariant)
            .where(
                ProductVariant.workspace_id == workspace_id,
                column.in_(batch),
                has_location_levels(ProductVariant.id),
            )
            .values(inventory_quantity=sellable_on_hand(ProductVariant.id) + pending, updated_at=now)
            .execution_options(synchronize_session=False)
        )


def pick_location(variant: ProductVariant) -> tuple[str, int] | None:
    """The stated rule for where a sale of `variant` is debited: **the location it sells from with the most
    available stock** (Shopify's figure plus our changes to it not applied yet; ties go to the oldest row).
    Returns (location gid, the quantity Shopify should hold there before the change, for
    `changeFromQuantity`), or None for a variant without location levels. Caller holds the variant lock."""
    pending = (
        select(func.coalesce(func.sum(InventoryAdjustment.delta), 0))
        .where(
            InventoryAdjustment.variant_id == variant.id,
            InventoryAdjustment.status == "pending",
            InventoryAdjustment.location_gid == Location.shopify_location_id,
        )
        .scalar_subquery()
    )
    expected = (VariantLocationStock.available + pending).label("expected")
    row = db.session.execute(
        select(Location.shopify_location_id, expected)
        .join(Location, Location.id == VariantLocationStock.location_id)
        .where(VariantLocationStock.variant_id == variant.id, sells_from())
        .order_by(expected.desc(), Location.id)
        .limit(1)
    ).first()
    return (row[0], int(row[1])) if row else None


def expected_at(variant: ProductVariant, location_gid: str) -> int | None:
    """What Shopify should hold of `variant` at `location_gid` once our pending changes there apply."""
    row = db.session.execute(
        select(VariantLocationStock.available)
        .join(Location, Location.id == VariantLocationStock.location_id)
        .where(VariantLocationStock.variant_id == variant.id, Location.shopify_location_id == location_gid)
    ).first()
    if row is None:
        return None
    pending = db.session.scalar(
        select(func.coalesce(func.sum(InventoryAdjustment.delta), 0)).where(
            InventoryAdjustment.variant_id == variant.id,
            InventoryAdjustment.status == "pending",
            InventoryAdjustment.location_gid == location_gid,
        )
    )
    return int(row[0]) + int(pending or 0)
