"""SIGKILL the worker in the middle of a 5,000-product sync; a new worker resumes the run from its cursor.

Production shape: a real `rq worker` (AppWorker, forking a work horse) syncs from the demo store over loopback
HTTP into Postgres. Once the run has committed some pages, the worker and its horse are killed with SIGKILL
(the whole process group, as when a dyno dies). What happens next takes minutes in production, so the test
moves time forward explicitly instead of sleeping:
- the run's heartbeat is aged eleven minutes (the sweeper's staleness threshold is ten);
- RQ's own abandoned-job detection (the started registry's cleanup, which a worker's maintenance runs once the
  dead job's heartbeat has expired, ~90 s later) is run with a timestamp in the future.
Two recoveries are checked: RQ retries the same job (it had retries left), or, when it had none, the minute
housekeeping's `sweep_sync_runs` re-enqueues the run. Either way it ends with exact counts.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from rq import Queue
from rq.job import Job
from rq.registry import StartedJobRegistry
from sqlalchemy import func, select, update

from app.models import Integration, Product, ProductVariant, SyncLog, SyncRun
from app.models.types import utcnow
from app.queues import get_redis
from app.sync import service
from tests.system.conftest import SHOP, wait_until

PRODUCTS = 5000


def _run(db, run_id) -> SyncRun:
    db.session.rollback()  # a fresh snapshot: the worker commits in another process
    return db.session.get(SyncRun, run_id, populate_existing=True)


def _count(db, *columns_and_criteria):
    db.session.rollback()
    return db.session.scalar(select(*columns_and_criteria[:1]).where(*columns_and_criteria[1:]))


def _kill_mid_sync(db, workers, demo_server, integration_id) -> SyncRun:
    demo_server.store.seed_shop(SHOP, products=PRODUCTS)
    run_id = service.start_sync(db.session.get(Integration, integration_id), "full").id
    worker = workers.start("sync", shopify_base=demo_server.api_base, SYNC_BULK_THRESHOLD="100000")
    wait_until(lambda: _run(db, run_id).processed >= 1000 or worker.poll() is not None, 60,
               what="1,000 products committed")  # fmt: skip
    workers.kill(worker)
    killed = _run(db, run_id)
    assert killed.status == "in_progress", workers.output(worker)[-2000:]
    assert 1000 <= killed.processed < PRODUCTS, "the sync finished before the kill: make it bigger"
    cursor = db.session.get(Integration, integration_id, populate_existing=True).sync_cursor
    assert cursor["after"] and cursor["run_id"] == run_id
    # Committed pages are whole: rows equal the run's processed count, nothing half-written.
    assert _count(db, func.count(Product.id), Product.workspace_id == killed.workspace_id) == killed.processed
    # Ten silent minutes, as the sweeper will see them.
    db.session.execute(
        update(SyncRun).where(SyncRun.id == run_id).values(heartbeat_at=utcnow() - timedelta(minutes=11))
    )
    db.session.commit()
    return killed


def _rq_notices_the_dead_job(job_id: str, *, retries_left: int | None = None) -> None:
    """What RQ's maintenance does once the killed job's heartbeat has expired (~90 s after the kill)."""
    connection = get_redis()
    if retries_left is not None:
        job = Job.fetch(job_id, connection=connection)
        job.retries_left = retries_left
        job.save()
    StartedJobRegistry(queue=Queue("sync", connection=connection)).cleanup(timestamp=time.time() + 300)


@pytest.mark.timeout(150)
@pytest.mark.parametrize("recovery", ["rq_retry", "sweeper"])
def test_worker_killed_mid_sync_resumes_with_exact_counts(
    db, workers, demo_server, shop_integration, recovery
):
    killed = _kill_mid_sync(db, workers, demo_server, shop_integration)
    job_id = killed.job_id
    assert Job.fetch(job_id, connection=get_redis()).get_status() == "started"  # RQ does not know yet

    if recovery == "rq_retry":
        _rq_notices_the_dead_job(job_id)  # retries left: RQ schedules the same job again (1 s later)
        assert service.sweep_sync_runs() == 0  # a job is scheduled: the sweeper must not add a second one
        time.sleep(1.2)
    else:
        _rq_notices_the_dead_job(job_id, retries_left=0)  # its last attempt: RQ only marks it failed
        assert Job.fetch(job_id, connection=get_redis()).get_status() == "failed"
        assert service.sweep_sync_runs() == 1  # the minute housekeeping re-enqueues the silent run
        assert service.sweep_sync_runs() == 0  # and only once

    worker = workers.start("sync", shopify_base=demo_server.api_base, scheduler=True,
                           SYNC_BULK_THRESHOLD="100000")  # fmt: skip
    workers.wait(worker, 90)
    done = _run(db, killed.id)
    assert done.status == "succeeded", (done.error, workers.output(worker)[-3000:])
    ws = done.workspace_id
    assert (done.total, done.processed, done.created, done.updated) == (PRODUCTS, PRODUCTS, PRODUCTS, 0)
    assert _count(db, func.count(Product.id), Product.workspace_id == ws) == PRODUCTS
    assert (
        _count(db, func.count(func.distinct(Product.shopify_product_id)), Product.workspace_id == ws)
        == PRODUCTS
    )
    assert _count(db, func.count(ProductVariant.id), ProductVariant.workspace_id == ws) == 3 * PRODUCTS
    assert _count(db, func.count(func.distinct(ProductVariant.shopify_variant_id)),
                  ProductVariant.workspace_id == ws) == 3 * PRODUCTS  # fmt: skip
    assert (
        _count(db, func.count(SyncLog.id), SyncLog.sync_run_id == done.id, SyncLog.action == "create")
        == PRODUCTS
    )
    integration = db.session.get(Integration, shop_integration, populate_existing=True)
    assert (integration.sync_status, integration.sync_cursor, integration.sync_error) == ("idle", None, None)
