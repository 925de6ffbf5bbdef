"""Which Meta app signed a webhook POST: ours (META_APP_SECRET) or an integration's own app, with bounded work.

Meta signs each POST with the app secret of the app that subscribed; an integration connected with its own app
secret receives POSTs signed by that secret. The body names the accounts it is for, but an unsigned body may
name 60,000 of them: looking each up and decrypting its secret before refusing tied up a web server for a
minute. So a refusal costs at most: one check of the header's form, one HMAC with our app secret, a scan of the
raw bytes for the first MAX_CANDIDATES (2) account ids (no JSON parse: an unsigned body never reaches the parser),
one indexed query for those ids that are not cached, their decrypts, and one more HMAC with the first secret
found (an HMAC over 5 MB costs 8-15 ms here, so the bound is on HMACs as much as on queries).

Secrets are cached per process for CACHE_TTL seconds, absent ones too, at most CACHE_SIZE accounts (least
recently used out first); a change to an integration clears this process's cache at once, other processes see
it within CACHE_TTL (Meta retries a refused delivery). Never logs a secret.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable

from flask import current_app
from sqlalchemy import event, select

from app.extensions import db
from app.models import Integration
from app.platforms import signatures

# Two are enough: a WhatsApp POST names its own number first; a Messenger entry its page and a sender.
MAX_CANDIDATES = 2
MAX_MATCHES = 256  # account-id keys looked at in the raw bytes, repeated ids included
CACHE_TTL = 30.0
CACHE_SIZE = 1024
LOOKUP_CHUNK = 500  # ids per IN (...): SQLite allows a few thousand parameters per statement
_SIGNATURE = re.compile(r"sha256=[0-9a-f]{64}")
# Where a body names its account: WhatsApp's `value.metadata.phone_number_id`, Messenger's `entry[].id` (the
# page; the other "id" keys near it are the sender's and the page's again).
_ACCOUNT_KEY = {"whatsapp": b"phone_number_id", "facebook": b"id"}
_generation = 0  # bumped by any integration change in this process


class SecretCache:
    def __init__(self, ttl: float = CACHE_TTL, size: int = CACHE_SIZE):
        self.ttl, self.size = ttl, size
        self._entries: OrderedDict[tuple[str, str], tuple[float, int, str | None]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str]) -> tuple[bool, str | None]:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry[0] < time.monotonic() or entry[1] != _generation:
                return False, None
            self._entries.move_to_end(key)
            return True, entry[2]

    def put(self, key: tuple[str, str], secret: str | None, generation: int) -> None:
        with self._lock:
            self._entries[key] = (time.monotonic() + self.ttl, generation, secret)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)


@event.listens_for(Integration, "after_insert")
@event.listens_for(Integration, "after_update")
@event.listens_for(Integration, "after_delete")
def _integration_changed(*_args) -> None:
    global _generation
    _generation += 1


def _cache() -> SecretCache:
    cache = current_app.extensions.get("meta_app_secrets")
    if cache is None:
        cache = current_app.extensions.setdefault("meta_app_secrets", SecretCache())
    return cache


def candidates(platform: str, raw: bytes) -> list[str]:
    """The first MAX_CANDIDATES distinct account ids the raw body names, found without parsing it."""
    pattern = _PATTERNS[platform]
    found: dict[str, None] = {}
    for number, match in enumerate(pattern.finditer(raw)):
        if number >= MAX_MATCHES or len(found) >= MAX_CANDIDATES:
            break
        quoted, digits = match.groups()
        try:
            account = json.loads(b'"' + quoted + b'"') if quoted is not None else digits.decode()
        except ValueError:
            continue
        if account:
            found.setdefault(account, None)
    return list(found)


def _pattern(key: bytes) -> re.Pattern:
    return re.compile(rb'"' + key + rb'"\s*:\s*(?:"((?:[^"\\]|\\.){1,255}?)"|(\d{1,64}))')


_PATTERNS = {platform: _pattern(key) for platform, key in _ACCOUNT_KEY.items()}


def secrets_for(platform: str, accounts: Iterable[str]) -> dict[str, str | None]:
    """Each account's own app secret (None: no integration, or none of its own), from the integration holding
    the account, as intake routes. Uncached ones cost one query per LOOKUP_CHUNK."""
    cache, known, missing = _cache(), {}, []
    for account in dict.fromkeys(accounts):
        hit, secret = cache.get((platform, account))
        if hit:
            known[account] = secret
        else:
            missing.append(account)
    generation = _generation  # read before the query: a change made meanwhile must not be cached as current
    for start in range(0, len(missing), LOOKUP_CHUNK):
        chunk = missing[start : start + LOOKUP_CHUNK]
        found = {account: None for account in chunk}
        for account, secrets in db.session.execute(_routing_secrets(platform, chunk)):
            found[account] = (secrets or {}).get("app_secret") or None
        for account, secret in found.items():
            cache.put((platform, account), secret, generation)
        known.update(found)
    db.session.rollback()  # hold no transaction (or a lock) past the lookup
    return known


def _routing_secrets(platform: str, accounts: list[str]):
    # The integration holding each account, as intake routes (`uq_integration_holder`: at most one per
    # account): a row another workspace merely added, app secret and all, never speaks for the account.
    return select(Integration.account_id, Integration.secrets).where(
        Integration.platform == platform,
        Integration.account_id.in_(accounts),
        Integration.proved_at.is_not(None),
    )


class Proof:
    """A POST's signature checked out: by our app secret (`app_signed`) or by some integrations' own."""

    def __init__(self, platform: str, raw: bytes, signature: str, *, app_signed: bool):
        self.platform, self.raw, self.signature, self.app_signed = platform, raw, signature, app_signed
        self._signs: dict[str, bool] = {}  # secret -> verifies, so each distinct secret is hashed once
        self._accounts: dict[str, bool] = {}

    def _verifies(self, secret: str | None) -> bool:
        if not secret:
            return False
        if secret not in self._signs:
            self._signs[secret] = signatures.verify_meta_signature(secret, self.raw, self.signature)
        return self._signs[secret]

    def signed_for(self, accounts: Iterable[str]) -> set[str]:
        """Of these accounts, those whose own app secret signed the body (all of them when ours did)."""
        accounts = {a for a in accounts if a}
        if self.app_signed:
            return accounts
        unknown = [a for a in accounts if a not in self._accounts]
        if unknown:
            for account, secret in secrets_for(self.platform, unknown).items():
                self._accounts[account] = self._verifies(secret)
        return {a for a in accounts if self._accounts.get(a)}


def prove(platform: str, raw: bytes, signature: str | None) -> Proof | None:
    """The signature's Proof, or None when neither our app nor an integration it names signed the body."""
    signature = (signature or "").strip()
    if not _SIGNATURE.fullmatch(signature):
        return None
    app_secret = current_app.config.get("META_APP_SECRET") or ""
    if signatures.verify_meta_signature(app_secret, raw, signature):
        return Proof(platform, raw, signature, app_signed=True)
    # One more HMAC at most: the first candidate with a secret of its own speaks for the POST (Meta's POSTs come
    # from one app, which names its own accounts; a Messenger sender id has no integration and costs nothing).
    found = secrets_for(platform, candidates(platform, raw))
    first = next((account for account, secret in found.items() if secret), None)
    proof = Proof(platform, raw, signature, app_signed=False)
    return proof if first is not None and proof.signed_for([first]) else None
