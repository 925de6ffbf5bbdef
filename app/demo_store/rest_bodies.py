"""Webhook bodies: the REST resource of each topic, in Shopify's field names and spellings.

``products/*`` carry at most `REST_VARIANT_LIMIT` variants (the REST product resource's limit; a larger
product's body is partial, and ``variant_gids`` still lists every variant so a receiver can tell, and must
re-read the rest over GraphQL). Orders carry their fulfillments and refunds; ``fulfillments/*`` and
``refunds/create`` are the fulfillment and refund resources; ``collections/*`` is the collection resource,
which does not list the collection's products (Shopify's neither). Amounts are strings, times carry an
offset, enums are lower case, as in REST.
"""

from __future__ import annotations

from app.demo_store import awkward_orders, catalog, shapes
from app.demo_store.inventory import default_levels
from app.demo_store.order_parts import refund_total

REST_VARIANT_LIMIT = 100
SHIPMENT_STATUS = {"DELIVERED": "delivered", "IN_TRANSIT": "in_transit"}


def rest_time(value: str | None) -> str | None:
    return value[:-1] + "+00:00" if value and value.endswith("Z") else value


class RestBodiesMixin:
    def product_payload(self, shop: str, record: dict) -> dict:
        pid = record["id"]
        created, updated = rest_time(record["created_at"]), rest_time(record["updated_at"])
        overlay = self.quantities_many(shop, [v["inventory_item_id"] for v in record["variants"]])
        variants = []
        for v in record["variants"]:
            levels = default_levels(v) | overlay.get(v["inventory_item_id"], {})
            quantity = sum(q.get("available", 0) for q in levels.values())
            variants.append({
                "admin_graphql_api_id": catalog.gid("ProductVariant", v["id"]), "barcode": v.get("barcode"),
                "compare_at_price": v["compare_at_price"], "created_at": created, "id": v["id"],
                "inventory_policy": "deny", "position": v["position"], "price": v["price"], "product_id": pid,
                "sku": v["sku"], "taxable": True, "title": v["title"], "updated_at": updated,
                "option1": v["option1"], "option2": v.get("option2"), "option3": v.get("option3"),
                "image_id": v.get("image_id"), "inventory_item_id": v["inventory_item_id"],
                "inventory_quantity": quantity, "old_inventory_quantity": quantity,
            })  # fmt: skip
        with_image: dict[int, list[int]] = {}
        for v in record["variants"]:
            if v.get("image_id"):
                with_image.setdefault(v["image_id"], []).append(v["id"])
        images = [
            {"id": img["id"], "alt": img["alt"], "position": n + 1, "product_id": pid, "created_at": created,
             "updated_at": updated, "admin_graphql_api_id": catalog.gid("ProductImage", img["id"]),
             "width": img["width"], "height": img["height"], "src": self.image_url(shop, img),
             "variant_ids": with_image.get(img["id"], [])}
            for n, img in enumerate(record["images"])
        ]  # fmt: skip
        media = [
            {"id": img["id"], "product_id": pid, "position": n + 1, "created_at": created, "updated_at": updated,
             "alt": img["alt"], "status": "READY", "media_content_type": "IMAGE",
             "preview_image": {"width": img["width"], "height": img["height"], "src": self.image_url(shop, img),
                               "status": "READY"},
             "variant_ids": with_image.get(img["id"], []), "admin_graphql_api_id": catalog.gid("MediaImage", img["id"])}
            for n, img in enumerate(record["images"])
        ]  # fmt: skip
        return {
            "admin_graphql_api_id": catalog.gid("Product", pid), "body_html": record["description_html"],
            "created_at": created, "handle": record["handle"], "id": pid, "product_type": record["product_type"],
            "published_at": created if record["status"] == "ACTIVE" else None, "template_suffix": None,
            "title": record["title"], "updated_at": updated,
            "vendor": record["vendor"], "status": record["status"].lower(), "published_scope": "global",
            "tags": ", ".join(record["tags"]), "variants": variants[:REST_VARIANT_LIMIT],
            "options": [{"name": o["name"], "id": o["id"], "product_id": pid, "position": n + 1,
                         "values": o["values"]} for n, o in enumerate(record["options"])],
            "images": images, "image": images[0] if images else None, "media": media,
            "variant_gids": [{"admin_graphql_api_id": v["admin_graphql_api_id"], "updated_at": updated}
                             for v in variants],
            "has_variants_that_requires_components": False, "category": None,
        }  # fmt: skip

    def image_url(self, shop: str, image: dict, base: str | None = None) -> str:
        return f"{base or self.public_url + '/demo-store/' + shop}/cdn/{image['file']}"

    def _order_lines(self, shop: str, order: dict) -> dict[int, tuple[dict, dict, dict]]:
        kind, out = self.catalog_kind(shop), {}
        for line in order["lines"]:
            product = self.product(shop, line["product_index"]) or shapes.base_product(
                kind, self.shop_row(shop)["seed"], line["product_index"]
            )
            out[line["id"]] = (line, product, product["variants"][line["variant"]])
        return out

    def _line_body(self, line: dict, product: dict, variant: dict, fulfilled: int, refunded: int,
                   quantity: int | None = None) -> dict:  # fmt: skip
        current = line["quantity"] - refunded
        status = "fulfilled" if fulfilled >= current and fulfilled else ("partial" if fulfilled else None)
        return {
            "id": line["id"], "admin_graphql_api_id": catalog.gid("LineItem", line["id"]),
            "product_id": product["id"], "variant_id": variant["id"], "title": product["title"],
            "variant_title": variant["title"], "name": f"{product['title']} - {variant['title']}",
            "sku": variant["sku"], "vendor": product["vendor"],
            "quantity": line["quantity"] if quantity is None else quantity, "current_quantity": current,
            "fulfillable_quantity": max(current - fulfilled, 0), "price": variant["price"], "requires_shipping": True,
            "taxable": True, "gift_card": False, "fulfillment_status": status, "total_discount": "0.00",
        }  # fmt: skip

    def order_payload(self, shop: str, order: dict) -> dict:
        by_id = self._order_lines(shop, order)
        fulfilled, refunded = (
            awkward_orders.fulfilled_quantity(order),
            awkward_orders.refunded_quantity(order),
        )
        lines = [self._line_body(*by_id[i], fulfilled.get(i, 0), refunded.get(i, 0)) for i in by_id]
        subtotal = sum(float(v["price"]) * line["quantity"] for line, _p, v in by_id.values())
        first, _, last = order["customer_name"].partition(" ")
        total = f"{subtotal:.2f}"
        fulfillment = {"PARTIALLY_FULFILLED": "partial", "FULFILLED": "fulfilled"}.get(
            order["fulfillment_status"]
        )
        body = {
            "id": order["id"], "admin_graphql_api_id": catalog.gid("Order", order["id"]), "name": order["name"],
            "number": order["number"] - 1000, "order_number": order["number"], "email": order["email"],
            "contact_email": order["email"], "created_at": rest_time(order["created_at"]),
            "updated_at": rest_time(order["updated_at"]), "processed_at": rest_time(order["created_at"]),
            "currency": "USD", "presentment_currency": "USD", "financial_status": order["financial_status"].lower(),
            "fulfillment_status": fulfillment, "subtotal_price": total, "total_price": total, "total_tax": "0.00",
            "total_discounts": "0.00", "test": False, "line_items": lines,
            "customer": {"email": order["email"], "first_name": first, "last_name": last or None},
            "fulfillments": [self.fulfillment_payload(shop, order, f) for f in order.get("fulfillments") or []],
            "refunds": [self.refund_payload(shop, order, r) for r in order.get("refunds") or []],
            # An order placed from a checkout (`checkouts.py`) names it and carries its phone.
            **({"checkout_id": order["checkout_id"], "checkout_token": order["checkout_token"],
                "phone": order.get("phone")} if order.get("checkout_id") else {}),
        }  # fmt: skip
        if order.get("phone"):  # an order placed with the customer's phone (generated orders have none)
            body["phone"] = body["customer"]["phone"] = order["phone"]
        return body

    def fulfillment_payload(self, shop: str, order: dict, f: dict) -> dict:
        by_id = self._order_lines(shop, order)
        fulfilled, refunded = (
            awkward_orders.fulfilled_quantity(order),
            awkward_orders.refunded_quantity(order),
        )
        tracking = f["tracking"]
        return {
            "id": f["id"], "admin_graphql_api_id": catalog.gid("Fulfillment", f["id"]), "order_id": order["id"],
            "name": f["name"], "status": f["status"].lower(), "service": "manual",
            "shipment_status": SHIPMENT_STATUS.get(f["display_status"]), "location_id": f["location_id"],
            "created_at": rest_time(f["created_at"]), "updated_at": rest_time(f["updated_at"]),
            "tracking_company": tracking[0]["company"] if tracking else None,
            "tracking_number": tracking[0]["number"] if tracking else None,
            "tracking_numbers": [t["number"] for t in tracking],
            "tracking_url": tracking[0]["url"] if tracking else None, "tracking_urls": [t["url"] for t in tracking],
            "line_items": [self._line_body(*by_id[i], fulfilled.get(i, 0), refunded.get(i, 0), quantity=q)
                           for i, q in f["lines"]],
        }  # fmt: skip

    def refund_payload(self, shop: str, order: dict, r: dict) -> dict:
        from app.demo_store.locations import WAREHOUSE
        from app.demo_store.order_parts import refund_line_id

        by_id = self._order_lines(shop, order)
        fulfilled, refunded = (
            awkward_orders.fulfilled_quantity(order),
            awkward_orders.refunded_quantity(order),
        )
        items = []
        for k, (i, qty, restock) in enumerate(r["lines"]):
            _line, _product, variant = by_id[i]
            items.append({
                "id": refund_line_id(r["id"], k + 1), "line_item_id": i, "quantity": qty,
                "restock_type": restock.lower(), "location_id": WAREHOUSE if restock == "RETURN" else None,
                "subtotal": f"{float(variant['price']) * qty:.2f}", "total_tax": "0.00",
                "line_item": self._line_body(*by_id[i], fulfilled.get(i, 0), refunded.get(i, 0)),
            })  # fmt: skip
        return {
            "id": r["id"], "admin_graphql_api_id": catalog.gid("Refund", r["id"]), "order_id": order["id"],
            "created_at": rest_time(r["created_at"]), "processed_at": rest_time(r["created_at"]), "note": r["note"],
            "restock": any(restock == "RETURN" for _i, _q, restock in r["lines"]), "refund_line_items": items,
            "transactions": [{
                "id": r["id"] + 1, "order_id": order["id"], "kind": "refund", "status": "success",
                "amount": f"{refund_total(r, by_id):.2f}", "currency": "USD", "gateway": "bogus",
                "created_at": rest_time(r["created_at"]), "processed_at": rest_time(r["created_at"]),
            }], "order_adjustments": [],
        }  # fmt: skip

    def location_payload(self, loc: dict) -> dict:
        """The REST Location resource (locations/create|update|delete): no word on online orders."""
        address = loc["address"]
        return {
            "id": loc["id"], "admin_graphql_api_id": catalog.gid("Location", loc["id"]), "name": loc["name"],
            "address1": address.get("address1"), "address2": None, "city": address.get("city"),
            "zip": address.get("zip"), "province": None, "country": address.get("countryCode"),
            "country_code": address.get("countryCode"), "country_name": address.get("country"), "phone": None,
            "created_at": rest_time(loc["created_at"]), "updated_at": rest_time(loc["updated_at"]),
            "active": loc["active"], "legacy": False,
        }  # fmt: skip

    def collection_payload(self, collection: dict) -> dict:
        updated = rest_time(collection["updated_at"])
        body = {
            "id": collection["id"], "admin_graphql_api_id": catalog.gid("Collection", collection["id"]),
            "handle": collection["handle"], "title": collection["title"], "updated_at": updated,
            "body_html": collection["description_html"], "published_at": updated,
            "sort_order": collection["sort_order"].lower().replace("_", "-"), "template_suffix": None,
            "published_scope": "web",
        }  # fmt: skip
        return body
