"""One sync door (`service.start_sync`): both API routes, the dashboard button and the CLI start the same
default kind when told none, and refuse with one body: the sentence, and the run it is about."""

from __future__ import annotations

from sqlalchemy import select

from app.models import Integration, SyncRun
from app.sync import service

REFUSAL_FIELDS = {"error", "run", "status_url"}


def doors(integration_id: int) -> list[tuple[str, dict]]:
    """(path, JSON body without a kind) of the two API routes that start a sync."""
    return [
        ("/api/sync", {"integration_id": integration_id}),
        (f"/api/integrations/{integration_id}/sync", {}),
    ]


def test_both_api_doors_start_the_default_kind_and_answer_alike(db, api_client, integration):
    iid = integration.id
    for path, body in doors(iid):
        answer = api_client.post(path, json=body)
        assert answer.status_code == 202, answer.get_json()
        started = answer.get_json()
        run = db.session.get(SyncRun, started["run_id"])
        assert run.kind == service.DEFAULT_KIND == "full"
        assert started["run"]["id"] == run.id and started["run"]["status"] == "queued"
        assert started["status_url"] == f"/api/sync/{run.id}" == answer.headers["Location"]
        run.status = "cancelled"  # out of the way of the next door
        db.session.commit()
    assert "integration" in api_client.post(f"/api/integrations/{iid}/sync").get_json()  # and the card's data


def test_a_run_in_progress_is_refused_with_one_body_by_both_doors(db, api_client, integration):
    iid = integration.id
    first = api_client.post("/api/sync", json={"integration_id": iid, "kind": "incremental"}).get_json()
    refusals = [api_client.post(path, json=body) for path, body in doors(iid)]
    assert [r.status_code for r in refusals] == [409, 409]
    bodies = [r.get_json() for r in refusals]
    assert bodies[0] == bodies[1]
    assert set(bodies[0]) == REFUSAL_FIELDS
    assert bodies[0]["run"]["id"] == first["run_id"] and bodies[0]["status_url"] == first["status_url"]
    assert f"run {first['run_id']}" in bodies[0]["error"] and "incremental" in bodies[0]["error"]
    assert db.session.scalar(select(SyncRun.id).where(SyncRun.integration_id == iid)) == first["run_id"]


def test_a_store_not_connected_is_refused_with_the_same_body_by_both_doors(db, api_client, integration):
    integration.status = "disconnected"
    db.session.commit()
    refusals = [api_client.post(path, json=body) for path, body in doors(integration.id)]
    assert [r.status_code for r in refusals] == [409, 409]
    expected = {"error": "Connect this store before syncing it.", "run": None, "status_url": None}
    assert [r.get_json() for r in refusals] == [expected, expected]
    assert db.session.scalars(select(SyncRun)).all() == []


def test_both_doors_take_a_kind_and_refuse_an_unknown_one_alike(db, api_client, integration):
    iid = integration.id
    bad = [api_client.post(path, json={**body, "kind": "everything"}) for path, body in doors(iid)]
    assert [r.status_code for r in bad] == [400, 400]
    assert bad[0].get_json() == bad[1].get_json() and bad[0].get_json()["parameter"] == "kind"
    answer = api_client.post(f"/api/integrations/{iid}/sync", json={"kind": "orders"})
    assert answer.status_code == 202
    assert db.session.get(SyncRun, answer.get_json()["run_id"]).kind == "orders"


def test_cli_starts_the_default_kind_unless_a_flag_names_another(app, db, integration):
    iid = integration.id
    plain = app.test_cli_runner().invoke(args=["sync", str(iid)])
    assert plain.exit_code == 0, plain.output
    incremental = app.test_cli_runner().invoke(args=["sync", str(iid), "--incremental"])
    assert incremental.exit_code == 0, incremental.output
    runs = db.session.scalars(select(SyncRun).order_by(SyncRun.id)).all()
    # The full sync brought the orders too (its orders run follows it, in the foreground as well).
    assert [(r.kind, r.status) for r in runs] == [
        ("full", "succeeded"), ("orders", "succeeded"), ("incremental", "succeeded"),
    ]  # fmt: skip
    assert db.session.get(Integration, iid).sync_status == "idle"
