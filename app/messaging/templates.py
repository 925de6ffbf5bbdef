"""The WhatsApp Business Account's message templates, as Meta lists them.

`sync_templates(integration_id)` reads every page of `GET /{waba-id}/message_templates` and makes the stored
set match it exactly (new and changed templates upserted, templates Meta no longer lists deleted), in one
transaction. It runs on connect, hourly (`app.schedule`) and on the `message_template_status_update` webhook;
running it twice changes nothing. A Meta error leaves the stored templates as they were.
"""

from __future__ import annotations

import logging

from sqlalchemy import delete, select

from app.extensions import db
from app.integrations.clients import whatsapp_client
from app.models import Integration, MessageTemplate
from app.models.types import utcnow
from app.queues import QueueUnavailable, enqueue

log = logging.getLogger(__name__)


def _language(value) -> str:
    if isinstance(value, dict):  # some listings give {"code": "en_US"}
        value = value.get("code")
    return str(value or "")[:20]


def sync_templates(integration_id: int) -> int:
    """Re-read the templates of one connected WhatsApp integration; how many Meta lists."""
    integration = db.session.get(Integration, integration_id)
    if integration is None or integration.platform != "whatsapp" or integration.status != "connected":
        return 0
    waba_id = (integration.config or {}).get("waba_id")
    if not waba_id:
        log.info("integration %s: no WhatsApp Business Account id, templates not synced", integration_id)
        return 0
    listed = whatsapp_client(integration).message_templates(str(waba_id))
    now = utcnow()
    stored = {
        (t.name, t.language): t
        for t in db.session.scalars(
            select(MessageTemplate).where(MessageTemplate.integration_id == integration.id)
        )
    }
    keep = set()
    for item in listed:
        name, language = str(item.get("name") or "")[:512], _language(item.get("language"))
        if not name or not language or (name, language) in keep:
            continue
        keep.add((name, language))
        row = stored.get((name, language))
        if row is None:
            row = MessageTemplate(workspace_id=integration.workspace_id, integration_id=integration.id, name=name,
                                  language=language)  # fmt: skip
            db.session.add(row)
        row.meta_id = str(item.get("id") or "")[:100] or None
        row.category = str(item.get("category") or "").lower()[:30] or None
        row.status = str(item.get("status") or "").upper()[:30] or None
        row.components = item.get("components") if isinstance(item.get("components"), list) else []
        row.synced_at = now
    gone = [t.id for key, t in stored.items() if key not in keep]
    if gone:
        db.session.execute(delete(MessageTemplate).where(MessageTemplate.id.in_(gone)))
    db.session.commit()
    return len(keep)


def sync_all_templates() -> int:
    """The hourly job: one template sync job per connected WhatsApp integration."""
    ids = db.session.scalars(
        select(Integration.id).where(Integration.platform == "whatsapp", Integration.status == "connected")
    ).all()
    for integration_id in ids:
        request_template_sync(integration_id)
    return len(ids)


def request_template_sync(integration_id: int) -> bool:
    try:
        enqueue("messaging.sync_templates", integration_id, job_id=f"templates-{integration_id}")
    except QueueUnavailable:
        log.warning("integration %s: template sync not queued, Redis unavailable", integration_id)
        return False
    return True


def approved(workspace_id: int, name: str | None, language: str | None = None) -> MessageTemplate | None:
    """The workspace's APPROVED template of that name (in that language when given)."""
    if not name:
        return None
    stmt = select(MessageTemplate).where(
        MessageTemplate.workspace_id == workspace_id, MessageTemplate.name == name,
        MessageTemplate.status == "APPROVED",
    )  # fmt: skip
    if language:
        stmt = stmt.where(MessageTemplate.language == language)
    return db.session.scalars(stmt.order_by(MessageTemplate.id)).first()
