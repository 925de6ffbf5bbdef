"""The Shopify state of an edited product in the list and on its page: saving (polled), then, when Shopify
could not be reached, "Local edit — not in Shopify" with the reason and a Retry that queues it again."""

from __future__ import annotations

from app.queues import get_queue

HX = {"HX-Request": "true"}


def test_inline_edit_of_a_shopify_product_shows_saving_then_local_with_retry(
    auth_client, workspace, make_product, run_jobs
):
    product = make_product(workspace, "Linen Shirt", shopify_id="gid://shopify/Product/123",
                           platform_sync={"shopify": {"synced": True, "last_sync_at": "2026-12-01T10:00:00"}})  # fmt: skip
    pid = product.id
    saved = auth_client.put(f"/products/{pid}", data={"title": "Linen Shirt, washed"}, headers=HX)
    row = saved.get_data(as_text=True)
    assert saved.status_code == 200 and "Saving to Shopify" in row and "Shopify synced" not in row
    assert f'hx-get="/products/{pid}/shopify"' in row and 'hx-trigger="every 1s"' in row
    assert len(get_queue("default")) == 1

    run_jobs()  # no connected store in this workspace: the edit stays here, marked
    state = auth_client.get(f"/products/{pid}/shopify", headers=HX).get_data(as_text=True)
    assert "Local edit — not in Shopify" in state and "No connected Shopify store" in state
    assert f'hx-post="/products/{pid}/push"' in state and "every 1s" not in state

    retried = auth_client.post(f"/products/{pid}/push", headers=HX).get_data(as_text=True)
    assert "Saving to Shopify" in retried and len(get_queue("default")) == 1


def test_edit_of_a_product_made_here_queues_nothing(auth_client, workspace, make_product):
    product = make_product(workspace, "Made here")
    row = auth_client.put(f"/products/{product.id}", data={"title": "Still here"}, headers=HX).get_data(
        as_text=True
    )
    assert "Saving to Shopify" not in row and len(get_queue("default")) == 0
