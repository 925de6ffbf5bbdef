"""Typed errors raised by `app.platforms`.

Every error carries `merchant_message`: one sentence a merchant understands, safe to show in the UI (no
tokens, no payloads). The technical detail stays in `str(error)` and in attributes for logs. Callers turn
these into flashes/JSON at one place; they must not parse messages.
"""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)


class PlatformError(Exception):
    """Base of every error coming out of `app.platforms`."""

    platform = "platform"
    default_merchant_message = "The connected service returned an error. Please try again later."
    #: True when trying the same thing again later can succeed (rate limits, outages).
    retryable = False

    def __init__(
        self,
        message: str,
        *,
        merchant_message: str | None = None,
        status: int | None = None,
        details: Any = None,
    ):
        super().__init__(message)
        self.merchant_message = merchant_message or self.default_merchant_message
        self.status = status
        self.details = details


class PlatformUnavailable(PlatformError):
    """Gave up after the shared retry policy: connection errors, timeouts, 429s or 5xx every time."""

    retryable = True
    default_merchant_message = "The service is not answering right now. We will try again automatically."

    def __init__(self, message: str, *, attempts: int = 0, retry_after: float | None = None, **kw):
        super().__init__(message, **kw)
        self.attempts = attempts
        self.retry_after = retry_after


# --- Shopify -----------------------------------------------------------------------------------------


class ShopifyError(PlatformError):
    """A Shopify call failed; `errors` are GraphQL top-level errors, `user_errors` a mutation's userErrors."""

    platform = "shopify"
    default_merchant_message = "Shopify rejected the request. Please check your store and try again."

    def __init__(self, message: str, *, errors: list | None = None, user_errors: list | None = None, **kw):
        super().__init__(message, **kw)
        self.errors = errors or []
        self.user_errors = user_errors or []

    @property
    def codes(self) -> list[str]:
        found = [(e.get("extensions") or {}).get("code") for e in self.errors]
        found += [e.get("code") for e in self.user_errors]
        return [c for c in found if c]


class ShopifyUnavailable(ShopifyError, PlatformUnavailable):
    default_merchant_message = "Shopify is not answering right now. We will try again automatically."


class ShopifyAuthError(ShopifyError):
    default_merchant_message = "Shopify no longer accepts our access. Please reconnect your store."


class ShopifyTokenRefused(ShopifyAuthError):
    """The refresh token was refused (`invalid_grant`): only a new OAuth install can fix it."""

    default_merchant_message = "Your Shopify connection has expired. Please reconnect your store."


class ShopifyOAuthError(ShopifyError):
    """An OAuth callback or shop domain failed validation (bad hmac, state, timestamp or hostname)."""

    default_merchant_message = "We could not verify the Shopify sign-in. Please start the connection again."


class ShopifyThrottled(ShopifyError):
    retryable = True
    default_merchant_message = "Shopify asked us to slow down. We will continue automatically."


class ShopifyIdempotencyMismatch(ShopifyError):
    """The idempotency key was reused with different parameters: a bug on our side, never retry it."""

    default_merchant_message = "An inventory update could not be applied safely. Our team has been notified."


class ShopifyStaleQuantity(ShopifyError):
    """`changeFromQuantity` no longer matches Shopify: re-read the level and retry with a NEW key."""

    retryable = True
    default_merchant_message = "Stock changed in Shopify while we were updating it. We will retry."


class ShopifyBulkOperationFailed(ShopifyError):
    default_merchant_message = "Shopify could not export your catalog this time. We will try again later."


class ShopifyBulkLimitReached(ShopifyError):
    """`bulkOperationRunQuery` refused: the shop already runs as many bulk queries as Shopify allows (five
    since 2026-01, one before). Nothing was started; start it again once one of them has finished."""

    retryable = True
    default_merchant_message = (
        "Shopify is busy exporting other data for your store. We will continue shortly."
    )


def has_error_code(errors: list, code: str) -> bool:
    """True when a GraphQL `errors` list carries `extensions.code == code`."""
    return any((e.get("extensions") or {}).get("code") == code for e in errors if isinstance(e, dict))


def shopify_graphql_error(errors: list) -> ShopifyError:
    if has_error_code(errors, "ACCESS_DENIED"):
        return ShopifyAuthError(
            f"Shopify denied access: {errors[0].get('message')}",
            errors=errors,
            merchant_message="The Shopify app is missing a permission. Please reconnect.",
        )
    for code, cls in _SHOPIFY_CODE_ERRORS.items():
        if has_error_code(errors, code):
            return _loud(cls(f"Shopify error {code}: {errors[0].get('message')}", errors=errors))
    return ShopifyError(f"Shopify GraphQL errors: {errors[0].get('message')}", errors=errors)


def shopify_user_error(mutation: str, user_errors: list) -> ShopifyError:
    codes = {e.get("code") for e in user_errors}
    message = f"{mutation} userErrors: " + "; ".join(str(e.get("message")) for e in user_errors)
    for code, cls in _SHOPIFY_CODE_ERRORS.items():
        if code in codes:
            return _loud(cls(message, user_errors=user_errors))
    return ShopifyError(message, user_errors=user_errors)


def _loud(error: ShopifyError) -> ShopifyError:
    if isinstance(error, ShopifyIdempotencyMismatch):
        # Same key, different parameters: our code reused a key for another operation. Never retry it.
        log.error("SHOPIFY IDEMPOTENCY KEY REUSED WITH DIFFERENT PARAMETERS: %s", error)
    return error


_SHOPIFY_CODE_ERRORS: dict[str, type[ShopifyError]] = {
    "IDEMPOTENCY_KEY_PARAMETER_MISMATCH": ShopifyIdempotencyMismatch,
    "CHANGE_FROM_QUANTITY_STALE": ShopifyStaleQuantity,
    "LIMIT_REACHED": ShopifyBulkLimitReached,
    "OPERATION_IN_PROGRESS": ShopifyBulkLimitReached,
}


# --- Meta (WhatsApp Cloud API, Graph catalog) ---------------------------------------------------------


class MetaError(PlatformError):
    """A Graph API error; `code`/`error_subcode` are Meta's, kept for logs and mapping."""

    platform = "meta"
    default_merchant_message = "Meta rejected the request. Please check your WhatsApp/catalog settings."

    def __init__(
        self,
        message: str,
        *,
        code: int | None = None,
        error_subcode: int | None = None,
        fbtrace_id: str | None = None,
        **kw,
    ):
        super().__init__(message, **kw)
        self.code = code
        self.error_subcode = error_subcode
        self.fbtrace_id = fbtrace_id


class MetaUnavailable(MetaError, PlatformUnavailable):
    default_merchant_message = "Meta is not answering right now. We will try again automatically."


class MetaAuthError(MetaError):
    default_merchant_message = "Meta no longer accepts the access token. Please reconnect WhatsApp/Meta."


class MetaRateLimited(MetaError):
    retryable = True
    default_merchant_message = "Meta asked us to slow down. Messages will continue shortly."


class WhatsAppWindowClosed(MetaError):
    """131047: more than 24 hours since the customer's last message; only a template can be sent."""

    default_merchant_message = (
        "This customer last wrote more than 24 hours ago, so WhatsApp only allows an approved template."
    )


class WhatsAppInvalidRecipient(MetaError):
    default_merchant_message = "WhatsApp could not deliver to this customer (number or user not reachable)."


# Meta error codes (developers.facebook.com, WhatsApp Cloud API error codes; Graph API error handling).
META_AUTH_CODES = frozenset({102, 190})
META_PERMISSION_CODES = frozenset({10, 200, 294})
META_RATE_LIMIT_CODES = frozenset({4, 17, 32, 613, 80007, 130429, 131048, 131056})
WHATSAPP_WINDOW_CODES = frozenset({131047})
WHATSAPP_RECIPIENT_CODES = frozenset({131026, 131030, 131062, 133010})


def meta_error_from_body(body: Any, status: int | None = None) -> MetaError:
    """Map a Graph error body (`{"error": {"message", "type", "code", "error_subcode", ...}}`) to a type."""
    err = body.get("error") if isinstance(body, dict) else None
    if not isinstance(err, dict):
        return MetaError(f"Meta answered HTTP {status} without an error object", status=status, details=body)
    code = err.get("code")
    details = (err.get("error_data") or {}).get("details")
    message = f"Meta error {code}/{err.get('error_subcode')}: {err.get('message')}"
    if details:
        message += f" ({details})"
    if code in META_AUTH_CODES or code in META_PERMISSION_CODES or status == 401:
        cls: type[MetaError] = MetaAuthError
    elif code in META_RATE_LIMIT_CODES:
        cls = MetaRateLimited
    elif code in WHATSAPP_WINDOW_CODES:
        cls = WhatsAppWindowClosed
    elif code in WHATSAPP_RECIPIENT_CODES:
        cls = WhatsAppInvalidRecipient
    else:
        cls = MetaError
    return cls(
        message,
        code=code,
        error_subcode=err.get("error_subcode"),
        fbtrace_id=err.get("fbtrace_id"),
        status=status,
        details=err,
    )
