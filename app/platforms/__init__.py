"""The only door to the outside platforms: Shopify Admin GraphQL and OAuth, WhatsApp Cloud API, Meta Graph.

Everything here takes and returns plain data (dicts, dataclasses) and raises the typed errors of
`app.platforms.errors`. It imports no models, no Flask app and no services: callers above (sync, webhooks,
inventory, integrations) own persistence, locking and merchant-facing wording beyond `merchant_message`.
"""
