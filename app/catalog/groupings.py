"""The product groupings a list or a search may be narrowed to: a collection, and a location's stock.

One definition each, shared by the Products page and `GET /api/products` (`app.catalog.listing`) and by the
ranked search of the agent tools (`app.catalog.search`), so "in collection X" and "stocked at location Y"
mean the same wherever a merchant or a buyer asks. Each criterion is a SELECT of product ids confined to one
workspace: another workspace's collection or location lists nothing. Also the lists the filters offer.

Reads only; may import `app.models` and `app.extensions`.
"""

from __future__ import annotations

from sqlalchemy import func, or_, select

from app.catalog.stock import sells_from
from app.extensions import db
from app.models import Collection, CollectionProduct, Location, ProductVariant, VariantLocationStock
from app.models.scoping import WorkspaceScope


def in_collection(workspace_id: int, collection_id: int):
    """Ids of the products in the workspace's collection `collection_id`."""
    return (
        select(CollectionProduct.product_id)
        .join(Collection, Collection.id == CollectionProduct.collection_id)
        .where(Collection.id == collection_id, Collection.workspace_id == workspace_id)
    )


def in_collection_named(workspace_id: int, name: str):
    """Ids of the products in the workspace's collections whose handle or title is `name` (any case): how a
    buyer or an agent names a collection ("summer-sale", "Summer sale")."""
    wanted = name.strip().lower()
    return (
        select(CollectionProduct.product_id)
        .join(Collection, Collection.id == CollectionProduct.collection_id)
        .where(
            Collection.workspace_id == workspace_id,
            or_(func.lower(Collection.handle) == wanted, func.lower(Collection.title) == wanted),
        )
    )


def stocked_at(workspace_id: int, location_id: int):
    """Ids of the products with a variant Shopify lists as available (> 0) at the workspace's location
    `location_id`, whether or not the merchant sells from it."""
    return (
        select(ProductVariant.product_id)
        .join(VariantLocationStock, VariantLocationStock.variant_id == ProductVariant.id)
        .where(
            VariantLocationStock.location_id == location_id,
            VariantLocationStock.workspace_id == workspace_id,
            VariantLocationStock.available > 0,
        )
    )


def collections(scope: WorkspaceScope) -> list[Collection]:
    return list(
        db.session.scalars(scope.select(Collection).order_by(func.lower(Collection.title), Collection.id))
    )


def locations(scope: WorkspaceScope) -> list[tuple[Location, bool]]:
    """The workspace's locations with whether the channels sell from each (the stock rule's `sells_from`),
    by store then name."""
    stmt = (
        scope.select(Location)
        .add_columns(sells_from())
        .order_by(Location.integration_id, Location.name, Location.id)
    )
    return [(location, bool(sold)) for location, sold in db.session.execute(stmt)]
