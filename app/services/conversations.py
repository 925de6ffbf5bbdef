"""Conversations for the dashboard: the list with each one's last message, one conversation's messages, and a
human's reply sent through the WhatsApp Cloud API.

WhatsApp allows free-form replies only within 24 hours of the customer's last message; outside that window
`send_human_reply` refuses before calling Meta. Platform calls go through `app.integrations.clients`;
no Flask request objects here.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, or_, select

from app.extensions import db
from app.integrations.clients import whatsapp_client
from app.models import Conversation, Integration, Message
from app.models.scoping import WorkspaceScope
from app.models.types import utcnow
from app.platforms.errors import PlatformError
from app.platforms.whatsapp import Recipient
from app.services.keyset import Page, paginate, per_page_from
from app.services.refused import Refused
from app.services.tool_summaries import Summary, summarise

log = logging.getLogger(__name__)

STATUSES = ("open", "waiting_human", "closed")
REPLY_WINDOW = timedelta(hours=24)
REPLY_MAX = 4096
MESSAGE_LIMIT = 200


class ReplyRefused(Refused):
    """The reply was not sent; `message` is safe to show the merchant."""


@dataclass
class ConversationFilters:
    status: str | None = None
    q: str | None = None

    @classmethod
    def from_args(cls, args) -> ConversationFilters:
        status = args.get("status")
        return cls(status if status in STATUSES else None, (args.get("q") or "").strip()[:100] or None)

    def as_args(self) -> dict[str, str]:
        return {k: v for k, v in (("status", self.status), ("q", self.q)) if v}


def list_conversations(
    scope: WorkspaceScope, f: ConversationFilters, cursor=None, per_page=None
) -> tuple[Page, dict[int, Message]]:
    """A page of conversations (latest activity first) and each one's last message, in two queries."""
    criteria = []
    if f.status:
        criteria.append(Conversation.status == f.status)
    if f.q:
        like = f"%{f.q.replace('%', '').replace('_', '')}%"
        criteria.append(
            or_(Conversation.customer_name.ilike(like), Conversation.customer_phone.ilike(like),
                Conversation.customer_user_id.ilike(like), Conversation.customer_wa_id.ilike(like))
        )  # fmt: skip
    stmt = scope.select(Conversation, *criteria)
    page = paginate(
        stmt, Conversation.last_message_at, Conversation.id, cursor, per_page_from(per_page), nullable=True
    )
    return page, last_messages([c.id for c in page.rows])


def last_messages(conversation_ids: list[int]) -> dict[int, Message]:
    if not conversation_ids:
        return {}
    newest = (
        select(func.max(Message.id))
        .where(Message.conversation_id.in_(conversation_ids))
        .group_by(Message.conversation_id)
    )
    return {m.conversation_id: m for m in db.session.scalars(select(Message).where(Message.id.in_(newest)))}


def get_conversation(scope: WorkspaceScope, conversation_id) -> Conversation | None:
    return scope.get(Conversation, conversation_id)


def messages(conversation: Conversation, limit: int = MESSAGE_LIMIT) -> list[Message]:
    """The latest `limit` messages, oldest first (how a chat reads)."""
    stmt = (
        select(Message)
        .where(Message.conversation_id == conversation.id)
        .order_by(Message.id.desc())
        .limit(limit)
    )
    return list(reversed(list(db.session.scalars(stmt))))


@dataclass
class ToolCall:
    name: str
    arguments: str
    result: str | None
    summary: Summary | None = None


def _pretty(value) -> str:
    """Indented JSON; OpenAI sends arguments as a JSON string, which is decoded first."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return value
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=str)


def describe_calls(message: Message) -> list[ToolCall]:
    """The agent's tool calls on a message, in OpenAI's shape (`{"function": {"name", "arguments"}}`) or flat
    (`{"name", "arguments", "result"}`), ready to show."""
    calls = []
    for call in message.tool_calls or []:
        if not isinstance(call, dict):
            continue
        fn = call.get("function") if isinstance(call.get("function"), dict) else {}
        arguments = call.get("arguments", fn.get("arguments"))
        result = call.get("result", call.get("output"))
        calls.append(
            ToolCall(
                name=str(call.get("name") or fn.get("name") or "tool"),
                arguments=_pretty(arguments if arguments is not None else {}),
                result=None if result is None else _pretty(result),
                summary=summarise(str(call.get("name") or fn.get("name") or "tool"), arguments, result),
            )
        )
    return calls


NOT_CONNECTED = "WhatsApp is not connected, so replies cannot be sent: connect it on the Integrations page."


def window_open(conversation: Conversation) -> bool:
    last = conversation.last_inbound_at
    return last is not None and utcnow() - last < REPLY_WINDOW


def reply_blocker(conversation: Conversation) -> str | None:
    """Why a free-form reply cannot be sent now (None when it can)."""
    if conversation.platform != "whatsapp":
        return "Replies from the dashboard are available for WhatsApp conversations only."
    integration = _integration(conversation)
    if integration is None or integration.status != "connected":
        return NOT_CONNECTED
    if not window_open(conversation):
        return (
            "This customer last wrote more than 24 hours ago. WhatsApp only allows approved templates until "
            "they write again."
        )
    return None


def send_human_reply(conversation: Conversation, text: str) -> Message:
    """Send `text` to the customer as a person from the shop, and record it. Raises ReplyRefused."""
    text = (text or "").strip()
    if not text:
        raise ReplyRefused("Write a message first.", 422)
    if len(text) > REPLY_MAX:
        raise ReplyRefused(f"WhatsApp messages are at most {REPLY_MAX} characters.", 422)
    blocker = reply_blocker(conversation)
    if blocker:
        raise ReplyRefused(blocker)
    integration = _integration(conversation)
    try:
        recipient = Recipient(
            wa_id=conversation.customer_wa_id or None, user_id=conversation.customer_user_id
        )
    except ValueError:
        raise ReplyRefused("This conversation has no WhatsApp id or user id to reply to.") from None
    try:
        sent = whatsapp_client(integration).send_text(recipient, text)
    except PlatformError as exc:
        log.warning("human reply in conversation %s failed: %s", conversation.id, type(exc).__name__)
        raise ReplyRefused(exc.merchant_message, 503 if getattr(exc, "retryable", False) else 409) from exc
    now = utcnow()
    message = Message(
        conversation_id=conversation.id, direction="out", type="text", body=text, status="sent",
        platform_message_id=sent.message_id or None, payload={"sent_by": "human"}, created_at=now, updated_at=now,
    )  # fmt: skip
    db.session.add(message)
    conversation.last_message_at = now
    if conversation.status == "waiting_human":
        conversation.status = "open"
    db.session.commit()
    return message


def _integration(conversation: Conversation) -> Integration | None:
    scope = WorkspaceScope(conversation.workspace_id)
    if conversation.integration_id:
        return scope.get(Integration, conversation.integration_id)
    stmt = scope.select(
        Integration, Integration.platform == "whatsapp", Integration.account_id == conversation.channel_id
    )
    return db.session.scalars(stmt).first()
