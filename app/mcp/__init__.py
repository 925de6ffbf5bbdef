"""The MCP server: the agent tools (`agent_tools.mcp_tools()`) served to any outside agent over the Model
Context Protocol, on the official `mcp` SDK (2.x, low-level `Server`).

- `server.py`: the tool list and the tool call, generated from the registry (names, descriptions, input
  schemas, annotations); each call runs `agent_tools.run()` inside a Flask app context for the token's
  workspace, after its scope and rate limit are checked, and is recorded.
- `identity.py`: who is calling (an API token: workspace, scopes), checked per HTTP request or once for stdio.
- `calls.py`: the per-token rate limit (Flask-Limiter's storage: Redis, or memory embedded) and the call log.
- `http.py`: the Streamable HTTP ASGI app at `/mcp` (401 without a valid token); `mcp_asgi.py` at the
  repository root builds it for uvicorn (the Procfile's `mcp:` line). `stdio.py`: `flask mcp stdio`.

Sits beside `app.api` and `app.web` (it is another edge): imports `agent_tools`, `app.services`, `app.models`;
nothing imports it but the CLI and the ASGI entry point. Holds no business logic of its own.
"""
