"""Workspaces, users, their login sessions and API tokens: who owns every other row."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime, utcnow

API_TOKEN_PREFIX = "wag_"

# What a token may do, chosen when it is made. Tools and /api routes each name the one scope they need.
TOKEN_SCOPES = {
    "catalog:read": "Read products, variants and live stock",
    "orders:read": "Read orders",
    "orders:write": "Create, change and cancel orders (holds stock)",
    "messages:send": "Send WhatsApp messages and hand conversations to a human",
    "shop:admin": "Integrations, syncs, product edits and webhooks",
}
ALL_SCOPES = " ".join(TOKEN_SCOPES)


class Workspace(db.Model):
    __tablename__ = "workspace"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    # Settings a merchant edits on the settings page.
    notification_webhook_url: Mapped[str | None] = mapped_column(String(500))
    notification_email: Mapped[str | None] = mapped_column(String(255))
    agent_enabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    agent_model: Mapped[str | None] = mapped_column(String(100))
    agent_instructions: Mapped[str | None] = mapped_column(Text)
    # IANA zone name the dashboard counts days and shows times in (the overview's sales by day).
    timezone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    users: Mapped[list[User]] = relationship(back_populates="workspace")


class User(UserMixin, db.Model):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(255), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    workspace: Mapped[Workspace] = relationship(back_populates="users")

    # The plain token of the login session this object was loaded for (or is being logged in with); not a
    # column. Flask-Login stores `get_id()` in the session cookie, so the cookie names a server-side session
    # row that logout deletes, instead of the user id, which would stay valid for as long as the cookie.
    session_token = None  # str | None, set per request; a plain attribute, not annotated, so not mapped

    def get_id(self) -> str | None:
        return self.session_token


class LoginSession(db.Model):
    """One logged-in browser. Deleting the row ends that session, whatever the browser's cookie says."""

    __tablename__ = "login_session"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(db.Model):
    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(120), default="API token")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters, shown in the settings page so a merchant can tell tokens apart.
    token_prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Space-separated scope names (OAuth's form); tokens made before scopes existed keep every scope.
    scopes: Mapped[str] = mapped_column(String(255), default=ALL_SCOPES, server_default=ALL_SCOPES)

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset((self.scopes or "").split())

    def allows(self, scope: str) -> bool:
        return scope in self.scope_set

    @staticmethod
    def generate() -> str:
        return API_TOKEN_PREFIX + secrets.token_urlsafe(32)
