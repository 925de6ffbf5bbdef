"""The setup checklist a new workspace sees on the overview: each step ticks itself from what is really there
(a connected integration, a finished sync, an automation switched on, ...) and says where it is done.
One query per step, each an EXISTS. Read-only; no Flask here (the route turns endpoints into links)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, select

from app.extensions import db
from app.models import ApiToken, Automation, Integration, SyncRun, Workspace
from app.models.scoping import WorkspaceScope


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    hint: str
    endpoint: str  # where it is done
    anchor: str = ""
    done: bool = False


@dataclass(frozen=True)
class Checklist:
    steps: list[Step]

    @property
    def done(self) -> int:
        return sum(s.done for s in self.steps)

    @property
    def complete(self) -> bool:
        return all(s.done for s in self.steps)


def _exists(*criteria) -> bool:
    return bool(db.session.scalar(select(exists().where(*criteria))))


def _connected(ws: int, platform: str) -> bool:
    return _exists(Integration.workspace_id == ws, Integration.platform == platform,
                   Integration.status == "connected")  # fmt: skip


def checklist(scope: WorkspaceScope, model_key_configured: bool) -> Checklist:
    ws = scope.workspace_id
    workspace = db.session.get(Workspace, ws)
    synced = _exists(SyncRun.workspace_id == ws, SyncRun.status == "succeeded",
                     SyncRun.integration_id == Integration.id, Integration.platform == "shopify")  # fmt: skip
    steps = [
        Step("shopify", "Connect Shopify", "Your shop's products, stock and orders come from it.",
             "integrations.index", done=_connected(ws, "shopify")),
        Step("first_sync", "First sync done", "A full sync brings the catalog in; it runs once you connect.",
             "integrations.index", done=synced),
        Step("whatsapp", "Connect WhatsApp", "Customers reach you and the agent on your WhatsApp number.",
             "integrations.index", done=_connected(ws, "whatsapp")),
        Step("facebook", "Connect the Facebook catalog", "Lets customers browse and send carts on WhatsApp.",
             "integrations.index", done=_connected(ws, "facebook")),
        Step("agent", "Switch on the agent",
             "Needs a model key (OPENAI_API_KEY, set by the operator) and the agent switch in Settings."
             if not model_key_configured else "The agent answers customers and sells from your catalog.",
             "settings.index", "agent", done=bool(model_key_configured and workspace.agent_enabled)),
        Step("automation", "Turn on an automation", "Order confirmations and shipping updates on WhatsApp.",
             "messaging.index", done=_exists(Automation.workspace_id == ws, Automation.enabled.is_(True))),
        Step("api_token", "Create an API token", "For your own tools and agents to use the API.",
             "settings.tokens", done=_exists(ApiToken.workspace_id == ws, ApiToken.revoked_at.is_(None))),
    ]  # fmt: skip
    return Checklist(steps)
