from flask import jsonify

from app.api import bp
from app.extensions import db
from app.models import Workspace
from app.web.context import current_scope


@bp.get("/me")
def me():
    """The workspace the token belongs to: a cheap way for a script to check its token."""
    workspace = db.session.get(Workspace, current_scope().workspace_id)
    return jsonify({"workspace": {"id": workspace.id, "name": workspace.name}})
