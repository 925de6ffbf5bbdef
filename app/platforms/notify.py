"""Merchant notifications over a webhook URL the merchant configured (settings page).

Plain data in (URL and a JSON-able dict), nothing about models. A notification is best effort: it never
raises, it logs, and it uses one short attempt (the merchant's endpoint must not stall a sync worker).
"""

from __future__ import annotations

import logging

import requests

log = logging.getLogger(__name__)

TIMEOUT = (3.0, 5.0)


def post_notification(url: str | None, payload: dict, *, session: requests.Session | None = None) -> bool:
    """POST `payload` as JSON to `url`; True when the endpoint answered 2xx. Never raises."""
    if not url:
        return False
    try:
        response = (session or requests).post(
            url, json=payload, timeout=TIMEOUT, headers={"User-Agent": "wagents-commerce/0.1"}
        )
    except requests.RequestException as exc:
        log.warning("notification to %s failed: %s", _host(url), type(exc).__name__)
        return False
    if response.status_code >= 300:
        log.warning("notification to %s answered HTTP %s", _host(url), response.status_code)
        return False
    return True


def _host(url: str) -> str:
    # Log the host only: the path of a notification URL often carries a secret token.
    from urllib.parse import urlsplit

    return urlsplit(url).netloc or "?"
