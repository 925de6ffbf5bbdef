"""`GET /.well-known/ucp`: the UCP business profile, valid against UCP's profile schema, listing the MCP
endpoint and exactly the capabilities served (catalog search and lookup, order; no checkout)."""

from __future__ import annotations

from tests.agent_tools.ucp_schemas import problems


def test_the_business_profile_is_public_and_valid(client, app, monkeypatch):
    response = client.get("/.well-known/ucp")
    assert response.status_code == 200 and response.headers["Access-Control-Allow-Origin"] == "*"
    profile = response.get_json()
    assert problems("discovery/profile.json", "business_profile", profile) == []
    ucp = profile["ucp"]
    (service,) = ucp["services"]["dev.ucp.shopping"]
    assert service["transport"] == "mcp" and service["endpoint"] == app.config["MCP_URL"].replace(
        "/mcp", "/ucp/mcp"
    )
    assert set(ucp["capabilities"]) == {
        "dev.ucp.shopping.catalog.search", "dev.ucp.shopping.catalog.lookup", "dev.ucp.shopping.order"}  # fmt: skip
    assert not any("checkout" in name or "cart" in name for name in ucp["capabilities"])
    assert ucp["payment_handlers"] == {}
    monkeypatch.setitem(app.config, "MCP_URL", "https://mcp.shop.example.com/mcp")
    moved = client.get("/.well-known/ucp").get_json()["ucp"]["services"]["dev.ucp.shopping"][0]
    assert moved["endpoint"] == "https://mcp.shop.example.com/ucp/mcp"
