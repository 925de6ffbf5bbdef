"""Routes of the Products page. Thin: parse input, call `app.services.products` / `bulk_jobs`, render.

htmx requests get fragments (`_table`, `_row`, `_edit_row`, `_bulk_progress`); the same URLs answer whole pages
(or redirects after a write) without JavaScript. Bad input re-renders the fragment or page with a 422.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import login_required

from app.auth_scope import current_scope
from app.catalog import groupings
from app.catalog.stock import stock_levels
from app.params import parse_limit
from app.services import bulk_delete, bulk_jobs, log_names, product_detail
from app.services import products as service
from app.web.fragments import is_htmx
from app.web.products import bp

VARIANTS_PAGE = 100  # variants per page of a product's page


def _product_or_404(product_id: int):
    product = service.get_product(current_scope(), product_id)
    if product is None:
        abort(404)
    return product


def _form() -> dict:
    return {k: v for k, v in request.form.items() if k != "csrf_token"}


def _list_context(args) -> tuple[dict, int]:
    scope = current_scope()
    errors, status = {}, 200
    try:
        params = service.parse_params(args)
    except service.ListError as exc:
        errors, status = exc.fields, 400
        params = service.ListParams()
    page = service.list_products(scope, params, with_variants=False)
    categories = service.categories(scope)
    context = {"page": page, "params": params, "list_errors": errors, "categories": categories,
               "collections": groupings.collections(scope), "locations": groupings.locations(scope),
               "category_names": {c.id: c.name for c in categories},
               "thumbs": product_detail.thumbnails(scope, [p.id for p in page.products]),
               "platform_states": service.PLATFORM_STATES, "sorts": service.SORTS, "statuses": service.STATUSES}  # fmt: skip
    return context, status


@bp.get("")
@login_required
def index():
    context, status = _list_context(request.args)
    if is_htmx():
        return render_template("products/_table.html", **context), status
    bulk = (
        bulk_jobs.get_progress(current_scope(), request.args.get("bulk", ""))
        if request.args.get("bulk")
        else None
    )
    return render_template(
        "products/index.html", bulk=bulk, create_errors={}, create_values={}, **context
    ), status


@bp.post("")
@login_required
def create():
    data = _form()
    try:
        product = service.create_product(current_scope(), data)
    except service.ProductValidationError as exc:
        if is_htmx():
            return render_template("products/_create_form.html", create_errors=exc.fields, create_values=data,
                                   categories=service.categories(current_scope()), statuses=service.STATUSES), 422  # fmt: skip
        context, _ = _list_context({})
        return render_template("products/index.html", bulk=None, create_errors=exc.fields, create_values=data,
                               **context), 422  # fmt: skip
    flash(f"Created “{product.title}”.", "success")
    target = url_for("products.detail", product_id=product.id)
    if is_htmx():
        return "", 201, {"HX-Redirect": target}
    return redirect(target)


@bp.get("/<int:product_id>")
@login_required
def detail(product_id: int):
    """`variants_page`: which page of a long product's variants (a bad value is a 400)."""
    scope = current_scope()
    product = service.get_product(scope, product_id, hidden=True)
    if product is None or (product.deleted_at is not None and not product.shopify_product_id):
        abort(404)  # a Shopify product hidden here is shown, with the re-sync that brings it back
    page = parse_limit(request.args.get("variants_page"), "variants_page", 100_000) or 1
    return render_template("products/detail.html", **_detail_context(scope, product, variants_page=page))


def _detail_context(scope, product, errors=None, values=None, variants_page: int = 1) -> dict:
    # A product has at most 2,048 variants (Shopify's limit): numbered pages over a list that short.
    pages = max(1, -(-len(product.variants) // VARIANTS_PAGE))
    variants_page = min(variants_page, pages)  # past the end: the last page
    start = (variants_page - 1) * VARIANTS_PAGE
    shown = product.variants[start : start + VARIANTS_PAGE]
    return {
        "product": product,
        "variants": shown,
        "variants_from": start + 1,
        "variants_page": variants_page,
        "variants_pages": pages,
        "levels": stock_levels(scope, [v.id for v in shown]),
        "media": product_detail.media_rows(product),
        "description": product_detail.description(product),
        "shopify_number": product_detail.numeric_id(product.shopify_product_id),
        "shopify_admin_url": product_detail.shopify_admin_url(scope, product),
        "variant_images": product_detail.variant_images(product),
        "by_location": product_detail.location_stock(scope, product),
        "reservations": service.product_reservations(scope, product),
        "sync_log": (sync_log := service.product_sync_log(scope, product)),
        "log_names": log_names.entity_names(scope, sync_log),
        "categories": service.categories(scope),
        "statuses": service.STATUSES,
        "errors": errors or {},
        "values": values or {},
    }


def _row(product, status: int = 200):
    scope = current_scope()
    stock = service.product_stock(scope, [product])
    thumb = product_detail.thumbnails(scope, [product.id]).get(product.id, {})
    return render_template("products/_row.html", product=product, stock=stock, thumb=thumb), status


@bp.get("/<int:product_id>/row")
@login_required
def row(product_id: int):
    return _row(_product_or_404(product_id))


@bp.get("/<int:product_id>/edit")
@login_required
def edit(product_id: int):
    product = _product_or_404(product_id)
    if not is_htmx():
        return redirect(url_for("products.detail", product_id=product.id) + "#edit")
    return render_template("products/_edit_row.html", product=product, errors={}, values={},
                           statuses=service.STATUSES, categories=service.categories(current_scope()))  # fmt: skip


@bp.route("/<int:product_id>", methods=["PUT", "POST"])
@login_required
def update(product_id: int):
    scope = current_scope()
    product = _product_or_404(product_id)
    data = _form()
    try:
        service.update_product(scope, product, data)
    except service.ProductValidationError as exc:
        if is_htmx():
            return render_template("products/_edit_row.html", product=product, errors=exc.fields, values=data,
                                   statuses=service.STATUSES, categories=service.categories(scope)), 422  # fmt: skip
        return render_template(
            "products/detail.html", **_detail_context(scope, product, exc.fields, data)
        ), 422
    if is_htmx():
        return _row(product)
    flash("Saved.", "success")
    return redirect(url_for("products.detail", product_id=product.id))


@bp.delete("/<int:product_id>")
@login_required
def delete(product_id: int):
    service.delete_product(_product_or_404(product_id))
    return ""  # htmx swaps the row away


@bp.post("/<int:product_id>/delete")
@login_required
def delete_form(product_id: int):
    product = _product_or_404(product_id)
    service.delete_product(product)
    flash(f"Deleted “{product.title}”.", "success")
    return redirect(url_for("products.index"))


@bp.post("/bulk")
@login_required
def bulk():
    scope = current_scope()
    action = request.form.get("action", "")
    try:
        ids = bulk_jobs.parse_ids(request.form.getlist("ids"))
        if action == "delete" and request.form.get("confirm") != "yes":
            return _confirm_delete(scope, ids)  # nothing is deleted until the merchant confirms
        progress = bulk_jobs.start_bulk(scope, action, ids, request.form.get("status") or None)
    except bulk_jobs.BulkError as exc:
        if is_htmx():
            return render_template("products/_bulk_progress.html", bulk=None, error=exc.message), exc.status
        flash(exc.message, "error")
        return redirect(url_for("products.index"))
    progress = bulk_jobs.get_progress(scope, progress["id"]) or progress
    if is_htmx():
        return render_template("products/_bulk_progress.html", bulk=progress, error=None), 202
    return redirect(url_for("products.index", bulk=progress["id"]))


def _confirm_delete(scope, ids: list[int]):
    if not ids:
        raise bulk_jobs.BulkError("Select at least one product.", {"ids": "Select at least one product."})
    counts = bulk_delete.preview(scope, ids)
    if not counts["total"]:
        raise bulk_jobs.BulkError(
            "None of the selected products exist any more.", {"ids": "Unknown products."}
        )
    context = {"ids": ids, "counts": counts, "undo_minutes": bulk_delete.UNDO_SECONDS // 60}
    if is_htmx():
        return render_template("products/_bulk_confirm.html", **context)
    return render_template("products/bulk_confirm.html", **context)


@bp.get("/bulk/<token>")
@login_required
def bulk_status(token: str):
    progress = bulk_jobs.get_progress(current_scope(), token)
    if progress is None:
        abort(404)
    if not is_htmx():
        return redirect(url_for("products.index", bulk=token))
    headers = {"HX-Trigger": "products-changed"} if progress["finished"] else {}
    return render_template("products/_bulk_progress.html", bulk=progress, error=None), 200, headers
