"""The workspace's own settings a merchant edits: where notifications go, and whether (and how) the
conversational agent answers customers. Values arrive validated by the settings forms; this module writes them.
No Flask request objects, no HTTP.
"""

from __future__ import annotations

from app.extensions import db
from app.models import Workspace


def get_workspace(workspace_id: int) -> Workspace:
    return db.session.get(Workspace, workspace_id)


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def update_notifications(workspace: Workspace, webhook_url: str | None, email: str | None) -> Workspace:
    workspace.notification_webhook_url = _clean(webhook_url)
    workspace.notification_email = _clean(email.lower() if email else email)
    db.session.commit()
    return workspace


def update_agent(
    workspace: Workspace, enabled: bool, model: str | None, instructions: str | None
) -> Workspace:
    workspace.agent_enabled = bool(enabled)
    workspace.agent_model = _clean(model)
    workspace.agent_instructions = _clean(instructions)
    db.session.commit()
    return workspace
