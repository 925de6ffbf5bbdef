"""Security headers on every response, set in one after_request hook.

The pages load only their own files: htmx and `confirm.js` from /static, one stylesheet, no inline script,
style or event handler (htmx's own indicator styles are off in base.html's htmx-config and live in
app.css; `allowEval` is off, so htmx never needs 'unsafe-eval'). Nothing may frame the app (clickjacking),
browsers must not sniff JSON or text into HTML, and other sites are not told which page a link was on
(OAuth callbacks carry codes in their URL). A route that needs another value sets the header itself; it is
kept. Hand-written rather than Flask-Talisman: six fixed headers, and Talisman also redirects to HTTPS and
rewrites cookie settings, which config.py and the platform's router already own.
"""

from __future__ import annotations

from flask import Flask, Response

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        # Product media comes from the store (Shopify's CDN, or wherever a product's image URL points):
        # images over https only; scripts, styles and requests stay on this origin.
        "img-src 'self' data: https:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def init_app(app: Flask) -> None:
    @app.after_request
    def _security_headers(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        return response
