"""Sync runs and the audit log of every change a sync or webhook made."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime, utcnow

SYNC_KINDS = ("full", "incremental", "bulk", "orders")
RUN_STATUSES = ("queued", "in_progress", "succeeded", "failed", "cancelled")
# restore / unchanged: what a re-sync from Shopify did; push: a dashboard edit sent to Shopify.
LOG_ACTIONS = ("create", "update", "delete", "skip", "restore", "unchanged", "push")


class SyncRun(db.Model):
    __tablename__ = "sync_run"
    __table_args__ = (Index("ix_sync_run_integration_id_created_at", "integration_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"), index=True)
    integration_id: Mapped[int] = mapped_column(ForeignKey("integration.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="queued")
    job_id: Mapped[str | None] = mapped_column(String(100))
    total: Mapped[int | None] = mapped_column(Integer)
    processed: Mapped[int] = mapped_column(Integer, default=0)
    created: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    deleted: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SyncLog(db.Model):
    __tablename__ = "sync_log"
    __table_args__ = (
        Index("ix_sync_log_integration_id_created_at", "integration_id", "created_at"),
        Index("ix_sync_log_entity_type_entity_id", "entity_type", "entity_id"),
        Index("ix_sync_log_workspace_id_created_at", "workspace_id", "created_at"),
        # Deleting a webhook sets its log lines' webhook_id to NULL: without this, a scan of the whole log per
        # deleted delivery. Partial: the sync's lines (no webhook) cost it nothing (migration 0005).
        Index(
            "ix_sync_log_webhook_id",
            "webhook_id",
            postgresql_where=text("webhook_id IS NOT NULL"),
            sqlite_where=text("webhook_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # No foreign keys (migration 0006): the sync writes a line per product, and each key cost a lookup per
    # line. Triggers on the parents do what the keys did on delete: a workspace takes its lines with it; an
    # integration, a run or a webhook leaves them with NULL.
    workspace_id: Mapped[int] = mapped_column(Integer)
    integration_id: Mapped[int | None] = mapped_column(Integer)
    sync_run_id: Mapped[int | None] = mapped_column(Integer, index=True)
    webhook_id: Mapped[int | None] = mapped_column(Integer)
    entity_type: Mapped[str] = mapped_column(String(30))
    entity_id: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), default="success")
    error_message: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
