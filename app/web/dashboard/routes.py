from flask import render_template
from flask_login import login_required

from app.models import Integration, Order, Product, Webhook
from app.web.context import current_scope
from app.web.dashboard import bp


@bp.route("/")
@login_required
def index():
    scope = current_scope()
    counts = {
        "products": scope.count(Product, Product.deleted_at.is_(None)),
        "orders": scope.count(Order),
        "pending_webhooks": scope.count(Webhook, Webhook.status == "pending"),
        "failed_webhooks": scope.count(Webhook, Webhook.status == "failed"),
    }
    integrations = scope.all(Integration)
    return render_template("dashboard/index.html", counts=counts, integrations=integrations)
