"""Which scope each /api route needs of its token: catalog reads, order reads, order writes; everything else
(integrations, syncs, product edits, webhooks, compliance) needs `shop:admin`. `/api/me` answers any valid
token. The same scope names the MCP tools need (`agent_tools`); the OpenAPI document shows each route's."""

from __future__ import annotations

ENDPOINT_SCOPES: dict[str, str | None] = {
    "api.me": None,
    "api.list_products": "catalog:read",
    "api.get_product": "catalog:read",
    "api.product_inventory": "catalog:read",
    "api.list_orders": "orders:read",
    "api.get_order": "orders:read",
    "api.create_order": "orders:write",
    "api.update_order": "orders:write",
    "api.delete_order": "orders:write",
    "api.create_reservation": "orders:write",
    "api.commit_order": "orders:write",
    "api.cancel_order": "orders:write",
}
# Read-only routes under these paths serve the catalog (the product feeds): `catalog:read`.
CATALOG_PATHS = ("/api/feeds/",)
ADMIN = "shop:admin"


def required_scope(endpoint: str | None, method: str, path: str) -> str | None:
    if endpoint in ENDPOINT_SCOPES:
        return ENDPOINT_SCOPES[endpoint]
    if method in ("GET", "HEAD") and path.startswith(CATALOG_PATHS):
        return "catalog:read"
    return ADMIN
