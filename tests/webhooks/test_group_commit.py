"""Group commit at intake (Postgres): rows that request threads queued while another thread flushed are
stored in one transaction, each thread answered only after that commit; a re-delivery in the same group is a
duplicate, and a row the database refuses fails its own request alone."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Webhook
from app.webhooks import intake
from tests.webhooks.conftest import SHOP


@pytest.fixture
def group(app, shopify_integration):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the intake's group commit runs on Postgres (SQLite stores through the session)")
    return intake._group()


def _part(delivery_id: str, payload: str = '{"id": 1}') -> intake.Part:
    return intake.Part("products/update", delivery_id, SHOP, payload, {"X-Shopify-Topic": "products/update"})


def _store_together(app, group, parts) -> list:
    """Store `parts` from one thread each, all queued before any flush (flushing held off meanwhile)."""
    outcomes: list = [None] * len(parts)

    def store(i, part):
        with app.app_context():
            try:
                outcomes[i] = intake._store("shopify", part)
            except Exception as exc:  # what the request would turn into its error
                outcomes[i] = exc

    threads = [threading.Thread(target=store, args=(i, p)) for i, p in enumerate(parts)]
    with group.held() as queue:
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 10
        while len(queue) < len(parts) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(queue) == len(parts)
        assert outcomes == [None] * len(parts)  # nobody answered before the commit
    for thread in threads:
        thread.join(10)
    return outcomes


def _stored() -> list[str]:
    db.session.rollback()
    return sorted(db.session.scalars(select(Webhook.delivery_id)))


def test_rows_queued_meanwhile_commit_together_and_a_redelivery_is_a_duplicate(app, group):
    groups, rows = group.groups, group.rows
    parts = [_part("g-1"), _part("g-2"), _part("g-3"), _part("g-2"), _part("g-4")]
    outcomes = _store_together(app, group, parts)
    assert sorted(outcomes) == ["accepted"] * 4 + ["duplicate"]
    assert outcomes[1] != outcomes[3]  # one of the two g-2 stored, the other told it is a re-delivery
    assert (group.groups - groups, group.rows - rows) == (1, 5)  # one statement, one commit for the five
    assert _stored() == ["g-1", "g-2", "g-3", "g-4"]
    assert {w.status for w in db.session.scalars(select(Webhook))} == {"pending"}


def test_a_row_the_database_refuses_fails_alone_and_the_group_is_stored(app, group):
    parts = [_part("ok-1"), _part("bad", '{"title": "a\x00b"}'), _part("ok-2")]
    outcomes = _store_together(app, group, parts)
    assert outcomes[0] == outcomes[2] == "accepted"
    assert isinstance(outcomes[1], Exception)
    assert _stored() == ["ok-1", "ok-2"]


def test_a_group_wakes_a_worker_once_not_once_a_row(app, group, monkeypatch):
    calls = []
    real = intake.wake
    monkeypatch.setattr(intake, "wake", lambda: calls.append(1) or real())
    outcomes = _store_together(app, group, [_part(f"w-{n}") for n in range(6)])
    assert outcomes == ["accepted"] * 6
    assert len(calls) == 1
    assert _stored() == [f"w-{n}" for n in range(6)]


def test_a_group_of_duplicates_and_ignored_rows_wakes_nobody(app, group, monkeypatch):
    _store_together(app, group, [_part("seen")])
    calls = []
    monkeypatch.setattr(intake, "wake", lambda: calls.append(1) or True)
    stranger = intake.Part("products/update", "other-shop", "unknown.myshopify.com", "{}", {})
    assert _store_together(app, group, [_part("seen"), stranger]) == ["duplicate", "ignored"]
    assert calls == []


def test_redis_down_answers_stored_for_the_whole_group(app, group, monkeypatch):
    monkeypatch.setattr(intake, "wake", lambda: False)
    assert _store_together(app, group, [_part("r-1"), _part("r-2")]) == ["stored", "stored"]
    assert {w.status for w in db.session.scalars(select(Webhook))} == {"pending"}  # the sweeper wakes one
