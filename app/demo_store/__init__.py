"""The demo store: a local stand-in for a Shopify store, answering in exactly Shopify's shapes.

It serves Admin GraphQL against Shopify's real pinned schema (``app/platforms/shopify/schema``) with
Shopify's cost, throttle and error shapes, OAuth with expiring offline tokens, bulk operations in Shopify's
JSONL format and signed webhooks. The catalog is a deterministic function of (shop seed, index), so 100,000
products cost nothing until asked for; changes live in a small sqlite overlay shared by the CLI and the app.
A shop's catalog is ``uniform`` (`catalog.py`: 3 variants, 1 image, one location) or ``awkward``
(`awkward.py`, `awkward_orders.py`, `locations.py`, `collections.py`: 1 to 2,048 variants, 0 to 250 media,
stock at several locations, long, split-fulfilled and refunded orders, custom and smart collections).

Used by demo mode (mounted at ``/demo-store``), by tests (`testing.py`) and by benchmarks (standalone
server). It may import the stdlib, Flask, graphql-core, requests and ``app.platforms.shopify.cost``; nothing
else of the app, and nothing of the app imports it except the app factory and the CLI wiring.

Public API: `DemoStore` (``seed_shop(catalog=...)``, ``snapshot``, ``replay``, ``touch_product``,
``page_hook``), `create_blueprint`, `create_standalone_app`, `demo_store_cli` (in `cli`), and
`testing.mount_on_responses` / `testing.run_in_thread`.
"""

from app.demo_store.routes import create_blueprint, create_standalone_app
from app.demo_store.store import DemoStore

__all__ = ["DemoStore", "create_blueprint", "create_standalone_app"]
