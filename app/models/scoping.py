"""The one way to read business rows: through a workspace scope.

`WorkspaceScope(workspace_id).select(Product)` always carries the workspace filter, and `get()` answers
None for another workspace's id, so a route cannot leak rows across workspaces by forgetting a filter.
Models without a `workspace_id` column are reached through their parent (order items through orders,
messages through conversations) and are refused here.
"""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import Select, func, select

from app.extensions import db

M = TypeVar("M")


MAX_ID = 2**31 - 1  # primary keys are INTEGER on Postgres


class WorkspaceScope:
    def __init__(self, workspace_id: int):
        if not workspace_id:
            raise ValueError("a workspace scope needs a workspace id")
        self.workspace_id = workspace_id

    @staticmethod
    def _column(model):
        column = getattr(model, "workspace_id", None)
        if column is None:
            raise TypeError(f"{model.__name__} has no workspace_id; reach it through its parent")
        return column

    def select(self, model: type[M], *criteria) -> Select:
        return select(model).where(self._column(model) == self.workspace_id, *criteria)

    def get(self, model: type[M], id_) -> M | None:
        try:
            id_ = int(id_)
        except (TypeError, ValueError):
            return None
        if not 0 < id_ <= MAX_ID:  # primary keys are INTEGER: a larger id names nothing (and would overflow)
            return None
        return db.session.scalars(self.select(model, model.id == id_)).first()

    def all(self, model: type[M], *criteria) -> list[M]:
        return list(db.session.scalars(self.select(model, *criteria)))

    def count(self, model, *criteria) -> int:
        stmt = (
            select(func.count()).select_from(model).where(self._column(model) == self.workspace_id, *criteria)
        )
        return db.session.scalar(stmt) or 0

    def add(self, obj):
        """Attach a new row to this workspace (whatever the caller set) and add it to the session."""
        obj.workspace_id = self.workspace_id
        db.session.add(obj)
        return obj
