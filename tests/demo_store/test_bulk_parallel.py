"""Bulk operations in forked processes (`bulk_mode="process"`: concurrent exports run side by side, as
Shopify's do), and the `productVariants` bulk root the sync reads each variant's image from."""

from __future__ import annotations

import json
import time

from app.demo_store import DemoStore
from app.platforms.shopify import bulk_queries, queries

from .conftest import SHOP, TOKEN

VARIANTS = bulk_queries.BULK_VARIANT_MEDIA_INNER_QUERY


def _wait(store: DemoStore, row_ids: list[int], timeout: float = 60.0) -> list:
    deadline = time.monotonic() + timeout
    while True:
        rows = [store.db.one("SELECT * FROM bulk_operations WHERE id=?", (i,)) for i in row_ids]
        if all(r["status"] not in ("CREATED", "RUNNING") for r in rows) or time.monotonic() > deadline:
            return rows
        time.sleep(0.05)


def _lines(store: DemoStore, row) -> list[dict]:
    path = store.bulk_path(SHOP, 7_000_000 + row["id"])
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_forked_bulk_operations_write_what_in_process_ones_write(tmp_path):
    store = DemoStore(str(tmp_path / "shop.sqlite3"), bulk_mode="process", deliver=lambda *a: None,
                      bulk_dir=str(tmp_path / "bulk"), catalog="awkward")  # fmt: skip
    store.seed_shop(SHOP)
    store.add_custom_token(SHOP, TOKEN)
    started = []
    for query in (queries.BULK_PRODUCTS_INNER_QUERY, bulk_queries.BULK_ORDERS_INNER_QUERY, VARIANTS):
        row, errors = store.create_bulk(SHOP, query)
        assert errors == []
        store.start_bulk(row["id"])
        started.append(row["id"])
    forked = _wait(store, started)
    assert [r["status"] for r in forked] == ["COMPLETED"] * 3
    store.bulk_mode = "sync"
    for row, query in zip(forked, (queries.BULK_PRODUCTS_INNER_QUERY, bulk_queries.BULK_ORDERS_INNER_QUERY, VARIANTS),
                          strict=True):  # fmt: skip
        again, _ = store.create_bulk(SHOP, query)
        store.start_bulk(again["id"])
        same = store.db.one("SELECT * FROM bulk_operations WHERE id=?", (again["id"],))
        assert _lines(store, row) == _lines(store, same) != []
        assert (row["object_count"], row["root_object_count"]) == (
            same["object_count"],
            same["root_object_count"],
        )
    store.db.close()


def test_product_variants_bulk_root_lists_every_variant_with_its_image(store):
    store.seed_shop(SHOP, catalog="awkward")
    row, errors = store.create_bulk(SHOP, VARIANTS)
    assert errors == []
    store.start_bulk(row["id"])
    lines = _lines(store, store.db.one("SELECT * FROM bulk_operations WHERE id=?", (row["id"],)))
    variants = [line for line in lines if "__parentId" not in line]
    media = [line for line in lines if "__parentId" in line]
    expected = len(store.snapshot(SHOP)["variants"])
    assert len(variants) == expected > 2048
    assert media and all(m["id"].startswith("gid://shopify/MediaImage/") for m in media)
    parents = {v["id"] for v in variants}
    assert all(m["__parentId"] in parents for m in media)
