"""Every dashboard page at a phone's width (390 x 844) and a laptop's (1440 x 900): nothing wider than the
screen, and every link of the main menu visible and clickable once the menu is open.

The pages come from the app's URL map (every GET rule), with their ids filled from seeded rows, so a page added
later is covered without touching this test; a rule that is not a page must be named in NOT_PAGES with why.
"""

from __future__ import annotations

import pytest
from flask import url_for

from app.models.scoping import WorkspaceScope
from app.services import bulk_jobs
from tests.web.conftest import Factory

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "laptop": {"width": 1440, "height": 900}}

# GET rules that are not dashboard pages, and why.
NOT_PAGES = {
    "static": "files, not pages",
    "favicon": "the icon itself",
    "healthz": "JSON for operators",
    "logs.compliance_export": "a JSON download",
}
NOT_PAGE_PREFIXES = ("/api", "/.well-known", "/demo-store", "/ucp")
# Fragments that htmx swaps into a page and that answer as bare fragments to a plain request too: they must
# fit, but carry no menu.
FRAGMENTS = ("logs.webhook_row", "logs.webhook_inbox", "products.row")
# Pages that a visitor sees logged out (they redirect home once logged in).
PUBLIC = ("auth.login", "auth.signup")

MEASURE = """() => ({width: document.documentElement.scrollWidth, viewport: window.innerWidth,
  wide: [...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1
        && !e.parentElement.closest('table, pre, .tabs, .table-scroll')).slice(0, 3).map(e => e.tagName + '.' + e.className)})"""

# In the viewport and the topmost element at its centre: what a finger or a mouse would actually hit.
HIT = """(el) => { const r = el.getBoundingClientRect();
  const inside = r.width > 0 && r.height > 0 && r.left >= 0 && r.top >= 0 && r.right <= innerWidth && r.bottom <= innerHeight;
  const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  return {inside, hit: !!top && (top === el || el.contains(top))}; }"""


def _seed(workspace) -> dict:
    f = Factory()
    shop = f.integration(workspace, "shopify")
    f.integration(workspace, "whatsapp")
    variant = f.variant(workspace, title="A linen shirt with a rather long name for a phone screen")
    order = f.order(workspace, items=3)
    f.reservation(workspace, order, variant)
    conversation = f.conversation(workspace)
    f.message(conversation, "Do you have the linen shirt in size M? " * 5)
    f.message(conversation, "Yes, we do.", direction="out")
    webhook = f.webhook(workspace, payload='{"id": 1, "title": "' + "x" * 400 + '"}')
    run = f.sync_run(workspace, shop)
    f.sync_log(workspace, shop, status="error", error_message="gid://shopify/Product/" + "1" * 60)
    f.alert(workspace)
    compliance = f.compliance(workspace)
    bulk = bulk_jobs.start_bulk(WorkspaceScope(workspace.id), "status", [variant.product_id], "active")
    return {
        "product_id": variant.product_id, "order_id": order.id, "conversation_id": conversation.id,
        "integration_id": shop.id, "webhook_id": webhook.id, "run_id": run.id, "request_id": compliance.id,
        "token": bulk["id"], "platform": "shopify",
    }  # fmt: skip


def _pages(app, ids: dict) -> list[tuple[str, str]]:
    """(endpoint, path) for every GET rule of the dashboard."""
    pages = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods or rule.endpoint in NOT_PAGES or rule.rule.startswith(NOT_PAGE_PREFIXES):
            continue
        missing = [a for a in rule.arguments if a not in ids]
        assert not missing, f"{rule.rule}: seed a row for {missing} in _seed() or list it in NOT_PAGES"
        with app.test_request_context():
            pages.append((rule.endpoint, url_for(rule.endpoint, **{a: ids[a] for a in rule.arguments})))
    return pages


def _check_page(page, path: str, problems: list[str], logged_in: bool) -> None:
    response = page.goto(path)
    assert response is not None and response.status < 500, f"{path}: {response and response.status}"
    page.wait_for_load_state("networkidle")
    size = page.evaluate(MEASURE)
    if size["width"] > size["viewport"]:
        problems.append(
            f"{path} ({page.url}): {size['width']} px wide in {size['viewport']} px {size['wide']}"
        )
    if not logged_in:
        return
    page.evaluate("window.scrollTo(0, 0)")  # a page opened at an anchor (#edit) starts scrolled down
    toggle = page.locator("header.top .menu-toggle")
    if toggle.is_visible():
        toggle.click()
        if toggle.get_attribute("aria-expanded") != "true":
            problems.append(f"{path}: the menu button does not say it opened the menu")
    targets = page.locator("header.top nav a, header.top .menu button")
    if targets.count() < 3:
        problems.append(f"{path}: no main menu in the page")
    for i in range(targets.count()):
        target = targets.nth(i)
        name = target.inner_text().strip()
        if not target.is_visible():
            problems.append(f"{path}: menu item {name!r} not visible")
            continue
        where = target.evaluate(HIT)
        if not where["inside"] or not where["hit"]:
            problems.append(f"{path}: menu item {name!r} off screen or covered {where}")
            continue
        target.click(trial=True, timeout=2_000)  # Playwright's own actionability check, without navigating


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_every_page_fits_the_screen_and_its_menu_is_reachable(app, logged_in_page, workspace, viewport):
    ids = _seed(workspace)
    pages = _pages(app, ids)
    covered = {e for e, _ in pages}
    assert {"products.detail", "orders.detail", "conversations.detail", "logs.webhook", "settings.agents",
            "messaging.index", "integrations.index", "sync.run_progress", "auth.login"} <= covered  # fmt: skip
    page = logged_in_page
    page.set_viewport_size(VIEWPORTS[viewport])
    problems: list[str] = []
    # Nothing a page loads by itself (styles, scripts, its icon) may fail.
    page.on("response", lambda r: r.status >= 400 and r.request.resource_type != "document"
            and problems.append(f"{r.status} for {r.url} ({r.request.resource_type})"))  # fmt: skip
    for endpoint, path in pages:
        if endpoint not in PUBLIC:
            _check_page(page, path, problems, logged_in=endpoint not in FRAGMENTS)
    _check_page(page, "/no-such-page", problems, logged_in=True)  # the error page is a page too
    page.context.clear_cookies()
    for endpoint, path in pages:
        if endpoint in PUBLIC:
            _check_page(page, path, problems, logged_in=False)
    assert problems == [], "\n".join(problems)


def test_the_phone_menu_opens_and_closes_from_the_keyboard(logged_in_page):
    page = logged_in_page
    page.set_viewport_size(VIEWPORTS["phone"])
    page.goto("/")
    orders = page.locator("header.top nav").get_by_role("link", name="Orders")
    assert not orders.is_visible()
    toggle = page.get_by_role("button", name="Menu")
    toggle.focus()
    page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-expanded") == "true" and orders.is_visible()
    page.keyboard.press("Escape")
    assert toggle.get_attribute("aria-expanded") == "false" and not orders.is_visible()
    page.keyboard.press("Space")
    orders.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/orders/")
