"""Every `/api` route of `app.url_map` (the signed webhook intake aside: tests/fuzz/test_webhook_bad_input.py)
fed hostile input beyond what its OpenAPI schema describes: path ids past INTEGER and BIGINT, query strings
and JSON bodies with NUL and control characters, lone surrogates, very long strings, numbers past every
integer width, and values of the wrong JSON type (a quantity as a string, float, null or list; a shop domain
as a number). No answer is a 5xx, and every 400/422 is `{"error": ..., "parameter": ...}` naming what was bad.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
import responses
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.routing import IntegerConverter

from app.models import Integration, Order, Product, ProductVariant
from app.platforms.http import RetryPolicy
from tests.fuzz.bad_values import (
    ARG_NAMES,
    JSON_NAMES,
    fuzz_settings,
    nasty_json,
    path_ids,
    query_pairs,
    rule_paths,
    urlencode,
)

EXAMPLES = 25
INTAKE = ("webhooks.",)

item = st.fixed_dictionaries(
    {"variant_id": st.one_of(st.just(1), nasty_json)},
    optional={"quantity": nasty_json, "unit_price": nasty_json},
)
bodies = st.one_of(
    st.dictionaries(st.sampled_from(JSON_NAMES), nasty_json, max_size=5),
    st.fixed_dictionaries(
        {"items": st.lists(item, min_size=1, max_size=2)}, optional={"source_platform": st.just("agent")}
    ),
    st.fixed_dictionaries(
        {"platform": st.sampled_from(["shopify", "whatsapp", "facebook"])},
        optional={
            "shop_domain": nasty_json,
            "display_name": nasty_json,
            "phone_number_id": nasty_json,
            "page_id": nasty_json,
            "access_token": nasty_json,
        },
    ),  # fmt: skip
)


@pytest.fixture
def seeded(db, workspace, monkeypatch):
    monkeypatch.setattr(RetryPolicy, "delay", lambda self, retry: 0.0)  # unreachable platforms fail at once
    product = Product(workspace_id=workspace.id, title="Fuzz mug", currency="EUR")
    variant = ProductVariant(workspace_id=workspace.id, product=product, title="Default Title", sku="FZ-1",
                             price=Decimal("9.50"), inventory_quantity=3)  # fmt: skip
    shop = Integration(workspace_id=workspace.id, platform="shopify", account_id="fuzz.myshopify.com",
                       status="connected", config={})  # fmt: skip
    db.session.add_all([product, variant, shop, Order(workspace_id=workspace.id, source_platform="whatsapp")])
    db.session.commit()


def _path(rule):
    segments = {
        name: path_ids.map(str)
        if isinstance(conv, IntegerConverter)
        else st.sampled_from(["x", "\x00", "é" * 300])
        for name, conv in rule._converters.items()
    }
    return rule_paths(rule, segments)


def _fuzz(client, rule, method):
    @given(path=_path(rule), query=query_pairs(ARG_NAMES), body=bodies)
    @fuzz_settings(EXAMPLES)
    def run(path, query, body):
        raw = json.dumps(body)  # ensure_ascii: lone surrogates travel as valid JSON escapes
        with responses.RequestsMock(assert_all_requests_are_fired=False):  # no outside network
            response = client.open(
                path, method=method, query_string=urlencode(query),
                data=raw if method != "GET" else None, content_type="application/json",
            )  # fmt: skip
        where = f"{method} {path}?{urlencode(query)[:120]} {raw[:200]} -> {response.status_code}: "
        where += response.get_data(as_text=True)[:300]
        assert response.status_code < 500, where
        if response.status_code >= 400:
            answer = response.get_json(silent=True)
            assert isinstance(answer, dict) and isinstance(answer.get("error"), str), where
            if response.status_code in (400, 422):
                assert isinstance(answer.get("parameter"), str) and answer["parameter"], where

    run()


@pytest.mark.timeout(300)
def test_api_answers_bad_parameters_with_a_4xx_naming_them(app, seeded, api_token):
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {api_token}"
    failures, combos = [], 0
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith("/api") or rule.endpoint.startswith(INTAKE):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            combos += 1
            try:
                _fuzz(client, rule, method)
            except AssertionError as exc:
                failures.append(str(exc).splitlines()[0][:700])
    assert combos >= 30
    assert failures == [], "\n".join(failures)
