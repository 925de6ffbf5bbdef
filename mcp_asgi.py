"""ASGI entry point of the MCP server: `uvicorn mcp_asgi:app` (the Procfile's `mcp:` line)."""

from app import create_app
from app.mcp.http import asgi_app

flask_app = create_app()
app = asgi_app(flask_app)
