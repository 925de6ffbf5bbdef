"""What the Integrations cards tell a merchant setting a platform up: where each credential is found, and the
addresses and verify token to paste into Shopify's and Meta's settings (built from APP_URL, so they are the
ones this deployment answers on). Text and URLs only; no platform calls, no secrets but the verify token the
merchant chose for Meta's handshake.
"""

from __future__ import annotations

import secrets

from flask import current_app

from app.integrations.shopify_connect import CALLBACK_PATH, WEBHOOK_PATH

META_APPS = "https://developers.facebook.com/apps"
FIELD_HELP = {
    "shopify": {
        "shop_domain": "Shopify admin → Settings → Domains: the address ending in .myshopify.com.",
        "access_token": "Shopify admin → Settings → Apps and sales channels → Develop apps → your app → API "
        "credentials → Admin API access token (shown once, starts with shpat_).",
    },
    "whatsapp": {
        "phone_number_id": f"{META_APPS} → your app → WhatsApp → API Setup: the Phone number ID under the number.",
        "waba_id": f"{META_APPS} → your app → WhatsApp → API Setup: the WhatsApp Business Account ID.",
        "access_token": "Meta Business Settings → Users → System users → Generate token (with "
        "whatsapp_business_messaging and whatsapp_business_management); a temporary token from API Setup "
        "works for a day.",
        "app_secret": f"{META_APPS} → your app → App settings → Basic → App secret (Show).",
        "verify_token": "A phrase you choose (one is suggested): paste the same one as the Verify token in "
        "WhatsApp → Configuration → Webhook.",
    },
    "facebook": {
        "catalog_id": "Meta Commerce Manager → your catalog → Settings: the Catalog ID.",
        "page_id": "Your Facebook Page → About → Page transparency: the Page ID.",
        "access_token": "Meta Business Settings → Users → System users → Generate token with catalog_management.",
        "app_secret": f"{META_APPS} → your app → App settings → Basic → App secret (Show).",
    },
}


def suggested_verify_token() -> str:
    return secrets.token_urlsafe(18)


def setup_addresses(platform: str, integration=None) -> list[tuple[str, str, str]]:
    """(label, value, where it goes) rows to copy into the platform's settings."""
    base = current_app.config["APP_URL"].rstrip("/")
    if platform == "shopify":
        return [
            ("App URL", base + "/", "Partner dashboard → your app → Configuration → App URL."),
            ("Allowed redirection URL", base + CALLBACK_PATH, "Configuration → Allowed redirection URL(s)."),
            ("Compliance webhooks", base + WEBHOOK_PATH + "/compliance",
             "Configuration → Compliance webhooks (all three topics)."),
            ("Webhooks", base + WEBHOOK_PATH, "Registered for you on connect: products, orders, inventory."),
        ]  # fmt: skip
    rows = [
        (
            "Callback URL",
            f"{base}/api/webhooks/{platform}",
            f"{META_APPS} → your app → Webhooks → Callback URL.",
        )
    ]
    token = integration.secret("verify_token") if integration is not None and platform == "whatsapp" else None
    token = token or current_app.config.get("META_VERIFY_TOKEN")
    if token:
        rows.append(("Verify token", token, "The same app's Webhooks → Verify token."))
    elif platform == "facebook":
        rows.append(
            ("Verify token", "", "Not set: set META_VERIFY_TOKEN in the app's environment, then paste it.")
        )
    if platform == "whatsapp":
        rows[0] = (
            rows[0][0],
            rows[0][1],
            "WhatsApp → Configuration → Webhook → Callback URL; subscribe to messages.",
        )
    return rows
