"""Shopify OAuth (authorization code grant) with expiring offline tokens.

1. `build_authorize_url` -> redirect the merchant; store the returned `state` in their session.
2. `validate_callback` -> check shop hostname, `hmac`, `state` and timestamp freshness.
3. `exchange_code` -> `POST {base}/admin/oauth/access_token` with `expiring: 1`, giving a 1-hour access
   token plus a refresh token (90 days).
4. `refresh_access_token` -> `grant_type=refresh_token`; Shopify rotates BOTH tokens, so the caller must
   store both (under a DB lock: that lives in a service, not here). `invalid_grant` -> ShopifyTokenRefused.
Nothing here stores anything or knows the database.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import requests

from app.platforms.errors import ShopifyAuthError, ShopifyError, ShopifyOAuthError, ShopifyTokenRefused
from app.platforms.http import DEFAULT_POLICY, DEFAULT_TIMEOUT, HttpTransport, RetryPolicy
from app.platforms.signatures import verify_shopify_query_hmac

SHOP_DOMAIN_RE = re.compile(r"^[a-z0-9][a-z0-9-]*\.myshopify\.com$")
CALLBACK_MAX_AGE = timedelta(minutes=5)


def normalize_shop_domain(shop: str | None) -> str:
    """Return the lower-cased `*.myshopify.com` hostname, or raise ShopifyOAuthError."""
    candidate = (shop or "").strip().lower()
    if not SHOP_DOMAIN_RE.fullmatch(candidate):
        raise ShopifyOAuthError(
            f"not a myshopify.com shop domain: {shop!r}",
            merchant_message="Please enter your store's address ending in .myshopify.com.",
        )
    return candidate


def new_state() -> str:
    return secrets.token_urlsafe(32)


def build_authorize_url(
    shop: str,
    client_id: str,
    scopes: list[str] | str,
    redirect_uri: str,
    state: str | None = None,
    *,
    base_url_template: str = "https://{shop}",
) -> tuple[str, str]:
    """Return `(url, state)`; the caller stores `state` and compares it in the callback.
    `base_url_template` is where the shop answers, the same one the token exchange uses (the demo store's
    `/demo-store/{shop}` in the demo, so installing works offline)."""
    domain = normalize_shop_domain(shop)
    state = state or new_state()
    scope = scopes if isinstance(scopes, str) else ",".join(scopes)
    query = urlencode({"client_id": client_id, "scope": scope, "redirect_uri": redirect_uri, "state": state})
    base = base_url_template.format(shop=domain).rstrip("/")
    return f"{base}/admin/oauth/authorize?{query}", state


def validate_callback(
    params: Mapping[str, str],
    *,
    client_secret: str,
    expected_state: str | None,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    max_age: timedelta = CALLBACK_MAX_AGE,
) -> str:
    """Check an OAuth callback's query parameters; return the validated shop domain or raise."""
    shop = normalize_shop_domain(params.get("shop"))
    if not verify_shopify_query_hmac(client_secret, params):
        raise ShopifyOAuthError("OAuth callback hmac does not match")
    state = params.get("state") or ""
    if not expected_state or not secrets.compare_digest(state.encode(), expected_state.encode()):
        raise ShopifyOAuthError("OAuth callback state does not match the one we issued")
    try:
        issued = datetime.fromtimestamp(int(params.get("timestamp", "")), UTC)
    except ValueError as exc:
        raise ShopifyOAuthError("OAuth callback has no valid timestamp") from exc
    age = now() - issued
    if age > max_age or age < -timedelta(minutes=1):
        raise ShopifyOAuthError(f"OAuth callback timestamp is {age.total_seconds():.0f}s old")
    if not params.get("code"):
        raise ShopifyOAuthError("OAuth callback has no code")
    return shop


@dataclass
class ShopifyTokens:
    access_token: str
    scope: str
    expires_in: int | None
    refresh_token: str | None
    refresh_token_expires_in: int | None
    access_token_expires_at: datetime | None
    refresh_token_expires_at: datetime | None


class ShopifyOAuth:
    """Code exchange and refresh against `{base}/admin/oauth/access_token` for one app."""

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        *,
        base_url_template: str = "https://{shop}",
        session: requests.Session | None = None,
        policy: RetryPolicy = DEFAULT_POLICY,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
    ):
        self.client_id = client_id
        self.client_secret = client_secret
        self.base_url_template = base_url_template
        self.now = now
        self.http = HttpTransport(
            platform="Shopify", session=session, policy=policy, sleep=sleep, timeout=timeout
        )

    def _token_url(self, shop: str) -> str:
        base = self.base_url_template.replace("{shop}", normalize_shop_domain(shop)).rstrip("/")
        return f"{base}/admin/oauth/access_token"

    def exchange_code(self, shop: str, code: str) -> ShopifyTokens:
        """Trade the callback `code` for an expiring offline token and its refresh token."""
        body = {"client_id": self.client_id, "client_secret": self.client_secret, "code": code, "expiring": 1}
        return self._post(shop, body)

    def refresh_access_token(self, shop: str, refresh_token: str) -> ShopifyTokens:
        """Rotate: returns a NEW access token AND a NEW refresh token; store both atomically."""
        body = {
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
        }
        return self._post(shop, body)

    def _post(self, shop: str, body: dict) -> ShopifyTokens:
        response = self.http.request(
            "POST", self._token_url(shop), json=body, headers={"Accept": "application/json"}
        )
        try:
            payload = response.json()
        except ValueError:
            payload = {}
        if response.status_code >= 400 or "access_token" not in payload:
            error = payload.get("error") if isinstance(payload, dict) else None
            detail = (
                f"{error}: {payload.get('error_description', '')}"
                if error
                else f"HTTP {response.status_code}"
            )
            if error == "invalid_grant":
                raise ShopifyTokenRefused(
                    f"Shopify refused the grant ({detail})", status=response.status_code
                )
            if response.status_code in (401, 403) or error in ("invalid_client", "unauthorized_client"):
                raise ShopifyAuthError(
                    f"Shopify refused the app credentials ({detail})", status=response.status_code
                )
            raise ShopifyError(f"token endpoint failed ({detail})", status=response.status_code)
        return self._tokens(payload)

    def _tokens(self, payload: dict) -> ShopifyTokens:
        now = self.now()
        expires_in = payload.get("expires_in")
        refresh_expires_in = payload.get("refresh_token_expires_in")
        return ShopifyTokens(
            access_token=payload["access_token"],
            scope=payload.get("scope", ""),
            expires_in=int(expires_in) if expires_in is not None else None,
            refresh_token=payload.get("refresh_token"),
            refresh_token_expires_in=int(refresh_expires_in) if refresh_expires_in is not None else None,
            access_token_expires_at=now + timedelta(seconds=int(expires_in))
            if expires_in is not None
            else None,
            refresh_token_expires_at=(
                now + timedelta(seconds=int(refresh_expires_in)) if refresh_expires_in is not None else None
            ),
        )
