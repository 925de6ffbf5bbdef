"""Sign-up, users and API tokens."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.models import ApiToken, User, Workspace
from app.models.accounts import hash_token
from app.models.types import utcnow

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 8


class AccountError(ValueError):
    """Bad input for an account operation; the message is shown to the person as is."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def create_user(email: str, password: str, workspace_name: str | None = None) -> User:
    """Create a user in a new workspace (sign-up), checking the input a person typed."""
    email = normalise_email(email)
    if not EMAIL_RE.match(email):
        raise AccountError("Enter a valid email address.", "email")
    if len(password or "") < MIN_PASSWORD:
        raise AccountError(f"Use a password of at least {MIN_PASSWORD} characters.", "password")
    if find_user(email):
        raise AccountError("An account with this email already exists.", "email")
    workspace = Workspace(name=(workspace_name or "").strip() or email.split("@", 1)[0])
    user = User(email=email, workspace=workspace)
    user.set_password(password)
    db.session.add_all([workspace, user])
    db.session.commit()
    return user


def authenticate(email: str, password: str) -> User | None:
    user = find_user(email)
    if user is None or not user.check_password(password or ""):
        return None
    user.last_login_at = utcnow()
    db.session.commit()
    return user


def create_api_token(user: User, name: str = "API token") -> tuple[ApiToken, str]:
    """Return the stored token row and the plain token, which is shown once and never stored."""
    plain = ApiToken.generate()
    token = ApiToken(
        workspace_id=user.workspace_id,
        user_id=user.id,
        name=(name or "API token").strip()[:120] or "API token",
        token_hash=hash_token(plain),
        token_prefix=plain[:10],
    )
    db.session.add(token)
    db.session.commit()
    return token, plain


def token_for(plain: str) -> ApiToken | None:
    if not plain:
        return None
    token = db.session.scalar(
        select(ApiToken).where(ApiToken.token_hash == hash_token(plain), ApiToken.revoked_at.is_(None))
    )
    # Record use at most once a minute: a busy script should not turn every read into a write.
    now = utcnow()
    if token is not None and (token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1)):
        token.last_used_at = now
        db.session.commit()
    return token


def revoke_api_token(workspace_id: int, token_id: int) -> bool:
    token = db.session.scalar(
        select(ApiToken).where(ApiToken.id == token_id, ApiToken.workspace_id == workspace_id)
    )
    if token is None or token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    db.session.commit()
    return True
