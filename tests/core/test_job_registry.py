"""Every job the app queues or schedules exists and accepts what it is given.

Jobs travel through Redis as dotted paths that the worker imports, so a renamed function or a changed
signature would only show when a worker picks the job up. These tests resolve each entry of
`app.queues.JOBS`, and read every `enqueue(...)` call in `app/` and `agent_tools/` to bind the arguments it
passes to the job's signature.
"""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import pytest

from app.queues import JOBS, QUEUES, enqueue, get_queue
from app.schedule import SCHEDULES

ROOT = Path(__file__).resolve().parents[2]
RQ_OPTIONS = {"job_id", "retry", "job_timeout"}  # taken by `enqueue` itself, not passed to the job
NOT_ENQUEUED = {"webhooks.process_webhook"}  # kept so jobs an older release queued still run
ENQUEUERS = {"enqueue": 1, "enqueue_at": 2}  # our helpers: how many leading arguments are not the job's
RQ_CALLS = {"enqueue", "enqueue_call", "enqueue_at", "enqueue_in", "enqueue_many", "cron", "schedule"}


def resolve(path: str):
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


def sources() -> list[Path]:
    return sorted([*(ROOT / "app").rglob("*.py"), *(ROOT / "agent_tools").rglob("*.py")])


def enqueue_calls() -> list[tuple[str, ast.Call]]:
    found = []
    for path in sources():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            # `enqueue_at(name, at, *args)` (app.queues) schedules a registered job the same way.
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ENQUEUERS:
                found.append((f"{path.relative_to(ROOT)}:{node.lineno}", node))
    return found


@pytest.mark.parametrize("name", sorted(JOBS))
def test_every_registered_job_is_a_function_on_a_known_queue(name):
    spec = JOBS[name]
    func = resolve(spec.path)
    assert inspect.isfunction(func), f"{name}: {spec.path} is not a function"
    assert f"{func.__module__}.{func.__qualname__}" == spec.path  # what RQ will import in the worker
    assert spec.queue in QUEUES


def test_every_enqueue_call_names_a_registered_job_with_arguments_it_accepts():
    calls = enqueue_calls()
    assert len(calls) >= 8, calls  # the reader finds the call sites
    used = set()
    for where, call in calls:
        first = call.args[0] if call.args else None
        assert isinstance(first, ast.Constant) and isinstance(first.value, str), (
            f"{where}: name the job with a string literal, so it can be checked here"
        )
        assert first.value in JOBS, f"{where}: {first.value!r} is not in app.queues.JOBS"
        rest = call.args[ENQUEUERS[call.func.id] :]
        assert not any(isinstance(a, ast.Starred) for a in rest), f"{where}: *args cannot be checked"
        assert all(k.arg is not None for k in call.keywords), f"{where}: **kwargs cannot be checked"
        kwargs = {k.arg: object() for k in call.keywords if k.arg not in RQ_OPTIONS}
        func = resolve(JOBS[first.value].path)
        try:
            inspect.signature(func).bind(*[object() for _ in rest], **kwargs)
        except TypeError as exc:
            pytest.fail(f"{where}: {first.value} does not accept these arguments: {exc}")
        used.add(first.value)
    scheduled = {s.job for s in SCHEDULES}
    assert set(JOBS) - used - scheduled == NOT_ENQUEUED, "a registered job nothing enqueues or schedules"


@pytest.mark.parametrize("schedule", SCHEDULES, ids=lambda s: s.id)
def test_every_schedule_names_a_registered_job_that_runs_without_arguments(schedule):
    assert schedule.job in JOBS
    inspect.signature(resolve(schedule.func)).bind()
    assert schedule.queue in QUEUES


def test_only_the_queue_helpers_talk_to_rq():
    """One door: any other module calling RQ's enqueue/scheduling methods would bypass the registry."""
    allowed = {"app/queues.py", "app/schedule.py"}
    strays = []
    for path in sources():
        rel = str(path.relative_to(ROOT))
        for node in ast.walk(ast.parse(path.read_text(), rel)):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in RQ_CALLS
                and rel not in allowed
            ):
                strays.append(f"{rel}:{node.lineno} .{node.func.attr}(")
    assert strays == []


def test_enqueue_puts_the_registered_path_on_the_registered_queue():
    job = enqueue("sync.run", 7, 11, job_id="sync-7-test")
    assert (job.func_name, job.args, job.origin) == ("app.sync.jobs.sync_integration", (7, 11), "sync")
    assert get_queue("sync").get_job_ids() == ["sync-7-test"]
    assert get_queue("default").get_job_ids() == []


def test_an_unregistered_job_name_is_refused():
    with pytest.raises(ValueError, match="app.queues.JOBS"):
        enqueue("app.sync.jobs.sync_integration", 1, 2)
