"""Every page route of `app.url_map`, logged in, fed hostile input: GET with fuzzed query strings, POST (and
PUT/DELETE) with fuzzed forms, path ids past INTEGER and BIGINT, NUL and control characters, lone surrogates
(as the invalid UTF-8 a client can send), very long strings. Whatever comes in, no page answers 5xx, and a
400 names the parameter it refused. CSRF is off for this run (it would refuse every fuzzed form before any
parsing). Outside platforms are unreachable (`responses`, nothing registered). Bounded and derandomized:
a few examples per route and method, the same every run.
"""

from __future__ import annotations

import re

import pytest
import responses
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.routing import AnyConverter, IntegerConverter

from app.platforms.http import RetryPolicy
from tests.fuzz.bad_values import (
    ARG_NAMES,
    FORM_NAMES,
    KILLERS,
    any_char,
    fuzz_settings,
    named_parameter,
    nasty_text,
    path_ids,
    query_pairs,
    rule_paths,
    urlencode,
)
from tests.web.conftest import Factory

EXAMPLES = 8
SKIP = ("static",)


@pytest.fixture
def seeded(app, db, user, monkeypatch):
    """A few rows of each kind with small ids, so fuzzed ids sometimes hit something; CSRF off."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    monkeypatch.setattr(RetryPolicy, "delay", lambda self, retry: 0.0)  # unreachable platforms fail at once
    f, ws = Factory(), user.workspace
    shop = f.integration(ws)
    whatsapp = f.integration(ws, platform="whatsapp")
    order = f.order(ws)
    f.reservation(ws, order, f.variant(ws))
    f.message(f.conversation(ws, whatsapp))
    f.webhook(ws)
    f.sync_log(ws, shop, sync_run_id=f.sync_run(ws, shop).id)
    f.alert(ws)
    f.compliance(ws, export={"orders": []})
    return user


def _segment(converter):
    if isinstance(converter, IntegerConverter):
        return path_ids.map(str)
    if isinstance(converter, AnyConverter):
        return st.sampled_from(sorted(converter.items))
    words = st.sampled_from(["shopify", "whatsapp", "facebook", "x"])
    return words | st.text(any_char, min_size=1, max_size=30).filter(lambda s: "/" not in s)


def _path(rule):
    """A strategy of url paths for `rule`."""
    return rule_paths(rule, {name: _segment(conv) for name, conv in rule._converters.items()})


def _routes(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint in SKIP or rule.rule.startswith("/api"):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def _login(client, user):
    with client.session_transaction() as session:
        session["_user_id"], session["_fresh"] = str(user.id), True


def _send(client, user, rule, method, path, query, form, htmx=False):
    """One request; the assertion message says what was sent. Logs back in after logout and signup."""
    headers = {"HX-Request": "true"} if htmx else {}
    with responses.RequestsMock(assert_all_requests_are_fired=False):  # no outside network
        response = client.open(
            path, method=method, query_string=urlencode(query), headers=headers,
            data=urlencode(form) if method != "GET" else None,
            content_type="application/x-www-form-urlencoded" if method != "GET" else None,
        )  # fmt: skip
    if rule.endpoint.startswith("auth."):
        _login(client, user)
    body = response.get_data(as_text=True)
    where = f"{method} {path}?{urlencode(query)[:150]} form={urlencode(form)[:150]} -> {response.status_code}"
    # 503 is the app's answer when a platform cannot be reached (a reply to WhatsApp here), not a crash.
    assert response.status_code < 500 or response.status_code == 503, f"{where}: {body[:300]}"
    if response.status_code == 400:
        sent = {n for n, _ in query} | {n for n, _ in form} | set(rule.arguments) | {"query", "form"}
        assert named_parameter(body, sent), f"{where}: 400 without naming a parameter: {body[:300]}"


def _sweep(client, user, rule, method):
    """Each known parameter alone with values that used to reach the database (so none masks another):
    query arguments with each of them, form fields with a number past INTEGER or BIGINT each, and all form
    fields at once with a NUL byte (one guard checks every field for it)."""
    path = rule.rule
    for name in rule.arguments:
        path = re.sub(rf"<[^>]*\b{name}>", "1" if rule.rule.find(f"int:{name}") > 0 else "shopify", path)
    if method == "GET":
        for name in ARG_NAMES:
            for value in KILLERS:
                _send(client, user, rule, method, path, [(name, value)], [])
        return
    _send(client, user, rule, method, path, [], [(name, KILLERS[0]) for name in FORM_NAMES])
    for i, name in enumerate(FORM_NAMES):
        _send(client, user, rule, method, path, [], [(name, KILLERS[1 + i % 3])])


def _fuzz(client, user, rule, method):
    """One route and method, fuzzed; raises AssertionError with the first failing example."""
    names = FORM_NAMES if method != "GET" else ARG_NAMES

    @given(
        path=_path(rule),
        query=query_pairs(ARG_NAMES),
        form=st.lists(st.tuples(st.sampled_from(names), nasty_text), max_size=5),
        htmx=st.booleans(),
    )
    @fuzz_settings(EXAMPLES)
    def run(path, query, form, htmx):
        _send(client, user, rule, method, path, query, form, htmx)

    run()


@pytest.mark.timeout(300)
def test_every_page_route_answers_bad_input_with_a_4xx_naming_the_parameter(app, seeded):
    client = app.test_client()
    _login(client, seeded)
    failures, combos = [], 0
    for rule, method in _routes(app):
        combos += 1
        for check in (_sweep, _fuzz):
            try:
                check(client, seeded, rule, method)
            except AssertionError as exc:
                failures.append(str(exc).splitlines()[0][:600])
    assert combos >= 40
    assert failures == [], "\n".join(failures)
