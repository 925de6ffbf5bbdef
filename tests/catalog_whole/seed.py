"""A small store with three locations, stock per variant per location, collections and media, written the
way a sync writes them (`upsert_location`, `write_level`, `refresh_on_hand` under the variants' locks), for
the page, API and tool tests of the merchant's view of a whole catalog."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from itertools import count

from app.extensions import db
from app.inventory.levels import lock_variants, stock_transaction
from app.inventory.locations import refresh_on_hand, upsert_location, write_level
from app.models import (
    Collection,
    CollectionProduct,
    Integration,
    Location,
    Product,
    ProductMedia,
    ProductVariant,
)
from app.models.types import utcnow

WAREHOUSE, STORE, SHOWROOM = 7_000_000_001, 7_000_000_002, 7_000_000_003
_ids = count(8_000_000_001)  # Shopify ids past int32, as real ones are


@dataclass
class Store:
    integration: Integration
    locations: dict[str, Location] = field(default_factory=dict)  # "warehouse", "store", "showroom"
    products: dict[str, Product] = field(default_factory=dict)
    collections: dict[str, Collection] = field(default_factory=dict)


def shop(workspace, domain: str = "whole-store.myshopify.com") -> Integration:
    row = Integration(workspace_id=workspace.id, platform="shopify", account_id=domain, display_name=domain,
                      status="connected", config={"currency": "EUR"}, proved_at=utcnow())  # fmt: skip
    row.set_secrets(access_token="shpat_whole")
    db.session.add(row)
    db.session.commit()
    return row


def product(workspace, integration, title: str, variants: int = 1, media: int = 0) -> Product:
    row = Product(workspace_id=workspace.id, integration_id=integration.id, title=title, currency="EUR",
                  price_min=Decimal("12.50"), price_max=Decimal("12.50"), images=[], platform_sync={},
                  shopify_product_id=f"gid://shopify/Product/{next(_ids)}")  # fmt: skip
    for m in range(media):
        row.media.append(ProductMedia(workspace_id=workspace.id, position=m + 1, media_type="IMAGE",
                                      shopify_media_id=f"gid://shopify/MediaImage/{m + 1}",
                                      url=f"https://cdn.shopify.com/s/files/1/{title[:4]}-{m + 1}.jpg",
                                      alt=f"View {m + 1} of {title}" if m % 3 else None))  # fmt: skip
    for v in range(variants):
        row.variants.append(ProductVariant(workspace_id=workspace.id, title=f"Size {v + 1}", position=v + 1,
                                           sku=f"{title[:3].upper()}-{v + 1}", price=Decimal("12.50"),
                                           inventory_quantity=0,
                                           inventory_item_id=f"gid://shopify/InventoryItem/{next(_ids)}"))  # fmt: skip
    db.session.add(row)
    db.session.commit()
    return row


def levels(workspace, integration, stock: dict[ProductVariant, dict[int, int]]) -> None:
    """Shopify's available units per variant per location (on hand = available + 1 committed)."""
    with stock_transaction():
        locked = lock_variants(workspace.id, [v.id for v in stock])
        for variant, per_location in stock.items():
            for location_id, units in per_location.items():
                location = upsert_location(workspace.id, integration.id, location_id)
                write_level(locked[variant.id], location, available=units, on_hand=units + 1, committed=1)
        refresh_on_hand(workspace.id, list(locked))


def store(workspace, domain: str = "whole-store.myshopify.com") -> Store:
    """Three locations (the showroom fulfils no online orders), three products and two collections:

    - "Linen shirt" (2 variants, 4 images, the first variant with its own image): variant 1 has 4 at the
      warehouse and 6 at the store, variant 2 has 3 at the showroom only;
    - "Wool coat": 5 at the showroom only; "Canvas tote": 2 at the warehouse;
    - collections "Summer sale" (custom: shirt, tote) and "Outerwear" (smart: coat).
    """
    integration = shop(workspace, domain)
    made = Store(integration)
    for key, number, name, online in (("warehouse", WAREHOUSE, "Lisbon warehouse", True),
                                      ("store", STORE, "Porto store", True),
                                      ("showroom", SHOWROOM, "Showroom", False)):  # fmt: skip
        made.locations[key] = upsert_location(workspace.id, integration.id, number, name=name, active=True,
                                              fulfills_online_orders=online)  # fmt: skip
    db.session.commit()
    shirt = product(workspace, integration, "Linen shirt", variants=2, media=4)
    coat = product(workspace, integration, "Wool coat")
    tote = product(workspace, integration, "Canvas tote")
    first = shirt.variants[0]
    first.image_media_id, first.image_url = shirt.media[1].shopify_media_id, shirt.media[1].url
    db.session.commit()
    levels(workspace, integration, {first: {WAREHOUSE: 4, STORE: 6}, shirt.variants[1]: {SHOWROOM: 3},
                                    coat.variants[0]: {SHOWROOM: 5}, tote.variants[0]: {WAREHOUSE: 2}})  # fmt: skip
    made.products = {"shirt": shirt, "coat": coat, "tote": tote}
    for key, title, handle, kind, members in (("summer", "Summer sale", "summer-sale", "custom", (shirt, tote)),
                                              ("outer", "Outerwear", "outerwear", "smart", (coat,))):  # fmt: skip
        collection = Collection(workspace_id=workspace.id, integration_id=integration.id, title=title,
                                handle=handle, kind=kind, shopify_collection_id=f"gid://shopify/Collection/{handle}")  # fmt: skip
        db.session.add(collection)
        db.session.flush()
        for position, member in enumerate(members, 1):
            db.session.add(
                CollectionProduct(collection_id=collection.id, product_id=member.id, position=position)
            )
        made.collections[key] = collection
    db.session.commit()
    return made
