"""The Orders pages: list, filters, keyset paging, detail, status changes, cancel through inventory, isolation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.extensions import db
from app.models import Order, Reservation

from .conftest import count_queries, csrf_token


def test_orders_list_shows_orders_and_marks_chat_orders(auth_client, workspace, factory):
    factory.order(workspace, platform="shopify", customer_name="Web Buyer")
    factory.order(workspace, platform="whatsapp", customer_name="Chat Buyer")
    factory.order(workspace, platform="agent", customer_name="Bot Buyer")
    html = auth_client.get("/orders/").get_data(as_text=True)
    assert "Web Buyer" in html and "Chat Buyer" in html and "Bot Buyer" in html
    assert html.count('class="badge chat"') == 2
    assert "Agent chat" in html and "Whatsapp chat" in html


def test_orders_filters_by_platform_status_and_date(auth_client, workspace, factory):
    old = datetime(2026, 1, 5, 12, tzinfo=UTC)
    factory.order(workspace, platform="shopify", status="open", customer_name="Alpha", created_at=old)
    factory.order(workspace, platform="whatsapp", status="cancelled", customer_name="Bravo", created_at=old)
    factory.order(workspace, platform="whatsapp", status="open", customer_name="Charlie")

    html = auth_client.get("/orders/?platform=whatsapp").get_data(as_text=True)
    assert "Bravo" in html and "Charlie" in html and "Alpha" not in html
    html = auth_client.get("/orders/?status=cancelled").get_data(as_text=True)
    assert "Bravo" in html and "Charlie" not in html
    html = auth_client.get("/orders/?date_from=2026-01-05&date_to=2026-01-05").get_data(as_text=True)
    assert "Alpha" in html and "Bravo" in html and "Charlie" not in html
    html = auth_client.get("/orders/?date_from=not-a-date").get_data(as_text=True)
    assert "Use a date like" in html and "Charlie" in html


def test_orders_htmx_request_gets_the_table_fragment(auth_client, workspace, factory):
    factory.order(workspace, customer_name="Delta")
    response = auth_client.get("/orders/?status=open", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert "Delta" in html and "<html" not in html and 'aria-label="Orders"' in html


def test_orders_keyset_pages_do_not_repeat_or_skip(auth_client, workspace, factory):
    start = datetime(2026, 2, 1, tzinfo=UTC)
    for i in range(7):
        # Two orders share each timestamp: the id breaks the tie.
        factory.order(workspace, customer_name=f"P{i}", created_at=start + timedelta(hours=i // 2))
    seen, url = [], "/orders/?per_page=3"
    while url:
        html = auth_client.get(url).get_data(as_text=True)
        seen += [n for n in (f"P{i}" for i in range(7)) if f">{n}<" in html]
        next_link = [part for part in html.split('href="') if part.startswith("/orders/?cursor=")]
        url = next_link[0].split('"')[0].replace("&amp;", "&") if next_link else None
    assert sorted(seen) == [f"P{i}" for i in range(7)] and len(seen) == 7


def test_orders_list_query_count_does_not_grow_with_page_size(auth_client, workspace, factory):
    for _ in range(55):
        factory.order(workspace)
    auth_client.get("/orders/")  # warm up: first-request work is not the page's
    with count_queries() as small:
        assert auth_client.get("/orders/?per_page=10").status_code == 200
    with count_queries() as large:
        assert auth_client.get("/orders/?per_page=50").status_code == 200
    assert len(small) == len(large)


def test_order_detail_shows_items_customer_and_reservations(auth_client, workspace, factory):
    variant = factory.variant(workspace, title="Linen shirt")
    order = factory.order(workspace, status="draft", customer_phone="+31612345678", items=2)
    factory.reservation(workspace, order, variant, qty=2)
    html = auth_client.get(f"/orders/{order.id}").get_data(as_text=True)
    assert "+31612345678" in html and "Item 0" in html and "Item 1" in html
    assert "Linen shirt" in html and "Cancel order" in html


def test_order_of_another_workspace_is_404(auth_client, other_workspace, factory):
    order = factory.order(other_workspace)
    assert auth_client.get(f"/orders/{order.id}").status_code == 404
    token = csrf_token(auth_client)
    assert auth_client.post(f"/orders/{order.id}/cancel", data={"csrf_token": token}).status_code == 404
    assert db.session.get(Order, order.id).status == "open"


def test_cancel_releases_reservations_through_inventory(auth_client, workspace, factory):
    variant = factory.variant(workspace, qty=5)
    order = factory.order(workspace, status="draft")
    reservation = factory.reservation(workspace, order, variant, qty=2)
    response = auth_client.post(
        f"/orders/{order.id}/cancel", headers={"HX-Request": "true", "X-CSRFToken": csrf_token(auth_client)}
    )
    assert response.status_code == 200
    assert 'id="order-status">cancelled' in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == "cancelled"
    assert db.session.get(Reservation, reservation.id).status == "released"


def test_status_update_without_js_redirects_and_refuses_bad_transitions(auth_client, workspace, factory):
    order = factory.order(workspace, status="draft")
    token = csrf_token(auth_client)
    response = auth_client.post(f"/orders/{order.id}/status", data={"csrf_token": token, "status": "open"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == "open"
    response = auth_client.post(
        f"/orders/{order.id}/status", data={"status": "draft"},
        headers={"HX-Request": "true", "X-CSRFToken": token},
    )  # fmt: skip
    assert response.status_code == 422 and "cannot become draft" in response.get_data(as_text=True)


def test_commit_without_reservations_is_refused_with_the_inventory_message(auth_client, workspace, factory):
    order = factory.order(workspace, status="open")
    response = auth_client.post(
        f"/orders/{order.id}/status", data={"status": "committed"},
        headers={"HX-Request": "true", "X-CSRFToken": csrf_token(auth_client)},
    )  # fmt: skip
    assert response.status_code == 409
    assert "holds no reserved stock" in response.get_data(as_text=True)


def test_shopify_orders_are_read_only_here(auth_client, workspace, factory):
    order = factory.order(workspace, platform="shopify")
    html = auth_client.get(f"/orders/{order.id}").get_data(as_text=True)
    assert "Cancel order" not in html and "changed in Shopify" in html
    response = auth_client.post(
        f"/orders/{order.id}/cancel", headers={"HX-Request": "true", "X-CSRFToken": csrf_token(auth_client)}
    )
    assert response.status_code == 409
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == "open"


def test_orders_page_with_a_garbled_cursor_starts_again_at_the_first_page(auth_client, workspace, factory):
    factory.order(workspace, customer_name="Echo")
    for cursor in ("garbage!", "2026-03-01T12:00:00 00:00_5", "WyJ4IiwxXQ"):
        response = auth_client.get("/orders/", query_string={"cursor": cursor})
        assert response.status_code == 200 and ">Echo<" in response.get_data(as_text=True), cursor
