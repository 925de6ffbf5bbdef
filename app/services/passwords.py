"""Password rules and password checks that cost the same whether or not an account exists.

The common-password list is the 30,000 most frequent passwords of the Xato leak corpus as shipped by the
`zxcvbn` package (`zxcvbn.frequency_lists.FREQUENCY_LISTS["passwords"]`), copied into
`common_passwords.json.gz` and loaded once on first use. Importing zxcvbn's module would build all six of its
lists (16 MB held for good by any process that checked one new password); the file holds only this one (4.5 MB
once loaded). Made with:

    python -c "import gzip, json; from zxcvbn.frequency_lists import FREQUENCY_LISTS as F; open(
        'app/services/common_passwords.json.gz', 'wb').write(gzip.compress(json.dumps(F['passwords'],
        ensure_ascii=False, separators=(',', ':')).encode(), compresslevel=9, mtime=0))"

`tests/core/test_account_enumeration.py` checks the file against the installed package. Nothing here touches
the database.
"""

from __future__ import annotations

import gzip
import json
import secrets
from functools import cache
from pathlib import Path

from werkzeug.security import check_password_hash, generate_password_hash

from app.problems import AppError

MIN_LENGTH = 8
COMMON_PASSWORDS_PATH = Path(__file__).with_name("common_passwords.json.gz")


class PasswordRejected(AppError, ValueError):
    """The password breaks a rule; the message is shown to the person as is."""


@cache
def _common_passwords() -> frozenset[str]:
    return frozenset(json.loads(gzip.decompress(COMMON_PASSWORDS_PATH.read_bytes())))


def is_common(password: str) -> bool:
    return (password or "").strip().lower() in _common_passwords()


def check_new_password(password: str, email: str | None = None) -> None:
    """Raise PasswordRejected unless `password` may be set: long enough, not a common
    password and not the account's own email address."""
    password = password or ""
    if len(password) < MIN_LENGTH:
        raise PasswordRejected(f"Use a password of at least {MIN_LENGTH} characters.")
    if is_common(password):
        raise PasswordRejected("This password is one of the most common ones: choose another.")
    lowered = password.strip().lower()
    if email and lowered in {email.strip().lower(), email.strip().lower().split("@", 1)[0]}:
        raise PasswordRejected("Do not use your email address as your password.")


def hash_password(password: str) -> str:
    return generate_password_hash(password)


@cache
def _dummy_hash() -> str:
    # Same method and cost as a real hash, so checking against it takes as long as checking a real one.
    return generate_password_hash(secrets.token_urlsafe(16))


def warm_up() -> None:
    """Compute the dummy hash ahead of the first unknown-account login (which would otherwise pay twice)."""
    _dummy_hash()


def verify(password_hash: str | None, password: str) -> bool:
    """Check `password` against `password_hash`; with no hash (no such account) check it against a dummy
    hash anyway and answer False, so both cases cost one hash computation."""
    password = password or ""
    if password_hash is None:
        check_password_hash(_dummy_hash(), password)
        return False
    return check_password_hash(password_hash, password)
