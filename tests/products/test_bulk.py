"""Bulk actions: validated, run as an RQ job on `default` by a real burst worker, progress polled to done."""

from __future__ import annotations

import sys
import types

import pytest

from app.extensions import db as _db
from app.models import Integration, Product
from app.services import bulk_jobs

HX = {"HX-Request": "true"}


def _progress_html(client, html):
    token = html.split("/products/bulk/")[1].split('"')[0]
    return token, client.get(f"/products/bulk/{token}", headers=HX)


def test_bulk_status_change_runs_as_a_job_and_reaches_done(auth_client, workspace, make_product, run_jobs):
    products = [make_product(workspace, f"P{i}") for i in range(5)]
    bulk_jobs.CHUNK, old_chunk = 2, bulk_jobs.CHUNK  # several progress steps
    try:
        response = auth_client.post("/products/bulk", headers=HX,
                                    data={"action": "status", "status": "archived",
                                          "ids": [str(p.id) for p in products[:4]]})  # fmt: skip
        assert response.status_code == 202
        html = response.get_data(as_text=True)
        assert "0 / 4" in html and 'hx-trigger="every 1s"' in html
        run_jobs()
    finally:
        bulk_jobs.CHUNK = old_chunk
    token, polled = _progress_html(auth_client, html)
    assert polled.status_code == 200 and polled.headers["HX-Trigger"] == "products-changed"
    body = polled.get_data(as_text=True)
    assert (
        "4 / 4" in body
        and "done" in body
        and "every 1s" not in body
        and "Set 4 products to archived." in body
    )
    _db.session.expire_all()
    assert [p.status for p in _db.session.query(Product).order_by(Product.id)] == ["archived"] * 4 + [
        "active"
    ]


def test_bulk_delete_soft_deletes_only_my_products(auth_client, workspace, make_product, make_user, run_jobs):
    mine = make_product(workspace, "Mine")
    theirs = make_product(make_user("x@example.com").workspace, "Theirs")
    response = auth_client.post("/products/bulk", data={"action": "delete", "ids": [mine.id, theirs.id]},
                                headers=HX)  # fmt: skip
    assert response.status_code == 202 and "0 / 1" in response.get_data(as_text=True)
    mine_id, theirs_id = mine.id, theirs.id
    run_jobs()  # the worker ends the session: read ids before, rows after
    assert _db.session.get(Product, mine_id).deleted_at is not None
    assert _db.session.get(Product, theirs_id).deleted_at is None


@pytest.mark.parametrize(
    "data, message",
    [({"action": "status", "ids": ["1"]}, "Choose the new status."), ({"action": "", "ids": ["1"]}, "Choose a bulk"),
     ({"action": "delete"}, "Select at least one product."), ({"action": "delete", "ids": ["x"]}, "must be numbers")],
)  # fmt: skip
def test_bad_bulk_requests_answer_422(auth_client, data, message):
    response = auth_client.post("/products/bulk", data=data, headers=HX)
    assert response.status_code == 422 and message in response.get_data(as_text=True)


def test_resync_answers_503_while_the_product_refresh_job_is_missing(auth_client, workspace, make_product,
                                                                     monkeypatch):  # fmt: skip
    monkeypatch.setattr(bulk_jobs, "REFRESH_JOB", "app.sync.no_such_module.refresh_products")
    product = make_product(workspace, "P", shopify_id="gid://shopify/Product/1")
    response = auth_client.post("/products/bulk", data={"action": "resync_shopify", "ids": [product.id]},
                                headers=HX)  # fmt: skip
    assert response.status_code == 503 and "not available yet" in response.get_data(as_text=True)


def test_push_to_facebook_marks_pending_and_enqueues_the_sync_job(auth_client, workspace, make_product,
                                                                  run_jobs, monkeypatch):  # fmt: skip
    calls = []
    fake = types.ModuleType("fake_sync_jobs")
    fake.push_catalog_to_facebook = lambda workspace_id, product_ids: calls.append(
        (workspace_id, product_ids)
    )
    monkeypatch.setitem(sys.modules, "fake_sync_jobs", fake)
    monkeypatch.setattr(bulk_jobs, "SYNC_JOBS", "fake_sync_jobs")
    products = [make_product(workspace, f"P{i}") for i in range(3)]
    ids = [p.id for p in products]
    no_catalog = auth_client.post("/products/bulk", data={"action": "push_facebook", "ids": ids}, headers=HX)
    assert no_catalog.status_code == 422 and "Connect a Facebook catalog" in no_catalog.get_data(as_text=True)

    _db.session.add(Integration(workspace_id=workspace.id, platform="facebook", status="connected",
                                account_id="page-1"))  # fmt: skip
    _db.session.commit()
    response = auth_client.post("/products/bulk", data={"action": "push_facebook", "ids": ids}, headers=HX)
    assert response.status_code == 202
    workspace_id = workspace.id
    run_jobs()
    assert calls == [(workspace_id, ids)]
    _db.session.expire_all()
    assert {p.platform_sync["facebook"]["status"] for p in _db.session.query(Product)} == {"pending"}


def test_unknown_or_foreign_progress_is_404(auth_client):
    assert auth_client.get("/products/bulk/doesnotexist", headers=HX).status_code == 404
