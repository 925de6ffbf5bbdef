"""Jobs run in a real RQ worker (burst mode) inside the app context; schedules register idempotently."""

from datetime import timedelta

import pytest

from app.models import OAuthState
from app.models.types import utcnow
from app.queues import QUEUES, QueueUnavailable, enqueue, get_queue
from app.schedule import SCHEDULES, get_scheduler, register_schedules


def test_enqueued_housekeeping_job_runs_in_burst_worker(db, workspace, run_jobs):
    db.session.add_all([
        OAuthState(state="old", workspace_id=workspace.id, shop_domain="a.myshopify.com",
                   created_at=utcnow() - timedelta(hours=2)),
        OAuthState(state="fresh", workspace_id=workspace.id, shop_domain="a.myshopify.com"),
    ])  # fmt: skip
    db.session.commit()
    job = enqueue("housekeeping.minutely")
    run_jobs()
    job.refresh()
    assert job.is_finished, job.latest_result()
    assert job.return_value()["purge_oauth_states"] == 1
    assert [s.state for s in db.session.query(OAuthState)] == ["fresh"]


def test_unknown_queue_is_refused():
    with pytest.raises(ValueError):
        get_queue("nope")


def test_queue_down_raises_queue_unavailable(app, monkeypatch):
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    broken = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2, retry=Retry(NoBackoff(), 0))
    monkeypatch.setitem(app.extensions, "redis", broken)
    with pytest.raises(QueueUnavailable):
        enqueue("housekeeping.minutely")


def test_schedule_registration_is_idempotent():
    scheduler = get_scheduler()
    first = register_schedules(scheduler)
    assert sorted(first) == sorted(s.id for s in SCHEDULES)
    assert register_schedules(scheduler) == []
    assert register_schedules(get_scheduler()) == []  # a restarted scheduler process
    jobs = list(scheduler.get_jobs())
    assert sorted(j.id for j in jobs) == sorted(s.id for s in SCHEDULES)


def test_schedule_drops_entries_no_longer_wanted():
    scheduler = get_scheduler()
    scheduler.cron("* * * * *", func="app.housekeeping.run_minutely", id="retired-job", queue_name="default")
    register_schedules(scheduler)
    assert "retired-job" not in {j.id for j in scheduler.get_jobs()}


def test_all_queues_named():
    assert set(QUEUES) == {"webhooks", "sync", "default"}
