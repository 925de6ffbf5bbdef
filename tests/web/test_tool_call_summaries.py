"""Agent tool calls read as summaries (what it did, with what, and how it went), the raw JSON folded away."""

from __future__ import annotations

import json

from app.models import AgentCall
from app.services import accounts


def test_conversation_tool_calls_read_as_summaries(auth_client, workspace, factory):
    chat = factory.conversation(workspace)
    factory.message(chat, "any tshirts?")
    products = [{"product_id": i, "title": f"Shirt {i}"} for i in range(7)]
    tool_calls = [
        {"id": "call_1", "type": "function",
         "function": {"name": "product_search", "arguments": json.dumps({"query": "tshirt", "in_stock_only": True,
                                                                         "category": None})},
         "result": {"query": "tshirt", "count": 7, "products": products}},
        {"name": "check_availability", "arguments": {"variant_id": 12, "quantity": 2},
         "result": {"error": {"type": "not_found", "message": "No variant 12 in this shop."}}},
    ]  # fmt: skip
    factory.message(chat, "We have shirts", direction="out", tool_calls=tool_calls)
    html = auth_client.get(f"/conversations/{chat.id}").get_data(as_text=True)
    summary = html.split('class="tool-call-summary')[1].split("</div>")[0]
    assert "Searched products" in summary and "query “tshirt”" in summary and "in stock only" in summary
    assert "7 found: Shirt 0, Shirt 1, Shirt 2, Shirt 3, Shirt 4 and 2 more" in summary
    assert "category" not in summary  # empty arguments are left out
    failed = html.split('class="tool-call-summary')[2].split("</div>")[0]
    assert "Checked stock" in failed and "variant id 12 · quantity 2" in failed
    assert "failed: No variant 12 in this shop." in failed and "badge err" in failed
    # The raw JSON is still there, folded.
    assert html.count('<details class="tool-call">') == 2 and "&#34;in_stock_only&#34;: true" in html


def test_agent_call_log_reads_as_summaries(auth_client, user, db):
    token = accounts.create_api_token(user, "shop bot")[0]
    db.session.add_all([
        AgentCall(workspace_id=user.workspace_id, token_id=token.id, transport="http", tool="product_search",
                  arguments='{"query": "lamp", "limit": 5}', outcome="ok", duration_ms=12),
        AgentCall(workspace_id=user.workspace_id, token_id=token.id, transport="http", tool="create_order",
                  arguments='{"items": [{"variant_id": 1, "quantity": 2}]}', outcome="missing_scope",
                  message="This token may not write orders.", duration_ms=3),
    ])  # fmt: skip
    db.session.commit()
    page = auth_client.get("/settings/agents").get_data(as_text=True)
    assert "Searched products" in page and "query “lamp”" in page
    assert "Created an order" in page and "1 item" in page
    assert '<summary class="muted">Raw</summary><code>{&#34;query&#34;: &#34;lamp&#34;' in page
