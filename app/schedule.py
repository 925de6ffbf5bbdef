"""Every recurring job, registered in this one place.

`register_schedules()` is idempotent: each entry has a fixed job id, and an entry already registered with
the same cron string is left alone, so restarting the scheduler never duplicates a schedule. The Procfile's
`scheduler` process runs `flask scheduler`; the embedded default runs `run_scheduler()` in a thread. Each
entry names a job of `app.queues.JOBS`, which gives its dotted path and queue.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from rq_scheduler import Scheduler

from app.queues import get_queue, get_redis, job_spec

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Schedule:
    id: str
    cron: str
    job: str  # a name in app.queues.JOBS
    description: str = ""

    @property
    def func(self) -> str:
        return job_spec(self.job).path

    @property
    def queue(self) -> str:
        return job_spec(self.job).queue


SCHEDULES: list[Schedule] = [
    Schedule(
        "housekeeping-minutely",
        "* * * * *",
        "housekeeping.minutely",
        "expire reservations, fail stuck runs, re-enqueue stale webhook deliveries, drop old OAuth states",
    ),
    Schedule(
        "sync-hourly-incremental",
        "7 * * * *",
        "sync.scheduled",
        "incremental sync of every connected Shopify store (products updated since the last sync)",
    ),
    Schedule(
        "messaging-templates-hourly",
        "41 * * * *",
        "messaging.sync_all_templates",
        "re-read every connected WhatsApp Business Account's message templates",
    ),
    Schedule(
        "messaging-abandoned-checkouts",
        "*/15 * * * *",
        "messaging.read_all_abandoned_checkouts",
        "read every connected Shopify store's recently changed abandoned checkouts (a missed webhook)",
    ),
    Schedule(
        "sync-nightly-full",
        "30 3 * * *",
        "sync.nightly_full",
        "full reconciliation of every connected Shopify store (soft-deletes what Shopify no longer has)",
    ),
    Schedule(
        "sync-nightly-audit",
        "15 4 * * *",
        "sync.nightly_audit",
        "drift audit of every connected Shopify store: differences found, repaired, webhooks re-registered",
    ),
]


class _ThreadSafeScheduler(Scheduler):
    def _install_signal_handlers(self):
        if threading.current_thread() is threading.main_thread():
            super()._install_signal_handlers()


def get_scheduler(interval: int = 60) -> Scheduler:
    return _ThreadSafeScheduler(queue=get_queue("default"), connection=get_redis(), interval=interval)


def register_schedules(scheduler: Scheduler | None = None) -> list[str]:
    """Make the registered cron jobs match SCHEDULES exactly; return the ids (re)created."""
    scheduler = scheduler or get_scheduler()
    wanted = {s.id: s for s in SCHEDULES}
    existing = {job.id: job for job in scheduler.get_jobs()}
    changed = []
    for job_id, job in existing.items():
        spec = wanted.get(job_id)
        if spec and job.meta.get("cron_string") == spec.cron and job.func_name == spec.func:
            wanted.pop(job_id)  # already registered as wanted
        else:
            scheduler.cancel(job)
    for spec in wanted.values():
        scheduler.cron(
            spec.cron,
            func=spec.func,
            id=spec.id,
            queue_name=spec.queue,
            use_local_timezone=False,
            description=spec.description,
        )
        changed.append(spec.id)
    if changed:
        log.info("registered schedules: %s", ", ".join(changed))
    return changed


def run_scheduler(interval: int = 60) -> None:
    scheduler = get_scheduler(interval=interval)
    register_schedules(scheduler)
    scheduler.run()
