"""Routes of a product's way to and from Shopify: per-variant edits, the edit's Shopify state (polled while
it is saving), retry of a failed push, single "Re-sync from Shopify" (also of a product hidden here), and
the undo of a bulk delete. Thin: parse, call one service, render or redirect."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import login_required

from app.auth_scope import current_scope
from app.models import Product
from app.services import bulk_delete, bulk_jobs, shopify_edits, variant_edits
from app.services import products as service
from app.web.fragments import is_htmx
from app.web.products import bp
from app.web.products.routes import _detail_context, _form, _product_or_404


@bp.post("/<int:product_id>/variants")
@login_required
def update_variants(product_id: int):
    scope = current_scope()
    product = _product_or_404(product_id)
    data = _form()
    page = request.args.get("variants_page", type=int) or 1
    try:
        changed = variant_edits.update_variants(product, data)
    except service.ProductValidationError as exc:
        context = _detail_context(scope, product, exc.fields, data, variants_page=page)
        return render_template("products/detail.html", **context), 422
    noun = "variant" if changed == 1 else "variants"
    if not changed:
        flash("No variant changed.", "info")
    elif product.shopify_product_id:
        flash(f"Saved {changed} {noun}; saving to Shopify…", "success")
    else:
        flash(f"Saved {changed} {noun}.", "success")
    return redirect(url_for("products.detail", product_id=product.id, variants_page=page) + "#variants-h")


@bp.get("/<int:product_id>/shopify")
@login_required
def shopify_state(product_id: int):
    product = _product_or_404(product_id)
    if not is_htmx():
        return redirect(url_for("products.detail", product_id=product.id))
    return render_template(
        "products/_shopify_state.html", product=product, edit=shopify_edits.edit_state(product)
    )


@bp.post("/<int:product_id>/push")
@login_required
def retry_push(product_id: int):
    product = _product_or_404(product_id)
    if not shopify_edits.retry_push(product):
        flash("Nothing is waiting to be sent to Shopify.", "info")
    if is_htmx():
        return render_template("products/_shopify_state.html", product=product,
                               edit=shopify_edits.edit_state(product))  # fmt: skip
    return redirect(url_for("products.detail", product_id=product.id))


@bp.post("/<int:product_id>/resync")
@login_required
def resync(product_id: int):
    """Re-read one product from Shopify, overwriting local values; a product hidden here comes back."""
    scope = current_scope()
    product = scope.get(Product, product_id)
    if product is None:
        abort(404)
    try:
        progress = bulk_jobs.start_bulk(scope, "resync_shopify", [product.id])
    except bulk_jobs.BulkError as exc:
        flash(exc.message if product.shopify_product_id else "This product is not from Shopify.", "error")
        return redirect(url_for("products.detail", product_id=product.id)), 303
    return redirect(url_for("products.index", bulk=progress["id"]))


@bp.post("/bulk/<token>/undo")
@login_required
def bulk_undo(token: str):
    scope = current_scope()
    progress = bulk_jobs.get_progress(scope, token)
    if progress is None:
        abort(404)
    status, headers = 200, {}
    try:
        bulk_delete.undo(scope, progress)
        headers = {"HX-Trigger": "products-changed"}
    except bulk_delete.UndoError as exc:
        if not is_htmx():
            flash(exc.message, "error")
            return redirect(url_for("products.index"))
        return render_template("products/_bulk_progress.html", bulk=progress, error=exc.message), exc.status
    if not is_htmx():
        flash(bulk_jobs.get_progress(scope, token)["message"], "success")
        return redirect(url_for("products.index"))
    progress = bulk_jobs.get_progress(scope, token)
    return render_template("products/_bulk_progress.html", bulk=progress, error=None), status, headers
