"""Checkouts a demo shop can start, change and complete, with Shopify's `checkouts/create|update` webhooks
(the REST checkout body) and the Admin GraphQL `abandonedCheckouts` connection (`checkouts_page`,
`checkout_node`).

A checkout is a small JSON record in the overlay: its numeric `id` (the AbandonedCheckout's), `token`,
`cart_token`, contact (email, phone, name, whether the buyer ticked SMS marketing), `lines` of (product
index, variant position, quantity) and Shopify's times. Completing one places an order that names it
(`checkout_id`, `checkout_token`), as Shopify's orders do, and fires `checkouts/update` with `completed_at`.
"""

from __future__ import annotations

import json
import uuid

from app.demo_store import catalog, listing
from app.demo_store.db import dumps
from app.demo_store.nodes import connection, money_bag
from app.demo_store.rest_bodies import rest_time

CHECKOUT_BASE = 35_000_000_000


class CheckoutsMixin:
    def checkouts(self, shop: str) -> list[dict]:
        rows = self.db.all("SELECT data FROM checkouts WHERE shop=? ORDER BY id", (shop,))
        return [json.loads(r["data"]) for r in rows]

    def checkout(self, shop: str, checkout_id: int) -> dict | None:
        row = self.db.one("SELECT data FROM checkouts WHERE shop=? AND id=?", (shop, checkout_id))
        return json.loads(row["data"]) if row else None

    def _save_checkout(self, shop: str, checkout: dict) -> None:
        self.db.run(
            "INSERT INTO checkouts (shop, id, data) VALUES (?,?,?) ON CONFLICT(shop, id) DO UPDATE SET data=excluded.data",
            (shop, checkout["id"], dumps(checkout)),
        )

    def create_checkout(self, lines: list[tuple[int, int, int]], *, shop: str | None = None,
                        email: str | None = "buyer@example.com", phone: str | None = None,
                        name: str = "Demo Buyer", accepts_sms: bool = False, fire: bool = True) -> dict:  # fmt: skip
        """Start a checkout for ``lines`` (product index, variant position, quantity); fires
        ``checkouts/create``."""
        shop = shop or self.default_shop()
        n = self.db.one("SELECT COUNT(*) AS n FROM checkouts WHERE shop=?", (shop,))["n"]
        now = self.now_iso()
        checkout = {
            "id": CHECKOUT_BASE + n + 1, "token": uuid.uuid4().hex, "cart_token": f"c1-{uuid.uuid4().hex}",
            "email": email, "phone": phone, "name": name, "accepts_sms": accepts_sms, "created_at": now,
            "updated_at": now, "completed_at": None,
            "lines": [{"product_index": i, "variant": v, "quantity": q} for i, v, q in lines],
        }  # fmt: skip
        self._save_checkout(shop, checkout)
        if fire:
            self.fire(shop, "checkouts/create", self.checkout_payload(shop, checkout))
        return checkout

    def update_checkout(
        self, checkout_id: int, *, shop: str | None = None, fire: bool = True, **changes
    ) -> dict:
        """Change a checkout (``email``, ``phone``, ``name``, ``accepts_sms``, ``lines``); its ``updated_at``
        becomes now. Fires ``checkouts/update``."""
        shop = shop or self.default_shop()
        checkout = self.checkout(shop, checkout_id)
        if checkout is None:
            raise KeyError(f"no checkout {checkout_id} in {shop}")
        if "lines" in changes:
            changes["lines"] = [
                {"product_index": i, "variant": v, "quantity": q} for i, v, q in changes["lines"]
            ]
        checkout.update(changes, updated_at=self.now_iso())
        self._save_checkout(shop, checkout)
        if fire:
            self.fire(shop, "checkouts/update", self.checkout_payload(shop, checkout))
        return checkout

    def complete_checkout(self, checkout_id: int, *, shop: str | None = None) -> dict:
        """Place the checkout's order (``orders/create`` naming the checkout) and fire ``checkouts/update``
        with ``completed_at``. Returns the order."""
        shop = shop or self.default_shop()
        checkout = self.checkout(shop, checkout_id)
        if checkout is None:
            raise KeyError(f"no checkout {checkout_id} in {shop}")
        lines = [(line["product_index"], line["variant"], line["quantity"]) for line in checkout["lines"]]
        order = self.place_order(lines, shop=shop, email=checkout["email"] or "buyer@example.com",
                                 phone=checkout["phone"], checkout=checkout)  # fmt: skip
        checkout.update(completed_at=self.now_iso(), updated_at=self.now_iso())
        self._save_checkout(shop, checkout)
        self.fire(shop, "checkouts/update", self.checkout_payload(shop, checkout))
        return order

    # --- shapes -----------------------------------------------------------------------------------------

    def _checkout_lines(self, shop: str, checkout: dict) -> list[tuple[dict, dict, dict]]:
        out = []
        for line in checkout["lines"]:
            product = self.product(shop, line["product_index"])
            if product is not None:
                out.append((line, product, product["variants"][line["variant"]]))
        return out

    def checkout_total(self, shop: str, checkout: dict) -> str:
        lines = self._checkout_lines(shop, checkout)
        return f"{sum(float(v['price']) * line['quantity'] for line, _p, v in lines):.2f}"

    def recovery_url(self, shop: str, checkout: dict) -> str:
        return f"https://{shop}/{CHECKOUT_BASE % 100000}/checkouts/{checkout['token']}/recover?key={checkout['token'][:16]}"

    def checkout_payload(self, shop: str, checkout: dict) -> dict:
        """The REST checkout body of the checkouts/* webhooks."""
        first, _, last = (checkout.get("name") or "").partition(" ")
        total = self.checkout_total(shop, checkout)
        lines = [
            {"key": f"{variant['id']}:{n}", "product_id": product["id"], "variant_id": variant["id"],
             "title": product["title"], "presentment_title": product["title"], "variant_title": variant["title"],
             "sku": variant["sku"], "vendor": product["vendor"], "quantity": line["quantity"],
             "price": variant["price"], "line_price": f"{float(variant['price']) * line['quantity']:.2f}",
             "requires_shipping": True, "taxable": True, "gift_card": False, "grams": 200, "applied_discounts": [],
             "discount_codes": [], "properties": {}, "tax_lines": []}
            for n, (line, product, variant) in enumerate(self._checkout_lines(shop, checkout))
        ]  # fmt: skip
        customer = None
        if checkout.get("email") or checkout.get("phone"):
            customer = {
                "id": checkout["id"] + 1_000_000, "email": checkout.get("email"), "first_name": first or None,
                "last_name": last or None, "phone": checkout.get("phone"), "state": "disabled", "currency": "USD",
                "admin_graphql_api_id": catalog.gid("Customer", checkout["id"] + 1_000_000),
                "sms_marketing_consent": {
                    "state": "subscribed" if checkout.get("accepts_sms") else "not_subscribed",
                    "opt_in_level": "single_opt_in", "consent_updated_at": rest_time(checkout["updated_at"]),
                    "consent_collected_from": "SHOPIFY"} if checkout.get("phone") else None,
            }  # fmt: skip
        return {
            "id": checkout["id"], "token": checkout["token"], "cart_token": checkout["cart_token"],
            "email": checkout.get("email"), "phone": checkout.get("phone"), "gateway": None,
            "buyer_accepts_marketing": False, "buyer_accepts_sms_marketing": bool(checkout.get("accepts_sms")),
            "sms_marketing_phone": checkout.get("phone") if checkout.get("accepts_sms") else None,
            "created_at": rest_time(checkout["created_at"]), "updated_at": rest_time(checkout["updated_at"]),
            "completed_at": rest_time(checkout.get("completed_at")), "closed_at": None,
            "landing_site": "/", "note": None, "note_attributes": [], "referring_site": "",
            "shipping_lines": [], "taxes_included": False, "total_weight": 200 * len(lines), "currency": "USD",
            "presentment_currency": "USD", "customer_locale": "en", "name": f"#{checkout['id']}",
            "source_name": "web", "line_items": lines, "abandoned_checkout_url": self.recovery_url(shop, checkout),
            "discount_codes": [], "tax_lines": [], "total_discounts": "0.00", "total_line_items_price": total,
            "subtotal_price": total, "total_tax": "0.00", "total_price": total, "total_duties": None,
            "billing_address": None, "shipping_address": None, "customer": customer,
        }  # fmt: skip


def checkout_node(ctx, checkout: dict) -> dict:
    """An AbandonedCheckout of the GraphQL connection."""
    store, shop = ctx.store, ctx.shop
    total = store.checkout_total(shop, checkout)
    lines = store._checkout_lines(shop, checkout)  # noqa: SLF001 - same package
    customer = None
    if checkout.get("email") or checkout.get("phone"):
        number = None
        if checkout.get("phone"):
            state = "SUBSCRIBED" if checkout.get("accepts_sms") else "NEVER_SUBSCRIBED"
            number = {"phoneNumber": checkout["phone"], "smsMarketingConsent": {
                "state": state, "optInLevel": "SINGLE_OPT_IN", "updatedAt": checkout["updated_at"]}}  # fmt: skip
        customer = {
            "id": catalog.gid("Customer", checkout["id"] + 1_000_000), "displayName": checkout.get("name") or "",
            "defaultEmailAddress": {"emailAddress": checkout["email"]} if checkout.get("email") else None,
            "defaultPhoneNumber": number,
        }  # fmt: skip

    def line_items(info, first=None, after=None, **args):
        items = [{"id": catalog.gid("AbandonedCheckoutLineItem", checkout["id"] * 10 + n), "title": p["title"],
                  "quantity": line["quantity"], "sku": v["sku"]} for n, (line, p, v) in enumerate(lines)]  # fmt: skip
        page = listing.simple_page(items, {"first": first, "after": after, **args})
        return {"nodes": page["records"], "pageInfo": page["pageInfo"]}

    return {
        "__typename": "AbandonedCheckout", "id": catalog.gid("AbandonedCheckout", checkout["id"]),
        "name": f"#{checkout['id']}", "abandonedCheckoutUrl": store.recovery_url(shop, checkout),
        "createdAt": checkout["created_at"], "updatedAt": checkout["updated_at"],
        "completedAt": checkout.get("completed_at"), "totalPriceSet": money_bag(total), "customer": customer,
        "shippingAddress": None, "billingAddress": None, "lineItems": line_items, "note": "", "discountCodes": [],
        "customAttributes": [], "taxLines": [], "taxesIncluded": False,
    }  # fmt: skip


def checkouts_page(info, query=None, sortKey=None, reverse=False, savedSearchId=None, **args):  # noqa: N803
    """Root `abandonedCheckouts`: every checkout with contact information, by id, `updated_at`/`created_at`
    search filters honoured."""
    ctx = info.context
    filters = listing.parse_query(query)
    found = [
        c for c in ctx.store.checkouts(ctx.shop) if (c.get("email") or c.get("phone")) and filters.accepts(c)
    ]
    page = listing.simple_page(found, {**args, "reverse": reverse})
    return connection(info, page, lambda c: checkout_node(ctx, c))
