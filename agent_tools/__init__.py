"""Agent tools: what a conversational agent may do with a shop, as OpenAI function-calling tools.

- `schemas(api="chat"|"responses")`: the strict tool schemas for Chat Completions or the Responses API.
- `call(name, arguments_json, context)`: validate the model's arguments and run the tool; never raises,
  answers `{"error": {"type", "message"}}` the model can read. `run(tool, ...)` does the same for a `Tool`.
- `ToolContext(workspace_id, conversation_id=None)`: who the tools act for; no tool sees another workspace.
- `mcp_tools()`: every tool served to outside agents (the MCP server, `app.mcp`): the registry's, then any
  family served to them only (UCP's names, `agent_tools.ucp`, when present).

Each tool names the token scope it needs (`catalog:read`, `orders:read`, `orders:write`, `messages:send`) and
says whether it only reads, may destroy, is idempotent or reaches outside (the MCP annotations).

Tool families: `catalog` (product_search, get_product, check_availability), `orders` (create_order,
add_to_order, get_order_status, cancel_order), `platform` (shopify_get_product_live, whatsapp_send_product,
whatsapp_send_product_list, facebook_catalog_status, handoff_to_human). The search and stock behind the catalog
tools are `app.catalog`'s. May import `app.models`, `app.catalog`, `app.inventory`, `app.integrations.clients`
and `app.platforms`; nothing in `app` imports this package except `app.agent` and `app.mcp`.
"""

# Importing the families registers their tools, in this order (the order the model sees them).
from agent_tools import catalog, orders, platform  # noqa: E402, F401, I001
from agent_tools.registry import TOOLS, Tool, ToolContext, ToolError, call, run, schemas

try:  # UCP-named tools over the same functions, served to outside agents only
    import agent_tools.ucp as _ucp
except ModuleNotFoundError as exc:  # pragma: no cover - absent until that family lands
    if exc.name != "agent_tools.ucp":
        raise
    _ucp = None


def mcp_tools() -> list[Tool]:
    """The tools an outside agent sees, in order; names are unique (the registry's first)."""
    tools = {t.name: t for t in TOOLS.values()}
    extra = getattr(_ucp, "TOOLS", None) or {}
    for extra_tool in extra.values() if isinstance(extra, dict) else extra:
        tools.setdefault(extra_tool.name, extra_tool)
    return list(tools.values())


__all__ = ["TOOLS", "Tool", "ToolContext", "ToolError", "call", "mcp_tools", "run", "schemas"]
