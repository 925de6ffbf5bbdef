"""The parts of one order its page shows beside the order itself: a page of its line items (an order may hold
hundreds), its fulfillments with tracking links, and its refunds with the lines they returned.

Read only. Tracking URLs pass through `app.services.links.web_url`: anything but http(s) is shown as text,
never as a link. Must not read the request or render anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, select

from app.extensions import db
from app.models import Order, OrderItem
from app.services.links import web_url

ITEMS_PAGE = 100


@dataclass
class ItemsPage:
    items: list[OrderItem]
    total: int
    start: int  # the place of the first item shown, from 1
    next_after: int | None  # the last item id shown when more follow


def order_items_page(order: Order, after: int | None = None, size: int = ITEMS_PAGE) -> ItemsPage:
    """Up to `size` line items of `order` after the item id `after`, by id (the order the sync stored them
    in, Shopify's), keyset-paged."""
    base = select(OrderItem).where(OrderItem.order_id == order.id)
    stmt = base.where(OrderItem.id > after) if after else base
    rows = list(db.session.scalars(stmt.order_by(OrderItem.id).limit(size + 1)))
    total = db.session.scalar(
        select(func.count()).select_from(OrderItem).where(OrderItem.order_id == order.id)
    )
    before = 0
    if after:
        before = db.session.scalar(
            select(func.count())
            .select_from(OrderItem)
            .where(OrderItem.order_id == order.id, OrderItem.id <= after)
        )
    more = len(rows) > size
    rows = rows[:size]
    return ItemsPage(rows, int(total or 0), int(before or 0) + 1, rows[-1].id if more and rows else None)


def _tracking(entry) -> dict:
    entry = entry if isinstance(entry, dict) else {}
    url = entry.get("url")
    return {"company": entry.get("company"), "number": entry.get("number"),
            "url": url if isinstance(url, str) else None, "href": web_url(url)}  # fmt: skip


def fulfillment_rows(order: Order) -> list[dict]:
    """Each fulfillment: name, status, Shopify's times and every tracking entry (company, number, url and
    `href`, the url when it is safe to link)."""
    rows = []
    for f in order.fulfillments:
        tracking = [_tracking(t) for t in (f.tracking or [])]
        if not tracking and (f.tracking_company or f.tracking_number or f.tracking_url):
            tracking = [_tracking({"company": f.tracking_company, "number": f.tracking_number,
                                   "url": f.tracking_url})]  # fmt: skip
        rows.append({"name": f.name, "status": f.status, "created_at": f.created_at, "updated_at": f.updated_at,
                     "tracking": tracking})  # fmt: skip
    return rows


def _amount(value) -> Decimal | None:
    try:
        return None if value is None else Decimal(str(value))
    except InvalidOperation:
        return None


def refund_rows(order: Order) -> list[dict]:
    """Each refund: amount, note, time and its lines as (item title, quantity, subtotal)."""
    ids = {
        line.get("line_item_id")
        for r in order.refunds
        for line in (r.line_items or [])
        if isinstance(line, dict)
    }
    ids.discard(None)
    titles = {}
    if ids:
        titles = dict(
            db.session.execute(
                select(OrderItem.external_id, OrderItem.title).where(
                    OrderItem.order_id == order.id, OrderItem.external_id.in_([str(i) for i in ids])
                )
            ).all()
        )
    rows = []
    for r in order.refunds:
        lines = [
            (titles.get(line.get("line_item_id")) or line.get("line_item_id") or "—", line.get("quantity"),
             _amount(line.get("subtotal")))
            for line in (r.line_items or []) if isinstance(line, dict)
        ]  # fmt: skip
        rows.append({"amount": r.amount, "currency": r.currency or order.currency, "note": r.note,
                     "created_at": r.created_at, "lines": lines})  # fmt: skip
    return rows
