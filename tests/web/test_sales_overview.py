"""The overview's sales figures: computed field by field from orders in several currencies, refunds on the day
they were issued, voided cancellations, chat and agent sales, and days counted in the workspace's timezone."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from app.extensions import db
from app.models import OrderRefund
from app.models.scoping import WorkspaceScope
from app.services import periods
from app.services.sales import sales

D = Decimal


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def shop(workspace, other_workspace, factory):
    """Orders placed 9-12 November 2026 (UTC times); New York is UTC-5 then."""
    o = factory.order
    first = o(
        workspace, "shopify", currency="EUR", total_price=D("100.00"), created_at=at("2026-11-10T03:00")
    )
    o(workspace, "shopify", currency="EUR", total_price=D("50.00"), created_at=at("2026-11-10T12:00"))
    usd = o(workspace, "shopify", currency="USD", total_price=D("1200.00"), created_at=at("2026-11-10T12:00"))
    o(
        workspace,
        "whatsapp",
        status="open",
        currency="EUR",
        total_price=D("30.00"),
        created_at=at("2026-11-10T15:00"),
    )
    o(
        workspace,
        "agent",
        status="committed",
        currency="EUR",
        total_price=D("20.00"),
        created_at=at("2026-11-10T16:00"),
    )
    o(
        workspace,
        "agent",
        status="draft",
        currency="EUR",
        total_price=D("999.00"),
        created_at=at("2026-11-10T16:00"),
    )
    o(
        workspace,
        "whatsapp",
        status="cancelled",
        currency="EUR",
        total_price=D("500.00"),
        created_at=at("2026-11-10T17:00"),
    )
    o(workspace, "shopify", status="cancelled", currency="EUR", total_price=D("40.00"), financial_status="VOIDED",
      created_at=at("2026-11-10T13:00"), cancelled_at=at("2026-11-11T14:00"))  # fmt: skip
    o(workspace, "shopify", currency="EUR", total_price=D("7.00"), created_at=at("2026-11-09T04:00"))
    o(workspace, "shopify", currency="EUR", total_price=D("3.00"), created_at=at("2026-11-12T06:00"))
    o(other_workspace, "shopify", currency="EUR", total_price=D("5000.00"), created_at=at("2026-11-10T12:00"))
    db.session.add_all([
        OrderRefund(order_id=first.id, shopify_refund_id="r1", amount=D("10.00"), currency="EUR",
                    created_at=at("2026-11-11T02:00")),
        OrderRefund(order_id=usd.id, shopify_refund_id="r2", amount=D("25.00"), currency="USD",
                    created_at=at("2026-12-01T10:00")),
    ])  # fmt: skip
    db.session.commit()
    return workspace


def period(tz: str, first="2026-11-09", last="2026-11-11"):
    return periods.period_from({"range": "custom", "from": first, "to": last}, tz)


def test_figures_per_currency_in_new_york(shop):
    eur, usd = sales(WorkspaceScope(shop.id), period("America/New_York"))
    assert (eur.currency, usd.currency) == ("EUR", "USD")
    # 100 (placed 22:00 on the 9th in New York), 50, 30 (chat), 20 (agent), 40 (voided later); not the draft,
    # the cancelled chat order, the 7.00 (the 8th in New York) or the 3.00 (the 12th).
    assert eur.all.orders == 5 and eur.all.gross == D("240.00")
    assert eur.all.reversed == D("50.00")  # the 10.00 refund and the 40.00 voided order
    assert eur.all.revenue == D("190.00") and eur.average_order == D("48.00")
    assert (eur.chats.orders, eur.chats.revenue) == (1, D("30.00"))
    assert (eur.agent.orders, eur.agent.revenue) == (1, D("20.00"))
    p = period("America/New_York")
    assert [(d.isoformat(), n, v) for d, n, v in eur.days(p)] == [
        ("2026-11-09", 1, D("100.00")),
        ("2026-11-10", 4, D("130.00")),  # 50 + 30 + 20 + 40 - the refund issued at 21:00 local
        ("2026-11-11", 0, D("-40.00")),
    ]
    # The USD refund was issued in December, outside the range: never netted against EUR or this range.
    assert (usd.all.orders, usd.all.revenue, usd.average_order) == (1, D("1200.00"), D("1200.00"))


def test_the_same_orders_counted_in_utc_days(shop):
    eur, _ = sales(WorkspaceScope(shop.id), period("UTC"))
    assert (eur.all.orders, eur.all.gross, eur.all.revenue) == (6, D("247.00"), D("197.00"))
    days = [(n, v) for _, n, v in eur.days(period("UTC"))]
    assert days == [(1, D("7.00")), (5, D("240.00")), (0, D("-50.00"))]


def test_quarter_hour_timezones_place_orders_on_their_local_day(workspace, factory):
    factory.order(
        workspace, "shopify", currency="NPR", total_price=D("1.00"), created_at=at("2026-11-09T18:10")
    )
    factory.order(
        workspace, "shopify", currency="NPR", total_price=D("2.00"), created_at=at("2026-11-09T18:20")
    )
    p = period("Asia/Kathmandu", "2026-11-09", "2026-11-10")  # UTC+5:45: 23:55 on the 9th, 00:05 on the 10th
    (npr,) = sales(WorkspaceScope(workspace.id), p)
    assert [(n, v) for _, n, v in npr.days(p)] == [(1, D("1.00")), (1, D("2.00"))]


def _figure(page: str, currency: str, name: str) -> str:
    block = page.split(f'data-currency="{currency}"', 1)[1]
    return re.search(rf'data-figure="{name}">([^<]+)<', block).group(1)


def test_overview_page_shows_the_figures_with_separators(auth_client, shop):
    shop.timezone = "America/New_York"
    db.session.commit()
    page = auth_client.get("/?range=custom&from=2026-11-09&to=2026-11-11").get_data(as_text=True)
    assert _figure(page, "EUR", "revenue") == "€190.00"
    assert _figure(page, "EUR", "orders") == "5" and _figure(page, "EUR", "aov") == "€48.00"
    assert _figure(page, "EUR", "chats") == "€30.00" and _figure(page, "EUR", "agent") == "€20.00"
    assert _figure(page, "USD", "revenue") == "$1,200.00"
    assert "days in America/New_York" in page
    # Never one total across currencies.
    assert "1,390" not in page and "1,440" not in page


def test_htmx_range_switch_answers_the_sales_section_alone(auth_client, shop):
    response = auth_client.get("/?range=custom&from=2026-11-10&to=2026-11-10", headers={"HX-Request": "true"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<section id="sales"' in page and "Integrations" not in page
    assert _figure(page, "EUR", "orders") == "5"  # 100, 50, 30, 20, 40 on the 10th (UTC)


@pytest.mark.parametrize(
    "query, message",
    [
        ("range=forever", "'range' must be one of"),
        ("range=custom&from=2026-13-01&to=2026-12-01", "'from' must be a date"),
        ("range=custom&from=2026-11-01", "needs 'to'"),
        ("range=custom&from=2026-12-01&to=2026-11-01", "'from' must not be after 'to'"),
        ("range=custom&from=2020-01-01&to=2026-01-01", "at most 366 days"),
        ("from=%00&to=x", "must not contain NUL"),
        ("from=2026-11-01&to=x", "'to' must be a date"),
        ("range=custom&from=99999-01-01&to=2026-01-01", "'from' must be a date"),
    ],
)
def test_bad_date_ranges_are_refused_with_a_message(auth_client, workspace, query, message):
    for headers in ({}, {"HX-Request": "true"}):
        response = auth_client.get(f"/?{query}", headers=headers)
        assert response.status_code == 400, query
        assert message in html.unescape(response.get_data(as_text=True))


def test_presets_count_days_in_the_workspace_zone():
    now = at("2026-11-10T03:00")  # 22:00 on the 9th in New York
    p = periods.period_from({"range": "7d"}, "America/New_York", now=now)
    assert (p.first.isoformat(), p.last.isoformat()) == ("2026-11-03", "2026-11-09")
    assert p.start == at("2026-11-03T05:00") and p.end == at("2026-11-10T05:00")
    today = periods.period_from({"range": "today"}, "Asia/Tokyo", now=now)
    assert today.first.isoformat() == today.last.isoformat() == "2026-11-10"
    assert periods.period_from({}, "Not/AZone", now=now).tz.key == "UTC"


def test_a_range_without_orders_points_to_the_range_of_the_latest_one(auth_client, shop):
    # The shop's orders are from November 2026 (the demo store's are from June 2025): "Last 7 days" in
    # December holds none, and the page says when the latest was placed and offers the range that holds it.
    page = auth_client.get("/?range=custom&from=2026-12-20&to=2026-12-21").get_data(as_text=True)
    assert 'id="no-sales"' in page
    latest = re.search(r"The latest was placed on (\d{4}-\d\d-\d\d):\s*<a href=\"([^\"]+)\"", page)
    assert latest is not None, page
    assert latest.group(1) == "2026-11-12"  # the workspace's newest order (a refund is not one)
    following = auth_client.get(html.unescape(latest.group(2))).get_data(as_text=True)
    assert "2026-10-14 to 2026-11-12" in following and 'id="no-sales"' not in following
    assert _figure(following, "EUR", "revenue").startswith("€")
