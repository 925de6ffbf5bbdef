"""Which outside URLs a page may turn into a link or an image: `http://` and `https://` only.

Tracking URLs, media URLs and the like come from Shopify (and from whoever typed them into Shopify); a
`javascript:`, `data:` or `vbscript:` value rendered as `href` would run in the merchant's session. Jinja's
escaping does not stop that, so pages pass such values through `web_url` and show the rest as text.
"""

from __future__ import annotations

from urllib.parse import urlsplit


def web_url(value) -> str | None:
    """`value` if it is an absolute http(s) URL with a host, else None."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or any(ch in text for ch in "\x00\r\n\t") or len(text) > 4000:
        return None
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return text
