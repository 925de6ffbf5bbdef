"""The drift audit on the Integrations page: "Audit now" queues the job (run by a real burst worker), the
Shopify card shows "in sync" or "N differences", and the linked page lists them."""

from __future__ import annotations

import re

from sqlalchemy import update

from app.models import Integration, Order, Product
from app.sync import runner, service
from app.sync.audit_jobs import audit_integration


def _htmx(client):
    html = client.get("/integrations").get_data(as_text=True)
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', html).group(1)
    return {"HX-Request": "true", "X-CSRFToken": token}


def _card(client, integration_id):
    html = client.get("/integrations").get_data(as_text=True)
    return html[html.index(f'id="card-shopify-{integration_id}"') :]


def test_card_audit_button_count_and_differences_page(
    db, workspace, store, integration, auth_client, run_jobs
):
    integration_id, workspace_id = integration.id, workspace.id
    run = service.start_sync(integration, "full", enqueue_job=False)
    assert runner.execute_run(run.id) == "succeeded"
    assert "not audited yet" in _card(auth_client, integration_id)

    response = auth_client.post(f"/integrations/{integration_id}/audit", headers=_htmx(auth_client))
    assert response.status_code == 200 and "Audit started" in response.get_data(as_text=True)
    run_jobs()
    card = _card(auth_client, integration_id).split("</article>")[0]
    assert "in sync" in card and "10 repaired" in card  # the orders: only products were synced

    # Three titles typed over (repaired) and an order the shop never had (reported, never removed).
    db.session.execute(update(Product).where(Product.id.in_(
        db.session.scalars(db.select(Product.id).where(Product.integration_id == integration_id).limit(3)).all()
    )).values(title="Typed over"))  # fmt: skip
    db.session.add(Order(workspace_id=workspace_id, integration_id=integration_id, source_platform="shopify",
                         external_id="gid://shopify/Order/777777777"))  # fmt: skip
    db.session.commit()
    result = audit_integration(integration_id)
    assert len(result["found"]) == 4, result["found"]
    assert [d["kind"] for d in result["remaining"]] == ["order_extra"]

    card = _card(auth_client, integration_id).split("</article>")[0]
    assert "1 difference<" in card
    page = auth_client.get(f"/integrations/{integration_id}/audit")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert html.count('data-kind="changed"') == 3 and html.count('data-kind="order_extra"') == 1
    assert html.count(">repaired<") == 3 and html.count(">remains<") == 1


def test_audit_of_a_store_of_another_workspace_is_404(db, store, integration, auth_client, make_user):
    other = make_user("other@example.com")
    moved = db.session.get(Integration, integration.id)
    moved.workspace_id = other.workspace_id
    db.session.commit()
    assert auth_client.get(f"/integrations/{integration.id}/audit").status_code == 404
    response = auth_client.post(f"/integrations/{integration.id}/audit", headers=_htmx(auth_client))
    assert response.status_code == 404
