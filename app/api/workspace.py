from flask import jsonify

from app.api import bp
from app.auth_scope import current_scope
from app.extensions import db
from app.models import Workspace


@bp.get("/me")
def me():
    """The workspace the token belongs to: a cheap way for a script to check its token."""
    workspace = db.session.get(Workspace, current_scope().workspace_id)
    return jsonify({"workspace": {"id": workspace.id, "name": workspace.name}})
