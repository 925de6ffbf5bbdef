"""htmx in one place: is this request an htmx swap, and the page-or-fragment answer every route gives.

The one rule: an htmx swap gets the fragment; a normal load, a boosted link and htmx restoring history (after
a cache miss) get the whole page. Whenever a route asks, the response says `Vary` on those request headers,
so a browser or proxy cache never serves a fragment for a page load of the same URL (`hx-push-url` makes
them the same URL). No business logic here.
"""

from __future__ import annotations

from flask import after_this_request, render_template, request

# The request headers the answer depends on once a route has asked `is_htmx()`.
HTMX_HEADERS = ("HX-Request", "HX-Boosted", "HX-History-Restore-Request")
_ASKED = "wagents.htmx_asked"


def is_htmx() -> bool:
    """True for an htmx swap (answer the fragment); False when the whole page is wanted."""
    if not request.environ.get(_ASKED):
        request.environ[_ASKED] = True
        after_this_request(_vary_on_htmx)
    headers = request.headers
    return (
        bool(headers.get("HX-Request"))
        and not headers.get("HX-Boosted")
        and not headers.get("HX-History-Restore-Request")
    )


def render_page_or_fragment(page: str, fragment: str, /, status: int = 200, **context):
    """`fragment` rendered for an htmx swap, `page` otherwise, with the same context and status."""
    return render_template(fragment if is_htmx() else page, **context), status


def _vary_on_htmx(response):
    for header in HTMX_HEADERS:
        response.vary.add(header)
    return response
