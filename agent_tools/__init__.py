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
whatsapp_send_product_list, facebook_catalog_status, handoff_to_human), and apart from them, `UCP_TOOLS`: the
catalog and order tools under UCP's names and shapes (`ucp`: search_catalog, lookup_catalog, get_product,
get_order, run with `call_ucp`; `ucp.business_profile` describes them). The search and stock behind the catalog
tools are `app.catalog`'s. May import `app.models`, `app.catalog`, `app.inventory`, `app.integrations.clients`
and `app.platforms`; nothing in `app` imports this package except `app.agent` and `app.mcp`.
"""

# Importing the families registers their tools, in this order (the order the model sees them).
from agent_tools import catalog, orders, platform  # noqa: E402, F401, I001
from agent_tools.registry import TOOLS, Tool, ToolContext, ToolError, call, run, schemas
from agent_tools.ucp import UCP_TOOLS, call_ucp


def mcp_tools() -> list[Tool]:
    """The tools an outside agent sees at `/mcp`: the registry's, in its order (a tool registered there
    appears with no other code)."""
    return list(TOOLS.values())


def ucp_tools() -> list[Tool]:
    """The tools served under UCP's names and shapes (at `/ucp/mcp`, beside `/mcp`: UCP's `get_product`
    and the agent's share a name)."""
    return list(UCP_TOOLS.values())


__all__ = ["TOOLS", "UCP_TOOLS", "Tool", "ToolContext", "ToolError", "call", "call_ucp", "mcp_tools", "run",
           "schemas", "ucp_tools"]  # fmt: skip
