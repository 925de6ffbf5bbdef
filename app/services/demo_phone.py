"""The demo phone from the dashboard's side: is this workspace's WhatsApp the stand-in number, and wiring a
workspace to it (`flask demo` on start, and tests).

The stand-in (`app.demo_phone.DemoPhone`) is handed in by the caller (the app holds it in
`extensions["demo_phone"]` in demo mode); this module never imports it, so the app without the demo stays
free of it.
"""

from __future__ import annotations

import logging

from app.extensions import db
from app.integrations import service as integrations
from app.models import Integration
from app.models.scoping import WorkspaceScope
from app.problems import AppError
from app.services import accounts

log = logging.getLogger(__name__)

MAX_TEXT = 4096
VERIFY_TOKEN = "demo-phone-verify-token"


class DemoPhoneRefused(AppError):
    """What the customer typed was not sent; the message says why."""


def stand_in_integration(scope: WorkspaceScope, phone) -> Integration | None:
    """The workspace's connected WhatsApp integration when it is the stand-in number (else None)."""
    if phone is None:
        return None
    rows = db.session.scalars(
        scope.select(Integration, Integration.platform == "whatsapp", Integration.status == "connected")
    )
    return next((i for i in rows if phone.serves(i.account_id)), None)


def wire(scope: WorkspaceScope, phone) -> Integration:
    """Connect the workspace's WhatsApp to the stand-in number (as a merchant pastes Meta's credentials: the
    connect test calls the stand-in over HTTP, and the template sync is queued)."""
    phone_number_id, waba_id = phone.phone_number_id, phone.waba_id
    existing = db.session.scalars(
        scope.select(
            Integration, Integration.platform == "whatsapp", Integration.account_id == phone_number_id
        )
    ).first()
    if existing is not None and existing.status == "connected":
        return existing
    data = {"access_token": phone.access_token, "phone_number_id": phone_number_id, "waba_id": waba_id,
            "app_secret": phone.app_secret, "verify_token": VERIFY_TOKEN}  # fmt: skip
    return integrations.connect_whatsapp(scope, data, integration=existing)


def customer_says(phone, customer: str, text: str) -> int:
    """Send what the customer typed to the app as their WhatsApp message; raises DemoPhoneRefused (422)."""
    text = (text or "").strip()
    if not text:
        raise DemoPhoneRefused("Type a message first.", status=422)
    if len(text) > MAX_TEXT:
        raise DemoPhoneRefused(f"WhatsApp messages are at most {MAX_TEXT} characters.", status=422)
    status = phone.customer_says(customer, text)
    if not 200 <= status < 300:
        raise DemoPhoneRefused(
            f"The app's WhatsApp webhook did not take the message (HTTP {status}).", status=502
        )
    return status


def known_customer(phone, customer: str | None) -> str | None:
    customers = phone.customers()
    if not customer:
        return customers[0]
    return customer if customer in customers else None


def wire_demo(app, user_email: str) -> Integration | None:
    """`flask demo`: wire the demo login's workspace to the app's stand-in number (once the server answers)."""
    phone = app.extensions.get("demo_phone")
    with app.app_context():
        user = accounts.find_user(user_email)
        if phone is None or user is None:
            return None
        try:
            return wire(WorkspaceScope(user.workspace_id), phone)
        except integrations.IntegrationError as exc:
            log.error("could not connect the demo phone: %s", exc.message)
            return None
