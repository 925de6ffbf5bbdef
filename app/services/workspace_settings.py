"""The workspace's own settings a merchant edits: where notifications go, whether (and how) the
conversational agent answers customers, and what the product feed for agentic shopping lists (checked here,
since the form and the feed both depend on them). Values arrive from the settings forms; this module writes
them. No Flask request objects, no HTTP.
"""

from __future__ import annotations

import re

from app.catalog.feed import tag_set
from app.extensions import db
from app.models import Collection, ProductFeedSettings, Workspace
from app.models.scoping import WorkspaceScope
from app.models.types import utcnow
from app.problems import AppError

COUNTRY = re.compile(r"[A-Z]{2}")
URL = re.compile(r"https?://[^\s/?#]+(/[^\s?#]*)?")


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


def update_timezone(workspace: Workspace, name: str) -> Workspace:
    """`name` is checked by the form (an IANA zone this system knows)."""
    workspace.timezone = name
    db.session.commit()
    return workspace


class FeedSettingsInvalid(AppError):
    status = 422

    def __init__(self, fields: dict[str, str]):
        super().__init__("Some feed settings are invalid.")
        self.fields = fields


def feed_settings(workspace_id: int) -> ProductFeedSettings:
    """The workspace's product feed choices; the defaults (every active product, for the US) if never saved."""
    row = db.session.get(ProductFeedSettings, workspace_id)
    if row is None:
        row = ProductFeedSettings(
            workspace_id=workspace_id, scope="all", target_countries="US", store_country="US", updated_at=None
        )
    return row


def country_codes(text: str | None) -> list[str]:
    return [c.strip().upper() for c in re.split(r"[,\s]+", text or "") if c.strip()]


def update_feed_settings(
    workspace_id: int,
    *,
    scope: str,
    collection_id: int | None,
    excluded_tags: str | None,
    target_countries: str | None,
    store_country: str | None,
    store_url: str | None,
) -> ProductFeedSettings:
    """Check and save the feed choices; `FeedSettingsInvalid` (422, with `fields`) names what is wrong."""
    errors: dict[str, str] = {}
    if scope not in ("all", "collection"):
        errors["scope"] = "Choose every product or one collection."
    collection = WorkspaceScope(workspace_id).get(Collection, collection_id) if collection_id else None
    if scope == "collection" and collection is None:
        errors["collection_id"] = "Choose one of the shop's collections."
    countries = country_codes(target_countries)
    if not countries or any(not COUNTRY.fullmatch(c) for c in countries) or len(countries) > 50:
        errors["target_countries"] = "Give one or more two-letter country codes (ISO 3166-1), e.g. US, PT."
    home = (store_country or "").strip().upper()
    if not COUNTRY.fullmatch(home):
        errors["store_country"] = "Give the store's two-letter country code, e.g. US."
    url = _clean(store_url)
    if url and (not URL.fullmatch(url) or len(url) > 500):
        errors["store_url"] = "Give the shop's public address, starting with https:// or http://."
    if errors:
        raise FeedSettingsInvalid(errors)
    row = db.session.get(ProductFeedSettings, workspace_id)
    if row is None:
        row = ProductFeedSettings(workspace_id=workspace_id)
        db.session.add(row)
    row.scope = scope
    row.collection_id = collection.id if scope == "collection" else None
    row.excluded_tags = ", ".join(sorted(tag_set(excluded_tags))) or None
    row.target_countries = ",".join(dict.fromkeys(countries))
    row.store_country = home
    row.store_url = url.rstrip("/") if url else None
    row.updated_at = utcnow()
    db.session.commit()
    return row
