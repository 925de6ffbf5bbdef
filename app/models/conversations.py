"""WhatsApp and Messenger conversations and their messages, including the agent's tool calls."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime, utcnow


class Conversation(db.Model):
    __tablename__ = "conversation"
    # A customer is keyed by the business number and their WhatsApp id, or their business-scoped user id
    # when they use a username and no phone number reaches us.
    __table_args__ = (
        UniqueConstraint("workspace_id", "platform", "channel_id", "customer_key"),
        Index("ix_conversation_workspace_id_last_message_at", "workspace_id", "last_message_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    integration_id: Mapped[int | None] = mapped_column(ForeignKey("integration.id", ondelete="SET NULL"))
    platform: Mapped[str] = mapped_column(String(20))
    # phone_number_id for WhatsApp, page id for Messenger.
    channel_id: Mapped[str] = mapped_column(String(100))
    customer_key: Mapped[str] = mapped_column(String(255))
    customer_wa_id: Mapped[str | None] = mapped_column(String(50), index=True)
    customer_user_id: Mapped[str | None] = mapped_column(String(255), index=True)
    customer_phone: Mapped[str | None] = mapped_column(String(50), index=True)
    customer_name: Mapped[str | None] = mapped_column(String(255))
    # open, waiting_human, closed
    status: Mapped[str] = mapped_column(String(20), default="open")
    last_message_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Free-form replies are allowed only within 24 hours of the customer's last message.
    last_inbound_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    messages: Mapped[list[Message]] = relationship(
        back_populates="conversation", order_by="Message.id", cascade="all, delete-orphan"
    )


class Message(db.Model):
    __tablename__ = "message"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversation.id", ondelete="CASCADE"), index=True
    )
    direction: Mapped[str] = mapped_column(String(3))  # in, out
    type: Mapped[str] = mapped_column(String(30), default="text")
    body: Mapped[str | None] = mapped_column(Text)
    # The platform's message fragment (interactive reply, order items...), not searched.
    payload: Mapped[dict | None] = mapped_column(JSON)
    platform_message_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    # received, queued, sent, delivered, read, failed
    status: Mapped[str] = mapped_column(String(20), default="received")
    tool_calls: Mapped[list | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    conversation: Mapped[Conversation] = relationship(back_populates="messages")
