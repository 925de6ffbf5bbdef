"""The demo workspace: a login that works out of the box, for the README's first command."""

from __future__ import annotations

from app.services import accounts

DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "demo-password"


def prepare_demo(app, *, host: str, port: int, products: int) -> str:
    user = accounts.find_user(DEMO_EMAIL) or accounts.create_user(DEMO_EMAIL, DEMO_PASSWORD, "Demo Shop")
    lines = [
        f"WAgents Commerce demo on http://{host}:{port}/",
        f"  log in as {DEMO_EMAIL} / {DEMO_PASSWORD} (workspace {user.workspace.name!r})",
    ]
    return "\n".join(lines)
