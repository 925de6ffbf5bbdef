"""Connections to Shopify, WhatsApp and Facebook, with their encrypted secrets and sync state."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import EncryptedJSON, UTCDateTime, utcnow

PLATFORMS = ("shopify", "whatsapp", "facebook")
HOLDS = "proved_at IS NOT NULL"


class Integration(db.Model):
    """A workspace's connection to one platform account.

    Any workspace may add a row for any account, but only the row whose credentials were proved (`proved_at`)
    holds the account: webhooks, compliance requests and Meta deliveries for it go there and nowhere else.
    The partial unique index keeps that to one row per account across all workspaces.
    """

    __tablename__ = "integration"
    __table_args__ = (
        UniqueConstraint("workspace_id", "platform", "account_id"),
        Index(
            "uq_integration_holder",
            "platform",
            "account_id",
            unique=True,
            postgresql_where=text(HOLDS),
            sqlite_where=text(HOLDS),
        ),  # fmt: skip
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"), index=True)
    platform: Mapped[str] = mapped_column(String(20))
    # The platform's account key: shop domain, phone number id or page id. Webhooks find integrations by it.
    account_id: Mapped[str] = mapped_column(String(255), index=True)
    display_name: Mapped[str | None] = mapped_column(String(255))
    # disconnected, pending, connected, error or needs_reauth
    status: Mapped[str] = mapped_column(String(20), default="disconnected")
    status_message: Mapped[str | None] = mapped_column(Text)
    # Non-secret settings: shop_domain, api_version, phone_number_id, waba_id, catalog_id, page_id...
    config: Mapped[dict] = mapped_column(JSON, default=dict)
    # Access tokens, refresh tokens, app secrets: never stored or returned in plain text.
    secrets: Mapped[dict | None] = mapped_column(EncryptedJSON)
    # When a platform call answered with this row's credentials for this account (OAuth, a shop query, the
    # phone number or catalog read). Kept through a disconnect (the workspace still holds the shop's data and
    # must get its compliance requests); cleared when another workspace proves the account afresh.
    proved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    token_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    refresh_token_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_sync_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sync_status: Mapped[str] = mapped_column(String(20), default="idle")  # idle, queued, in_progress, error
    sync_cursor: Mapped[dict | None] = mapped_column(JSON)
    sync_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def secret(self, name: str) -> str | None:
        return (self.secrets or {}).get(name)

    def set_secrets(self, **values: str | None) -> None:
        """Merge secrets (None removes one); assigning a new dict makes SQLAlchemy write the column."""
        merged = dict(self.secrets or {})
        for key, value in values.items():
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = value
        self.secrets = merged


class OAuthState(db.Model):
    """The random `state` of a Shopify OAuth start, kept server side until the callback uses it once."""

    __tablename__ = "oauth_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    state: Mapped[str] = mapped_column(String(64), unique=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"), index=True)
    shop_domain: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
