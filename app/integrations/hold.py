"""Which one integration holds a platform account: a shop domain, a WhatsApp phone number id, a page id.

An integration holds its account once a platform call answered with its credentials for it (Shopify OAuth or a
token whose `shop` query answered, the phone number or catalog read for Meta): `proved_at` is set. It keeps it
through a disconnect (the workspace still has the account's data and must get its compliance requests) until
the row is deleted or another workspace proves the account afresh. Only the holder receives the account's
webhooks and compliance requests (`app.webhooks.intake` routes by it); at most one row holds an account (a
partial unique index). While the holder is connected, connecting the account in another workspace is refused;
once it is not, a fresh proof elsewhere moves the hold and the old row says so on its card.

Calls no platform. `refuse_if_held_elsewhere` runs before the platform call, `claim` with the proof in hand
just before the caller's commit, and `commit_claim` turns a lost race on the unique index into the same 409.
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.integrations.base import ACCOUNT_KEYS, IntegrationConflict, find_by_account
from app.integrations.disconnect import release
from app.models import Integration
from app.models.scoping import WorkspaceScope
from app.models.types import utcnow

log = logging.getLogger(__name__)

THINGS = {"shopify": "store", "whatsapp": "WhatsApp number", "facebook": "Facebook page"}
HELD_ELSEWHERE = {
    "shopify": (
        "This store is connected to another WAgents workspace, which receives its webhooks and compliance "
        "requests. Disconnect it there first (or uninstall the app from the store's Shopify admin), then "
        "connect it here."
    ),
    "whatsapp": (
        "This WhatsApp number is connected to another WAgents workspace, which receives its messages. "
        "Disconnect it there first, then connect it here."
    ),
    "facebook": (
        "This Facebook page is connected to another WAgents workspace, which receives its messages. "
        "Disconnect it there first, then connect it here."
    ),
}
MOVED = (
    "This {thing} was connected to another workspace on {date}, which now receives its webhooks{more}. "
    "Connect it again here to move it back."
)


def holder(platform: str, account_id: str, *, lock: bool = False) -> Integration | None:
    stmt = select(Integration).where(
        Integration.platform == platform,
        Integration.account_id == account_id,
        Integration.proved_at.is_not(None),
    )
    return db.session.scalars(stmt.with_for_update() if lock else stmt).first()


def refuse_if_held_elsewhere(scope: WorkspaceScope, platform: str, account_id: str) -> None:
    """Refuse before any platform call when another workspace holds the account and is connected."""
    current = holder(platform, account_id)
    if current is not None and current.workspace_id != scope.workspace_id and current.status == "connected":
        _refuse(scope, platform, account_id)


def claim(scope: WorkspaceScope, integration: Integration) -> None:
    """The integration's credentials just proved its account: it holds the account from this commit on.
    A holder elsewhere that is still connected makes this a refusal (nothing of this attempt is kept); one
    that is not is released, forgets its tokens and is told."""
    current = holder(integration.platform, integration.account_id, lock=True)
    if current is not None and current.id != integration.id:
        if current.status == "connected":
            db.session.rollback()
            _refuse(scope, integration.platform, integration.account_id)
        more = " and compliance requests" if integration.platform == "shopify" else ""
        thing = THINGS[integration.platform]
        release(current, MOVED.format(thing=thing, date=utcnow().strftime("%Y-%m-%d"), more=more))
        db.session.flush()  # the old hold goes first: the unique index allows one at a time
        log.info(
            "%s account moved from integration %s to %s by a fresh proof",
            integration.platform, current.id, integration.id or "new",
        )  # fmt: skip
    integration.proved_at = utcnow()


def commit_claim(scope: WorkspaceScope, integration: Integration) -> None:
    """Commit a claim; another workspace proving the same account at the same moment loses with a 409."""
    platform, account_id = integration.platform, integration.account_id
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        current = holder(platform, account_id)
        if current is not None and current.workspace_id != scope.workspace_id:
            _refuse(scope, platform, account_id)
        # The same workspace connecting the account twice at once: the other attempt won.
        raise IntegrationConflict(
            f"This {THINGS[platform]} is already connected in your workspace."
        ) from None


def _refuse(scope: WorkspaceScope, platform: str, account_id: str):
    message = HELD_ELSEWHERE[platform]
    row = find_by_account(scope, platform, account_id)
    if row is not None and row.status != "connected":
        row.status_message = message  # the card keeps saying why after the page is reloaded
        db.session.commit()
    log.info(
        "workspace %s: %s account held by another workspace; connect refused", scope.workspace_id, platform
    )
    raise IntegrationConflict(message, fields={ACCOUNT_KEYS[platform]: "Connected to another workspace."})
