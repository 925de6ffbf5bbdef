"""A sync through a Shopify that fails at random (seeded): 500s, 429 with Retry-After, THROTTLED and dropped
connections. The real worker process retries them (its client really sleeps 1-4 s) and the run ends with exact
counts. A permanent outage ends the run in `error` with a merchant sentence, an alert, the cursor kept, and
exactly the committed pages in the database."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.models import Alert, Integration, Product, ProductVariant, SyncRun
from app.sync import runner, service
from app.sync.options import SyncOptions
from tests.system.conftest import SHOP

PAGE = 34  # products per page with the runner's page shape (3 variants, each with its image id, and 3 media)
PRODUCTS = 25 * PAGE  # 25 pages: enough calls for every kind of fault, short enough for real back-off sleeps


def _count(db, column, *criteria) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count(column)).where(*criteria))


def _sync(db, workers, demo_server, integration_id, timeout: float) -> SyncRun:
    run_id = service.start_sync(db.session.get(Integration, integration_id), "full").id
    worker = workers.start("sync", shopify_base=demo_server.api_base)
    workers.wait(worker, timeout)
    db.session.rollback()
    run = db.session.get(SyncRun, run_id, populate_existing=True)
    run.worker_output = workers.output(worker)[-3000:]
    return run


def test_page_shape_is_the_one_these_tests_count_in(app):
    from app.platforms.shopify.client import ShopifyClient

    client = ShopifyClient(SHOP, "shpat_x", api_version=app.config["SHOPIFY_API_VERSION"])
    options = SyncOptions.from_config(app.config)  # what the worker's runs use
    first = options.variants_first or runner.VARIANTS_FIRST
    assert client.product_page_size(first, runner.MEDIA_FIRST, options.page_size) == PAGE


@pytest.mark.timeout(150)
def test_random_transient_faults_are_survived_with_exact_counts(db, workers, demo_server, shop_integration):
    demo_server.store.seed_shop(SHOP, products=PRODUCTS)
    demo_server.injector.random_faults(seed=20261125, rate=0.2)
    run = _sync(db, workers, demo_server, shop_integration, timeout=120)
    injected = demo_server.injector.injected
    assert run.status == "succeeded", (run.error, dict(injected), run.worker_output)
    assert set(injected) == {"500", "429", "throttled", "drop"}, injected  # the seed exercises every kind
    assert (run.total, run.processed, run.created, run.updated) == (PRODUCTS, PRODUCTS, PRODUCTS, 0)
    ws = run.workspace_id
    assert _count(db, Product.id, Product.workspace_id == ws) == PRODUCTS
    assert _count(db, func.distinct(Product.shopify_product_id), Product.workspace_id == ws) == PRODUCTS
    assert _count(db, ProductVariant.id, ProductVariant.workspace_id == ws) == 3 * PRODUCTS
    integration = db.session.get(Integration, shop_integration)
    assert (integration.sync_status, integration.sync_error, integration.sync_cursor) == ("idle", None, None)


@pytest.mark.timeout(120)
def test_permanent_outage_fails_clearly_and_keeps_what_was_committed(
    db, workers, demo_server, shop_integration
):
    demo_server.store.seed_shop(SHOP, products=PRODUCTS)
    demo_server.injector.outage(after=6)  # the count query and five pages get through, then only 503s
    run = _sync(db, workers, demo_server, shop_integration, timeout=90)
    assert run.status == "failed", run.worker_output
    assert run.error == "Shopify is not answering right now. We will try again automatically."
    integration = db.session.get(Integration, shop_integration, populate_existing=True)
    assert (integration.sync_status, integration.sync_error) == ("error", run.error)
    assert integration.sync_cursor["after"] and integration.sync_cursor["run_id"] == run.id  # resumes there
    alerts = db.session.scalars(select(Alert).where(Alert.integration_id == shop_integration)).all()
    assert [(a.level, a.source, a.message) for a in alerts] == [("error", "sync", run.error)]
    # No partial corruption: the database holds exactly the committed pages, each product whole.
    ws = run.workspace_id
    assert 0 < run.processed < PRODUCTS and run.processed % PAGE == 0
    assert _count(db, Product.id, Product.workspace_id == ws) == run.processed == run.created
    assert _count(db, ProductVariant.id, ProductVariant.workspace_id == ws) == 3 * run.processed

    # Shopify is back: the next run continues from the kept cursor and ends exact.
    demo_server.injector.off()
    second = _sync(db, workers, demo_server, shop_integration, timeout=60)
    assert second.status == "succeeded", (second.error, second.worker_output)
    assert second.created == PRODUCTS - run.processed
    assert _count(db, Product.id, Product.workspace_id == ws) == PRODUCTS
    assert _count(db, ProductVariant.id, ProductVariant.workspace_id == ws) == 3 * PRODUCTS
