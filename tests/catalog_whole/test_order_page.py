"""The order page of a long, split-fulfilled, refunded Shopify order: every line item (paged, none lost or
repeated), each fulfillment with its status and tracking (http(s) URLs as links, anything else as text), and
the refunds with the lines they returned."""

from __future__ import annotations

import html as html_lib
import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from app.extensions import db
from app.models import Order, OrderFulfillment, OrderItem, OrderRefund
from app.services.links import web_url
from app.services.order_parts import ITEMS_PAGE

LINES = 500
AT = datetime(2026, 11, 20, 11, tzinfo=UTC)


@pytest.fixture
def long_order(workspace):
    order = Order(workspace_id=workspace.id, source_platform="shopify", number="#1001", currency="EUR",
                  external_id="gid://shopify/Order/5000000000001", status="open",
                  fulfillment_status="partially_fulfilled", total_price=Decimal("9999.00"))  # fmt: skip
    for k in range(LINES):
        order.items.append(OrderItem(title=f"Shade {k:03d} «ñ» 🧵", sku=None if k % 7 == 0 else f"SH-{k}",
                                     quantity=1 + k % 3, unit_price=Decimal("10.00"), total_price=Decimal("10.00"),
                                     external_id=f"gid://shopify/LineItem/{9_000_000_000 + k}"))  # fmt: skip
    order.fulfillments = [
        OrderFulfillment(shopify_fulfillment_id="gid://shopify/Fulfillment/1", name="#1001-F1", status="success",
                         tracking_company="UPS", tracking_number="1Z999AA10123456784",
                         tracking_url="https://www.ups.com/track?tracknum=1Z999AA10123456784&x=1",
                         tracking=[{"company": "UPS", "number": "1Z999AA10123456784",
                                    "url": "https://www.ups.com/track?tracknum=1Z999AA10123456784&x=1"}],
                         created_at=AT, updated_at=AT),
        OrderFulfillment(shopify_fulfillment_id="gid://shopify/Fulfillment/2", name="#1001-F2", status="open",
                         tracking=[{"company": "DHL Express", "number": "JD0146", "url": "javascript:alert(document.cookie)"},
                                   {"company": "DHL Express", "number": "JD0147", "url": " JaVaScRiPt:alert(1)"},
                                   {"company": "Local", "number": None, "url": None}],
                         created_at=AT, updated_at=AT),
    ]  # fmt: skip
    order.refunds = [
        OrderRefund(shopify_refund_id="gid://shopify/Refund/1", amount=Decimal("20.00"), currency="EUR",
                    note="Arrived damaged ✉", created_at=AT,
                    line_items=[{"line_item_id": "gid://shopify/LineItem/9000000003", "quantity": 1, "subtotal": "10.00"},
                                {"line_item_id": "gid://shopify/LineItem/404", "quantity": 2, "subtotal": None}]),
    ]  # fmt: skip
    db.session.add(order)
    db.session.commit()
    return order


def test_every_line_item_is_shown_across_pages_exactly_once(auth_client, long_order):
    seen, url, pages = [], f"/orders/{long_order.id}", 0
    while url:
        page = auth_client.get(url)
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        items = re.search(r'id="order-items">(.*?)</nav>', text, re.S).group(1)
        rows = re.findall(r"<td>(Shade \d{3}) «ñ» 🧵</td>", items)
        assert len(rows) <= ITEMS_PAGE
        seen += rows
        pages += 1
        found = re.search(r'href="([^"#]+)#order-items" rel="next"', text)
        url = html_lib.unescape(found.group(1)) if found else None
    assert seen == [f"Shade {k:03d}" for k in range(LINES)] and pages == LINES // ITEMS_PAGE
    assert f"{LINES} lines" in text and f"{LINES - ITEMS_PAGE + 1}–{LINES} shown" in text


def test_the_next_items_come_as_a_fragment_to_htmx(auth_client, long_order):
    first = long_order.items[ITEMS_PAGE - 1].id
    answer = auth_client.get(f"/orders/{long_order.id}?items_after={first}", headers={"HX-Request": "true"})
    text = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "<html" not in text and 'id="order-detail"' in text
    assert f"Shade {ITEMS_PAGE:03d}" in text and f"Shade {ITEMS_PAGE - 1:03d} " not in text


@pytest.mark.parametrize("value", ["abc", "-3", "99999999999", "1e3"])
def test_a_bad_items_cursor_is_a_400(auth_client, long_order, value):
    assert auth_client.get(f"/orders/{long_order.id}?items_after={value}").status_code == 400


def test_fulfillments_show_status_and_tracking_and_never_link_a_script_url(auth_client, long_order):
    text = auth_client.get(f"/orders/{long_order.id}").get_data(as_text=True)
    section = re.search(r'id="order-fulfillments">(.*?)</table>', text, re.S).group(1)
    links = re.findall(r'<a class="tracking" href="([^"]+)"[^>]*>([^<]+)</a>', section)
    assert [(html_lib.unescape(h), n) for h, n in links] == [
        ("https://www.ups.com/track?tracknum=1Z999AA10123456784&x=1", "1Z999AA10123456784")
    ]
    assert 'href="javascript' not in text.lower() and 'href=" javascript' not in text.lower()
    assert "JD0146" in section and "JD0147" in section and "Local" in section
    assert "#1001-F1" in section and "success" in section and "#1001-F2" in section and "open" in section
    assert section.count("DHL Express") == 2 and "UPS" in section


def test_refunds_show_amount_note_and_the_lines_returned(auth_client, long_order):
    text = auth_client.get(f"/orders/{long_order.id}").get_data(as_text=True)
    refunds = re.search(r'id="order-refunds">(.*?)</div>\s*</div>', text, re.S).group(1)
    assert "€20.00" in refunds and "Arrived damaged ✉" in refunds
    assert "Shade 003 «ñ» 🧵" in refunds and "gid://shopify/LineItem/404" in refunds


def test_an_order_with_no_fulfillment_says_so(auth_client, workspace):
    order = Order(workspace_id=workspace.id, source_platform="whatsapp", status="open")
    db.session.add(order)
    db.session.commit()
    text = auth_client.get(f"/orders/{order.id}").get_data(as_text=True)
    assert "Not fulfilled yet." in text and "No items." in text and 'id="order-refunds"' not in text


@pytest.mark.parametrize(
    ("value", "linked"),
    [("https://t.example/a?b=1", True), ("http://t.example", True), ("javascript:alert(1)", False),
     ("JAVASCRIPT:x", False), ("data:text/html,x", False), ("vbscript:x", False), ("//evil.example", False),
     ("https://", False), ("https://a.example/\nx", False), ("", False), (None, False), (12, False),
     ("ftp://files.example", False), ("https://[::1", False)],
)  # fmt: skip
def test_only_http_urls_with_a_host_are_links(value, linked):
    assert (web_url(value) is not None) is linked
