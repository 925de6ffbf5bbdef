"""Starting runs (one at a time per store, race-safe), schedules, the stuck-run sweeper, the API, the
progress fragment and the CLI."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.models import Integration, Product, SyncRun
from app.models.types import utcnow
from app.schedule import SCHEDULES, get_scheduler, register_schedules
from app.services import sessions
from app.sync import jobs, service


def reload(db, model, id_):
    return db.session.get(model, id_, populate_existing=True)


def test_second_request_is_refused_naming_the_running_run(db, integration):
    first = service.start_sync(integration, "full")
    with pytest.raises(service.SyncAlreadyRunning) as refused:
        service.start_sync(integration, "incremental")
    assert refused.value.run.id == first.id
    assert f"run {first.id}" in refused.value.message and refused.value.status == 409
    assert db.session.scalar(select(func.count()).select_from(SyncRun)) == 1
    assert reload(db, Integration, integration.id).sync_status == "queued"


def test_simultaneous_requests_give_one_run(app, db, integration):
    iid = integration.id
    barrier = threading.Barrier(4)
    outcomes = []

    def request_sync():
        with app.app_context():
            barrier.wait()
            try:
                outcomes.append(service.start_sync(db.session.get(Integration, iid), "full").id)
            except service.SyncAlreadyRunning as exc:
                outcomes.append(f"refused:{exc.run.id}")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=request_sync) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    runs = db.session.scalars(select(SyncRun.id)).all()
    assert len(runs) == 1
    assert sorted(map(str, outcomes)) == sorted([str(runs[0])] + [f"refused:{runs[0]}"] * 3)


def test_unknown_kind_and_disconnected_store_are_refused(db, integration):
    with pytest.raises(service.SyncError):
        service.start_sync(integration, "everything")
    integration.status = "disconnected"
    db.session.commit()
    with pytest.raises(service.SyncError) as refused:
        service.start_sync(integration, "full")
    assert refused.value.status == 409


def test_sync_schedules_register_idempotently():
    ids = {s.id for s in SCHEDULES}
    assert {"sync-hourly-incremental", "sync-nightly-full", "housekeeping-minutely"} <= ids
    scheduler = get_scheduler()
    assert sorted(register_schedules(scheduler)) == sorted(ids)
    assert register_schedules(get_scheduler()) == []
    assert sorted(j.id for j in scheduler.get_jobs()) == sorted(ids)


def test_hourly_schedule_starts_one_incremental_run_per_connected_store(db, integration, run_jobs):
    assert jobs.start_scheduled_syncs() == {"started": 1, "skipped": 0}
    assert jobs.start_scheduled_syncs() == {"started": 0, "skipped": 1}  # still queued: not doubled
    run_jobs()
    run = db.session.scalars(select(SyncRun)).one()
    assert (run.kind, run.status) == ("incremental", "succeeded")


def test_sweeper_requeues_a_run_whose_worker_died(db, integration, run_jobs, after_page_commit):
    def die(ctx, page):
        if page == 2:
            raise KeyboardInterrupt  # a BaseException: the worker records it, nothing in the sync catches it

    after_page_commit(die)
    run_id = service.start_sync(integration, "full").id
    run_jobs()
    after_page_commit(None)
    run = reload(db, SyncRun, run_id)
    assert run.status == "in_progress"
    run.heartbeat_at = utcnow() - service.STUCK_AFTER - timedelta(seconds=1)
    db.session.commit()
    from rq.job import Job

    from app.queues import get_redis

    Job.fetch(run.job_id, connection=get_redis()).delete()  # its retry is gone too: only the sweeper is left
    assert service.sweep_sync_runs() == 1
    run_jobs()
    run = reload(db, SyncRun, run_id)
    assert (run.status, run.created) == ("succeeded", 120)


def test_api_starts_reads_and_lists_runs(db, api_client, integration, run_jobs):
    iid = integration.id
    answer = api_client.post("/api/sync", json={"integration_id": iid, "kind": "full"})
    assert answer.status_code == 202
    body = answer.get_json()
    assert body["status_url"] == f"/api/sync/{body['run_id']}" and body["run"]["status"] == "queued"
    again = api_client.post("/api/sync", json={"integration_id": iid, "kind": "full"})
    assert again.status_code == 409 and again.get_json()["run"]["id"] == body["run_id"]
    run_jobs()
    status = api_client.get(body["status_url"]).get_json()["run"]
    assert status["status"] == "succeeded" and status["percent"] == 100.0
    assert status["counts"]["created"] == 120 and status["total"] == 120 and status["error"] is None
    listed = api_client.get(f"/api/sync?integration={iid}").get_json()["runs"]
    # The full sync brought the orders too: an orders run followed it.
    assert [(r["kind"], r["status"]) for r in listed] == [("orders", "succeeded"), ("full", "succeeded")]
    assert listed[1]["id"] == body["run_id"]


def test_api_hides_other_workspaces(db, api_client, make_user, shopify):
    other = make_user("other@example.com")
    row = Integration(workspace_id=other.workspace_id, platform="shopify", account_id="x.myshopify.com",
                      status="connected")  # fmt: skip
    db.session.add(row)
    db.session.commit()
    run = service.start_sync(row, "full", enqueue_job=False)
    assert api_client.post("/api/sync", json={"integration_id": row.id}).status_code == 404
    assert api_client.get(f"/api/sync/{run.id}").status_code == 404
    assert api_client.get(f"/api/sync?integration={row.id}").status_code == 404
    assert api_client.get("/api/sync").get_json()["runs"] == []


def test_progress_fragment_polls_while_running_and_reports_monotonic_progress(
    app, db, auth_client, integration, run_jobs, after_page_commit
):
    from app.models import User

    integration_user_id = db.session.scalar(select(func.min(User.id)))
    session_token = sessions.start_session(db.session.get(User, integration_user_id))
    page = auth_client.get("/").get_data(as_text=True)
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
    answer = auth_client.post(f"/sync/integrations/{integration.id}",
                              headers={"HX-Request": "true", "X-CSRFToken": token})  # fmt: skip
    assert answer.status_code == 200
    html = answer.get_data(as_text=True)
    assert 'hx-trigger="every 1s"' in html and 'data-status="queued"' in html
    run_id = db.session.scalars(select(SyncRun.id)).one()
    url = f"/sync/runs/{run_id}/progress"
    seen = []

    def poll(ctx, page):
        if ctx.kind != "full":
            return  # the orders run that follows it
        with app.test_client() as other:  # as the browser would, while the worker runs
            with other.session_transaction() as session:
                session["_user_id"], session["_fresh"] = session_token, True
            fragment = other.get(url, headers={"HX-Request": "true"}).get_data(as_text=True)
            seen.append(int(fragment.split('data-processed="', 1)[1].split('"', 1)[0]))
            # Pages seconds apart are needed before a rate is told (test_sync_card_states): none here.
            assert 'hx-trigger="every 1s"' in fragment and "Reading products" in fragment

    after_page_commit(poll)
    run_jobs()
    assert seen == sorted(seen) and seen[0] > 0 and len(seen) >= 5
    done = auth_client.get(url, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "hx-trigger" not in done and "120 created" in done and 'value="100"' in done
    assert 'data-kind="orders" data-status="succeeded"' not in done  # its own section, below:
    assert 'data-status="succeeded" data-kind="orders"' in done
    page = auth_client.get(url)
    assert page.status_code == 200 and "<html" in page.get_data(as_text=True)


def test_cli_syncs_in_the_foreground(app, db, integration):
    iid = integration.id
    result = app.test_cli_runner().invoke(args=["sync", str(iid), "--full"])
    assert result.exit_code == 0, result.output
    assert "succeeded: 120 processed, 120 created" in result.output
    assert db.session.scalar(select(func.count()).select_from(Product)) == 120
