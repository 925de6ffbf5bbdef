"""The Shopify card's sync state comes from its latest run, whatever the integration row says: queued, running
(phase, processed / total, an ETA only once the run's own pace is known), succeeded (when, counts), failed
(the sentence). "Sync now" pressed during a run answers visibly and follows that run."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.models import Integration, SyncRun
from app.models.types import utcnow
from app.sync import service


def _htmx(client):
    html = client.get("/integrations").get_data(as_text=True)
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', html).group(1)
    return {"HX-Request": "true", "X-CSRFToken": token}


def _slot(client, integration_id: int) -> str:
    html = client.get("/integrations").get_data(as_text=True)
    return html[html.index(f'id="sync-slot-{integration_id}"') :].split("</article>")[0]


def _run(db, integration, status: str, **fields) -> SyncRun:
    now = utcnow()
    run = SyncRun(workspace_id=integration.workspace_id, integration_id=integration.id, kind="full",
                  status=status, created_at=now - timedelta(minutes=3), **fields)  # fmt: skip
    db.session.add(run)
    # The integration row says something else on purpose: the card must not read it.
    integration.sync_status = "idle" if status != "succeeded" else "in_progress"
    db.session.commit()
    return run


STATES = {
    "queued": (
        {},
        ['data-status="queued"', "queued</span>", "waiting for a worker", 'hx-trigger="every 1s"'],
    ),
    "in_progress": (
        {"processed": 40, "total": 100, "started_at": -60, "heartbeat_at": -1},
        [
            'data-status="in_progress"',
            "running</span>",
            "Reading products",
            "40 / 100 products",
            "(40.0%)",
            'hx-trigger="every 1s"',
        ],
    ),  # fmt: skip
    "succeeded": (
        {
            "processed": 100,
            "total": 100,
            "created": 7,
            "updated": 3,
            "skipped": 90,
            "started_at": -60,
            "finished_at": -30,
        },
        [
            'data-status="succeeded"',
            "succeeded</span>",
            "Finished <time",
            "{finished}</time>",
            "7 created, 3 updated",
            "90 unchanged",
            "(100 products checked)",
        ],
    ),  # fmt: skip
    "failed": (
        {
            "processed": 20,
            "total": 100,
            "error": "Shopify is not answering right now.",
            "started_at": -60,
            "finished_at": -30,
        },
        [
            'data-status="failed"',
            "failed</span>",
            "Shopify is not answering right now.",
            "20 products were saved",
        ],
    ),  # fmt: skip
}


@pytest.mark.parametrize("status", list(STATES))
def test_the_card_shows_the_state_of_its_latest_run(db, auth_client, integration, status):
    fields, expected = STATES[status]
    now = utcnow()
    fields = {k: now + timedelta(seconds=v) if k.endswith("_at") else v for k, v in fields.items()}
    _run(db, integration, "succeeded", finished_at=now - timedelta(hours=1), processed=5)  # an older one
    run = _run(db, integration, status, **fields)
    slot = _slot(auth_client, integration.id)
    finished = run.finished_at.strftime("%Y-%m-%d %H:%M UTC") if run.finished_at else ""
    for text in expected:
        assert text.format(finished=finished) in slot, (text, slot)
    assert f'id="sync-run-{run.id}"' in slot
    assert "left" not in slot  # no ETA without the run's pace
    if status not in ("queued", "in_progress"):
        assert "hx-trigger" not in slot  # a finished run stops polling


def test_a_store_never_synced_says_so(db, auth_client, integration):
    assert "Not synced yet" in _slot(auth_client, integration.id)


def test_eta_comes_from_the_pace_of_the_runs_own_pages(db, auth_client, integration):
    now = utcnow()
    # Started 10 minutes ago (a slow count, a long wait for a worker), but its pages go at 5 products a second.
    run = _run(db, integration, "in_progress", processed=60, total=160, started_at=now - timedelta(minutes=10),
               heartbeat_at=now)  # fmt: skip
    row = db.session.get(Integration, integration.id)
    row.sync_cursor = {
        "run_id": run.id,
        "pace": {"since": (now - timedelta(seconds=10)).isoformat(), "count": 50},
    }
    db.session.commit()
    slot = _slot(auth_client, integration.id)
    assert "5.0 per second" in slot and "about 20 s left" in slot  # 100 to go at 5 a second

    # One second of pages is not enough to tell: no ETA rather than a wild one.
    row.sync_cursor = {
        "run_id": run.id,
        "pace": {"since": (now - timedelta(seconds=1)).isoformat(), "count": 5},
    }
    db.session.commit()
    slot = _slot(auth_client, integration.id)
    assert "left" not in slot and "per second" not in slot and "60 / 160 products" in slot


def test_the_pace_is_sampled_from_the_runs_pages(db, integration, run_jobs, after_page_commit):
    cursors = []
    after_page_commit(lambda ctx, number: cursors.append(dict(ctx.cursor.get("pace") or {})))
    service.start_sync(integration, "full")
    run_jobs()
    full = [c for c in cursors if c]
    assert len(full) >= 3
    assert full[0]["count"] == 0 and len({c["since"] for c in full[:3]}) == 1  # since the first page
    assert full[2]["count"] > full[1]["count"] > 0


def test_sync_now_during_a_run_says_so_and_follows_it(db, auth_client, integration):
    running = service.start_sync(integration, "full", enqueue_job=False)
    answer = auth_client.post(f"/sync/integrations/{integration.id}", data={"kind": "full"},
                              headers=_htmx(auth_client))  # fmt: skip
    assert answer.status_code == 200  # htmx swaps it in
    html = answer.get_data(as_text=True)
    assert "A sync is already running — following it." in html and f'id="sync-run-{running.id}"' in html
    follow = f"/sync/runs/{running.id}/progress?following=1"
    assert f'hx-get="{follow}"' in html
    assert db.session.scalar(select(SyncRun.id).order_by(SyncRun.id.desc())) == running.id  # no second run

    # The next polls keep saying it, while the run goes on.
    polled = auth_client.get(follow, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "following it" in polled and f'hx-get="{follow}"' in polled
