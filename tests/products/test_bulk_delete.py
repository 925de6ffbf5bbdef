"""Bulk delete waits for its confirmation (the request alone deletes nothing), says what it means for a
Shopify product, and can be undone: the rows come back exactly as they were."""

from __future__ import annotations

import time

from app.extensions import db as _db
from app.models import Product
from app.queues import get_queue
from app.services import bulk_delete

HX = {"HX-Request": "true"}


def _state(ids):
    _db.session.expire_all()
    return {pid: (p.deleted_at, p.updated_at) for pid in ids if (p := _db.session.get(Product, pid))}


def test_bulk_delete_without_confirmation_deletes_nothing_and_asks(
    auth_client, workspace, make_product, run_jobs
):
    shop = make_product(workspace, "From Shopify", shopify_id="gid://shopify/Product/1")
    here = make_product(workspace, "Made here")
    ids = [shop.id, here.id]
    for headers in (HX, {}):  # with htmx and as a plain form
        response = auth_client.post("/products/bulk", data={"action": "delete", "ids": ids}, headers=headers)
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "Delete 2 products?" in html and 'name="confirm" value="yes"' in html
        assert "stay in your Shopify store" in html and "undo" in html.lower()
    assert len(get_queue("default")) == 0
    run_jobs()
    assert all(deleted is None for deleted, _ in _state(ids).values())


def test_confirmed_bulk_delete_hides_and_undo_restores_exactly(
    auth_client, workspace, make_product, run_jobs
):
    products = [make_product(workspace, f"P{i}") for i in range(3)]
    ids = [p.id for p in products]
    before = _state(ids)
    response = auth_client.post("/products/bulk", data={"action": "delete", "confirm": "yes", "ids": ids[:2]},
                                headers=HX)  # fmt: skip
    assert response.status_code == 202
    token = response.get_data(as_text=True).split("/products/bulk/")[1].split('"')[0]
    run_jobs()
    polled = auth_client.get(f"/products/bulk/{token}", headers=HX).get_data(as_text=True)
    assert "Shopify keeps its own" in polled and f"/products/bulk/{token}/undo" in polled and "Undo" in polled
    hidden = _state(ids)
    assert (
        hidden[ids[0]][0] is not None and hidden[ids[1]][0] is not None and hidden[ids[2]] == before[ids[2]]
    )

    undone = auth_client.post(f"/products/bulk/{token}/undo", headers=HX)
    assert undone.status_code == 200 and undone.headers["HX-Trigger"] == "products-changed"
    assert "Restored 2 products." in undone.get_data(as_text=True)
    assert _state(ids) == before
    again = auth_client.post(f"/products/bulk/{token}/undo", headers=HX)  # once only
    assert again.status_code == 409 and _state(ids) == before


def test_undo_is_refused_after_its_window(auth_client, workspace, make_product, run_jobs, monkeypatch):
    product = make_product(workspace, "Gone for good")
    pid = product.id
    response = auth_client.post("/products/bulk", data={"action": "delete", "confirm": "yes", "ids": [pid]},
                                headers=HX)  # fmt: skip
    token = response.get_data(as_text=True).split("/products/bulk/")[1].split('"')[0]
    run_jobs()
    later = time.time() + bulk_delete.UNDO_SECONDS + 1
    monkeypatch.setattr(bulk_delete.time, "time", lambda: later)
    refused = auth_client.post(f"/products/bulk/{token}/undo", headers=HX)
    assert refused.status_code == 409 and "has passed" in refused.get_data(as_text=True)
    assert _state([pid])[pid][0] is not None
