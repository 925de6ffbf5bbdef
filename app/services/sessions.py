"""Server-side login sessions: what makes a session cookie worth something, and what ends one.

A login stores a random token in the signed session cookie (as Flask-Login's user id, so a remember-me cookie
would carry it too) and its SHA-256 in `login_session`. A request is logged in only while that row exists and
has not expired: logout deletes it, "log out everywhere" deletes all of the user's rows, and a password change
deletes all but the current one. A copied cookie is then worth nothing. Only the hash is stored, so the table
does not hand out sessions if it leaks.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, select

from app.extensions import db
from app.models import LoginSession, User
from app.models.accounts import hash_token
from app.models.types import utcnow


def _lifetime() -> timedelta:
    value = current_app.config.get("PERMANENT_SESSION_LIFETIME", timedelta(days=31))
    return value if isinstance(value, timedelta) else timedelta(seconds=int(value))


def start_session(user: User) -> str:
    """Open a session for `user`; return its plain token (also set on `user.session_token` for
    Flask-Login's `login_user`). The user's expired rows are swept on the way."""
    now = utcnow()
    db.session.execute(
        delete(LoginSession).where(LoginSession.user_id == user.id, LoginSession.expires_at <= now)
    )
    token = secrets.token_urlsafe(32)
    db.session.add(LoginSession(user_id=user.id, token_hash=hash_token(token), expires_at=now + _lifetime()))
    db.session.commit()
    user.session_token = token
    return token


def load_user(token: str | None) -> User | None:
    """The user of the live session named by `token`, or None (unknown, ended or expired)."""
    if not token:
        return None
    row = db.session.scalar(
        select(LoginSession).where(
            LoginSession.token_hash == hash_token(token), LoginSession.expires_at > utcnow()
        )
    )
    if row is None:
        return None
    user = row.user
    user.session_token = token
    return user


def end_session(token: str | None) -> None:
    if token:
        db.session.execute(delete(LoginSession).where(LoginSession.token_hash == hash_token(token)))
        db.session.commit()


def end_all_sessions(user_id: int, except_token: str | None = None) -> int:
    """End every session of the user (but the one named by `except_token`); return how many ended."""
    condition = LoginSession.user_id == user_id
    if except_token:
        condition = condition & (LoginSession.token_hash != hash_token(except_token))
    result = db.session.execute(delete(LoginSession).where(condition))
    db.session.commit()
    return result.rowcount or 0
