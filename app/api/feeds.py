"""`GET /api/feeds/acp`: the product feed for agentic shopping (OpenAI's Agentic Commerce Protocol), streamed.

Thin: parse `format`, `shape` and `since`, check the token may read the catalog, and stream the bytes
`app.services.product_feed` makes (a generator: the catalog is never held in memory). Headers tell the reader
what it got: `X-Feed-Mode` (`full`: replace everything you hold; `delta`: apply these rows) and
`X-Feed-Generated-At` (the `since` to send next time).
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Response, request, stream_with_context

from app.api import bp
from app.api.openapi import documented
from app.auth_scope import current_scope
from app.models.types import utcnow
from app.params import BadParameter
from app.services import product_feed

MEDIA_TYPES = {"jsonl": "application/x-ndjson; charset=utf-8", "csv": "text/csv; charset=utf-8"}
SHAPES = ("variants", "products")


def require_scope(scope: str) -> None:
    """The one check of what the token may do on this route. Every API token may read the catalog today;
    token scopes (`catalog:read`) plug in here."""
    current_scope()


def _choice(name: str, allowed, default: str) -> str:
    value = (request.args.get(name) or default).strip().lower()
    if value not in allowed:
        raise BadParameter(name, f"'{name}' must be one of: {', '.join(allowed)}.")
    return value


def parse_since(value: str | None) -> datetime | None:
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        moment = datetime.fromisoformat(text[:-1] + "+00:00" if text[-1:] in "zZ" else text)
    except ValueError:
        raise BadParameter("since", "'since' must be an ISO 8601 time, e.g. 2026-12-01T00:00:00Z.") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _wants_gzip() -> bool:
    return request.accept_encodings.quality("gzip") > 0


@bp.get("/feeds/acp")
@documented("The product feed for agentic shopping (ACP), streamed", query="FeedQuery", response="FeedRow",
            media=("application/x-ndjson", "text/csv"))  # fmt: skip
def acp_feed():
    """One row per purchasable variant (or, with `shape=products`, one ACP Product per line), as JSON Lines
    (default) or CSV (`format=csv`, variant rows only), gzip-compressed when the client sends
    `Accept-Encoding: gzip`. Which products, and for which countries, are the merchant's choices in Settings.
    Availability is live stock net of active reservations. `since` (ISO 8601) answers only what changed after
    that time: products that left the feed come with `is_eligible_search: false` and `availability:
    out_of_stock` (ACP products: every variant `discontinued`). `X-Feed-Mode: full` means the rows replace
    everything held (always without `since`, and when the feed's settings changed after `since`);
    `X-Feed-Generated-At` is the time to send as the next `since`. Checkout is not hosted here:
    `is_eligible_checkout` is always false."""
    require_scope("catalog:read")
    fmt = _choice("format", tuple(MEDIA_TYPES), "jsonl")
    shape = _choice("shape", SHAPES, "variants")
    if shape == "products" and fmt == "csv":
        raise BadParameter("format", "'format' must be jsonl with shape=products (ACP products are nested).")
    since = parse_since(request.args.get("since"))
    workspace_id = current_scope().workspace_id
    generated_at = utcnow()
    full = product_feed.is_full_snapshot(workspace_id, since)
    gzip = _wants_gzip()
    items = product_feed.rows(workspace_id, shape=shape, since=None if full else since,
                              fallback_url=request.url_root)  # fmt: skip
    body = stream_with_context(product_feed.encode(items, fmt, gzip=gzip))
    response = Response(body, mimetype=None, content_type=MEDIA_TYPES[fmt])
    response.headers["X-Feed-Mode"] = "full" if full else "delta"
    response.headers["X-Feed-Generated-At"] = generated_at.isoformat().replace("+00:00", "Z")
    response.headers["Vary"] = "Accept-Encoding"
    if gzip:
        response.headers["Content-Encoding"] = "gzip"
    if fmt == "csv":
        response.headers["Content-Disposition"] = 'attachment; filename="products.csv"'
    return response
