"""Bringing Shopify's catalog and orders in: the mapping from Shopify shapes to rows (`mapping`), the set-based
writers that apply them (`catalog_writer`, `order_writer`), and the sync orchestration and jobs.

Sync and webhook handlers share `mapping` and the writers: GraphQL nodes, bulk JSONL lines and REST webhook
bodies all become the same records and land through the same code. Nothing here talks HTTP directly; it calls
`app.platforms` clients built by `app.integrations.clients`.
"""
