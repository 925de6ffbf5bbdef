"""Webhooks from Shopify, WhatsApp and Facebook: verified intake, a durable inbox, dedupe and processing.

- `intake`: verify the signature over the raw body, find the integration, store the delivery in the `webhook`
  inbox first (the unique (platform, delivery_id) makes a re-delivery a no-op), wake a worker, answer in
  milliseconds.
- `meta_secrets`: which Meta app signed a POST (ours or an integration's own), with bounded work and a cache;
  `meta_split`: a signed Meta POST as one delivery per change / event, wrong-shaped parts kept with their error;
  `json_text`: a body's text without the escapes no database can store (NUL, lone surrogates).
- `shapes`: reading JSON fields with the documented types, or a `WrongShape` error that says where.
- `routes`: the `webhooks` blueprint under /api/webhooks (signature auth, no bearer token, no CSRF); thin.
- `inbox`: the wake-up signal and `drain_inbox()` on the `webhooks` queue, which claims pending rows in bounded
  batches (`FOR UPDATE SKIP LOCKED`); `batch` coalesces a batch per resource and writes it set-based.
- `jobs`: one claimed delivery through its handler (`run_claimed`), `sweep_pending()`, the housekeeping task
  that takes back deliveries of dead workers and wakes a worker for those none saw; `retry_webhook`.
- `lag`: the inbox's lag and throughput for the Logs page, and the alert when it falls behind.
- `handlers`: the one table topic -> handler; `shopify_handlers`, `meta_handlers`, `compliance` hold them.

Handlers share the sync's mapping and writers (`app.sync`), call `app.inventory` for stock and
`app.integrations.service` for uninstalls. Nothing here calls a platform over HTTP, and nothing here logs a
payload or a secret.
"""
