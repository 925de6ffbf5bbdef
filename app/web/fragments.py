"""htmx helpers shared by the dashboard blueprints (no business logic)."""

from __future__ import annotations

from flask import request


def wants_fragment() -> bool:
    """True for an htmx swap; False for a normal load and for htmx restoring history (it needs the whole page)."""
    return bool(request.headers.get("HX-Request")) and not request.headers.get("HX-History-Restore-Request")
