"""Handlers for WhatsApp Cloud API and Messenger webhooks: conversations, messages, statuses, cart orders.

A WhatsApp customer is keyed by (phone_number_id, wa_id or business-scoped user id): since 2026 a customer with
a username may come with `from_user_id` / `contacts[].user_id` and no `wa_id`, `profile` or `contacts` at all,
so every one of those is optional here and both ids are stored when present. Messages are deduped by the
platform's message id (the unique column decides). An `order` message (a catalog cart) becomes a draft order
whose lines hold stock through `app.inventory.reserve`. New inbound messages wake the agent (the
`agent.reply` job) after the commit when the workspace has it enabled; the agent itself is not imported here.
Must not call Meta.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from functools import partial

from sqlalchemy import or_, select, update

from app.extensions import db
from app.messaging.customers import customer_for, note_inbound
from app.messaging.sender import apply_status
from app.models import Conversation, Message, Workspace
from app.models.types import utcnow
from app.queues import QueueUnavailable, enqueue
from app.sync.catalog_writer import dialect_insert
from app.webhooks import shapes
from app.webhooks.delivery import Delivery
from app.webhooks.whatsapp_orders import draft_order_from_cart

log = logging.getLogger(__name__)
# Statuses only move forward; "failed" beats "sent" but a later "delivered"/"read" proves it arrived after all.
STATUS_RANK = {"queued": 0, "sent": 1, "failed": 2, "delivered": 3, "read": 4}


def _epoch(value, *, millis: bool = False) -> datetime:
    try:
        seconds = float(value) / (1000 if millis else 1)
        return datetime.fromtimestamp(seconds, UTC)
    except (TypeError, ValueError, OverflowError):
        return utcnow()


def _workspace_id(d: Delivery) -> int | None:
    if d.workspace_id is None:
        d.log(d.workspace_id, "conversation", "-", "skip")
    return d.workspace_id


def conversation_for(d: Delivery, channel_id: str, *, wa_id=None, user_id=None, name=None) -> Conversation:
    """Find the customer's conversation by either id, or create it; both ids are kept once known."""
    ws = d.workspace_id
    criteria = []
    if user_id:
        criteria.append(Conversation.customer_user_id == user_id)
    if wa_id:
        criteria.append(Conversation.customer_wa_id == wa_id)
    base = select(Conversation).where(
        Conversation.workspace_id == ws,
        Conversation.platform == d.platform,
        Conversation.channel_id == channel_id,
    )
    conversation = db.session.scalars(base.where(or_(*criteria)).order_by(Conversation.id)).first()
    if conversation is None:
        key = wa_id or user_id
        now = utcnow()
        # Two deliveries from a new customer may race: the unique key decides, the loser reads the winner's row.
        stmt = dialect_insert(Conversation).values(
            workspace_id=ws, integration_id=d.integration_id, platform=d.platform, channel_id=channel_id,
            customer_key=key, status="open", created_at=now,
        )  # fmt: skip
        db.session.execute(
            stmt.on_conflict_do_nothing(
                index_elements=["workspace_id", "platform", "channel_id", "customer_key"]
            )
        )
        conversation = db.session.scalars(base.where(Conversation.customer_key == key)).one()
        d.log(ws, "conversation", conversation.id, "create")
    if wa_id and not conversation.customer_wa_id:
        conversation.customer_wa_id = wa_id
    if wa_id and not conversation.customer_phone and d.platform == "whatsapp":
        conversation.customer_phone = f"+{wa_id}" if wa_id.isdigit() else wa_id
    if user_id and not conversation.customer_user_id:
        conversation.customer_user_id = user_id
    if name:
        conversation.customer_name = name[:255]
    return conversation


def store_inbound(
    d: Delivery, conversation: Conversation, message_id: str, kind: str, body, payload, at
) -> bool:
    """Insert the inbound message unless its id is known; True when it is new."""
    now = utcnow()
    stmt = dialect_insert(Message).values(
        conversation_id=conversation.id, direction="in", type=(kind or "unknown")[:30], body=body, payload=payload,
        platform_message_id=message_id, status="received", created_at=at, updated_at=now,
    )  # fmt: skip
    new_id = db.session.execute(
        stmt.on_conflict_do_nothing(index_elements=["platform_message_id"]).returning(Message.id)
    ).scalar()
    if new_id is None:
        d.log(d.workspace_id, "message", message_id, "skip", error="Duplicate message id.")
        return False
    if conversation.last_inbound_at is None or conversation.last_inbound_at < at:
        conversation.last_inbound_at = at
    if conversation.last_message_at is None or conversation.last_message_at < at:
        conversation.last_message_at = at
    if conversation.status == "closed":
        conversation.status = "open"
    d.log(d.workspace_id, "message", new_id, "create")
    return True


def update_outbound_status(d: Delivery, message_id: str, status: str, error: str | None = None) -> None:
    message = db.session.scalars(
        select(Message)
        .join(Conversation, Message.conversation_id == Conversation.id)
        .where(Conversation.workspace_id == d.workspace_id, Message.platform_message_id == message_id,
               Message.direction == "out")
    ).first()  # fmt: skip
    if message is None:
        d.log(d.workspace_id, "message", message_id, "skip", error=f"Status {status} for an unknown message.")
        return
    if STATUS_RANK.get(status, -1) <= STATUS_RANK.get(message.status, -1):
        d.log(d.workspace_id, "message", message.id, "skip", error=f"Status {status} after {message.status}.")
        return
    message.status = status
    if status == "failed":
        message.error = error or "Delivery failed."
    d.log(d.workspace_id, "message", message.id, "update", error=f"status {status}")


def notify_agent(d: Delivery, conversation_ids: set[int]) -> None:
    if not conversation_ids:
        return
    workspace = db.session.get(Workspace, d.workspace_id)
    if workspace is None or not workspace.agent_enabled:
        return
    for conversation_id in sorted(conversation_ids):
        d.after_commit.append(partial(_enqueue_reply, conversation_id))


def _enqueue_reply(conversation_id: int) -> None:
    try:
        enqueue("agent.reply", conversation_id)
    except QueueUnavailable:
        log.warning("conversation %s: agent reply not queued, Redis unavailable", conversation_id)


# --- WhatsApp ---------------------------------------------------------------------------------------------
# Every field is read through `shapes`: a value of the wrong type fails this one delivery with an error that
# names it (`entry[0].changes[0].value.messages[1].text.body is an object, not text`).


def _whatsapp_content(message: dict, where: str) -> tuple[str, str | None, dict | None]:
    kind = shapes.text(message.get("type"), f"{where}.type") or "unknown"
    content = message.get(kind) if isinstance(message.get(kind), dict) else {}
    where = f"{where}.{kind}"
    if kind == "text":
        return kind, shapes.text(content.get("body"), f"{where}.body"), None
    if kind == "interactive":
        reply_type = shapes.text(content.get("type"), f"{where}.type") or ""
        reply = shapes.obj(content.get(reply_type), f"{where}.{reply_type}")
        title = shapes.text(reply.get("title"), f"{where}.{reply_type}.title")
        return kind, title or shapes.text(reply.get("body"), f"{where}.{reply_type}.body"), content
    if kind in ("button", "order"):
        return kind, shapes.text(content.get("text"), f"{where}.text"), content
    caption = shapes.text(content.get("caption"), f"{where}.caption")
    return kind, caption or shapes.text(content.get("body"), f"{where}.body"), content or None


def _sender(message: dict, contacts: list[dict], where: str) -> tuple[str | None, str | None, str | None]:
    """(wa_id, user_id, profile name); any of them may be missing."""
    wa_id = shapes.ident(message.get("from"), f"{where}.from")
    user_id = shapes.ident(message.get("from_user_id"), f"{where}.from_user_id")
    contact = next(
        (
            c
            for c in contacts
            if (wa_id and c.get("wa_id") == wa_id) or (user_id and c.get("user_id") == user_id)
        ),
        contacts[0] if len(contacts) == 1 else {},
    )
    wa_id = wa_id or shapes.ident(contact.get("wa_id"), "contacts[].wa_id")
    user_id = user_id or shapes.ident(contact.get("user_id"), "contacts[].user_id")
    name = shapes.text(
        shapes.obj(contact.get("profile"), "contacts[].profile").get("name"), "contacts[].name"
    )
    return wa_id, user_id, name


def whatsapp_messages(d: Delivery) -> None:
    if _workspace_id(d) is None:
        return
    woken: set[int] = set()
    for i, entry in enumerate(shapes.objects(d.body.get("entry"), "entry")):
        for j, change in enumerate(shapes.objects(entry.get("changes"), f"entry[{i}].changes")):
            where = f"entry[{i}].changes[{j}].value"
            value = shapes.obj(change.get("value"), where)
            metadata = shapes.obj(value.get("metadata"), f"{where}.metadata")
            channel = shapes.ident(metadata.get("phone_number_id"), f"{where}.metadata.phone_number_id")
            channel = channel or d.account_id
            contacts = [
                c for c in shapes.items(value.get("contacts"), f"{where}.contacts") if isinstance(c, dict)
            ]
            for n, message in enumerate(shapes.objects(value.get("messages"), f"{where}.messages")):
                _whatsapp_message(d, channel, contacts, message, f"{where}.messages[{n}]", woken)
            for n, status in enumerate(shapes.objects(value.get("statuses"), f"{where}.statuses")):
                _whatsapp_status(d, status, f"{where}.statuses[{n}]")
    notify_agent(d, woken)


def _whatsapp_message(
    d: Delivery, channel: str, contacts: list[dict], message: dict, where: str, woken
) -> None:
    wa_id, user_id, name = _sender(message, contacts, where)
    message_id = shapes.ident(message.get("id"), f"{where}.id")
    if not (wa_id or user_id) or not message_id:
        d.log(d.workspace_id, "message", message_id or "-", "skip", error="No sender id.")
        return
    conversation = conversation_for(d, channel, wa_id=wa_id, user_id=user_id, name=name)
    kind, body, payload = _whatsapp_content(message, where)
    at = _epoch(message.get("timestamp"))
    if store_inbound(d, conversation, message_id, kind, body, payload, at):
        woken.add(conversation.id)
        # Once per message id: the window opens and STOP / BAJA / START / the opt-out button change consent.
        customer = customer_for(d.workspace_id, user_id=user_id, wa_id=wa_id, name=name)
        if customer is not None:
            note_inbound(customer, kind, body, payload, at)
    if kind == "order":  # also on a re-run: the draft order is keyed by the message id
        draft_order_from_cart(d, conversation, message_id, payload or {}, at)


def _whatsapp_status(d: Delivery, status: dict, where: str) -> None:
    errors = shapes.objects(status.get("errors"), f"{where}.errors") or [{}]
    error = shapes.text(errors[0].get("title"), f"{where}.errors[0].title") or shapes.text(
        errors[0].get("message"), f"{where}.errors[0].message"
    )
    message_id = shapes.ident(status.get("id"), f"{where}.id") or ""
    state = shapes.text(status.get("status"), f"{where}.status") or ""
    callback = shapes.text(status.get("biz_opaque_callback_data"), f"{where}.biz_opaque_callback_data")
    code = errors[0].get("code")
    code = code if isinstance(code, int) and not isinstance(code, bool) else None
    outcome = apply_status(d.workspace_id, message_id, state, callback=callback, code=code, error=error)
    if outcome is not None:  # an outbox message: the outbox row holds its status
        d.log(d.workspace_id, "outbox", message_id or callback or "-", "skip" if outcome == "skip" else "update",
              error=f"status {state}: {outcome}")  # fmt: skip
        return
    update_outbound_status(d, message_id, state, error)


# --- Messenger ---------------------------------------------------------------------------------------------


def _messaging(d: Delivery):
    """(page id, event, its path) for every messaging event of the delivery."""
    for i, entry in enumerate(shapes.objects(d.body.get("entry"), "entry")):
        page_id = shapes.ident(entry.get("id"), f"entry[{i}].id") or d.account_id
        for j, event in enumerate(shapes.objects(entry.get("messaging"), f"entry[{i}].messaging")):
            yield page_id, event, f"entry[{i}].messaging[{j}]"


def facebook_messages(d: Delivery) -> None:
    if _workspace_id(d) is None:
        return
    woken: set[int] = set()
    for page_id, event, where in _messaging(d):
        message = shapes.obj(event.get("message"), f"{where}.message")
        postback = shapes.obj(event.get("postback"), f"{where}.postback")
        if message.get("is_echo"):  # our own send, stored when we sent it
            continue
        psid = shapes.ident(
            shapes.obj(event.get("sender"), f"{where}.sender").get("id"), f"{where}.sender.id"
        )
        mid = shapes.ident(message.get("mid"), f"{where}.message.mid") or shapes.ident(
            postback.get("mid"), f"{where}.postback.mid"
        )
        if not psid or not mid:
            d.log(d.workspace_id, "message", mid or "-", "skip", error="No sender or message id.")
            continue
        conversation = conversation_for(d, page_id, user_id=psid)
        if message:
            body = shapes.text(message.get("text"), f"{where}.message.text")
            attachments = shapes.objects(message.get("attachments"), f"{where}.message.attachments")
            first = (
                shapes.text(attachments[0].get("type"), f"{where}.message.attachments[0].type")
                if attachments
                else None
            )
            kind = "text" if body else (first or "message")
            extra = {
                k: message[k] for k in ("attachments", "quick_reply", "reply_to") if k in message
            } or None
        else:
            kind, body, extra = (
                "postback",
                shapes.text(postback.get("title"), f"{where}.postback.title"),
                postback,
            )
        if store_inbound(
            d, conversation, mid, kind, body, extra, _epoch(event.get("timestamp"), millis=True)
        ):
            woken.add(conversation.id)
    notify_agent(d, woken)


def facebook_delivery(d: Delivery) -> None:
    if _workspace_id(d) is None:
        return
    for _page_id, event, where in _messaging(d):
        delivery = shapes.obj(event.get("delivery"), f"{where}.delivery")
        for n, mid in enumerate(shapes.items(delivery.get("mids"), f"{where}.delivery.mids")):
            update_outbound_status(d, shapes.ident(mid, f"{where}.delivery.mids[{n}]") or "", "delivered")


def facebook_read(d: Delivery) -> None:
    """Messenger reports reads as a watermark: every message we sent up to that time was read."""
    if _workspace_id(d) is None:
        return
    for page_id, event, where in _messaging(d):
        psid = shapes.ident(
            shapes.obj(event.get("sender"), f"{where}.sender").get("id"), f"{where}.sender.id"
        )
        read = shapes.obj(event.get("read"), f"{where}.read")
        watermark = _epoch(read.get("watermark"), millis=True)
        conversation_ids = select(Conversation.id).where(
            Conversation.workspace_id == d.workspace_id, Conversation.platform == "facebook",
            Conversation.channel_id == page_id, Conversation.customer_user_id == str(psid),
        )  # fmt: skip
        result = db.session.execute(
            update(Message)
            .where(Message.conversation_id.in_(conversation_ids), Message.direction == "out",
                   Message.status.in_(("queued", "sent", "delivered")), Message.created_at <= watermark)
            .values(status="read", updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )  # fmt: skip
        d.log(d.workspace_id, "message", psid or "-", "update" if result.rowcount else "skip",
              error=f"{result.rowcount or 0} messages read")  # fmt: skip
