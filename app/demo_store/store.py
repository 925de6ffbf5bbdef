"""`DemoStore`: the state of every demo shop — generated catalog plus a persisted overlay of changes.

The facade the routes, the CLI, tests and benchmarks use. Catalog records come from `catalog.py`; what
changed since is kept in sqlite (`db.py`); tokens, webhooks, inventory and bulk operations are mixed in
from their own modules. Nothing here knows about Flask or GraphQL.
"""

from __future__ import annotations

import copy
import json
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from app.demo_store import catalog, shapes
from app.demo_store.bulk import BulkMixin
from app.demo_store.checkouts import CheckoutsMixin
from app.demo_store.db import Database, dumps
from app.demo_store.inventory import InventoryMixin
from app.demo_store.replay import ReplayMixin
from app.demo_store.rest_bodies import RestBodiesMixin
from app.demo_store.tokens import TokensMixin
from app.demo_store.webhooks import WebhooksMixin

PRODUCT_FIELDS = {
    "title",
    "handle",
    "vendor",
    "product_type",
    "tags",
    "status",
    "description_html",
    "variants",
}
# Callers may use the GraphQL spelling too.
FIELD_ALIASES = {
    "productType": "product_type",
    "descriptionHtml": "description_html",
    "bodyHtml": "description_html",
}


@dataclass
class ShopView:
    """One consistent read of a shop's settings and product overlay, taken per request."""

    shop: str
    seed: int
    product_count: int
    order_count: int
    changes: dict[int, dict] = field(default_factory=dict)
    deleted: set[int] = field(default_factory=set)
    kind: str = "uniform"

    def product(self, i: int) -> dict | None:
        if i < 0 or i >= self.product_count or i in self.deleted:
            return None
        return self.changes.get(i) or shapes.base_product(self.kind, self.seed, i)


class DemoStore(
    TokensMixin, WebhooksMixin, RestBodiesMixin, ReplayMixin, InventoryMixin, BulkMixin, CheckoutsMixin
):
    def __init__(
        self,
        path: str = ":memory:",
        *,
        api_key: str = "demo-api-key",
        api_secret: str = "demo-api-secret",
        clock: Callable[[], float] = time.time,
        default_products: int = 1000,
        default_orders: int = 25,
        seed: int = 1,
        token_ttl: int = 3600,
        refresh_token_ttl: int = 7_776_000,
        max_available: float = 2000.0,
        restore_rate: float = 100.0,
        throttle_off: bool = False,
        deliver: Callable[[str, bytes, dict], object] | None = None,
        webhook_async: bool = True,
        bulk_mode: str = "thread",
        public_url: str = "http://127.0.0.1:5000",
        api_version: str = "2026-10",
        bulk_dir: str | None = None,
        catalog: str = "uniform",
    ):
        self.path = path
        self.db = Database(path)
        self.api_key = api_key
        self.api_secret = api_secret
        self.clock = clock
        self.default_products = default_products
        self.default_orders = default_orders
        self.default_seed = seed
        self.default_catalog = shapes.check(catalog)
        # Called as hook(shop, root_field, page) after each page of a root connection is built: tests use it
        # to change the shop while a sync is half-way through it (see `touch_product`).
        self.page_hook: Callable[[str, str, dict], None] | None = None
        self.token_ttl = token_ttl
        self.refresh_token_ttl = refresh_token_ttl
        self.max_available = max_available
        self.restore_rate = restore_rate
        self.throttle_off = throttle_off
        self.deliver = deliver
        self.webhook_async = webhook_async
        self.bulk_mode = bulk_mode  # "thread" (server), "sync" (tests, CLI) or "manual" (run_pending_bulk)
        self.public_url = public_url.rstrip("/")
        self.api_version = api_version
        if bulk_dir is None:
            bulk_dir = tempfile.mkdtemp(prefix="demo-store-bulk-") if path == ":memory:" else f"{path}.bulk"
        self.bulk_dir = Path(bulk_dir)
        self.bulk_dir.mkdir(parents=True, exist_ok=True)
        from app.demo_store.throttle import Throttle  # local: throttle reads shop settings through us

        self.throttle = Throttle(self)

    # --- time -------------------------------------------------------------------------------------------

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), tz=UTC)

    def now_iso(self) -> str:
        return catalog.iso(self.now())

    # --- shops ------------------------------------------------------------------------------------------

    def seed_shop(self, shop: str, *, products: int | None = None, orders: int | None = None,
                  seed: int | None = None, catalog: str | None = None) -> None:  # fmt: skip
        """(Re)create ``shop`` with a fresh generated catalog (``uniform`` or ``awkward``); drops its product,
        inventory and order overlay."""
        kind = shapes.check(catalog or self.default_catalog)
        products, orders = shapes.sizes(kind, products, orders, (self.default_products, self.default_orders))
        seed = self.default_seed if seed is None else seed
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO shops (shop, seed, product_count, order_count, created_at, catalog) "
                "VALUES (?,?,?,?,?,?) ON CONFLICT(shop) DO UPDATE SET seed=excluded.seed, "
                "product_count=excluded.product_count, order_count=excluded.order_count, catalog=excluded.catalog",
                (shop, seed, products, orders, self.now_iso(), kind),
            )
            for table in ("product_changes", "inventory", "placed_orders", "checkouts"):
                conn.execute(f"DELETE FROM {table} WHERE shop=?", (shop,))  # noqa: S608 - fixed names

    def shop_row(self, shop: str):
        row = self.db.one("SELECT * FROM shops WHERE shop=?", (shop,))
        if row is None:
            # Any shop the app points at exists, with the default catalog: the demo needs no set-up step.
            self.seed_shop(shop)
            row = self.db.one("SELECT * FROM shops WHERE shop=?", (shop,))
        return row

    def view(self, shop: str) -> ShopView:
        row = self.shop_row(shop)
        view = ShopView(shop, row["seed"], row["product_count"], row["order_count"], kind=row["catalog"])
        for change in self.db.all("SELECT idx, data, deleted FROM product_changes WHERE shop=?", (shop,)):
            if change["deleted"]:
                view.deleted.add(change["idx"])
            else:
                view.changes[change["idx"]] = json.loads(change["data"])
        return view

    # --- products ---------------------------------------------------------------------------------------

    def product(self, shop: str, i: int) -> dict | None:
        row = self.shop_row(shop)
        if i < 0 or i >= row["product_count"]:
            return None
        change = self.db.one("SELECT data, deleted FROM product_changes WHERE shop=? AND idx=?", (shop, i))
        if change is None:
            return shapes.base_product(row["catalog"], row["seed"], i)
        return None if change["deleted"] else json.loads(change["data"])

    def update_product(self, i: int, *, shop: str | None = None, fire: bool = True, **fields) -> dict:
        """Change product ``i`` (fields in REST or GraphQL spelling; ``variants`` merges by position),
        bump its ``updated_at`` and fire ``products/update``."""
        shop = shop or self.default_shop()
        current = self.product(shop, i)
        if current is None:
            raise KeyError(f"product {i} does not exist in {shop}")
        record = copy.deepcopy(current)
        for key, value in fields.items():
            key = FIELD_ALIASES.get(key, key)
            if key not in PRODUCT_FIELDS:
                raise ValueError(f"unknown product field {key!r}")
            if key == "variants":
                for position, patch in enumerate(value):
                    record["variants"][position].update(patch or {})
            else:
                record[key] = value
        record["updated_at"] = self.now_iso()
        self.db.run(
            "INSERT INTO product_changes (shop, idx, data, updated_at, deleted) VALUES (?,?,?,?,0) "
            "ON CONFLICT(shop, idx) DO UPDATE SET data=excluded.data, updated_at=excluded.updated_at, deleted=0",
            (shop, i, dumps(record), record["updated_at"]),
        )
        if fire:
            self.fire_product_webhook(shop, "products/update", record)
        return record

    def touch_product(self, i: int, *, shop: str | None = None, fire: bool = False) -> dict:
        """Change product ``i`` as a merchant would mid-sync: a new title and a later ``updatedAt``."""
        shop = shop or self.default_shop()
        current = self.product(shop, i)
        if current is None:
            raise KeyError(f"product {i} does not exist in {shop}")
        return self.update_product(i, shop=shop, fire=fire, title=f"{current['title']} (edited)")

    def snapshot(self, shop: str | None = None) -> dict[str, list[dict]]:
        """Everything the shop holds as plain dicts (see `snapshot.py`)."""
        from app.demo_store.snapshot import snapshot

        return snapshot(self, shop or self.default_shop())

    def catalog_kind(self, shop: str) -> str:
        return self.shop_row(shop)["catalog"]

    def delete_product(self, i: int, *, shop: str | None = None, fire: bool = True) -> None:
        shop = shop or self.default_shop()
        current = self.product(shop, i)
        if current is None:
            raise KeyError(f"product {i} does not exist in {shop}")
        self.db.run(
            "INSERT INTO product_changes (shop, idx, data, updated_at, deleted) VALUES (?,?,?,?,1) "
            "ON CONFLICT(shop, idx) DO UPDATE SET deleted=1, updated_at=excluded.updated_at",
            (shop, i, dumps(current), self.now_iso()),
        )
        if fire:
            self.fire(shop, "products/delete", {"id": current["id"]})

    def default_shop(self) -> str:
        row = self.db.one("SELECT shop FROM shops ORDER BY created_at, shop LIMIT 1")
        return row["shop"] if row else "demo-store.myshopify.com"

    # --- orders -----------------------------------------------------------------------------------------

    def order_total(self, shop: str) -> int:
        row = self.shop_row(shop)
        extra = self.db.one("SELECT COUNT(*) AS n FROM placed_orders WHERE shop=?", (shop,))["n"]
        return row["order_count"] + extra

    def order(self, shop: str, j: int) -> dict | None:
        row = self.shop_row(shop)
        if 0 <= j < row["order_count"]:
            return shapes.base_order(row["catalog"], row["seed"], j, row["product_count"])
        placed = self.db.one("SELECT data FROM placed_orders WHERE shop=? AND idx=?", (shop, j))
        return json.loads(placed["data"]) if placed else None

    def place_order(self, lines: list[tuple[int, int, int]], *, shop: str | None = None,
                    email: str = "buyer@example.com", phone: str | None = None,
                    customer_name: str | None = None, checkout: dict | None = None) -> dict:  # fmt: skip
        """Record a paid order for ``lines`` of (product index, variant position, quantity) by a customer (a
        ``phone`` such as ``+15550123456`` lets the shop follow up on WhatsApp), take the stock, and fire
        ``orders/create`` (and ``inventory_levels/update`` for each line). ``checkout``: the checkout it
        completes (its id and token go on the order, as Shopify's do)."""
        shop = shop or self.default_shop()
        j = self.order_total(shop)
        now = self.now_iso()
        order = {
            "index": j, "id": catalog.order_id(j), "number": 1001 + j, "name": f"#{1001 + j}", "email": email,
            "phone": phone, "customer_name": customer_name or email.split("@")[0], "created_at": now, "updated_at": now,
            "financial_status": "PAID", "fulfillment_status": "UNFULFILLED",
            "checkout_id": (checkout or {}).get("id"), "checkout_token": (checkout or {}).get("token"),
            "lines": [
                {"id": catalog.LINE_ITEM_BASE + j * catalog.MAX_LINES_PER_ORDER + k + 1, "product_index": i,
                 "variant": v, "quantity": q}
                for k, (i, v, q) in enumerate(lines[: catalog.MAX_LINES_PER_ORDER])
            ],
        }  # fmt: skip
        self.db.run("INSERT INTO placed_orders (shop, idx, data) VALUES (?,?,?)", (shop, j, dumps(order)))
        for line in order["lines"]:
            item = self.product(shop, line["product_index"])["variants"][line["variant"]]["inventory_item_id"]
            self.adjust_available(shop, item, -line["quantity"])
        self.fire_order_webhook(shop, order)
        return order
