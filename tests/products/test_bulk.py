"""Bulk actions: validated, run as an RQ job on `default` by a real burst worker, progress polled to done."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import responses

from app.extensions import db as _db
from app.models import Integration, Product
from app.queues import get_queue
from app.services import bulk_jobs

ITEMS_BATCH = Path(__file__).resolve().parent.parent / "fixtures" / "meta" / "items_batch.json"

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
    response = auth_client.post("/products/bulk", headers=HX,
                                data={"action": "delete", "confirm": "yes", "ids": [mine.id, theirs.id]})  # fmt: skip
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


def test_push_to_facebook_marks_pending_and_the_sync_job_pushes(auth_client, workspace, make_product,
                                                                 run_jobs):  # fmt: skip
    products = [
        make_product(workspace, f"P{i}", shopify_id=f"gid://shopify/Product/{i}") for i in range(1, 4)
    ]
    for product in products:
        product.variants[0].shopify_variant_id = f"gid://shopify/ProductVariant/4400{product.id}"
    _db.session.commit()
    ids = [p.id for p in products]
    no_catalog = auth_client.post("/products/bulk", data={"action": "push_facebook", "ids": ids}, headers=HX)
    assert no_catalog.status_code == 422 and "Connect a Facebook catalog" in no_catalog.get_data(as_text=True)

    facebook = Integration(workspace_id=workspace.id, platform="facebook", status="connected",
                           account_id="page-1", config={"catalog_id": "cat-1"})  # fmt: skip
    facebook.set_secrets(access_token="meta-token")
    _db.session.add(facebook)
    _db.session.commit()
    response = auth_client.post("/products/bulk", data={"action": "push_facebook", "ids": ids}, headers=HX)
    assert response.status_code == 202
    workspace_id = workspace.id
    run_jobs(max_jobs=1)  # the bulk job only: it marks the products and queues the push
    (push,) = get_queue("default").get_jobs()
    assert (push.func_name, push.args) == (
        "app.sync.facebook_push.push_catalog_to_facebook",
        (workspace_id, ids),
    )
    _db.session.expire_all()
    assert {p.platform_sync["facebook"]["status"] for p in _db.session.query(Product)} == {"pending"}

    with responses.RequestsMock() as meta:
        meta.add("POST", "https://graph.facebook.com/v25.0/cat-1/items_batch",
                 json=json.loads(ITEMS_BATCH.read_text()))  # fmt: skip
        run_jobs()
        sent = json.loads(meta.calls[0].request.body)["requests"]
    assert sorted(r["data"]["id"] for r in sent) == sorted(f"variant-4400{i}" for i in ids)
    _db.session.expire_all()
    assert {p.platform_sync["facebook"]["status"] for p in _db.session.query(Product)} == {"pushed"}


def test_unknown_or_foreign_progress_is_404(auth_client):
    assert auth_client.get("/products/bulk/doesnotexist", headers=HX).status_code == 404
