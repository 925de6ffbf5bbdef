"""Routes of the Orders pages. Lists answer the table fragment to htmx and the whole page otherwise; status
changes answer the detail fragment to htmx and redirect otherwise, so everything works without JavaScript.
Rules (which change is allowed, stock) live in `app.services.orders` and `app.inventory`.
"""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_login import login_required

from app.auth_scope import current_scope
from app.models.orders import SOURCE_PLATFORMS
from app.params import parse_id
from app.services import orders as service
from app.web.fragments import is_htmx, render_page_or_fragment
from app.web.orders import bp


@bp.get("/")
@login_required
def index():
    filters = service.OrderFilters.from_args(request.args)
    page = service.list_orders(
        current_scope(), filters, request.args.get("cursor"), request.args.get("per_page")
    )
    context = dict(
        page=page, filters=filters, platforms=SOURCE_PLATFORMS, statuses=service.ORDER_STATUSES,
        chat_platforms=service.CHAT_PLATFORMS,
    )  # fmt: skip
    # A bad date is reported next to its field and ignored; a list is still worth showing.
    return render_page_or_fragment("orders/index.html", "orders/_partial.html", **context)


def _order_or_404(order_id: int):
    order = service.get_order(current_scope(), order_id)
    if order is None:
        abort(404, "Order not found.")
    return order


def _detail(order, error: str | None = None, status: int = 200, items_after: int | None = None):
    detail = service.order_detail(current_scope(), order, items_after)
    return render_page_or_fragment(
        "orders/detail.html",
        "orders/_detail.html",
        status,
        d=detail,
        error=error,
        chat_platforms=service.CHAT_PLATFORMS,
    )


@bp.get("/<int:order_id>")
@login_required
def detail(order_id: int):
    """`items_after`: the next page of a long order's line items (a bad value is a 400)."""
    order = _order_or_404(order_id)
    return _detail(order, items_after=parse_id(request.args.get("items_after"), "items_after"))


@bp.post("/<int:order_id>/status")
@login_required
def change_status(order_id: int):
    return _change(order_id, request.form.get("status", ""))


@bp.post("/<int:order_id>/cancel")
@login_required
def cancel(order_id: int):
    return _change(order_id, "cancelled")


def _change(order_id: int, status: str):
    order = _order_or_404(order_id)
    try:
        service.change_status(order, status)
    except service.OrderChangeRefused as exc:
        if not is_htmx():
            flash(exc.message, "error")
            return redirect(url_for("orders.detail", order_id=order_id))
        return _detail(order, exc.message, exc.status)
    if not is_htmx():
        flash(f"Order is now {order.status}.", "success")
        return redirect(url_for("orders.detail", order_id=order_id))
    return _detail(order)
