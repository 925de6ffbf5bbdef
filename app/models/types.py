"""Column types shared by the models: UTC-aware timestamps and encrypted secrets.

SQLite forgets time zones and stores text; these types make both databases hand back the same Python values.
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app
from sqlalchemy import DateTime, Text
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC timestamp on every backend (SQLite included)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def _fernet() -> MultiFernet:
    """Fernet keys from ENCRYPTION_KEY (comma-separated, newest first, for rotation) or derived from SECRET_KEY."""
    raw = current_app.config.get("ENCRYPTION_KEY")
    if raw:
        keys = [k.strip() for k in raw.split(",") if k.strip()]
    else:
        digest = hashlib.sha256(("wagents-secrets:" + current_app.config["SECRET_KEY"]).encode()).digest()
        keys = [base64.urlsafe_b64encode(digest).decode()]
    return MultiFernet([Fernet(k) for k in keys])


def encrypt_json(value: dict) -> str:
    return _fernet().encrypt(json.dumps(value, separators=(",", ":")).encode()).decode()


def decrypt_json(token: str) -> dict:
    try:
        return json.loads(_fernet().decrypt(token.encode()))
    except InvalidToken as exc:  # wrong key: say so instead of handing back garbage
        raise ValueError("stored secrets cannot be decrypted with the configured ENCRYPTION_KEY") from exc


class EncryptedJSON(TypeDecorator):
    """A JSON object stored as a Fernet token: the raw column never holds a secret in plain text."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return encrypt_json(value)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return decrypt_json(value)
