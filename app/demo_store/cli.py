"""``flask demo-store ...`` commands (the app factory registers `demo_store_cli`; nothing here does).

The store is the app's (``current_app.extensions["demo_store"]``) when there is one, else opened from
``--db`` (default ``$DEMO_STORE_DB`` or ``instance/demo-store.sqlite3``), the same sqlite file the app reads,
so a command run in another terminal changes what the running app sees. Webhooks are signed with
``$SHOPIFY_API_SECRET`` (or the app's config) and delivered synchronously.
"""

from __future__ import annotations

import os

import click

from app.demo_store import catalog, collections, shapes
from app.demo_store.bulk import BULK_ID_BASE
from app.demo_store.store import DemoStore

DEFAULT_SHOP = "demo-store.myshopify.com"
TOPICS = (
    "products/create",
    "products/update",
    "products/delete",
    "orders/create",
    "orders/updated",
    "fulfillments/create",
    "fulfillments/update",
    "refunds/create",
    "inventory_levels/update",
    "collections/create",
    "collections/update",
    "bulk_operations/finish",
)
catalog_option = click.option("--catalog", "catalog_kind", type=click.Choice(shapes.KINDS), default=None,
                              help="Catalog shape: uniform (default) or awkward.")  # fmt: skip


def default_db() -> str:
    return os.environ.get("DEMO_STORE_DB") or os.path.join("instance", "demo-store.sqlite3")


def open_store(db: str | None) -> DemoStore:
    try:
        from flask import current_app

        existing = current_app.extensions.get("demo_store") if current_app else None
        config = current_app.config
    except RuntimeError:  # outside an app context: `python -m app.demo_store`
        existing, config = None, {}
    if existing is not None and db is None:
        existing.webhook_async = False  # this process exits after the command: deliver before it does
        return existing
    path = db or default_db()
    if path != ":memory:":
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    return DemoStore(
        path,
        api_key=config.get("SHOPIFY_API_KEY") or os.environ.get("SHOPIFY_API_KEY") or "demo-api-key",
        api_secret=config.get("SHOPIFY_API_SECRET")
        or os.environ.get("SHOPIFY_API_SECRET")
        or "demo-api-secret",
        webhook_async=False,
        bulk_mode="sync",
        public_url=config.get("APP_URL") or os.environ.get("APP_URL") or "http://127.0.0.1:5000",
    )


demo_store_cli = click.Group("demo-store", help="Drive the local stand-in Shopify store.")
db_option = click.option("--db", default=None, help="sqlite file of the store (default: $DEMO_STORE_DB).")
shop_option = click.option("--shop", default=DEFAULT_SHOP, show_default=True)


@demo_store_cli.command("seed")
@shop_option
@click.option("--products", default=None, type=int, help="Number of products [default: 1000; awkward: 12].")
@click.option("--orders", default=None, type=int, help="Number of orders [default: 25; awkward: 6].")
@click.option("--seed", "seed_value", default=1, show_default=True, type=int)
@click.option("--token", default=None, help="Also register this never-expiring admin token (shpat_...).")
@catalog_option
@db_option
def seed(shop, products, orders, seed_value, token, catalog_kind, db):
    """Create (or reset) SHOP with a generated catalog."""
    store = open_store(db)
    kind = catalog_kind or "uniform"
    store.seed_shop(shop, products=products, orders=orders, seed=seed_value, catalog=kind)
    if token:
        store.add_custom_token(shop, token)
    row = store.shop_row(shop)
    click.echo(
        f"{shop}: {row['product_count']} products, {row['order_count']} orders (seed {seed_value}, {kind})"
    )


@demo_store_cli.command("throttle")
@shop_option
@click.option("--rate", type=float, default=None, help="Restore rate, points per second (default 100).")
@click.option("--bucket", type=float, default=None, help="Bucket size, points (default 2000).")
@click.option("--off", is_flag=True, help="No rate limit at all.")
@db_option
def throttle(shop, rate, bucket, off, db):
    """Set SHOP's GraphQL leaky bucket."""
    settings = open_store(db).throttle.configure(shop, maximum=bucket, rate=rate, off=off)
    state = "off" if settings.off else f"{settings.maximum:g} points, restoring {settings.rate:g}/s"
    click.echo(f"{shop}: throttle {state}")


@demo_store_cli.command("fire")
@click.argument("topic", type=click.Choice(TOPICS))
@shop_option
@click.option("--product", "product", type=int, default=0, show_default=True, help="Product index.")
@click.option("--order", "order", type=int, default=None, help="Order index (default: the latest).")
@click.option("--collection", "collection", type=int, default=0, show_default=True, help="Collection index.")
@click.option("--url", default=None, help="Deliver here instead of to the shop's subscriptions.")
@db_option
def fire(topic, shop, product, order, collection, url, db):
    """Send a signed TOPIC webhook about the current state of the store."""
    store = open_store(db)
    record = store.product(shop, product)
    if topic.startswith("products/") and record is None:
        raise click.ClickException(f"product {product} does not exist in {shop}")
    if topic in ("products/create", "products/update"):
        payload = store.product_payload(shop, record)
    elif topic == "products/delete":
        payload = {"id": catalog.product_id(product)}
    elif topic.startswith(("orders/", "fulfillments/", "refunds/")):
        payload = _order_payload(store, shop, topic, order)
    elif topic == "inventory_levels/update":
        if record is None:
            raise click.ClickException(f"product {product} does not exist in {shop}")
        item = record["variants"][0]["inventory_item_id"]
        location_id, quantities = next(iter(store.levels(shop, item).items()))
        payload = store.inventory_payload(shop, item, location_id, quantities["available"])
    elif topic.startswith("collections/"):
        found = collections.for_kind(store.catalog_kind(shop))
        if not 0 <= collection < len(found):
            raise click.ClickException(f"{shop} has no collection {collection} (it has {len(found)})")
        payload = store.collection_payload(found[collection])
    else:
        rows = store.bulk_rows(shop)
        if not rows:
            raise click.ClickException(f"{shop} has no bulk operations")
        row = rows[0]
        payload = {"admin_graphql_api_id": catalog.gid("BulkOperation", BULK_ID_BASE + row["id"]),
                   "completed_at": row["completed_at"], "created_at": row["created_at"],
                   "error_code": None, "status": row["status"].lower(), "type": "query"}  # fmt: skip
    deliveries = store.fire(shop, topic, payload, url=url)
    if not deliveries:
        raise click.ClickException(f"no subscription to {topic} for {shop}; pass --url")
    for delivery in deliveries:
        click.echo(f"{topic} -> {delivery['url']}")


@demo_store_cli.command("checkout")
@shop_option
@click.option("--product", "product", type=int, default=0, show_default=True, help="Product index to buy.")
@click.option("--quantity", type=int, default=1, show_default=True)
@click.option("--phone", default=None, help="The buyer's phone (the WhatsApp reminder goes there).")
@click.option("--sms-consent/--no-sms-consent", default=True, show_default=True,
              help="Whether the buyer ticks SMS marketing at the checkout (counts as opt-in).")  # fmt: skip
@click.option(
    "--update", "update_id", type=int, default=None, help="Touch this checkout (fires checkouts/update)."
)
@click.option("--complete", "complete_id", type=int, default=None, help="Place this checkout's order.")
@db_option
def checkout(shop, product, quantity, phone, sms_consent, update_id, complete_id, db):
    """Start a checkout (fires checkouts/create), touch one, or complete one (orders/create naming it)."""
    store = open_store(db)
    try:
        if complete_id is not None:
            order = store.complete_checkout(complete_id, shop=shop)
            click.echo(f"checkout {complete_id} completed: order {order['name']}")
            return
        if update_id is not None:
            store.update_checkout(update_id, shop=shop)
            click.echo(f"checkout {update_id} updated")
            return
    except KeyError as exc:
        raise click.ClickException(str(exc)) from None
    if store.product(shop, product) is None:
        raise click.ClickException(f"product {product} does not exist in {shop}")
    made = store.create_checkout([(product, 0, quantity)], shop=shop, phone=phone, accepts_sms=sms_consent)
    click.echo(f"checkout {made['id']} started: {store.recovery_url(shop, made)}")


def _order_payload(store, shop: str, topic: str, index: int | None) -> dict:
    total = store.order_total(shop)
    if total == 0:
        raise click.ClickException(f"{shop} has no orders; seed with --orders")
    record = store.order(shop, total - 1 if index is None else index)
    if record is None:
        raise click.ClickException(f"{shop} has no order {index}")
    if topic.startswith("orders/"):
        return store.order_payload(shop, record)
    key = "fulfillments" if topic.startswith("fulfillments/") else "refunds"
    if not record.get(key):
        raise click.ClickException(
            f"order {record['name']} has no {key}; the awkward catalog's #1001 and #1002 do"
        )
    if key == "fulfillments":
        return store.fulfillment_payload(shop, record, record["fulfillments"][0])
    return store.refund_payload(shop, record, record["refunds"][0])


@demo_store_cli.command("order")
@shop_option
@click.option("--product", "product", type=int, default=0, show_default=True, help="Product index.")
@click.option("--quantity", type=int, default=1, show_default=True)
@click.option("--phone", default="+15550123456", show_default=True, help="The customer's phone (WhatsApp).")
@click.option("--name", "customer_name", default="Ana Demo", show_default=True)
@db_option
def order(shop, product, quantity, phone, customer_name, db):
    """Place a paid order as a customer; fires orders/create (what the order confirmation follows)."""
    store = open_store(db)
    if store.product(shop, product) is None:
        raise click.ClickException(f"product {product} does not exist in {shop}")
    if quantity < 1:
        raise click.ClickException("--quantity is at least 1")
    placed = store.place_order([(product, 0, quantity)], shop=shop, email="ana@example.com", phone=phone,
                               customer_name=customer_name)  # fmt: skip
    click.echo(f"{shop}: order {placed['name']} placed by {customer_name} ({phone}), orders/create fired")


@demo_store_cli.command("replay")
@shop_option
@click.option("--url", default=None, help="Deliver here instead of to the shop's subscriptions.")
@db_option
def replay(shop, url, db):
    """Send the whole shop as webhooks (collections, products, stock per location, orders, fulfillments,
    refunds), so a receiver can rebuild it from nothing."""
    deliveries = open_store(db).replay(shop, url=url)
    click.echo(f"{shop}: {len(deliveries)} webhooks delivered")


@demo_store_cli.command("mutate")
@shop_option
@click.option("--product", "product", type=int, required=True, help="Product index.")
@click.option("--title", default=None)
@click.option("--price", default=None, help="New price of every variant, e.g. 19.90.")
@click.option("--status", type=click.Choice(["ACTIVE", "DRAFT", "ARCHIVED"]), default=None)
@click.option("--stock", type=int, default=None, help="Change the first variant's available stock by this.")
@db_option
def mutate(shop, product, title, price, status, stock, db):
    """Change a product as a merchant would; fires products/update (and inventory_levels/update)."""
    store = open_store(db)
    fields = {k: v for k, v in {"title": title, "status": status}.items() if v is not None}
    record = store.product(shop, product)
    if record is None:
        raise click.ClickException(f"product {product} does not exist in {shop}")
    if price is not None:
        fields["variants"] = [{"price": f"{float(price):.2f}"}] * len(record["variants"])
    if fields:
        store.update_product(product, shop=shop, **fields)
    if stock:
        store.adjust_available(shop, record["variants"][0]["inventory_item_id"], stock)
    click.echo(f"{shop}: product {product} changed")


@demo_store_cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=9100, show_default=True, type=int)
@click.option("--products", default=1000, show_default=True, type=int, help="Catalog size of new shops.")
@click.option("--orders", default=25, show_default=True, type=int)
@click.option("--shop", default=None, help="Seed this shop now (others are created on first use).")
@click.option("--token", default=None, help="Register this never-expiring token for --shop.")
@click.option("--throttle-off", is_flag=True, help="Serve without a rate limit.")
@catalog_option
@click.option("--db", default=":memory:", show_default=True)
def serve(host, port, products, orders, shop, token, throttle_off, catalog_kind, db):
    """Run the demo store alone as an HTTP server (benchmarks, browser tests)."""
    from werkzeug.serving import run_simple

    from app.demo_store.routes import create_standalone_app

    store = DemoStore(
        db,
        api_key=os.environ.get("SHOPIFY_API_KEY") or "demo-api-key",
        api_secret=os.environ.get("SHOPIFY_API_SECRET") or "demo-api-secret",
        default_products=products,
        default_orders=orders,
        public_url=f"http://{host}:{port}",
        throttle_off=throttle_off,
        catalog=catalog_kind or "uniform",
    )
    if shop:
        awkward = catalog_kind == "awkward"  # its own sizes unless asked for more
        store.seed_shop(shop, products=None if awkward else products, orders=None if awkward else orders)
        if token:
            store.add_custom_token(shop, token)
    click.echo(f"demo store on http://{host}:{port}/demo-store/<shop>/admin/api/2026-10/graphql.json")
    run_simple(host, port, create_standalone_app(store), threaded=True)
