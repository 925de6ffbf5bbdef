"""Merchant notifications over a webhook URL the merchant configured (settings page).

Plain data in (URL and a JSON-able dict), nothing about models. A notification is best effort: it never
raises, it logs, and it uses one short attempt (the merchant's endpoint must not stall a sync worker). The URL
is the merchant's: it goes out through `public_http` (public addresses only, pinned, no redirects).
"""

from __future__ import annotations

import logging

import requests

from app.platforms.public_http import UnsafeAddress, post_json

log = logging.getLogger(__name__)

TIMEOUT = (3.0, 5.0)


def post_notification(url: str | None, payload: dict, *, allow_private: bool = False) -> bool:
    """POST `payload` as JSON to `url`; True when the endpoint answered 2xx. Never raises."""
    if not url:
        return False
    try:
        response = post_json(
            url,
            payload,
            timeout=TIMEOUT,
            headers={"User-Agent": "wagents-commerce/0.1"},
            allow_private=allow_private,
        )
    except UnsafeAddress as exc:
        log.warning("notification to %s refused: %s", _host(url), exc)
        return False
    except requests.RequestException as exc:
        log.warning("notification to %s failed: %s", _host(url), type(exc).__name__)
        return False
    if response.status_code >= 300:
        # 3xx included: a redirect is not followed (it could point anywhere, the private network too).
        log.warning("notification to %s answered HTTP %s", _host(url), response.status_code)
        return False
    return True


def _host(url: str) -> str:
    # Log the host only: the path of a notification URL often carries a secret token.
    from urllib.parse import urlsplit

    return urlsplit(url).netloc or "?"
