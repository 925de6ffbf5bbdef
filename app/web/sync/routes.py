"""Routes of the sync progress fragment. With `HX-Request` they answer `sync/_progress.html` (which re-polls
itself every second while the run is queued or in progress and becomes a summary when done); without it the
full page, so the URL also works without JavaScript. "Sync now" goes through the one sync door
(`service.start_sync`, its default kind when the form names none); pressed while a run is active, it answers
that run's progress with a sentence saying so, and keeps following it.
"""

from __future__ import annotations

from flask import abort, redirect, request, url_for
from flask_login import login_required

from app.auth_scope import current_scope
from app.models import Integration, SyncRun
from app.params import parse_choice
from app.sync import service
from app.sync.progress import format_eta, view
from app.web.fragments import is_htmx, render_page_or_fragment
from app.web.sync import bp

FOLLOWING = "A sync is already running — following it."

bp.add_app_template_global(format_eta, "format_eta")


def _render(run: SyncRun | None, status: int = 200, **extra):
    return render_page_or_fragment("sync/progress.html", "sync/_progress.html", status, **view(run), **extra)


@bp.post("/integrations/<int:integration_id>")
@login_required
def start(integration_id: int):
    integration = current_scope().get(Integration, integration_id)
    if integration is None:
        abort(404)
    kind = parse_choice(request.form.get("kind") or service.DEFAULT_KIND, "kind", service.SYNC_KINDS)
    try:
        run = service.start_sync(integration, kind)
    except service.SyncAlreadyRunning as exc:
        # 200, not 409: htmx swaps only successful answers, and this one is the running sync's progress.
        return _render(exc.run, following=True, notice=f"{FOLLOWING} {exc.message}")
    except service.SyncError as exc:
        return _render(None, exc.status, message=exc.message)
    if not is_htmx():
        return redirect(url_for("sync.run_progress", run_id=run.id), code=303)
    return _render(run)


@bp.get("/runs/<int:run_id>/progress")
@login_required
def run_progress(run_id: int):
    run = current_scope().get(SyncRun, run_id)
    if run is None:
        abort(404)
    following = request.args.get("following") == "1"
    return _render(
        run, following=following, notice=FOLLOWING if following and run.status in service.ACTIVE else None
    )
