"""The inbox lag alert: raised by the minute sweep for a workspace whose oldest pending delivery waits longer
than WEBHOOK_LAG_ALERT_SECONDS, once while it stays open, and again after it was dismissed."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from app.extensions import db
from app.models import Alert, Webhook
from app.models.types import utcnow
from app.webhooks.jobs import sweep_pending
from tests.webhooks.conftest import fixture_bytes


def _alerts(workspace_id: int) -> list[Alert]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(Alert).where(Alert.workspace_id == workspace_id, Alert.source == "webhooks")
        )
    )


def test_lagging_inbox_raises_one_alert_until_dismissed(app, post_shopify, shopify_integration):
    assert post_shopify("products/create", fixture_bytes("shopify/products_create.json")).status_code == 200
    sweep_pending()
    assert _alerts(shopify_integration.workspace_id) == []  # just arrived: not behind

    db.session.execute(update(Webhook).values(received_at=utcnow() - timedelta(minutes=6)))
    db.session.commit()
    sweep_pending()
    alerts = _alerts(shopify_integration.workspace_id)
    assert len(alerts) == 1 and alerts[0].level == "warning"
    assert "waited 6 minutes" in alerts[0].message and "webhooks worker" in alerts[0].message
    sweep_pending()
    assert len(_alerts(shopify_integration.workspace_id)) == 1  # still open: not repeated

    alerts[0].dismissed_at = utcnow()
    db.session.commit()
    sweep_pending()
    assert len(_alerts(shopify_integration.workspace_id)) == 2  # still behind after it was dismissed


def test_threshold_comes_from_the_configuration(app, post_shopify, shopify_integration, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOK_LAG_ALERT_SECONDS", 30)
    assert post_shopify("products/create", fixture_bytes("shopify/products_create.json")).status_code == 200
    db.session.execute(update(Webhook).values(received_at=utcnow() - timedelta(seconds=45)))
    db.session.commit()
    sweep_pending()
    assert len(_alerts(shopify_integration.workspace_id)) == 1
