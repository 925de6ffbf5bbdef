"""OAuth for the demo store: authorization codes, expiring offline tokens (the 2026 rule) and custom tokens.

- ``authorize_redirect`` answers the consent screen with the query Shopify appends to ``redirect_uri``
  (``code``, ``hmac``, ``host``, ``shop``, ``state``, ``timestamp``), signed like Shopify signs it: hex
  HMAC-SHA256, keyed with the app secret, of the other parameters sorted and joined as ``k=v&k=v``;
- a code exchanged with ``expiring=1`` yields an access token valid ``token_ttl`` seconds and a refresh token;
  refreshing rotates both and revokes the refresh token used, so a replay gets ``invalid_grant``;
- ``add_custom_token`` registers a never-expiring admin token (a custom app's ``shpat_...``).

Returns plain dicts and (status, body) pairs; HTTP lives in `routes.py`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from urllib.parse import urlencode

INVALID_TOKEN_BODY = {
    "errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"
}
CODE_TTL = 600


def sign_query(params: dict[str, str], secret: str) -> str:
    message = "&".join(f"{k}={v}" for k, v in sorted(params.items()) if k not in ("hmac", "signature"))
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def host_param(shop: str) -> str:
    """Shopify's ``host``: base64 of the admin URL of the store, without padding."""
    store = shop.removesuffix(".myshopify.com")
    return base64.urlsafe_b64encode(f"admin.shopify.com/store/{store}".encode()).decode().rstrip("=")


class TokensMixin:
    def authorize_redirect(self, shop: str, args: dict[str, str]) -> tuple[int, str]:
        """(status, location or error text) for ``GET /admin/oauth/authorize``."""
        if args.get("client_id") != self.api_key:
            return 400, "Oauth error invalid_request: The client_id is not valid for this shop"
        redirect_uri = args.get("redirect_uri")
        if not redirect_uri:
            return 400, "Oauth error invalid_request: The redirect_uri is missing"
        scope = args.get("scope", "")
        code = secrets.token_hex(16)
        self.db.run(
            "INSERT INTO oauth_codes (code, shop, scope, created_at) VALUES (?,?,?,?)",
            (code, shop, scope, self.clock()),
        )
        params = {
            "code": code,
            "host": host_param(shop),
            "shop": shop,
            "state": args.get("state", ""),
            "timestamp": str(int(self.clock())),
        }
        params["hmac"] = sign_query(params, self.api_secret)
        separator = "&" if "?" in redirect_uri else "?"
        return 302, f"{redirect_uri}{separator}{urlencode(params)}"

    def _issue(self, conn, shop: str, scope: str, expiring: bool) -> dict:
        access = "shpat_" + secrets.token_hex(16)
        now = self.clock()
        conn.execute(
            "INSERT INTO tokens (token, shop, kind, scope, expires_at) VALUES (?,?,?,?,?)",
            (access, shop, "access", scope, now + self.token_ttl if expiring else None),
        )
        body = {"access_token": access, "scope": scope}
        if expiring:
            refresh = "shprt_" + secrets.token_hex(16)
            conn.execute(
                "INSERT INTO tokens (token, shop, kind, scope, expires_at) VALUES (?,?,?,?,?)",
                (refresh, shop, "refresh", scope, now + self.refresh_token_ttl),
            )
            body = {
                "access_token": access,
                "expires_in": self.token_ttl,
                "refresh_token": refresh,
                "refresh_token_expires_in": self.refresh_token_ttl,
                "scope": scope,
            }
        return body

    def token_request(self, shop: str, form: dict[str, str]) -> tuple[int, dict]:
        """(status, body) for ``POST /admin/oauth/access_token`` — a code exchange or a refresh."""
        if form.get("client_id") != self.api_key or form.get("client_secret") != self.api_secret:
            return 400, {"error": "invalid_client", "error_description": "Client credentials are invalid"}
        now = self.clock()
        with self.db.transaction() as conn:
            if form.get("grant_type") == "refresh_token":
                row = conn.execute(
                    "SELECT * FROM tokens WHERE token=? AND kind='refresh' AND shop=?",
                    (form.get("refresh_token", ""), shop),
                ).fetchone()
                if (
                    row is None
                    or row["revoked"]
                    or (row["expires_at"] is not None and row["expires_at"] <= now)
                ):
                    return 400, {
                        "error": "invalid_grant",
                        "error_description": "The refresh token is invalid",
                    }
                conn.execute("UPDATE tokens SET revoked=1 WHERE token=?", (row["token"],))
                return 200, self._issue(conn, shop, row["scope"], expiring=True)
            row = conn.execute(
                "SELECT * FROM oauth_codes WHERE code=? AND shop=?", (form.get("code", ""), shop)
            ).fetchone()
            if row is None or row["used"] or row["created_at"] + CODE_TTL <= now:
                return 400, {"error": "invalid_request", "error_description": "The authorization code was not found "
                             "or was already used"}  # fmt: skip
            conn.execute("UPDATE oauth_codes SET used=1 WHERE code=?", (row["code"],))
            expiring = str(form.get("expiring", "")).lower() in ("1", "true")
            return 200, self._issue(conn, shop, row["scope"], expiring=expiring)

    def add_custom_token(self, shop: str, token: str, scope: str = "") -> None:
        """Register a custom-app admin token for ``shop``; it never expires."""
        self.db.run(
            "INSERT INTO tokens (token, shop, kind, scope, expires_at) VALUES (?,?,'custom',?,NULL) "
            "ON CONFLICT(token) DO UPDATE SET shop=excluded.shop, revoked=0",
            (token, shop, scope),
        )

    def token_valid(self, shop: str, token: str | None) -> bool:
        if not token:
            return False
        row = self.db.one(
            "SELECT * FROM tokens WHERE token=? AND shop=? AND kind IN ('access','custom')", (token, shop)
        )
        if row is None or row["revoked"]:
            return False
        return row["expires_at"] is None or row["expires_at"] > self.clock()
