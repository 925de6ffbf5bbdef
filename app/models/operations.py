"""What an operator and a merchant are told: dashboard alerts and compliance requests with their exports."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime, utcnow


class Alert(db.Model):
    __tablename__ = "alert"
    __table_args__ = (Index("ix_alert_workspace_id_dismissed_at", "workspace_id", "dismissed_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    integration_id: Mapped[int | None] = mapped_column(ForeignKey("integration.id", ondelete="CASCADE"))
    level: Mapped[str] = mapped_column(String(10), default="error")
    source: Mapped[str] = mapped_column(String(50))
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    dismissed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ComplianceRequest(db.Model):
    """A Shopify customers/data_request, customers/redact or shop/redact, and what was done about it."""

    __tablename__ = "compliance_request"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int | None] = mapped_column(
        ForeignKey("workspace.id", ondelete="SET NULL"), index=True
    )
    shop_domain: Mapped[str] = mapped_column(String(255))
    topic: Mapped[str] = mapped_column(String(50))
    webhook_id: Mapped[int | None] = mapped_column(ForeignKey("webhook.id", ondelete="SET NULL"))
    request: Mapped[dict] = mapped_column(JSON, default=dict)
    # received, completed, failed
    status: Mapped[str] = mapped_column(String(20), default="received")
    # For data requests: the export a merchant downloads from the dashboard.
    export: Mapped[dict | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
