"""The webhook inbox: every delivery a platform sends, stored before anything else happens to it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime, utcnow

WEBHOOK_STATUSES = ("pending", "processing", "processed", "failed", "ignored")


class Webhook(db.Model):
    __tablename__ = "webhook"
    __table_args__ = (
        UniqueConstraint("platform", "delivery_id"),
        Index("ix_webhook_status_received_at", "status", "received_at"),
        Index("ix_webhook_workspace_id_received_at", "workspace_id", "received_at"),
        # The Logs page's throughput (deliveries done in the last minute); intake's inserts never touch it.
        Index(
            "ix_webhook_workspace_id_processed_at",
            "workspace_id",
            "processed_at",
            postgresql_where=text("processed_at IS NOT NULL"),
            sqlite_where=text("processed_at IS NOT NULL"),
        ),  # fmt: skip
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Null for deliveries about an account no workspace has (recorded, then ignored).
    workspace_id: Mapped[int | None] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    integration_id: Mapped[int | None] = mapped_column(ForeignKey("integration.id", ondelete="SET NULL"))
    platform: Mapped[str] = mapped_column(String(20))
    topic: Mapped[str] = mapped_column(String(100))
    delivery_id: Mapped[str] = mapped_column(String(255))
    account_id: Mapped[str | None] = mapped_column(String(255))
    headers: Mapped[dict] = mapped_column(JSON, default=dict)
    payload: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When a worker last claimed the row (pending -> processing): a row still `processing` long after this
    # belongs to a worker that died, and the sweeper takes it back.
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set on a delivery a newer one of the same resource made moot in the same claimed batch: it is
    # `processed` without being applied, and this is the id of the delivery that was applied instead.
    superseded_by: Mapped[int | None] = mapped_column(Integer)
