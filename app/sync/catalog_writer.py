"""Set-based writes of product records (from `mapping`) into products, variants, media, categories, sync_log.

One call handles one batch (a sync page or one webhook) in the caller's transaction: a handful of statements
whatever the batch size, never one ORM round trip per row. Ordering is enforced in the database itself: an
update lands only where the stored `source_updated_at` is older than the incoming one (and a soft-deleted
product is not resurrected by an update older than its deletion), so a slow sync page cannot overwrite a
faster webhook, whichever commits first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from sqlalchemy import (
    ARRAY,
    String,
    and_,
    bindparam,
    delete,
    func,
    literal_column,
    or_,
    select,
    text,
    true,
    update,
)

from app.catalog.terms import category_slug as slugify
from app.extensions import db
from app.id_chunks import chunks
from app.inventory.locations import refresh_on_hand
from app.models import Product, ProductCategory, ProductMedia, ProductStock, ProductVariant, SyncLog
from app.models.types import utcnow
from app.sync import reread as rereads
from app.sync.upsert_sql import dialect, dialect_insert, write_rows

PRODUCT_COLUMNS = (
    "title", "handle", "description_html", "vendor", "product_type", "status", "tags", "images",
    "price_min", "price_max", "source_updated_at",
)  # fmt: skip
VARIANT_COLUMNS = (
    "sku", "barcode", "title", "position", "price", "compare_at_price", "inventory_quantity", "inventory_item_id",
    "option_values",
)  # fmt: skip
# Written only when every variant of the batch carries them (bulk exports do not: the stored ones stay).
VARIANT_IMAGE_COLUMNS = ("image_media_id", "image_url")
MEDIA_COLUMNS = ("position", "shopify_media_id", "media_type", "url", "alt")


@dataclass
class WriteResult:
    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # GIDs, unchanged or older than what we hold
    product_ids: dict[str, int] = field(default_factory=dict)  # GID -> product id, for every record seen
    reread: list[int] = field(default_factory=list)  # written from a partial body: to read again by GraphQL

    @property
    def changed_ids(self) -> list[int]:
        return self.created + self.updated


def _newer(table, excluded):
    """The incoming version is newer than the stored one and than the stored deletion (NULL: unknown)."""
    return and_(
        or_(table.c.source_updated_at.is_(None), excluded.source_updated_at.is_(None),
            table.c.source_updated_at < excluded.source_updated_at),
        or_(table.c.deleted_at.is_(None), excluded.source_updated_at.is_(None),
            table.c.deleted_at < excluded.source_updated_at),
    )  # fmt: skip


def _newer_or_same(table, excluded):
    """For a re-read: the same version as stored is written again (it completes a partial body's write)."""
    return and_(
        or_(table.c.source_updated_at.is_(None), excluded.source_updated_at.is_(None),
            table.c.source_updated_at <= excluded.source_updated_at),
        or_(table.c.deleted_at.is_(None), excluded.source_updated_at.is_(None),
            table.c.deleted_at < excluded.source_updated_at),
    )  # fmt: skip


# Set by `upsert_products` on Postgres while it writes: new products' stock rows come from their variants.
STOCK_FOLLOWS_VARIANTS = "wagents.stock_follows_variants"

PRODUCT_UPDATE = (*PRODUCT_COLUMNS, "platform_sync", "category_id", "deleted_at", "seen_at", "updated_at")
VARIANT_UPDATE = (*VARIANT_COLUMNS, "product_id", "updated_at")
VARIANT_IMAGE_UPDATE = (*VARIANT_UPDATE, *VARIANT_IMAGE_COLUMNS)


_EXISTING_COLUMNS = (Product.id, Product.shopify_product_id, Product.source_updated_at, Product.deleted_at,
                     Product.platform_sync)  # fmt: skip


def _existing(workspace_id: int, gids: list[str]):
    """Stored id, version, deletion and platform_sync of these GIDs in the workspace.

    On Postgres one unique-index probe per GID (LATERAL ... LIMIT 1 keeps the planner from turning it into
    a scan of the whole workspace: with the statistics of a table that just grew by a first sync, it
    believes the workspace holds a few rows and filters all of them on every page, quadratic overall).
    """
    params = {"workspace_id": workspace_id, "gids": gids}
    return db.session.connection().execute(_existing_statement(dialect()), params)


# Statements run once per sync page are built once (bound parameters, no values inside), and run on the
# session's connection without the ORM's per-statement work: that Python time was a third of the writing
# thread's, which the sync's pages wait on.
@lru_cache(maxsize=4)
def _existing_statement(name: str):
    workspace = Product.workspace_id == bindparam("workspace_id")
    if name != "postgresql":
        gids = Product.shopify_product_id.in_(bindparam("gids", expanding=True))
        return select(*_EXISTING_COLUMNS).where(workspace, gids)
    wanted = (
        func.unnest(bindparam("gids", type_=ARRAY(String))).table_valued("gid").render_derived(name="wanted")
    )
    probe = (
        select(*_EXISTING_COLUMNS)
        .where(workspace, Product.shopify_product_id == wanted.c.gid)
        .limit(literal_column("1"))  # a constant, not a bind: the plan is made for one row
        .lateral("probe")
    )
    return select(*(probe.c[c.key] for c in _EXISTING_COLUMNS)).select_from(wanted).join(probe, true())


_CATEGORY_IDS = select(ProductCategory.slug, ProductCategory.id).where(
    ProductCategory.workspace_id == bindparam("workspace_id"),
    ProductCategory.slug.in_(bindparam("slugs", expanding=True)),
)


def _categories(workspace_id: int, records: list[dict]) -> dict[str, int]:
    names = {r["product_type"] for r in records if r.get("product_type")}
    if not names:
        return {}
    by_slug = {slugify(n): n for n in names}
    params = {"workspace_id": workspace_id, "slugs": list(by_slug)}
    # Read first: after a catalog's first pages every category exists, so a page costs one statement.
    ids = dict(db.session.connection().execute(_CATEGORY_IDS, params).all())
    missing = [slug for slug in by_slug if slug not in ids]
    if missing:
        stmt = dialect_insert(ProductCategory).values(
            [
                {"workspace_id": workspace_id, "name": by_slug[slug], "slug": slug, "created_at": utcnow()}
                for slug in missing
            ]
        )
        db.session.execute(stmt.on_conflict_do_nothing(index_elements=["workspace_id", "slug"]))
        # Also those a concurrent writer just created.
        ids = dict(db.session.connection().execute(_CATEGORY_IDS, params).all())
    return {name: ids[slug] for slug, name in by_slug.items()}


def upsert_products(
    workspace_id: int,
    records: list[dict],
    *,
    integration_id: int | None = None,
    sync_run_id: int | None = None,
    webhook_id: int | None = None,
    currency: str | None = None,
    log_skips: bool = True,
    now: datetime | None = None,
    durable: bool = True,
    webhook_ids: dict[str, int] | None = None,
    reread: bool = False,
    force: bool = False,
    log_lines: bool = True,
) -> WriteResult:
    """Create, update or skip each record; write its variants and its sync_log line. Caller commits.

    `webhook_ids` (GID -> webhook id) names each record's own delivery on its log line when one call
    writes a batch of webhook deliveries; `webhook_id` is the one delivery of all of them otherwise.

    `durable=False` lets the caller's COMMIT return before its WAL reaches disk (Postgres), for callers
    whose transaction can be replayed whole after a database crash.

    `reread=True` (a product read again from Shopify) also rewrites a product stored at the same version:
    what a partial webhook body stored at that version is completed.

    `force=True` ("Re-sync from Shopify") writes Shopify's version whatever is stored: a local edit, or a
    product hidden locally, is overwritten or brought back. `log_lines=False`: the caller logs the outcome."""
    now = now or utcnow()
    result = WriteResult()
    # The newest version of each product wins inside one batch too (a page may repeat a product).
    latest: dict[str, dict] = {}
    for record in records:
        seen = latest.get(record["shopify_product_id"])
        if seen is None or (record["source_updated_at"] or now) >= (seen["source_updated_at"] or now):
            latest[record["shopify_product_id"]] = record
    if not latest:
        return result
    # The statements below run on the session's connection, which does not flush: what the caller added
    # through the ORM in this transaction (a category, a product) must be visible to them.
    db.session.flush()
    if dialect() == "postgresql":
        # psycopg prepares a statement after its 5th use and Postgres may then keep one generic plan for
        # it. A generic plan made while a first sync's tables were small is a scan, and stays a scan as they
        # grow (measured: each page slower than the one before, 10,000 products at ~150/s). Planning these
        # few statements for their actual values costs well under a millisecond per page.
        settings = "SET LOCAL plan_cache_mode = force_custom_plan"
        # Each product this call creates gets its variants in this transaction, so their trigger writes its
        # stock row, once, with its sum (migration 0006); products with no variant get theirs below.
        settings += f"; SET LOCAL {STOCK_FOLLOWS_VARIANTS} = on"
        if not durable:
            settings += "; SET LOCAL synchronous_commit = off"
        db.session.connection().execute(text(settings))  # one round trip: no parameters, one simple query
    existing = {row.shopify_product_id: row for row in _existing(workspace_id, list(latest))}
    categories = _categories(workspace_id, list(latest.values()))

    rows = []
    for product_gid, record in latest.items():
        old = existing.get(product_gid)
        incoming = record["source_updated_at"]
        if (old is not None and not force
                and not _is_newer(incoming, old.source_updated_at, old.deleted_at, same=reread)):  # fmt: skip
            result.skipped.append(product_gid)
            result.product_ids[product_gid] = old.id
            continue
        platform_sync = dict(old.platform_sync or {}) if old is not None else {}
        platform_sync["shopify"] = shopify_state(
            platform_sync.get("shopify"), product_gid, now, incoming, force
        )
        row = {c: record.get(c) for c in PRODUCT_COLUMNS}
        row.update(
            workspace_id=workspace_id, shopify_product_id=product_gid, platform_sync=platform_sync,
            category_id=categories.get(record.get("product_type")), currency=currency, deleted_at=None,
            seen_at=now, updated_at=now, created_at=now, integration_id=integration_id,
        )  # fmt: skip
        rows.append(row)

    if rows:
        # executemany form (not `.values(rows)`): one cached compiled statement, batched by the driver
        # ("insertmanyvalues"), instead of compiling a new multi-row VALUES statement for every page.
        update_columns = (*PRODUCT_UPDATE, "currency") if currency else PRODUCT_UPDATE
        if integration_id is not None:  # the store that wrote it last; a writer that does not say keeps it
            update_columns = (*update_columns, "integration_id")
        written = dict(
            (g, i)
            for i, g in write_rows(
                Product.__table__, rows, conflict=("workspace_id", "shopify_product_id"),
                update=update_columns, where=None if force else _newer_or_same if reread else _newer,
                returning=("id", "shopify_product_id"),
            )
        )  # fmt: skip
        for row in rows:
            product_gid = row["shopify_product_id"]
            if product_gid not in written:  # lost a race to a newer write: that one stands
                result.skipped.append(product_gid)
                continue
            result.product_ids[product_gid] = written[product_gid]
            (result.updated if product_gid in existing else result.created).append(written[product_gid])
        # Only products that existed can hold variants Shopify dropped: new ids have none yet.
        _write_variants(workspace_id, [(written[g], latest[g], g in existing) for g in written], now)
        _write_media(workspace_id, [(written[g], latest[g]) for g in written])
        result.reread = [written[g] for g in written if latest[g].get("reread")]
        rereads.after_commit(db.session(), workspace_id, result.reread)
    if dialect() == "postgresql":
        db.session.connection().execute(text(f"SET LOCAL {STOCK_FOLLOWS_VARIANTS} = off"))

    if result.skipped:
        # Still present upstream: a full sync must not soft-delete what it skipped as unchanged. By primary
        # key where known (lost races are looked up by GID), so the planner has one obvious index.
        known = [existing[g].id for g in result.skipped if g in existing]
        raced = [g for g in result.skipped if g not in existing]
        criteria = [Product.id.in_(known)]
        if raced:
            criteria.append(and_(Product.workspace_id == workspace_id, Product.shopify_product_id.in_(raced)))
        # Only seen_at: an unchanged product is not rewritten, so its updated_at must not move either.
        db.session.execute(
            update(Product).where(or_(*criteria)).values(seen_at=now, updated_at=Product.updated_at)
        )
    if log_lines:
        _log(workspace_id, result, integration_id, sync_run_id, webhook_id, now, log_skips, webhook_ids)
    return result


def shopify_state(old: dict | None, product_gid: str, now: datetime, incoming: datetime | None,
                  force: bool = False) -> dict:  # fmt: skip
    """`platform_sync["shopify"]` after Shopify's version was written. An edit still on its way to Shopify
    ("saving") keeps its pending values: the push job lands them after this. A failed (local) edit is gone:
    Shopify's values replaced it, as does any edit on a forced re-sync."""
    state = {"synced": True, "product_id": product_gid, "last_sync_at": now.isoformat(),
             "updated_at": incoming.isoformat() if incoming else None}  # fmt: skip
    if old and old.get("state") == "saving" and not force:
        state.update(synced=False, **{k: old[k] for k in ("state", "pending", "edit") if k in old})
    return state


def _is_newer(incoming: datetime | None, stored: datetime | None, deleted_at: datetime | None, *,
              same: bool = False) -> bool:  # fmt: skip
    if incoming is None:
        return True
    if deleted_at is not None and incoming <= deleted_at:
        return False
    return stored is None or incoming > stored or (same and incoming == stored)


def _write_media(workspace_id: int, products: list[tuple[int, dict]]) -> None:
    """Each product's media replaced as a whole (positions move when the merchant reorders them); a record
    whose source did not carry its media (`media` None) keeps the stored rows."""
    products = [(pid, record) for pid, record in products if record.get("media") is not None]
    if not products:
        return
    db.session.execute(delete(ProductMedia).where(ProductMedia.product_id.in_([p for p, _ in products])))
    rows = [
        {**{c: m.get(c) for c in MEDIA_COLUMNS}, "workspace_id": workspace_id, "product_id": product_id}
        for product_id, record in products
        for m in record["media"]
    ]
    if rows:
        write_rows(ProductMedia.__table__, rows)


def _write_variants(workspace_id: int, products: list[tuple[int, dict, bool]], now: datetime) -> None:
    rows = []
    keep: set[tuple[int, str]] = set()
    every = [v for _, record, _ in products for v in record["variants"]]
    columns = VARIANT_COLUMNS
    if every and all("image_media_id" in v for v in every):
        columns = (*VARIANT_COLUMNS, *VARIANT_IMAGE_COLUMNS)
    for product_id, record, _ in products:
        for variant in record["variants"]:
            row = {c: variant.get(c) for c in columns}
            row.update(workspace_id=workspace_id, product_id=product_id, created_at=now, updated_at=now,
                       shopify_variant_id=variant["shopify_variant_id"])  # fmt: skip
            rows.append(row)
            keep.add((product_id, variant["shopify_variant_id"]))
    # A body that lists only some of the variants (`variants_complete` False) drops none: it is re-read.
    product_ids = [p for p, record, existed in products if existed and record.get("variants_complete", True)]
    if product_ids:
        # Variants Shopify no longer lists for these products go; order items keep their copy of the title.
        stale = db.session.execute(
            select(ProductVariant.id, ProductVariant.product_id, ProductVariant.shopify_variant_id).where(
                ProductVariant.product_id.in_(product_ids)
            )
        ).all()
        drop = [vid for vid, pid, g in stale if (pid, g) not in keep]
        if drop:
            db.session.execute(delete(ProductVariant).where(ProductVariant.id.in_(drop)))
    if rows:
        update = VARIANT_IMAGE_UPDATE if columns != VARIANT_COLUMNS else VARIANT_UPDATE
        write_rows(ProductVariant.__table__, rows, conflict=("workspace_id", "shopify_variant_id"),
                   update=update)  # fmt: skip
        # Shopify's inventoryQuantity counts every location: the stock rule sums only those sold from.
        refresh_on_hand(workspace_id, {row["product_id"] for row in rows}, of_products=True)
    bare = [product_id for product_id, record, existed in products if not existed and not record["variants"]]
    if bare and dialect() == "postgresql":  # SQLite's product trigger always writes the row
        # ON CONFLICT: a product another writer created meanwhile came through as an update, row and all.
        db.session.execute(
            dialect_insert(ProductStock)
            .values([{"product_id": p, "workspace_id": workspace_id, "on_hand": 0} for p in bare])
            .on_conflict_do_nothing(index_elements=["product_id"])
        )


def _log(workspace_id, result: WriteResult, integration_id, sync_run_id, webhook_id, now, log_skips,
         webhook_ids=None) -> None:  # fmt: skip
    base = {"workspace_id": workspace_id, "integration_id": integration_id, "sync_run_id": sync_run_id,
            "webhook_id": webhook_id, "entity_type": "product", "status": "success", "created_at": now}  # fmt: skip
    gids = {pid: g for g, pid in result.product_ids.items()} if webhook_ids else {}

    def line(entity, action, product_gid):
        delivery = webhook_ids.get(product_gid, webhook_id) if webhook_ids else webhook_id
        return {**base, "entity_id": str(entity), "action": action, "webhook_id": delivery}

    rows = [line(pid, "create", gids.get(pid)) for pid in result.created]
    rows += [line(pid, "update", gids.get(pid)) for pid in result.updated]
    if log_skips:
        rows += [line(result.product_ids.get(g, g), "skip", g) for g in result.skipped]
    if rows:
        write_rows(SyncLog.__table__, rows)


def soft_delete_products(
    workspace_id: int,
    *,
    gids: list[str] | None = None,
    not_seen_since: datetime | None = None,
    integration_id: int | None = None,
    sync_run_id: int | None = None,
    webhook_id: int | None = None,
    deleted_at: datetime | None = None,
) -> list[int]:
    """Soft-delete products by GID (products/delete) or those a full sync did not see; log each one.

    The sweep of what a full sync did not see (`not_seen_since`) is of that sync's store alone: another
    store of the workspace holds products this one never lists."""
    now = deleted_at or utcnow()
    criteria = [Product.workspace_id == workspace_id, Product.deleted_at.is_(None),
                Product.shopify_product_id.is_not(None)]  # fmt: skip
    if not_seen_since is not None:  # (no integration: the products written without one)
        store = Product.integration_id
        criteria.append(store.is_(None) if integration_id is None else store == integration_id)
    if gids is not None:
        criteria.append(Product.shopify_product_id.in_(gids))
    if not_seen_since is not None:
        criteria.append(or_(Product.seen_at.is_(None), Product.seen_at < not_seen_since))
    ids = list(db.session.scalars(select(Product.id).where(*criteria)))
    if not ids:
        return []
    for batch in chunks(ids):  # a store that deleted every product sweeps them all
        db.session.execute(
            update(Product).where(Product.id.in_(batch)).values(deleted_at=now, updated_at=now)
        )
    write_rows(SyncLog.__table__, [
        {"workspace_id": workspace_id, "integration_id": integration_id, "sync_run_id": sync_run_id,
         "webhook_id": webhook_id, "entity_type": "product", "entity_id": str(pid), "action": "delete",
         "status": "success", "created_at": now}
        for pid in ids
    ])  # fmt: skip
    return ids


def variant_ids_by_gid(workspace_id: int, gids: list[str]) -> dict[str, tuple[int, int]]:
    """GID -> (variant id, product id), for linking order lines."""
    gids = [g for g in gids if g]
    if not gids:
        return {}
    rows = db.session.execute(
        select(ProductVariant.shopify_variant_id, ProductVariant.id, ProductVariant.product_id).where(
            ProductVariant.workspace_id == workspace_id, ProductVariant.shopify_variant_id.in_(gids)
        )
    )
    return {g: (vid, pid) for g, vid, pid in rows}
