"""The Logs pages: sync runs, sync log, webhook inbox with filters and detail, Retry, compliance exports."""

from __future__ import annotations

import json

import pytest

from app.extensions import db
from app.models import Webhook

from .conftest import count_queries, csrf_token


def test_sync_runs_show_counts_errors_and_filter_by_status(auth_client, workspace, factory):
    shop = factory.integration(workspace, display_name="Demo shop")
    factory.sync_run(workspace, shop, status="succeeded", created=3, updated=4)
    factory.sync_run(workspace, shop, status="failed", error="Shopify asked us to slow down", failed=2)
    html = auth_client.get("/logs/").get_data(as_text=True)
    assert "Demo shop" in html and "Shopify asked us to slow down" in html and "succeeded" in html
    html = auth_client.get("/logs/?status=succeeded").get_data(as_text=True)
    assert "Shopify asked us to slow down" not in html and 'class="badge succeeded"' in html


def test_sync_log_filters_by_integration_entity_action_and_status(auth_client, workspace, factory):
    shop = factory.integration(workspace)
    other = factory.integration(workspace, display_name="Second shop")
    factory.sync_log(workspace, shop, entity_type="product", action="create", entity_id="P-1")
    factory.sync_log(workspace, shop, entity_type="order", action="update", entity_id="O-1")
    factory.sync_log(workspace, shop, entity_type="product", action="update", status="error", entity_id="P-2",
                     error_message="price missing")  # fmt: skip
    factory.sync_log(workspace, other, entity_type="product", action="create", entity_id="P-3")

    def ids(query):
        html = auth_client.get(f"/logs/entries?{query}").get_data(as_text=True)
        return {e for e in ("P-1", "O-1", "P-2", "P-3") if f"<code>{e}</code>" in html}

    assert ids("") == {"P-1", "O-1", "P-2", "P-3"}
    assert ids(f"integration={shop.id}") == {"P-1", "O-1", "P-2"}
    assert ids("entity_type=order") == {"O-1"}
    assert ids("action=create") == {"P-1", "P-3"}
    assert ids("status=error") == {"P-2"}


def test_webhook_inbox_filters_by_status_topic_and_platform(auth_client, workspace, factory):
    factory.webhook(workspace, status="failed", topic="orders/create")
    factory.webhook(workspace, status="processed", topic="products/update")
    factory.webhook(workspace, status="processed", topic="messages", platform="whatsapp")
    html = auth_client.get("/logs/webhooks?status=failed").get_data(as_text=True)
    assert "orders/create" in html and "products/update" not in html and "Retry" in html
    html = auth_client.get("/logs/webhooks?topic=products/update").get_data(as_text=True)
    assert "products/update" in html and "orders/create</code>" not in html
    html = auth_client.get("/logs/webhooks?platform=whatsapp").get_data(as_text=True)
    assert "<code>messages</code>" in html and "products/update</code>" not in html


def test_webhook_detail_pretty_prints_and_escapes_the_payload(auth_client, workspace, factory):
    payload = json.dumps({"note": "<script>alert(1)</script>", "id": 7})
    webhook = factory.webhook(workspace, payload=payload, headers={"X-Shopify-Topic": "orders/create"})
    html = auth_client.get(f"/logs/webhooks/{webhook.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&#34;id&#34;: 7" in html and "X-Shopify-Topic" in html


def test_webhook_detail_shows_a_body_that_is_not_json_as_it_came(auth_client, workspace, factory):
    webhook = factory.webhook(workspace, payload="not json & <b>bold</b>")
    html = auth_client.get(f"/logs/webhooks/{webhook.id}").get_data(as_text=True)
    assert "not json &amp; &lt;b&gt;bold&lt;/b&gt;" in html


@pytest.mark.parametrize("path", ["/logs/webhooks/{id}", "/logs/webhooks/{id}/row"])
def test_webhook_of_another_workspace_is_404(auth_client, other_workspace, factory, path):
    webhook = factory.webhook(other_workspace)
    assert auth_client.get(path.format(id=webhook.id)).status_code == 404


def test_retry_of_another_workspace_webhook_is_404_and_changes_nothing(auth_client, other_workspace, factory):
    webhook = factory.webhook(other_workspace)
    token = csrf_token(auth_client)
    assert (
        auth_client.post(f"/logs/webhooks/{webhook.id}/retry", data={"csrf_token": token}).status_code == 404
    )
    db.session.expire_all()
    assert db.session.get(Webhook, webhook.id).status == "failed"


def test_retry_from_the_page_requeues_and_the_worker_settles_it(auth_client, workspace, factory, run_jobs):
    # A topic without a handler is logged as skipped and marked processed: the retry visibly succeeds.
    webhook = factory.webhook(workspace, status="failed", topic="test/no-handler", payload='{"id": 1}')
    webhook_id = webhook.id  # the burst worker ends this session: keep the id, not the row
    response = auth_client.post(
        f"/logs/webhooks/{webhook_id}/retry",
        headers={"HX-Request": "true", "X-CSRFToken": csrf_token(auth_client)},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'data-status="pending"' in html and 'hx-trigger="every 1s"' in html
    run_jobs(["webhooks"])
    db.session.expire_all()
    row = db.session.get(Webhook, webhook_id)
    assert row.status == "processed" and row.attempts == 2
    html = auth_client.get(f"/logs/webhooks/{webhook_id}/row", headers={"HX-Request": "true"}).get_data(
        as_text=True
    )
    assert 'data-status="processed"' in html and "every 1s" not in html


def test_retry_of_a_processed_delivery_is_refused(auth_client, workspace, factory):
    webhook = factory.webhook(workspace, status="processed")
    response = auth_client.post(
        f"/logs/webhooks/{webhook.id}/retry",
        headers={"HX-Request": "true", "X-CSRFToken": csrf_token(auth_client)},
    )
    assert response.status_code == 409 and "Only failed deliveries" in response.get_data(as_text=True)


def test_retry_without_js_redirects_to_the_delivery(auth_client, workspace, factory):
    webhook = factory.webhook(workspace, status="failed")
    response = auth_client.post(
        f"/logs/webhooks/{webhook.id}/retry", data={"csrf_token": csrf_token(auth_client)}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/logs/webhooks/{webhook.id}"
    )
    db.session.expire_all()
    assert db.session.get(Webhook, webhook.id).status == "pending"


def test_compliance_requests_list_and_export_download(auth_client, workspace, other_workspace, factory):
    with_export = factory.compliance(workspace, export={"orders": [{"id": 1}], "conversations": []})
    factory.compliance(workspace, topic="customers/redact")
    foreign = factory.compliance(other_workspace, export={"orders": []})
    html = auth_client.get("/logs/compliance").get_data(as_text=True)
    assert "customers/data_request" in html and "customers/redact" in html
    assert html.count("Download export") == 1
    response = auth_client.get(f"/logs/compliance/{with_export.id}/export")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    assert response.get_json() == {"orders": [{"id": 1}], "conversations": []}
    assert auth_client.get(f"/logs/compliance/{foreign.id}/export").status_code == 404


@pytest.mark.parametrize("path", ["/logs/", "/logs/entries", "/logs/webhooks"])
def test_log_lists_query_count_does_not_grow_with_page_size(auth_client, workspace, factory, path):
    shop = factory.integration(workspace)
    for _ in range(52):
        factory.sync_run(workspace, shop)
        factory.sync_log(workspace, shop)
        factory.webhook(workspace)
    auth_client.get(path)
    with count_queries() as small:
        assert auth_client.get(f"{path}?per_page=10").status_code == 200
    with count_queries() as large:
        assert auth_client.get(f"{path}?per_page=50").status_code == 200
    assert len(small) == len(large)


def test_log_pages_only_list_this_workspace(auth_client, workspace, other_workspace, factory):
    factory.webhook(other_workspace, topic="foreign/topic")
    foreign_shop = factory.integration(other_workspace, display_name="Foreign shop")
    factory.sync_run(other_workspace, foreign_shop, error="foreign error")
    factory.sync_log(other_workspace, foreign_shop, entity_id="FOREIGN-1")
    assert "foreign/topic" not in auth_client.get("/logs/webhooks").get_data(as_text=True)
    assert "foreign error" not in auth_client.get("/logs/").get_data(as_text=True)
    assert "FOREIGN-1" not in auth_client.get("/logs/entries").get_data(as_text=True)


def test_retry_refreshes_the_overview_counts(auth_client, workspace, factory):
    webhook = factory.webhook(workspace, status="failed")
    assert 'data-count="failed_webhooks"><a' in auth_client.get("/").get_data(as_text=True)  # now cached
    auth_client.post(
        f"/logs/webhooks/{webhook.id}/retry",
        headers={"HX-Request": "true", "X-CSRFToken": csrf_token(auth_client)},
    )
    html = auth_client.get("/").get_data(as_text=True)
    assert 'data-count="failed_webhooks">0<' in html and 'data-count="pending_webhooks">1<' in html


def test_webhooks_page_shows_inbox_lag_throughput_and_superseded_rows(auth_client, workspace, factory):
    from datetime import timedelta

    from app.models.types import utcnow

    now = utcnow()
    factory.webhook(workspace, status="pending", received_at=now - timedelta(minutes=7))
    factory.webhook(workspace, status="pending", received_at=now - timedelta(seconds=5))
    applied = factory.webhook(workspace, status="processed", processed_at=now - timedelta(seconds=10))
    factory.webhook(
        workspace, status="processed", processed_at=now - timedelta(seconds=10), superseded_by=applied.id
    )
    factory.webhook(
        workspace, status="processed", processed_at=now - timedelta(minutes=5)
    )  # outside the minute
    html = auth_client.get("/logs/webhooks").get_data(as_text=True)
    assert 'id="inbox-health"' in html
    lag = int(html.split('data-lag-seconds="')[1].split('"')[0])
    assert 415 <= lag <= 430 and "7 minutes" in html and "behind" in html  # past the 5-minute threshold
    assert 'data-per-second="0.03"' in html and "(2 in the last minute)" in html
    assert f'superseded by <a href="/logs/webhooks/{applied.id}">#{applied.id}</a>' in html
    fragment = auth_client.get("/logs/webhooks/inbox", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'hx-trigger="every 5s"' in fragment and "Waiting: <strong>2" in fragment


def test_inbox_lag_counts_only_this_workspace(auth_client, workspace, factory, make_user):
    from datetime import timedelta
    from types import SimpleNamespace

    from app.models.types import utcnow

    other = SimpleNamespace(id=make_user("other-lag@example.com").workspace_id)
    factory.webhook(other, status="pending", received_at=utcnow() - timedelta(hours=1))
    html = auth_client.get("/logs/webhooks").get_data(as_text=True)
    assert 'data-lag-seconds="0"' in html and "Waiting: <strong>0" in html and "behind" not in html
