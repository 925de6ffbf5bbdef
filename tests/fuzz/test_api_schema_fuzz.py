"""Property-based run of every operation in `/api/openapi.json` (schemathesis over the WSGI app, in-process,
with a real API token): whatever the input, the API never answers 500, every error is JSON with an `error`
message, and a 400/422 names the bad `parameter`. Outside platforms are unreachable (`responses` with nothing
registered), so a connect attempt meets "cannot reach" instead of the internet. Bounded: a few examples per operation, derandomized (the same
examples every run), so the whole file takes well under two minutes.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
import responses
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings

from app.models import Integration, Order, Product, ProductVariant

EXAMPLES = 15


@pytest.fixture
def api_schema(app, db, workspace, api_token):
    # A few real rows with small ids, so generated ids sometimes hit something.
    product = Product(workspace_id=workspace.id, title="Fuzz mug", currency="EUR")
    variant = ProductVariant(workspace_id=workspace.id, product=product, title="Default Title", sku="FZ-1",
                             price=Decimal("9.50"), inventory_quantity=3)  # fmt: skip
    shop = Integration(workspace_id=workspace.id, platform="shopify", account_id="fuzz.myshopify.com",
                       status="connected", config={})  # fmt: skip
    shop.set_secrets(access_token="shpat_fuzz")
    db.session.add_all([product, variant, shop, Order(workspace_id=workspace.id, source_platform="whatsapp")])
    db.session.commit()
    return schemathesis.openapi.from_wsgi("/api/openapi.json", app)


def _check(case, token: str) -> None:
    with responses.RequestsMock(assert_all_requests_are_fired=False):  # no outside network
        # identity: schemathesis' WSGI transport sends requests' default gzip Accept-Encoding but does not
        # decompress; the feed's gzip form is tested in tests/feeds.
        response = case.call(headers={"Authorization": f"Bearer {token}", "Accept-Encoding": "identity"})
    where = f"{case.method} {case.formatted_path} {str(case.body)[:200]} -> {response.status_code}: {response.text[:200]}"
    assert response.status_code != 500, where
    if response.status_code >= 400:
        body = response.json()
        assert isinstance(body, dict) and isinstance(body.get("error"), str) and body["error"].strip(), where
        if response.status_code in (400, 422):  # bad input: the answer says which parameter
            assert isinstance(body.get("parameter"), str) and body["parameter"], where


@pytest.mark.timeout(240)
def test_api_never_answers_500_and_errors_are_json(api_schema, api_token):
    # One test driving each operation's strategy (schemathesis' pytest plugin does not load on pytest 9).
    failures, operations = [], 0
    for result in api_schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
            phases=[Phase.explicit, Phase.generate],
        )
        def run(case):
            _check(case, api_token)

        try:
            run()
        except AssertionError as exc:
            failures.append(str(exc).splitlines()[0])
    assert operations >= 30
    assert failures == [], "\n".join(failures)
