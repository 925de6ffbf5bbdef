"""Shopify Admin GraphQL: the client, its documents, cost and throttle arithmetic and bulk operations.

Plain data in and out; no models, no Flask. `cost` is also used by the demo store (`app/demo_store/`).
"""
