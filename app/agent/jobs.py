"""The agent's queue job: `reply(conversation_id)`, enqueued on `default` by the WhatsApp webhook job.

One reply at a time per conversation (a Redis lock); a job that finds the lock taken leaves a flag and the
running job answers again once it is done, so messages that arrive mid-reply are not left unanswered.
Safe to run twice: it answers only when an inbound message is newer than every outbound one.
Without OPENAI_API_KEY (or with the agent disabled) the conversation waits for a human. Outside WhatsApp's
24-hour window no free text is sent: the attempt is recorded and the conversation waits for a human.
Must not hold a database transaction open while the model thinks.
"""

from __future__ import annotations

import logging

from redis.exceptions import LockError
from sqlalchemy import func, select

from agent_tools import ToolContext, ToolError
from agent_tools.platform import integration_for, window_open
from app.agent import runner
from app.extensions import db
from app.integrations.clients import whatsapp_client
from app.models import Conversation, Message, Workspace
from app.models.types import utcnow
from app.platforms.errors import MetaError, WhatsAppWindowClosed
from app.platforms.llm import LLMError
from app.platforms.whatsapp import Recipient
from app.queues import get_redis

log = logging.getLogger(__name__)

LOCK_SECONDS = 300  # longer than the runner's deadline plus a send
MAX_ROUNDS = 3
WINDOW_CLOSED = (
    "Not sent: WhatsApp's 24-hour window is closed. Reply with a template or wait for the customer."
)


def _keys(conversation_id: int) -> tuple[str, str]:
    return f"agent:reply:{conversation_id}", f"agent:reply:{conversation_id}:again"


def reply(conversation_id: int) -> str:
    """Answer the conversation's newest customer messages. Returns what happened (for logs and tests)."""
    redis = get_redis()
    lock_key, again_key = _keys(conversation_id)
    lock = redis.lock(lock_key, timeout=LOCK_SECONDS)
    if not lock.acquire(blocking=False):
        redis.set(again_key, "1", ex=LOCK_SECONDS)
        log.info("conversation %s: a reply is already running; it will answer again", conversation_id)
        return "busy"
    try:
        outcome = "idle"
        for _ in range(MAX_ROUNDS):
            redis.delete(again_key)
            outcome = reply_once(conversation_id)
            if not redis.exists(again_key):
                break
        return outcome
    finally:
        try:
            lock.release()
        except LockError:  # expired while we worked: another job may own it now; nothing to undo
            log.warning("conversation %s: agent lock expired before release", conversation_id)


def _last_inbound(conversation_id: int) -> int | None:
    return db.session.scalar(
        select(func.max(Message.id)).where(
            Message.conversation_id == conversation_id, Message.direction == "in"
        )
    )


def _unanswered(conversation_id: int) -> int | None:
    """The newest inbound message id if nothing answered it yet, else None.

    An agent answer records the inbound message it answered (`payload.in_reply_to`): a message that arrived
    while the model was thinking has a smaller id than that answer but is still unanswered. A merchant's
    reply answers everything before it; product cards the agent's tools sent answer nothing by themselves.
    """
    last_in = _last_inbound(conversation_id)
    if last_in is None:
        return None
    outbound = db.session.execute(
        select(Message.id, Message.payload)
        .where(
            Message.conversation_id == conversation_id,
            Message.direction == "out",
            Message.id > last_in - 1000,
        )
        .order_by(Message.id.desc())
        .limit(50)
    ).all()
    answered = 0
    for message_id, payload in outbound:
        payload = payload or {}
        if "in_reply_to" in payload:
            answered = max(answered, int(payload["in_reply_to"] or 0))
        elif "interactive" not in payload:
            answered = max(answered, message_id)
    return last_in if last_in > answered else None


def _wait_for_human(
    conversation: Conversation, note: str | None = None, tool_calls=None, in_reply_to=None
) -> None:
    conversation.status = "waiting_human"
    if note:
        db.session.add(Message(conversation_id=conversation.id, direction="out", type="text", body=None,
                               status="failed", error=note, tool_calls=tool_calls,
                               payload={"in_reply_to": in_reply_to or _last_inbound(conversation.id)}))  # fmt: skip
    db.session.commit()


def reply_once(conversation_id: int) -> str:
    db.session.expire_all()
    conversation = db.session.get(Conversation, conversation_id)
    if conversation is None:
        return "missing"
    if conversation.status != "open":
        return "human"  # waiting for a human or closed: the agent keeps out
    in_reply_to = _unanswered(conversation.id)
    if in_reply_to is None:
        return "nothing_to_answer"
    workspace = db.session.get(Workspace, conversation.workspace_id)
    llm = runner.chat_model()
    if llm is None or not workspace.agent_enabled:
        _wait_for_human(conversation)
        return "agent_off"
    if conversation.platform == "whatsapp" and not window_open(conversation):
        _wait_for_human(conversation, WINDOW_CLOSED)
        return "window_closed"
    history = runner.history_for(conversation)
    ctx = ToolContext(workspace.id, conversation.id)
    db.session.commit()  # end the read transaction before the model call
    try:
        result = runner.run(workspace, history, ctx, llm=llm)
    except LLMError as exc:
        log.warning("conversation %s: model failed: %s", conversation_id, exc)
        _wait_for_human(db.session.get(Conversation, conversation_id), f"Agent error: {exc.merchant_message}",
                        in_reply_to=in_reply_to)  # fmt: skip
        return "model_error"
    return _send_answer(conversation_id, result, in_reply_to)


def _send_answer(conversation_id: int, result: runner.AgentResult, in_reply_to: int) -> str:
    conversation = db.session.get(Conversation, conversation_id)
    text = (result.text or "").strip()
    if not text:
        _wait_for_human(conversation, "The agent produced no answer.", result.tool_calls, in_reply_to)
        return "empty_answer"
    if conversation.platform == "whatsapp" and not window_open(conversation):
        _wait_for_human(conversation, WINDOW_CLOSED, result.tool_calls, in_reply_to)
        return "window_closed"
    message = Message(conversation_id=conversation.id, direction="out", type="text", body=text,
                      tool_calls=result.tool_calls, status="queued", payload={"in_reply_to": in_reply_to})  # fmt: skip
    db.session.add(message)
    db.session.commit()  # the answer is kept even if the send fails
    try:
        integration = integration_for(
            ToolContext(conversation.workspace_id), "whatsapp", conversation=conversation
        )
        recipient = Recipient(wa_id=conversation.customer_wa_id, user_id=conversation.customer_user_id)
        sent = whatsapp_client(integration).send_text(recipient, text)
    except (MetaError, ToolError, ValueError) as exc:
        message.status = "failed"
        message.error = getattr(exc, "merchant_message", None) or getattr(exc, "message", None) or str(exc)
        if isinstance(exc, WhatsAppWindowClosed):
            conversation.status = "waiting_human"
        db.session.commit()
        log.warning("conversation %s: agent answer not sent: %s", conversation_id, exc)
        return "send_failed"
    except Exception as exc:  # tool errors are typed; anything else is recorded before it propagates
        message.status, message.error = "failed", f"Send failed: {type(exc).__name__}"
        db.session.commit()
        raise
    message.platform_message_id = sent.message_id or None
    message.status = "sent"
    conversation.last_message_at = utcnow()
    db.session.commit()
    log.info("conversation %s: agent answered (%d tool calls, %s)", conversation_id, len(result.tool_calls),
             result.stopped)  # fmt: skip
    return "sent"
