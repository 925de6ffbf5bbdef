"""Sign-up, login, passwords, users and API tokens (sessions: `app.services.sessions`)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import ApiToken, User, Workspace
from app.models.accounts import TOKEN_SCOPES, hash_token
from app.models.types import utcnow
from app.problems import AppError
from app.services import passwords

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class AccountError(AppError, ValueError):
    """Bad input for an account operation; the message is shown to the person as is."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def _check_signup(email: str, password: str) -> str:
    email = normalise_email(email)
    if not EMAIL_RE.match(email):
        raise AccountError("Enter a valid email address.", "email")
    try:
        passwords.check_new_password(password, email)
    except passwords.PasswordRejected as exc:
        raise AccountError(str(exc), "password") from exc
    return email


def _new_user(email: str, password: str, workspace_name: str | None) -> User:
    workspace = Workspace(name=(workspace_name or "").strip() or email.split("@", 1)[0])
    user = User(email=email, workspace=workspace, password_hash=passwords.hash_password(password))
    db.session.add_all([workspace, user])
    db.session.commit()
    return user


def create_user(email: str, password: str, workspace_name: str | None = None) -> User:
    """Create a user in a new workspace (the `create-user` command), checking the input a person typed.
    An operator may learn that the email is taken; the public sign-up (`sign_up`) never says so."""
    email = _check_signup(email, password)
    if find_user(email):
        raise AccountError("An account with this email already exists.", "email")
    return _new_user(email, password, workspace_name)


def sign_up(email: str, password: str, workspace_name: str | None = None) -> User | None:
    """The public sign-up: create the user and workspace unless the email is taken. Its caller answers the
    same either way, and both ways cost one password hash, so the form cannot be used to find out who has
    an account. Returns the new user, or None when the email was taken (nothing is changed then)."""
    email = _check_signup(email, password)
    if find_user(email):
        passwords.hash_password(password)  # what creating the account would have cost
        return None
    try:
        return _new_user(email, password, workspace_name)
    except IntegrityError:  # the same email signed up at the same moment
        db.session.rollback()
        return None


def authenticate(email: str, password: str) -> User | None:
    """The user whose email and password these are, or None. An unknown email costs the same password
    check as a known one (a dummy hash), so the answer's timing does not tell which emails have accounts."""
    user = find_user(email)
    matches = passwords.verify(user.password_hash if user else None, password)
    if user is None or not matches:
        return None
    user.last_login_at = utcnow()
    db.session.commit()
    return user


def change_password(user: User, current: str, new: str, confirmation: str) -> None:
    """Set a new password after checking the current one; raise AccountError naming the field otherwise.
    The caller ends the user's other sessions."""
    if not passwords.verify(user.password_hash, current):
        raise AccountError("Your current password is not this one.", "current_password")
    if new != confirmation:
        raise AccountError("The two new passwords differ.", "confirmation")
    try:
        set_password(user, new)
    except passwords.PasswordRejected as exc:
        raise AccountError(str(exc), "new_password") from exc


def set_password(user: User, new: str) -> None:
    """Store `new` as the user's password (committed) if the password rules take it; raise
    `passwords.PasswordRejected` otherwise. Ending the user's sessions is the caller's."""
    passwords.check_new_password(new, user.email)
    user.password_hash = passwords.hash_password(new)
    db.session.commit()


def create_api_token(
    user: User, name: str = "API token", scopes: Iterable[str] | None = None
) -> tuple[ApiToken, str]:
    """Return the stored token row and the plain token, which is shown once and never stored.
    `scopes` (names of `TOKEN_SCOPES`) default to all of them; an unknown or empty choice is refused."""
    chosen = list(TOKEN_SCOPES) if scopes is None else [s for s in TOKEN_SCOPES if s in set(scopes)]
    unknown = sorted(set(scopes or ()) - set(TOKEN_SCOPES))
    if unknown:
        raise AccountError(f"Unknown scope {unknown[0]!r}: choose from {', '.join(TOKEN_SCOPES)}.", "scopes")
    if not chosen:
        raise AccountError("Choose at least one scope.", "scopes")
    plain = ApiToken.generate()
    token = ApiToken(
        workspace_id=user.workspace_id,
        user_id=user.id,
        name=(name or "API token").strip()[:120] or "API token",
        token_hash=hash_token(plain),
        token_prefix=plain[:10],
        scopes=" ".join(chosen),
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
