"""The record of what outside agents did: one row per MCP tool call, shown on Settings → Agents.

The arguments are kept as a short summary (`app.mcp.calls` makes it), never whole payloads or secrets.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime, utcnow


class AgentCall(db.Model):
    __tablename__ = "agent_call"
    __table_args__ = (Index("ix_agent_call_workspace_id_id", "workspace_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    token_id: Mapped[int | None] = mapped_column(ForeignKey("api_token.id", ondelete="SET NULL"), index=True)
    transport: Mapped[str] = mapped_column(String(10))  # http | stdio
    tool: Mapped[str] = mapped_column(String(100))
    arguments: Mapped[str] = mapped_column(String(500), default="")
    # ok, or the error type the agent was answered with (missing_scope, rate_limited, out_of_stock, ...)
    outcome: Mapped[str] = mapped_column(String(60))
    message: Mapped[str | None] = mapped_column(String(500))
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
