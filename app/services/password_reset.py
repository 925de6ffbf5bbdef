"""Password reset by email: a signed link that expires and works once, then the same password rules as a
change (`app.services.passwords`) and every session of the account ended, as a password change does.

The link carries the user id and a fingerprint of the password hash it may replace, signed with SECRET_KEY
(itsdangerous, which Flask ships); setting a password changes the hash, so a used link stops working, and
`max_age` ends an unused one. Nothing is stored. Asking for a link answers the same whether or not the email has
an account. Delivery goes through `app.services.mail`. Must not read the request.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer

from app.extensions import db
from app.models import User
from app.services import accounts, mail, passwords, sessions

SALT = "password-reset"
MAX_AGE = 3600  # seconds a link stays valid


class ResetRefused(accounts.AccountError):
    """The link is expired, used or forged, or the new password breaks a rule (`field` says which)."""


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:24]


def make_token(user: User) -> str:
    return _serializer().dumps({"u": user.id, "p": _fingerprint(user)})


def user_for(token: str) -> User | None:
    """The account a valid, unexpired, unused link is for; None otherwise."""
    try:
        data = _serializer().loads(token or "", max_age=MAX_AGE)
    except BadSignature:  # includes SignatureExpired
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int) or not isinstance(data.get("p"), str):
        return None
    user = db.session.get(User, data["u"])
    if user is None or not hmac.compare_digest(_fingerprint(user), data["p"]):
        return None
    return user


def request_reset(email: str) -> None:
    """Send a reset link to the account with this email, if there is one (the caller answers the same)."""
    user = accounts.find_user(email or "")
    if user is None:
        return
    link = current_app.config["APP_URL"].rstrip("/") + url_for("auth.reset_password", token=make_token(user))
    minutes = MAX_AGE // 60
    mail.deliver(
        user.email,
        "Reset your WAgents Commerce password",
        f"Someone (hopefully you) asked to reset the password of {user.email}.\n\n"
        f"Choose a new password here within {minutes} minutes (the link works once):\n{link}\n\n"
        "If you did not ask, ignore this message: your password stays as it is.",
    )


def reset(token: str, new: str, confirmation: str) -> User:
    """Set the new password of the link's account and end every session of it; raise ResetRefused."""
    user = user_for(token)
    if user is None:
        raise ResetRefused("This reset link has expired or was already used: ask for a new one.")
    if new != confirmation:
        raise ResetRefused("The two passwords differ.", "confirmation")
    try:
        accounts.set_password(user, new)
    except passwords.PasswordRejected as exc:
        raise ResetRefused(str(exc), "password") from exc
    sessions.end_all_sessions(user.id)
    return user
