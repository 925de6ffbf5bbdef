"""Workspace isolation of the query helper, and secrets that are never stored in plain text."""

import pytest
from sqlalchemy import text

from app.models import Integration, Product
from app.models.scoping import WorkspaceScope
from app.models.types import decrypt_json


def _product(db, workspace_id, title):
    product = Product(workspace_id=workspace_id, title=title)
    db.session.add(product)
    db.session.commit()
    return product


def test_scope_never_returns_another_workspaces_rows(db, make_user):
    mine, theirs = make_user().workspace, make_user().workspace
    own = _product(db, mine.id, "Mine")
    foreign = _product(db, theirs.id, "Theirs")
    scope = WorkspaceScope(mine.id)
    assert [p.title for p in scope.all(Product)] == ["Mine"]
    assert scope.get(Product, own.id) is own
    assert scope.get(Product, foreign.id) is None
    assert scope.get(Product, "not-a-number") is None
    assert scope.count(Product) == 1


def test_scope_add_forces_its_workspace(db, make_user):
    mine, theirs = make_user().workspace, make_user().workspace
    product = WorkspaceScope(mine.id).add(Product(workspace_id=theirs.id, title="Sneaky"))
    db.session.commit()
    assert product.workspace_id == mine.id


def test_scope_refuses_models_without_workspace(db):
    from app.models import OrderItem

    with pytest.raises(TypeError):
        WorkspaceScope(1).select(OrderItem)


def test_secrets_are_encrypted_in_the_raw_column(db, workspace):
    integration = Integration(
        workspace_id=workspace.id, platform="shopify", account_id="demo.myshopify.com", config={}
    )
    integration.set_secrets(access_token="shpat_supersecret123", refresh_token="refresh-abc")
    db.session.add(integration)
    db.session.commit()

    raw = db.session.execute(
        text("SELECT secrets FROM integration WHERE id = :id"), {"id": integration.id}
    ).scalar()
    assert "shpat_supersecret123" not in raw and "refresh-abc" not in raw
    assert decrypt_json(raw)["access_token"] == "shpat_supersecret123"

    db.session.expire_all()
    reloaded = db.session.get(Integration, integration.id)
    assert reloaded.secret("access_token") == "shpat_supersecret123"
    reloaded.set_secrets(refresh_token=None)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Integration, integration.id).secrets == {"access_token": "shpat_supersecret123"}


def test_wrong_encryption_key_is_a_clear_error(app, db, workspace):
    integration = Integration(workspace_id=workspace.id, platform="whatsapp", account_id="123", config={})
    integration.set_secrets(access_token="EAAG-secret")
    db.session.add(integration)
    db.session.commit()
    raw = db.session.execute(text("SELECT secrets FROM integration")).scalar()
    from cryptography.fernet import Fernet

    app.config["ENCRYPTION_KEY"] = Fernet.generate_key().decode()
    try:
        with pytest.raises(ValueError, match="ENCRYPTION_KEY"):
            decrypt_json(raw)
    finally:
        app.config["ENCRYPTION_KEY"] = None


def test_encryption_key_rotation_reads_old_secrets(app, db):
    from cryptography.fernet import Fernet

    from app.models.types import encrypt_json

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    app.config["ENCRYPTION_KEY"] = old
    try:
        token = encrypt_json({"k": "v"})
        app.config["ENCRYPTION_KEY"] = f"{new},{old}"
        assert decrypt_json(token) == {"k": "v"}
    finally:
        app.config["ENCRYPTION_KEY"] = None


def test_timestamps_come_back_timezone_aware(db, workspace):
    product = _product(db, workspace.id, "Clock")
    db.session.expire_all()
    assert db.session.get(Product, product.id).created_at.tzinfo is not None
