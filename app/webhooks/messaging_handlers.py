"""Handlers for the WhatsApp Business Account's template webhooks (`message_template_status_update`, ...).

The body names one template (`message_template_name`, `message_template_language`) and its new state
(`event`: APPROVED, REJECTED, PAUSED, DISABLED...). The stored template's status changes at once, and a full
re-read of the account's templates is queued after the commit (a new template, its components). Must not call
Meta.
"""

from __future__ import annotations

from functools import partial

from sqlalchemy import update

from app.extensions import db
from app.messaging.templates import request_template_sync
from app.models import MessageTemplate
from app.webhooks import shapes
from app.webhooks.delivery import Delivery


def template_status(d: Delivery) -> None:
    for integration in d.targets():
        for i, entry in enumerate(shapes.objects(d.body.get("entry"), "entry")):
            for j, change in enumerate(shapes.objects(entry.get("changes"), f"entry[{i}].changes")):
                where = f"entry[{i}].changes[{j}].value"
                value = shapes.obj(change.get("value"), where)
                name = shapes.text(value.get("message_template_name"), f"{where}.message_template_name")
                language = shapes.text(
                    value.get("message_template_language"), f"{where}.message_template_language"
                )
                event = shapes.text(value.get("event"), f"{where}.event")
                if d.topic == "message_template_status_update" and name and event:
                    stmt = update(MessageTemplate).where(
                        MessageTemplate.integration_id == integration.id, MessageTemplate.name == name[:512],
                    )  # fmt: skip
                    if language:
                        stmt = stmt.where(MessageTemplate.language == language[:20])
                    db.session.execute(stmt.values(status=event.upper()[:30]))
                d.log(integration.workspace_id, "template", name or "-", "update", integration_id=integration.id,
                      error=f"{d.topic}: {event or '-'}")  # fmt: skip
        d.after_commit.append(partial(request_template_sync, integration.id))
