"""Shopify checkouts to plain records: a `checkouts/create|update` webhook body (REST) or an
`abandonedCheckouts` GraphQL node. Both name the checkout `gid://shopify/AbandonedCheckout/<id>` (the REST
body's numeric `id` is the AbandonedCheckout's); only the REST body has the `token` (orders carry it as
`checkout_token`). The phone is the first of the checkout's own, its SMS-marketing phone, the customer's,
the shipping and the billing address's. The line items become a short summary ("2 × Tee, 1 × Cap") and a
count of units; the summary lists every line the source gave (GraphQL pages of checkouts carry one page of
line items each: the summary then ends with "…" and the count says how many units the page showed).
"""

from __future__ import annotations

from app.sync.mapping import gid, money, parse_time

SUMMARY_CHARS = 500


def _summary(lines: list[tuple[int, str]], more: bool = False) -> tuple[str | None, int]:
    text = ", ".join(f"{q} × {t}" for q, t in lines)
    if more:
        text += ", …"
    if len(text) > SUMMARY_CHARS:
        text = text[: SUMMARY_CHARS - 1] + "…"
    return text or None, sum(q for q, _ in lines)


def _name(first, last, fallback=None) -> str | None:
    return " ".join(p for p in (first, last) if p) or fallback or None


def checkout_from_rest(body: dict) -> dict:
    customer = body.get("customer") or {}
    shipping = body.get("shipping_address") or {}
    billing = body.get("billing_address") or {}
    lines = [
        (int(line.get("quantity") or 0), str(line.get("title") or line.get("presentment_title") or "Item"))
        for line in body.get("line_items") or []
    ]
    summary, count = _summary(lines)
    phone = (body.get("phone") or body.get("sms_marketing_phone") or customer.get("phone")
             or shipping.get("phone") or billing.get("phone"))  # fmt: skip
    consent = customer.get("sms_marketing_consent")
    if body.get("buyer_accepts_sms_marketing") and body.get("sms_marketing_phone"):
        # Ticked at this checkout: Shopify's SMS marketing consent, given when the checkout last changed.
        consent = {"state": "subscribed", "opt_in_level": "single_opt_in",
                   "consent_updated_at": body.get("updated_at")}  # fmt: skip
    return {
        "shopify_checkout_id": gid("AbandonedCheckout", body["id"]),
        "token": body.get("token") or None,
        "cart_token": body.get("cart_token") or None,
        "customer_gid": customer.get("admin_graphql_api_id") or gid("Customer", customer.get("id")),
        "customer_name": _name(customer.get("first_name"), customer.get("last_name"), billing.get("name")),
        "customer_phone": phone or None,
        "customer_email": body.get("email") or customer.get("email") or None,
        "line_items_summary": summary,
        "item_count": count,
        "total_price": money(body.get("total_price")),
        "currency": body.get("presentment_currency") or body.get("currency"),
        "recovery_url": body.get("abandoned_checkout_url") or None,
        "created_at": parse_time(body.get("created_at")),
        "last_activity_at": parse_time(body.get("updated_at")),
        "completed_at": parse_time(body.get("completed_at")),
        "sms_marketing_consent": consent,  # not a column: the customer's consent (app.messaging)
    }


def checkout_from_graphql(node: dict) -> dict:
    customer = node.get("customer") or {}
    phone_number = customer.get("defaultPhoneNumber") or {}
    shipping = node.get("shippingAddress") or {}
    billing = node.get("billingAddress") or {}
    items = node.get("lineItems") or {}
    lines = [(int(n.get("quantity") or 0), str(n.get("title") or "Item")) for n in items.get("nodes") or []]
    summary, count = _summary(lines, bool((items.get("pageInfo") or {}).get("hasNextPage")))
    total = node.get("totalPriceSet") or {}
    sms = phone_number.get("smsMarketingConsent") or {}
    consent = None
    if sms.get("state"):
        consent = {"state": str(sms["state"]).lower(), "opt_in_level": str(sms.get("optInLevel") or "").lower() or None,
                   "consent_updated_at": sms.get("updatedAt")}  # fmt: skip
    return {
        "shopify_checkout_id": node["id"],
        "token": None,
        "cart_token": None,
        "customer_gid": customer.get("id"),
        "customer_name": customer.get("displayName") or billing.get("name") or shipping.get("name"),
        "customer_phone": phone_number.get("phoneNumber") or shipping.get("phone") or billing.get("phone"),
        "customer_email": (customer.get("defaultEmailAddress") or {}).get("emailAddress"),
        "line_items_summary": summary,
        "item_count": count,
        "total_price": money(total),
        "currency": ((total.get("shopMoney") or {}).get("currencyCode")),
        "recovery_url": node.get("abandonedCheckoutUrl") or None,
        "created_at": parse_time(node.get("createdAt")),
        "last_activity_at": parse_time(node.get("updatedAt")),
        "completed_at": parse_time(node.get("completedAt")),
        "sms_marketing_consent": consent,
    }
