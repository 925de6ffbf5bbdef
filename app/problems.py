"""The one base of the errors the app raises for a person to read: `AppError`.

A service, the inventory, the sync or a tool raises a subclass (`AccountError`, `Refused`, `InventoryError`,
`SyncError`, `ToolError`, `BadParameter`...) with `message`, a sentence safe to show as it is, and `status`,
the HTTP code that fits. `app.errors` answers every one of them in one place: `{"error": message, ...}` on
/api, the error page (or the htmx fragment) elsewhere. A route catches one only to do something else with
it (re-render a form with its field errors), never to turn it into the same JSON by hand.

Lowest layer: imports nothing of ours, knows nothing of Flask, so models, services, sync, inventory, params
and tools can all raise it.
"""

from __future__ import annotations


class AppError(Exception):
    """`message` for the person, `status` for HTTP, and the JSON fields answered beside `"error"`.

    Extra fields come from `fields` (field name -> sentence, answered as `"fields"`, its first name also as
    `"parameter"`) and from keyword arguments (answered as they are, e.g. `variant_id`, `parameter`).
    """

    status: int = 400
    fields: dict | None = None

    def __init__(self, message: str, *, status: int | None = None, **extra):
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
        self.extra = extra

    def answer(self) -> dict:
        """The JSON fields answered beside `"error"` (not the message itself)."""
        extra = dict(getattr(self, "extra", {}))
        if self.fields is not None:
            extra = {"fields": self.fields, **extra}
        return extra
