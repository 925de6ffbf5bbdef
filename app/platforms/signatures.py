"""Webhook signature checks for Shopify and Meta, over the RAW request body bytes.

Always verify the exact bytes received (re-serialising JSON changes them) and compare in constant time.
These helpers only answer yes/no; the webhook views decide the HTTP status and never log the secret.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping


def _to_bytes(value: str | bytes) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else value


def sign_shopify_body(secret: str | bytes, body: bytes) -> str:
    """`X-Shopify-Hmac-Sha256` value: base64 of HMAC-SHA256(app secret, raw body)."""
    digest = hmac.new(_to_bytes(secret), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def verify_shopify_webhook(secret: str | bytes, body: bytes, header_value: str | None) -> bool:
    """True when `header_value` (the X-Shopify-Hmac-Sha256 header) signs `body` with `secret`."""
    if not header_value or not secret:
        return False
    expected = sign_shopify_body(secret, body)
    return hmac.compare_digest(expected.encode("ascii"), header_value.strip().encode("ascii", "replace"))


def sign_meta_body(app_secret: str | bytes, body: bytes) -> str:
    """`X-Hub-Signature-256` value: "sha256=" + hex HMAC-SHA256(app secret, raw body)."""
    return "sha256=" + hmac.new(_to_bytes(app_secret), body, hashlib.sha256).hexdigest()


def verify_meta_signature(app_secret: str | bytes, body: bytes, header_value: str | None) -> bool:
    """True when `X-Hub-Signature-256` matches; a missing `sha256=` prefix is invalid."""
    if not header_value or not app_secret or not header_value.startswith("sha256="):
        return False
    expected = sign_meta_body(app_secret, body)
    return hmac.compare_digest(expected.encode("ascii"), header_value.strip().encode("ascii", "replace"))


def meta_verification_challenge(params: Mapping[str, str], verify_token: str) -> str | None:
    """Meta's GET handshake: return `hub.challenge` to echo when mode is subscribe and the token matches."""
    if not verify_token or params.get("hub.mode") != "subscribe":
        return None
    given = params.get("hub.verify_token") or ""
    if not hmac.compare_digest(given.encode("utf-8"), verify_token.encode("utf-8")):
        return None
    return params.get("hub.challenge")


def verify_shopify_query_hmac(secret: str | bytes, params: Mapping[str, str]) -> bool:
    """OAuth/app-proxy style: hex HMAC-SHA256 over `k=v` pairs, sorted, joined by `&`, without `hmac`."""
    given = params.get("hmac")
    if not given or not secret:
        return False
    message = "&".join(f"{k}={params[k]}" for k in sorted(params) if k not in ("hmac", "signature"))
    expected = hmac.new(_to_bytes(secret), message.encode("utf-8"), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode("ascii"), given.encode("ascii", "replace"))


def sign_shopify_query(secret: str | bytes, params: Mapping[str, str]) -> str:
    """The `hmac` Shopify would add to these OAuth callback params (tests, demo store)."""
    message = "&".join(f"{k}={params[k]}" for k in sorted(params) if k not in ("hmac", "signature"))
    return hmac.new(_to_bytes(secret), message.encode("utf-8"), hashlib.sha256).hexdigest()
