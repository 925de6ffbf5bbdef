"""`flask sync <integration-id> [--full|--incremental|--bulk|--orders|--audit]`: run a sync in the foreground
with a progress bar, or (`--audit`) the drift audit: differences found, repaired, webhooks re-registered
(`audit_jobs`).

Creates the run through the same door as every other sync (`service.start_sync`: it refuses while another run
is active, and starts its `DEFAULT_KIND` when no flag says otherwise) and executes it in this process instead
of a worker. A bulk export is polled every few seconds until Shopify finishes it.
"""

from __future__ import annotations

import time

import click
from flask import Flask

from app.extensions import db
from app.models import Integration, SyncRun
from app.sync import runner, service
from app.sync.audit_jobs import audit_integration

POLL_SECONDS = 3.0


def register(app: Flask) -> None:
    @app.cli.command("sync")
    @click.argument("integration_id", type=int)
    @click.option(
        "--full", "kind", flag_value="full", help="Everything, and remove what Shopify no longer has."
    )
    @click.option("--incremental", "kind", flag_value="incremental", help="What changed since the last sync.")
    @click.option(
        "--bulk", "kind", flag_value="bulk", help="Full sync through a bulk export (large catalogs)."
    )
    @click.option("--orders", "kind", flag_value="orders", help="Orders instead of products.")
    @click.option(
        "--audit", "kind", flag_value="audit", help="Compare the store with the database and repair drift."
    )
    def sync_command(integration_id: int, kind: str | None):
        """Sync a Shopify integration now (a full sync unless a flag says otherwise)."""
        integration = db.session.get(Integration, integration_id)
        if integration is None:
            raise click.ClickException(f"No integration {integration_id}.")
        if kind == "audit":
            return _audit(integration)
        try:
            run = service.start_sync(integration, kind or service.DEFAULT_KIND, enqueue_job=False)
        except service.SyncError as exc:
            raise click.ClickException(exc.message) from exc
        _run_in_foreground(integration, run)
        follow_up = service.follow_up_run(run.id)  # a full sync brings the orders too
        if follow_up is not None:
            _run_in_foreground(integration, follow_up)


def _run_in_foreground(integration, run) -> None:
    click.echo(f"Sync run {run.id} ({run.kind}) of {integration.account_id}")
    with click.progressbar(length=1, label="Syncing", show_pos=True, item_show_func=str) as bar:

        def on_progress(done: int, total: int | None) -> None:
            if total and bar.length != total:
                bar.length = max(total, bar.pos + done)
            bar.update(done)

        status = runner.execute_run(run.id, on_progress=on_progress, then_orders=True)
        while status == "waiting":
            time.sleep(POLL_SECONDS)
            status = runner.execute_run(run.id, on_progress=on_progress, then_orders=True)
    run = db.session.get(SyncRun, run.id, populate_existing=True)
    summary = (f"{run.status}: {run.processed} processed, {run.created} created, {run.updated} updated, "
               f"{run.skipped} skipped, {run.deleted} deleted")  # fmt: skip
    if run.status != "succeeded":
        raise click.ClickException(f"{summary}. {run.error or ''}".strip())
    click.echo(summary)


def _audit(integration) -> None:
    if integration.platform != "shopify" or integration.status != "connected":
        raise click.ClickException(f"Integration {integration.id} is not a connected Shopify store.")
    result = audit_integration(integration.id)
    for difference in result["found"]:
        state = "remains" if difference in result["remaining"] else "repaired"
        click.echo(
            f"{difference['kind']:9} {difference.get('gid') or '':40} {difference['detail']} [{state}]"
        )
    for topic in result["webhooks_restored"]:
        click.echo(f"webhook subscription {topic} re-created")
    click.echo(f"{len(result['found'])} differences found, {len(result['remaining'])} remain")
    if result["remaining"]:
        raise click.ClickException(f"{len(result['remaining'])} differences remain.")
