"""One way to write numbers, prices and times on every page: thousands separators, the currency's own format,
and every time with its zone (UTC unless the workspace's display zone says otherwise)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from app.extensions import db
from app.web import formats

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_numbers_have_thousands_separators():
    assert formats.number(1234567) == "1,234,567"
    assert formats.number(999) == "999" and formats.number(0) == "0"
    assert formats.number(Decimal("12345.5")) == "12,345.5"
    assert formats.number(None) == "—"


def test_prices_follow_their_currency():
    assert formats.money(Decimal("1234567.5"), "EUR") == "€1,234,567.50"
    assert formats.money(Decimal("10"), "usd") == "$10.00"
    assert formats.money(Decimal("1200"), "JPY") == "¥1,200"
    assert formats.money(Decimal("12.3456"), "KWD") == "12.346 KWD"
    assert formats.money(Decimal("1500.005"), "CHF") == "1,500.01 CHF"
    assert formats.money(Decimal("-5"), "GBP") == "-£5.00"
    assert formats.money(Decimal("7"), None) == "7.00"
    assert formats.money(None, "EUR") == "—"
    assert formats.money_range(Decimal("10"), Decimal("25"), "EUR") == "€10.00 – €25.00"
    assert formats.money_range(Decimal("10"), Decimal("10.00"), "EUR") == "€10.00"


def test_times_name_their_zone(app):
    moment = datetime(2026, 1, 15, 12, 0, 5, tzinfo=UTC)
    with app.test_request_context():
        assert formats.when_text(moment) == "2026-01-15 12:00 UTC"
        assert formats.when_text(moment, "seconds") == "2026-01-15 12:00:05 UTC"
        assert formats.when_text("2026-01-15T12:00:05+00:00") == "2026-01-15 12:00 UTC"  # JSON-held times
        assert (
            str(formats.when(moment))
            == '<time datetime="2026-01-15T12:00:05+00:00">2026-01-15 12:00 UTC</time>'
        )
        assert str(formats.when(None, empty="never")) == "never"


def test_no_template_formats_a_time_or_price_by_hand():
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        for needle in (".strftime(", "[:16]", "[:19]", "'%.2f'|format(amount", "'%.2f'|format(o."):
            if needle in text:
                offenders.append(f"{path.relative_to(TEMPLATES)}: {needle}")
    assert offenders == []


def test_orders_list_and_detail_show_one_price_format_and_zoned_times(auth_client, workspace, factory):
    order = factory.order(workspace, items=1, created_at=datetime(2026, 1, 15, 12, 0, tzinfo=UTC))
    order.total_price = Decimal("1234567.50")
    db.session.commit()
    html = auth_client.get("/orders/").get_data(as_text=True)
    assert "€1,234,567.50" in html and "1234567.50" not in html
    assert '<time datetime="2026-01-15T12:00:00+00:00">2026-01-15 12:00 UTC</time>' in html
    detail = auth_client.get(f"/orders/{order.id}").get_data(as_text=True)
    assert "€1,234,567.50" in detail and "€25.50" in detail and "25.50 EUR" not in detail
    assert "2026-01-15 12:00 UTC" in detail


def test_product_prices_and_stock_use_the_same_formats(auth_client, workspace, make_product):
    product = make_product(workspace, "Linen Shirt", price="1999.00", quantity=12500)
    html = auth_client.get("/products").get_data(as_text=True)
    assert "€1,999.00" in html and "EUR 1999.00" not in html and "12,500" in html
    detail = auth_client.get(f"/products/{product.id}").get_data(as_text=True)
    assert "€1,999.00" in detail and "12,500" in detail


def test_sync_counts_have_separators(auth_client, workspace, factory):
    shop = factory.integration(workspace)
    factory.sync_run(workspace, shop, processed=12345, total=23456)
    html = auth_client.get("/logs/").get_data(as_text=True)
    assert "12,345 / 23,456" in html


def test_times_follow_the_display_zone(auth_client, workspace, factory, monkeypatch):
    # The one place the zone comes from; a workspace time-zone setting plugs in there.
    monkeypatch.setattr(formats, "_workspace_zone", lambda: ZoneInfo("America/New_York"))
    factory.order(workspace, created_at=datetime(2026, 1, 15, 12, 0, tzinfo=UTC))
    html = auth_client.get("/orders/").get_data(as_text=True)
    assert '<time datetime="2026-01-15T12:00:00+00:00">2026-01-15 07:00 EST</time>' in html
