"""Who is asking: the workspace scope of the logged-in user (pages) or of the API token (`/api`).

Shared by the dashboard blueprints (`app.web`) and the JSON API (`app.api`), so neither imports the other.
Reads only the request's identity (`g.workspace_id` set by the API's token check, or flask-login's user);
holds no business logic.
"""

from __future__ import annotations

from flask import abort, g
from flask_login import current_user

from app.models.scoping import WorkspaceScope


def current_workspace_id() -> int | None:
    workspace_id = g.get("workspace_id")
    if workspace_id:
        return workspace_id
    if current_user and current_user.is_authenticated:
        return current_user.workspace_id
    return None


def current_scope() -> WorkspaceScope:
    workspace_id = current_workspace_id()
    if not workspace_id:
        abort(401)
    return WorkspaceScope(workspace_id)
