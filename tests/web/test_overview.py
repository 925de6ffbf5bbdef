"""The overview page: counts, integrations with a running sync, dismissable alerts and the 14-day chart."""

from __future__ import annotations

import re
from datetime import timedelta

from app.extensions import db
from app.models import Alert
from app.models.scoping import WorkspaceScope
from app.models.types import utcnow
from app.services import overview

from .conftest import csrf_token


def test_overview_shows_counts_integrations_and_running_sync(
    auth_client, workspace, other_workspace, factory
):
    shop = factory.integration(workspace, display_name="Demo shop", last_sync_at=utcnow())
    factory.integration(workspace, platform="whatsapp", status="needs_reauth", display_name="Shop phone")
    run = factory.sync_run(workspace, shop, status="in_progress", processed=40, total=100)
    factory.order(workspace)
    factory.order(other_workspace)
    factory.webhook(workspace, status="failed")
    factory.webhook(workspace, status="pending")
    factory.webhook(workspace, status="pending")
    factory.webhook(other_workspace, status="failed")
    html = auth_client.get("/").get_data(as_text=True)
    assert re.search(r'data-count="orders">1<', html)
    assert re.search(r'data-count="pending_webhooks">2<', html)
    assert re.search(r'data-count="failed_webhooks"><a [^>]+>1<', html)
    assert "Demo shop" in html and "Shop phone" in html and "needs reauth" in html
    assert f'hx-get="/sync/runs/{run.id}/progress"' in html and "40 / 100" in html


def test_alerts_show_and_dismiss_with_htmx_removes_them(auth_client, workspace, factory):
    alert = factory.alert(workspace, message="Webhook processing failed 3 times")
    factory.alert(workspace, message="Already handled", dismissed_at=utcnow())
    html = auth_client.get("/").get_data(as_text=True)
    assert "Webhook processing failed 3 times" in html and "Already handled" not in html
    response = auth_client.post(
        f"/alerts/{alert.id}/dismiss", headers={"HX-Request": "true", "X-CSRFToken": csrf_token(auth_client)}
    )
    assert response.status_code == 200 and response.get_data(as_text=True) == ""
    db.session.expire_all()
    assert db.session.get(Alert, alert.id).dismissed_at is not None
    assert "Webhook processing failed 3 times" not in auth_client.get("/").get_data(as_text=True)


def test_dismiss_without_js_redirects_and_foreign_alert_is_404(
    auth_client, workspace, other_workspace, factory
):
    mine = factory.alert(workspace)
    foreign = factory.alert(other_workspace)
    token = csrf_token(auth_client)
    assert auth_client.post(f"/alerts/{mine.id}/dismiss", data={"csrf_token": token}).status_code == 302
    assert auth_client.post(f"/alerts/{foreign.id}/dismiss", data={"csrf_token": token}).status_code == 404
    db.session.expire_all()
    assert db.session.get(Alert, foreign.id).dismissed_at is None


def test_chart_counts_runs_and_webhooks_per_day_for_this_workspace(workspace, other_workspace, factory):
    shop = factory.integration(workspace)
    now = utcnow().replace(hour=12)
    factory.sync_run(workspace, shop, created_at=now)
    factory.sync_run(workspace, shop, created_at=now - timedelta(days=2))
    factory.sync_run(workspace, shop, created_at=now - timedelta(days=30))  # outside the window
    for _ in range(3):
        factory.webhook(workspace, received_at=now - timedelta(days=2))
    factory.webhook(other_workspace, received_at=now)
    chart = overview.activity_chart(WorkspaceScope(workspace.id), today=now.date())
    assert len(chart.days) == 14 and chart.days[-1].day == now.date()
    assert [d.runs.value for d in chart.days][-3:] == [1, 0, 1]
    assert [d.webhooks.value for d in chart.days][-3:] == [3, 0, 0]
    assert chart.total_runs == 2 and chart.total_webhooks == 3 and chart.max_value == 3
    tallest = chart.days[-3].webhooks
    assert tallest.height > 0 and tallest.y + tallest.height == chart.height - 20


def test_overview_chart_is_an_accessible_svg(auth_client, workspace, factory):
    factory.webhook(workspace)
    html = auth_client.get("/").get_data(as_text=True)
    assert '<svg viewBox="0 0 560 150"' in html and 'role="img"' in html
    assert "1 webhook deliveries in the last 14 days" in html


def test_slow_counts_are_cached_briefly_and_fast_ones_are_not(workspace, factory, monkeypatch):
    scope = WorkspaceScope(workspace.id)
    # The threshold is set, not left to the clock: on a loaded machine a small count can take over 20 ms.
    monkeypatch.setattr(overview, "CACHE_WHEN_SLOWER_THAN", 3600)  # as if every count were quick
    assert overview.counts(scope)["orders"] == 0
    factory.order(workspace)
    assert overview.counts(scope)["orders"] == 1  # fast: never cached
    monkeypatch.setattr(overview, "CACHE_WHEN_SLOWER_THAN", 0)  # as if the workspace were big
    assert overview.counts(scope)["orders"] == 1
    factory.order(workspace)
    assert overview.counts(scope)["orders"] == 1  # served from the cache
    overview.forget_counts(workspace.id)
    assert overview.counts(scope)["orders"] == 2


def test_overview_shows_revenue_recovered_after_a_reminder(auth_client, workspace, other_workspace, factory):
    from app.models import Checkout, Customer, OutboxMessage

    def reminded(ws, gid, sent_minutes_ago):
        customer = Customer(workspace_id=ws.id, wa_id=f"1555{gid[-4:]}", consent="opted_in")
        db.session.add(customer)
        db.session.flush()
        sent = utcnow() - timedelta(minutes=sent_minutes_ago) if sent_minutes_ago is not None else None
        row = OutboxMessage(workspace_id=ws.id, customer_id=customer.id, event_key=f"checkout:{gid}:reminder",
                            kind="template", template_name="carrito", category="marketing", payload={},
                            status="sent" if sent else "queued", attempts=1, sent_at=sent)  # fmt: skip
        db.session.add(row)
        db.session.flush()
        db.session.add(Checkout(workspace_id=ws.id, shopify_checkout_id=gid, token=f"tok-{gid[-4:]}", item_count=1,
                                reminder_status="queued", reminder_outbox_id=row.id))  # fmt: skip
        db.session.commit()

    reminded(workspace, "gid://shopify/AbandonedCheckout/1001", sent_minutes_ago=60)
    reminded(workspace, "gid://shopify/AbandonedCheckout/1002", sent_minutes_ago=None)  # never sent
    reminded(other_workspace, "gid://shopify/AbandonedCheckout/1003", sent_minutes_ago=60)
    factory.order(workspace, platform="shopify", checkout_token="tok-1001")  # after the reminder: recovered
    factory.order(workspace, platform="shopify", checkout_id="gid://shopify/AbandonedCheckout/1002")
    factory.order(
        workspace, platform="shopify", checkout_token="tok-1001", created_at=utcnow() - timedelta(hours=2)
    )
    factory.order(other_workspace, platform="shopify", checkout_token="tok-1003")
    html = auth_client.get("/").get_data(as_text=True)
    assert re.search(r'data-count="recovered_orders">1<', html)
    assert re.search(r"data-recovered-total>€25\.50<", html)
