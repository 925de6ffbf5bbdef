"""WhatsApp follow-up: customers and consent, the durable outbox and its sender, templates, automations.

- `customers`: the customer record (business-scoped user id and/or phone digits) and its consent history, set
  from inbound messages (`STOP`/`BAJA`/the opt-out button, `START`) and Shopify's marketing consent.
- `outbox`: the one way to queue an outgoing message (a row first; unique per customer, event and template)
  and the rules checked before queueing and again before sending (consent, the 24-hour window).
- `sender`: the `messaging.send` job (claim with a lease, record the attempt, POST through `app.platforms`),
  the status webhook's effect on a row, and the sweep that re-enqueues due rows and takes back dead leases.
- `templates`: the WhatsApp Business Account's message templates, synced page by page.
- `automations`: order confirmation and shipped, queued from Shopify order and fulfillment rows.

Imports models, platforms (through `app.integrations.clients`), queues and `app.sync`'s dialect helpers;
never the web, the webhooks or the services rooms.
"""
