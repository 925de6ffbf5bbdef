"""The overview's WhatsApp message cost (counts per day and category, priced by the editable rate card) and the
setup checklist that ticks itself from the workspace's real state."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from app.extensions import db
from app.messaging import pricing
from app.models import ApiToken, Automation, Customer, MessageRate, OutboxMessage
from app.models.scoping import WorkspaceScope
from app.services import periods
from app.services.message_costs import message_costs

from .conftest import csrf_token

D = Decimal
RANGE = "/?range=custom&from=2026-11-09&to=2026-11-10"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def outbox(workspace, other_workspace, factory):
    wa = factory.integration(workspace, platform="whatsapp")
    people = {}
    for name, wa_id in (
        ("es", "34600111222"),
        ("us", "16505551234"),
        ("in", "919812345678"),
        ("ke", "254700111222"),
    ):
        people[name] = Customer(workspace_id=workspace.id, wa_id=wa_id, consent="opted_in")
    stranger = Customer(workspace_id=other_workspace.id, wa_id="34600999999", consent="opted_in")
    db.session.add_all([*people.values(), stranger])
    db.session.flush()
    n = iter(range(1, 100))

    def msg(who, category, status, sent_at, ws=workspace):
        db.session.add(OutboxMessage(
            workspace_id=ws.id, customer_id=who.id, integration_id=wa.id, event_key=f"e{next(n)}", kind="template",
            template_name="t", category=category, payload={}, status=status, sent_at=at(sent_at),
        ))  # fmt: skip

    msg(people["es"], "marketing", "delivered", "2026-11-09T10:00")
    msg(people["es"], "marketing", "read", "2026-11-10T10:00")
    msg(people["es"], "marketing", "sent", "2026-11-10T11:00")  # not delivered yet: counted, not billed
    msg(people["us"], "utility", "read", "2026-11-10T12:00")
    msg(people["in"], "service", "delivered", "2026-11-10T12:00")
    msg(people["ke"], "utility", "delivered", "2026-11-10T13:00")  # Kenya: Rest of Africa
    msg(people["es"], "marketing", "failed", "2026-11-10T13:00")  # never counted
    msg(people["es"], "utility", "delivered", "2026-11-12T13:00")  # outside the range
    msg(stranger, "marketing", "delivered", "2026-11-10T10:00", ws=other_workspace)
    db.session.commit()
    return workspace


def test_market_comes_from_the_calling_code():
    assert pricing.market_for("+34 600 111 222") == "Spain"
    assert pricing.market_for("16505551234") == "North America"
    assert pricing.market_for("254700111222") == "Rest of Africa"
    assert pricing.market_for("971501234567") == "United Arab Emirates"
    assert pricing.market_for("88812345") == "Other" and pricing.market_for(None) == "Other"


def test_message_counts_and_cost_per_day_and_category(outbox):
    card = {m.name: m.rates for m in pricing.default_card()}
    p = periods.period_from({"range": "custom", "from": "2026-11-09", "to": "2026-11-10"}, "UTC")
    costs = message_costs(WorkspaceScope(outbox.id), p)
    first, second = costs.days
    assert first.messages == {"marketing": 1, "utility": 0, "authentication": 0, "service": 0}
    assert first.cost["marketing"] == card["Spain"]["marketing"]
    assert second.messages == {"marketing": 2, "utility": 2, "authentication": 0, "service": 1}
    assert second.cost["marketing"] == card["Spain"]["marketing"]  # the "sent" one is not billed
    assert second.cost["utility"] == card["North America"]["utility"] + card["Rest of Africa"]["utility"]
    assert second.cost["service"] == card["India"]["service"]
    assert costs.messages() == 6
    assert costs.cost() == 2 * card["Spain"]["marketing"] + second.cost["utility"] + card["India"]["service"]


def _row(page: str, category: str) -> tuple[str, str]:
    block = page.split(f'data-category="{category}"', 1)[1]
    found = re.findall(r'data-figure="(?:messages|cost)">([^<]+)<', block)
    return found[0], found[1]


def test_editing_the_rate_card_changes_the_cost_shown(auth_client, outbox):
    spain = {m.name: m.rates for m in pricing.default_card()}["Spain"]["marketing"]
    assert _row(auth_client.get(RANGE).get_data(as_text=True), "marketing") == ("3", f"${2 * spain:.4f}")
    token = csrf_token(auth_client, "/settings/rates")
    response = auth_client.post("/settings/rates", data={"csrf_token": token, "Spain|marketing": "0.25",
                                                         "Spain|utility": "0.0200"})  # fmt: skip
    assert response.status_code == 302
    assert _row(auth_client.get(RANGE).get_data(as_text=True), "marketing") == ("3", "$0.5000")
    # Equal to Meta's default: no edit is kept for it.
    assert {(r.market, r.category) for r in db.session.query(MessageRate)} == {("Spain", "marketing")}
    page = auth_client.get("/settings/rates").get_data(as_text=True)
    assert 'name="Spain|marketing"' in page and 'value="0.25"' in page
    auth_client.post("/settings/rates/reset", data={"csrf_token": token})
    assert _row(auth_client.get(RANGE).get_data(as_text=True), "marketing") == ("3", f"${2 * spain:.4f}")


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("Spain|marketing", "abc", "Spain, marketing: 'abc' is not a number"),
        ("Spain|marketing", "-1", "cannot be negative"),
        ("Spain|marketing", "1e9", "is above 100"),
        ("Spain|marketing", "NaN", "is not a number"),
        ("Spain|marketing", "0.1234567", "more than 6 decimals"),
        ("Spain|marketing", "", "is empty"),
        ("Atlantis|marketing", "0.1", "is not a market and category"),
        ("Spain|carrier_pigeon", "0.1", "is not a market and category"),
    ],
)
def test_bad_rates_are_refused_and_nothing_is_saved(auth_client, workspace, field, value, message):
    token = csrf_token(auth_client, "/settings/rates")
    data = {"csrf_token": token, "India|utility": "0.5", field: value}
    response = auth_client.post("/settings/rates", data=data)
    assert response.status_code == 422
    assert message in html.unescape(response.get_data(as_text=True))
    assert db.session.query(MessageRate).count() == 0


def test_an_empty_rate_form_is_refused(auth_client, workspace):
    response = auth_client.post(
        "/settings/rates", data={"csrf_token": csrf_token(auth_client, "/settings/rates")}
    )
    assert response.status_code == 422 and "No rates were sent." in response.get_data(as_text=True)


def _steps(page: str) -> dict[str, str]:
    return dict(re.findall(r'data-step="([a-z_]+)" data-done="(yes|no)"', page))


def test_checklist_ticks_each_step_from_real_state_and_hides_when_complete(
    app, auth_client, workspace, factory, monkeypatch
):
    steps = _steps(auth_client.get("/").get_data(as_text=True))
    assert steps == dict.fromkeys(
        ("shopify", "first_sync", "whatsapp", "facebook", "agent", "automation", "api_token"), "no"
    )
    shop = factory.integration(workspace, platform="shopify")
    factory.integration(workspace, platform="whatsapp", status="needs_reauth")  # not connected: not done
    factory.sync_run(workspace, shop, status="failed")
    steps = _steps(auth_client.get("/").get_data(as_text=True))
    assert steps["shopify"] == "yes" and steps["first_sync"] == "no" and steps["whatsapp"] == "no"
    factory.sync_run(workspace, shop, status="succeeded")
    factory.integration(workspace, platform="whatsapp")
    factory.integration(workspace, platform="facebook")
    workspace.agent_enabled = True
    db.session.add(Automation(workspace_id=workspace.id, kind="order_confirmation", enabled=True))
    db.session.add(ApiToken(workspace_id=workspace.id, name="t", token_hash="x" * 64, token_prefix="x"))
    db.session.commit()
    steps = _steps(auth_client.get("/").get_data(as_text=True))
    assert steps["agent"] == "no"  # switched on, but no model key: the agent cannot answer
    assert all(v == "yes" for k, v in steps.items() if k != "agent")
    monkeypatch.setitem(app.config, "OPENAI_API_KEY", "sk-test")
    page = auth_client.get("/").get_data(as_text=True)
    assert "setup-checklist" not in page and _steps(page) == {}


def test_checklist_links_where_each_step_is_done(auth_client, workspace):
    page = auth_client.get("/").get_data(as_text=True)
    for step, href in (("shopify", "/integrations"), ("automation", "/messaging/"), ("api_token", "/settings/tokens"),
                       ("agent", "/settings/#agent-settings")):  # fmt: skip
        block = page.split(f'data-step="{step}"', 1)[1].split("</li>", 1)[0]
        assert f'href="{href}"' in block, step


@pytest.mark.parametrize("value", ["Mars/Olympus", "", "x" * 65, "../etc/passwd", "utc\x00"])
def test_a_bad_timezone_is_refused_with_a_message(auth_client, workspace, value):
    token = csrf_token(auth_client)
    response = auth_client.post("/settings/timezone", data={"csrf_token": token, "timezone": value})
    assert response.status_code in (400, 422)
    db.session.refresh(workspace)
    assert workspace.timezone == "UTC"


def test_the_timezone_setting_moves_the_overview_days(auth_client, workspace):
    token = csrf_token(auth_client)
    response = auth_client.post("/settings/timezone", data={"csrf_token": token, "timezone": "Asia/Kolkata"})
    assert response.status_code == 302
    db.session.refresh(workspace)
    assert workspace.timezone == "Asia/Kolkata"
    assert "days in Asia/Kolkata" in auth_client.get("/").get_data(as_text=True)
