"""The WhatsApp customer of a workspace and their consent.

A customer is found by their business-scoped user id (BSUID) or by their phone digits (`wa_id`), whichever is
known; a phone-only customer from a Shopify order gains the BSUID when they write. Consent has three states
(`unknown`, `opted_in`, `opted_out`) and a history (`consent_event`). Every change carries the time the event
happened: an older event that arrives late never overrides a newer one. Sources:

- an inbound message opts in a customer whose consent is unknown (never one who opted out);
- `STOP` / `BAJA` (or a template's opt-out quick-reply button) opts out; `START` opts back in;
- Shopify's SMS marketing consent `SUBSCRIBED` on an order or customer opts in a customer whose consent is
  unknown (never one who opted out on WhatsApp); Shopify's "not subscribed" is about SMS marketing, not a
  WhatsApp opt-out, so it changes nothing here.

No commits: callers own the transaction.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select

from app.extensions import db
from app.models import ConsentEvent, Customer
from app.models.types import utcnow
from app.sync.upsert_sql import dialect_insert

OPT_OUT_WORDS = frozenset({"stop", "baja", "stop promotions", "detener promociones", "unsubscribe"})
OPT_IN_WORDS = frozenset({"start", "alta"})


def digits(phone: str | None) -> str | None:
    """The phone's digits (what WhatsApp calls wa_id), or None when it holds fewer than 6."""
    found = "".join(ch for ch in str(phone or "") if ch.isdigit())
    return found if len(found) >= 6 else None


def customer_for(workspace_id: int, *, user_id=None, wa_id=None, name=None) -> Customer | None:
    """Find the customer by either id or create it; the other id is filled in once known."""
    user_id = (user_id or "").strip()[:255] or None
    wa_id = (wa_id or "").strip()[:50] or None
    if not (user_id or wa_id):
        return None
    criteria = []
    if user_id:
        criteria.append(Customer.user_id == user_id)
    if wa_id:
        criteria.append(Customer.wa_id == wa_id)
    base = select(Customer).where(Customer.workspace_id == workspace_id)
    customer = db.session.scalars(base.where(or_(*criteria)).order_by(Customer.id)).first()
    if customer is None:
        now = utcnow()
        # Two deliveries for a new customer may race: the unique keys decide, the loser reads the winner.
        db.session.execute(
            dialect_insert(Customer)
            .values(workspace_id=workspace_id, user_id=user_id, wa_id=wa_id, name=(name or None) and name[:255],
                    consent="unknown", created_at=now, updated_at=now)
            .on_conflict_do_nothing()
        )  # fmt: skip
        customer = db.session.scalars(base.where(or_(*criteria)).order_by(Customer.id)).first()
    if user_id and not customer.user_id:
        customer.user_id = user_id
    if wa_id and not customer.wa_id and not _taken(workspace_id, wa_id):
        customer.wa_id = wa_id
    if name and not customer.name:
        customer.name = name[:255]
    return customer


def _taken(workspace_id: int, wa_id: str) -> bool:
    stmt = select(Customer.id).where(Customer.workspace_id == workspace_id, Customer.wa_id == wa_id)
    return db.session.scalar(stmt) is not None


def set_consent(customer: Customer, state: str, source: str, at: datetime, detail: str | None = None) -> bool:
    """Record a consent event and apply it unless a newer one already decided; True when it applied."""
    db.session.add(
        ConsentEvent(workspace_id=customer.workspace_id, customer_id=customer.id, state=state, source=source,
                     detail=(detail or None) and detail[:255], happened_at=at, created_at=utcnow())
    )  # fmt: skip
    if customer.consent_at is not None and at < customer.consent_at:
        return False
    customer.consent, customer.consent_at = state, at
    return True


def keyword(text: str | None) -> str | None:
    """ "opt_out", "opt_in" or None for a message's text (trimmed, case and trailing punctuation ignored)."""
    word = " ".join((text or "").strip().strip(".!¡").lower().split())
    if word in OPT_OUT_WORDS:
        return "opt_out"
    if word in OPT_IN_WORDS:
        return "opt_in"
    return None


def note_inbound(customer: Customer, kind: str, text: str | None, payload: dict | None, at: datetime) -> None:
    """A new inbound message: opens the 24-hour window and may change consent."""
    if customer.last_inbound_at is None or customer.last_inbound_at < at:
        customer.last_inbound_at = at
    said = keyword(text)
    if kind == "button":  # a template's quick-reply button: its payload is what the template defined
        said = keyword((payload or {}).get("payload")) or said
        source_out = "opt_out_button"
    else:
        source_out = "stop_keyword"
    if said == "opt_out":
        set_consent(customer, "opted_out", source_out, at, text)
    elif said == "opt_in":
        set_consent(customer, "opted_in", "start_keyword", at, text)
    elif customer.consent == "unknown":
        set_consent(customer, "opted_in", "inbound_message", at)


def note_shopify_consent(
    workspace_id: int, phone: str | None, name: str | None, consent: dict | None
) -> None:
    """Shopify's `sms_marketing_consent` ({state, consent_updated_at, ...}) for the customer with that phone."""
    wa_id = digits(phone)
    if not wa_id or not isinstance(consent, dict):
        return
    if str(consent.get("state") or "").lower() != "subscribed":
        return
    customer = customer_for(workspace_id, wa_id=wa_id, name=name)
    if customer is None or customer.consent != "unknown":  # an opt-out is the customer's word on WhatsApp
        return
    at = _time(consent.get("consent_updated_at")) or utcnow()
    set_consent(customer, "opted_in", "shopify", at, str(consent.get("opt_in_level") or "") or None)


def _time(value) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00")) if value else None
    except ValueError:
        return None
    if parsed is not None and parsed.tzinfo is None:
        return None
    return parsed
