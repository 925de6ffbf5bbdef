"""Routes of the Demo phone page. The chat is also a fragment: htmx reloads it every 2 s with a POST that
says the customer is looking (what turns delivered messages read); sending answers the chat and an empty box
(422 with the message and the text kept when refused) to htmx, and redirects otherwise."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import login_required

from app.auth_scope import current_scope
from app.services import demo_phone as service
from app.web.demo_phone import bp
from app.web.fragments import is_htmx, render_page_or_fragment

NOT_HERE = "The Demo phone exists only when this workspace's WhatsApp is the demo's stand-in number."


def _phone_and_customer():
    phone = current_app.extensions.get("demo_phone")
    integration = service.stand_in_integration(current_scope(), phone)
    if integration is None:
        abort(404, NOT_HERE)
    customer = service.known_customer(phone, request.values.get("customer"))
    if customer is None:
        abort(404, "The demo phone has no chat with that customer.")
    return phone, integration, customer


def _context(phone, integration, customer, **extra) -> dict:
    return dict(chat=phone.chat(customer), customer=customer, customers=phone.customers(),
                number=phone.phone_number(), integration=integration, **extra)  # fmt: skip


@bp.get("/")
@login_required
def index():
    phone, integration, customer = _phone_and_customer()
    return render_page_or_fragment(
        "demo_phone/index.html", "demo_phone/_chat.html", **_context(phone, integration, customer)
    )


@bp.post("/seen")
@login_required
def seen():
    phone, integration, customer = _phone_and_customer()
    phone.opened(customer)
    return render_template("demo_phone/_chat.html", **_context(phone, integration, customer))


@bp.post("/messages")
@login_required
def send():
    phone, integration, customer = _phone_and_customer()
    try:
        service.customer_says(phone, customer, request.form.get("text", ""))
    except service.DemoPhoneRefused as exc:
        context = _context(phone, integration, customer, error=exc.message, text=request.form.get("text", ""))
        return render_page_or_fragment(
            "demo_phone/index.html", "demo_phone/_phone.html", exc.status, **context
        )
    if not is_htmx():
        flash("Sent as the customer.", "success")
        return redirect(url_for("demo_phone.index", customer=customer))
    return render_template("demo_phone/_phone.html", **_context(phone, integration, customer))
