"""JSON API for sync runs: start one (202 + status URL), read one, list an integration's recent runs.

Thin: parse, call `app.sync.service`, answer `progress.serialize_run`. Another workspace's integration or
run answers 404 through the workspace scope.
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


@bp.post("/sync")
def start_sync():
    data = json_body()
    integration_id = parse_id(data.get("integration_id"), "integration_id")
    integration = current_scope().get(Integration, integration_id) if integration_id else None
    if integration is None:
        abort(404, description="No such integration.")
    try:
        run = service.start_sync(
            integration, parse_choice(data.get("kind") or "incremental", "kind", service.SYNC_KINDS)
        )
    except service.SyncAlreadyRunning as exc:
        return api_error(exc.message, 409, run=serialize_run(exc.run),
                         status_url=url_for("api.sync_status", run_id=exc.run.id))  # fmt: skip
    status_url = url_for("api.sync_status", run_id=run.id)
    body = {"run": serialize_run(run), "run_id": run.id, "status_url": status_url}
    return jsonify(body), 202, {"Location": status_url}


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
