"""JSON API for sync runs: start one (202 + status URL), read one, list an integration's recent runs.

Thin: parse, call `app.sync.service`, answer `progress.serialize_run`. Another workspace's integration or
run answers 404 through the workspace scope. `start` answers for both API doors that start a sync
(`POST /api/sync` and `POST /api/integrations/<id>/sync`), so they have one default kind and one refusal:
`{"error": sentence, "run": <the run it is about, or null>, "status_url": <its URL, or null>}`.
"""

from __future__ import annotations

from flask import abort, jsonify, request, url_for

from app.api import api_error, bp, json_body
from app.auth_scope import current_scope
from app.extensions import db
from app.models import Integration, SyncRun
from app.params import parse_choice, parse_id
from app.sync import service
from app.sync.progress import serialize_run

RECENT = 20


def start(integration: Integration, data: dict, describe=None):
    """Start a sync of `integration` through the one door (`data["kind"]`, or the door's default) and answer
    202 with the run, or the refusal. `describe(run)`: more fields for the answer, read after the start."""
    kind = parse_choice(data.get("kind") or service.DEFAULT_KIND, "kind", service.SYNC_KINDS)
    try:
        run = service.start_sync(integration, kind)
    except service.SyncError as exc:
        return refused(exc)
    status_url = url_for("api.sync_status", run_id=run.id)
    body = {**(describe(run) if describe else {}), "run": serialize_run(run), "run_id": run.id,
            "status_url": status_url}  # fmt: skip
    return jsonify(body), 202, {"Location": status_url}


def refused(exc: service.SyncError):
    """One refusal body for every API door: the sentence, and the run it is about (the one already queued or
    in progress, or the one that could not be queued) with its status URL, or nulls."""
    run = exc.run
    return api_error(
        exc.message, exc.status, run=serialize_run(run) if run else None,
        status_url=url_for("api.sync_status", run_id=run.id) if run else None,
    )  # fmt: skip


@bp.post("/sync")
def start_sync():
    data = json_body()
    integration_id = parse_id(data.get("integration_id"), "integration_id")
    integration = current_scope().get(Integration, integration_id) if integration_id else None
    if integration is None:
        abort(404, description="No such integration.")
    return start(integration, data)


@bp.get("/sync/<int:run_id>")
def sync_status(run_id: int):
    run = current_scope().get(SyncRun, run_id)
    if run is None:
        abort(404, description="No such sync run.")
    return jsonify({"run": serialize_run(run)})


@bp.get("/sync")
def list_runs():
    scope = current_scope()
    stmt = scope.select(SyncRun).order_by(SyncRun.id.desc()).limit(RECENT)
    integration_id = parse_id(request.args.get("integration"), "integration")
    if integration_id is not None:
        integration = scope.get(Integration, integration_id)
        if integration is None:
            abort(404, description="No such integration.")
        stmt = stmt.where(SyncRun.integration_id == integration.id)
    runs = db.session.scalars(stmt).all()
    return jsonify({"runs": [serialize_run(r) for r in runs]})
