"""Bringing Shopify's catalog and orders in: the mapping from Shopify shapes to rows (`mapping`), the set-based
writers that apply them (`catalog_writer`, `order_writer`), and the sync orchestration and jobs.

Sync and webhook handlers share `mapping` and the writers: GraphQL nodes, bulk JSONL lines and REST webhook
bodies all become the same records and land through the same code. Nothing here talks HTTP directly; it calls
`app.platforms` clients built by `app.integrations.clients`.

Every sync starts at one door, `service.start_sync` (its default kind, its refusals), and runs in
`runner.execute_run` with `options.SyncOptions` read from the app's config. Imports inside the package flow one
way: `jobs` -> `runner` -> `bulk` -> `units` -> the writers and `lifecycle` -> `mapping` (the runner also uses
`facebook_push`); `service` sits beside the runner (it enqueues jobs by name), and nothing imports `jobs`. This package may import
models, platforms, integrations and queues; never the web, the API, webhooks or services.
"""
