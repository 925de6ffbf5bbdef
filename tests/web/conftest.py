"""Fixtures for the dashboard page tests: row factories, a CSRF token reader and a SQL statement counter."""

from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal
from itertools import count

import pytest
from sqlalchemy import event

from app.extensions import db as _db
from app.models import (
    Alert,
    ComplianceRequest,
    Conversation,
    Integration,
    Message,
    Order,
    OrderItem,
    Product,
    ProductVariant,
    Reservation,
    SyncLog,
    SyncRun,
    Webhook,
)  # fmt: skip
from app.models.types import utcnow


def csrf_token(client, path: str = "/settings/") -> str:
    html = client.get(path).get_data(as_text=True)
    return re.search(r'<meta name="csrf-token" content="([^"]+)"', html).group(1)


@contextmanager
def count_queries():
    """Counts every statement sent to the database inside the block."""
    seen = []

    def before(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    engine = _db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)


class Factory:
    """Rows for one workspace at a time; every method commits so pages see the data."""

    def __init__(self):
        self.n = count(1)

    def _save(self, *rows):
        _db.session.add_all(rows)
        _db.session.commit()
        return rows[0] if len(rows) == 1 else rows

    def integration(self, ws, platform="shopify", **kw):
        n = next(self.n)
        defaults = {"account_id": f"acct-{n}.myshopify.com" if platform == "shopify" else f"{1000 + n}",
                    "status": "connected", "display_name": f"{platform} {n}"}  # fmt: skip
        return self._save(Integration(workspace_id=ws.id, platform=platform, **{**defaults, **kw}))

    def variant(self, ws, qty=10, title="Blue shirt"):
        product = Product(workspace_id=ws.id, title=title, status="active")
        _db.session.add(product)
        _db.session.flush()
        variant = ProductVariant(workspace_id=ws.id, product_id=product.id, title="M", sku=f"SKU-{next(self.n)}",
                                 price=Decimal("10.00"), inventory_quantity=qty)  # fmt: skip
        return self._save(variant)

    def order(self, ws, platform="whatsapp", status="open", created_at=None, items=1, **kw):
        n = next(self.n)
        order = Order(
            workspace_id=ws.id, source_platform=platform, status=status, number=f"#{1000 + n}",
            external_id=f"ext-{n}", customer_name=kw.pop("customer_name", f"Customer {n}"),
            currency=kw.pop("currency", "EUR"), total_price=kw.pop("total_price", Decimal("25.50")),
            created_at=created_at or utcnow(), **kw,
        )  # fmt: skip
        _db.session.add(order)
        _db.session.flush()
        for i in range(items):
            _db.session.add(OrderItem(order_id=order.id, title=f"Item {i}", sku=f"I-{n}-{i}", quantity=1,
                                      unit_price=Decimal("25.50"), total_price=Decimal("25.50")))  # fmt: skip
        return self._save(order)

    def reservation(self, ws, order, variant, qty=2, status="active"):
        return self._save(
            Reservation(
                workspace_id=ws.id,
                order_id=order.id,
                variant_id=variant.id,
                quantity=qty,
                status=status,
                expires_at=utcnow() + timedelta(minutes=15),
            )  # fmt: skip
        )

    def webhook(self, ws, status="failed", topic="orders/create", payload='{"id": 1}', **kw):
        n = next(self.n)
        return self._save(
            Webhook(
                workspace_id=ws.id if ws else None,
                platform=kw.pop("platform", "shopify"),
                topic=topic,
                delivery_id=f"delivery-{n}",
                account_id="shop.myshopify.com",
                payload=payload,
                status=status,
                attempts=kw.pop("attempts", 1),
                error=kw.pop("error", "KeyError: 'x'" if status == "failed" else None),
                received_at=kw.pop("received_at", utcnow()),
                **kw,
            )  # fmt: skip
        )

    def sync_run(self, ws, integration, status="succeeded", **kw):
        return self._save(SyncRun(workspace_id=ws.id, integration_id=integration.id, kind=kw.pop("kind", "full"),
                                  status=status, processed=kw.pop("processed", 5), **kw))  # fmt: skip

    def sync_log(self, ws, integration=None, entity_type="product", action="update", status="success", **kw):
        return self._save(
            SyncLog(
                workspace_id=ws.id,
                integration_id=integration.id if integration else None,
                entity_type=entity_type,
                entity_id=str(kw.pop("entity_id", next(self.n))),
                action=action,
                status=status,
                **kw,
            )  # fmt: skip
        )

    def alert(self, ws, message="Shopify sync failed: token expired", **kw):
        return self._save(Alert(workspace_id=ws.id, source=kw.pop("source", "sync"), message=message, **kw))

    def conversation(self, ws, integration=None, inbound_ago=timedelta(minutes=5), **kw):
        n = next(self.n)
        now = utcnow()
        return self._save(
            Conversation(
                workspace_id=ws.id,
                integration_id=integration.id if integration else None,
                platform="whatsapp",
                channel_id=integration.account_id if integration else "1000",
                customer_key=f"wa:{n}",
                customer_wa_id=kw.pop("customer_wa_id", f"3161234{n:04d}"),
                customer_name=kw.pop("customer_name", f"Buyer {n}"),
                last_message_at=now,
                last_inbound_at=now - inbound_ago if inbound_ago is not None else None,
                **kw,
            )  # fmt: skip
        )

    def message(self, conversation, body="Hi", direction="in", **kw):
        return self._save(Message(conversation_id=conversation.id, direction=direction, body=body,
                                  status="received" if direction == "in" else "sent", **kw))  # fmt: skip

    def compliance(self, ws, topic="customers/data_request", export=None):
        return self._save(ComplianceRequest(workspace_id=ws.id, shop_domain="shop.myshopify.com", topic=topic,
                                            status="completed", export=export, completed_at=utcnow()))  # fmt: skip


@pytest.fixture
def factory(db):
    return Factory()


@pytest.fixture
def other_workspace(make_user):
    return make_user("intruder@example.com", workspace="Other shop").workspace
